// ReduceLROnPlateau, torch 1.13: not an _LRScheduler — it steps with a metric once per
// epoch and multiplies lr by `factor` after more than `patience` epochs without an
// improvement (by `threshold`, relative or absolute), then waits `cooldown` epochs.
import type { SchedulerStateDict } from '../../core/run/train-state.ts';
import { savedNumber, type Scheduler } from './lr-scheduler.ts';
import type { Optimizer } from './optimizer.ts';

export interface PlateauOptions {
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  threshold_mode: 'rel' | 'abs';
  cooldown: number;
  min_lr: number;
  eps: number;
}

export class ReduceLROnPlateau implements Scheduler {
  readonly type = 'ReduceLROnPlateau' as const;
  lastEpoch = 0;
  lastLr: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;

  constructor(
    private readonly opt: Optimizer,
    private readonly o: PlateauOptions,
  ) {
    if (o.factor >= 1.0) throw new Error('ReduceLROnPlateau.factor: Factor should be < 1.0.');
    this.best = o.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = opt.lr;
  }

  private isBetter(a: number): boolean {
    const { mode, threshold_mode: tm, threshold } = this.o,
      best = this.best;
    if (mode === 'min') return tm === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return tm === 'rel' ? a > best * (threshold + 1) : a > best + threshold;
  }

  stateDict(): SchedulerStateDict {
    const o = this.o;
    return {
      mode: o.mode,
      factor: o.factor,
      patience: o.patience,
      threshold: o.threshold,
      threshold_mode: o.threshold_mode,
      cooldown: o.cooldown,
      min_lrs: [o.min_lr],
      eps: o.eps,
      best: this.best,
      num_bad_epochs: this.numBadEpochs,
      cooldown_counter: this.cooldownCounter,
      last_epoch: this.lastEpoch,
      _last_lr: [this.lastLr],
    };
  }

  loadStateDict(sd: SchedulerStateDict): void {
    const t = this.type;
    const state = {
      best: savedNumber(sd, 'best', t),
      numBadEpochs: savedNumber(sd, 'num_bad_epochs', t),
      cooldownCounter: savedNumber(sd, 'cooldown_counter', t),
      lastEpoch: savedNumber(sd, 'last_epoch', t),
      lastLr: savedNumber(sd, '_last_lr', t),
    };
    Object.assign(this, state);
  }

  /** One epoch's end with the monitored metric (validation loss, say). */
  step(metric?: number): void {
    if (metric === undefined)
      throw new Error('ReduceLROnPlateau steps with the monitored metric (scheduler.step(val_loss))');
    this.lastEpoch += 1;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // ignore bad epochs in cooldown
    }
    if (this.numBadEpochs > this.o.patience) {
      const old = this.opt.lr,
        next = Math.max(old * this.o.factor, this.o.min_lr);
      if (old - next > this.o.eps) this.opt.lr = next;
      this.cooldownCounter = this.o.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.opt.lr;
  }
}
