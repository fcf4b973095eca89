// The scheduler contract and base: PyTorch's _LRScheduler with one parameter group.
import type { SchedulerStateDict } from '../../core/run/train-state.ts';
import type { Optimizer } from './optimizer.ts';

export type SchedulerType =
  'StepLR' | 'MultiStepLR' | 'ExponentialLR' | 'CosineAnnealingLR' | 'LinearLR' | 'OneCycleLR' | 'ReduceLROnPlateau';

export interface SchedulerSpec {
  type: SchedulerType;
  [keyword: string]: unknown;
}

export interface Scheduler {
  readonly type: SchedulerType;
  /** Number of step() calls since construction (PyTorch's last_epoch). */
  readonly lastEpoch: number;
  /** The lr set by the last step (get_last_lr()[0]). */
  readonly lastLr: number;
  /** `metric`: the monitored value, for ReduceLROnPlateau (the others ignore it). */
  step(metric?: number): void;
  /** scheduler.state_dict() in PyTorch's names (last_epoch, _last_lr, base_lrs, …). */
  stateDict(): SchedulerStateDict;
  /** scheduler.load_state_dict(): continues the schedule where the saved one was. */
  loadStateDict(sd: SchedulerStateDict): void;
}

/** A number of a saved scheduler state; throws naming the key. */
export function savedNumber(sd: SchedulerStateDict, key: string, type: string): number {
  let v = sd[key];
  if (Array.isArray(v) && v.length === 1) v = v[0];
  if (typeof v !== 'number') throw new Error(`${type} state: '${key}' must be a number, got ${JSON.stringify(v)}`);
  return v;
}

export abstract class LRScheduler implements Scheduler {
  lastEpoch = -1;
  lastLr = NaN;
  /** PyTorch's base_lrs[0] (the group's initial_lr). */
  protected baseLr: number;

  protected constructor(
    readonly type: SchedulerType,
    protected readonly opt: Optimizer,
  ) {
    this.baseLr = opt.lr;
  }

  protected abstract getLr(): number;

  stateDict(): SchedulerStateDict {
    return {
      last_epoch: this.lastEpoch,
      _step_count: this.lastEpoch + 1,
      base_lrs: [this.baseLr],
      _last_lr: [this.lastLr],
    };
  }

  loadStateDict(sd: SchedulerStateDict): void {
    const lastEpoch = savedNumber(sd, 'last_epoch', this.type);
    this.baseLr = savedNumber(sd, 'base_lrs', this.type);
    this.lastLr = savedNumber(sd, '_last_lr', this.type);
    this.lastEpoch = lastEpoch;
  }

  step(): void {
    this.lastEpoch += 1;
    this.opt.lr = this.getLr();
    this.lastLr = this.opt.lr;
  }
}
