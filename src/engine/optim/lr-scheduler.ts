// The scheduler contract and base: PyTorch's _LRScheduler with one parameter group.
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

  step(): void {
    this.lastEpoch += 1;
    this.opt.lr = this.getLr();
    this.lastLr = this.opt.lr;
  }
}
