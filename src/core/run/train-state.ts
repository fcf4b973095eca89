// What "Continue training" carries from a run to the next besides its weights: the
// optimizer's and the scheduler's state_dict() in PyTorch's names and shapes, how far the
// run got, and the random generators' states — a PyTorch checkpoint's
// {'optimizer': opt.state_dict(), 'scheduler': sched.state_dict(), 'step': …, 'rng': …}.
// Plain data (typed arrays, numbers): it crosses postMessage and is kept in IndexedDB.
import type { Choice } from './training-config.ts';

/** One state tensor (momentum_buffer, exp_avg, …), float32 like PyTorch's. */
export interface StateTensor {
  shape: number[];
  data: Float32Array;
}

/** A value of a parameter's optimizer state: a tensor, a count (`step`), or None. */
export type OptimizerStateValue = StateTensor | number | null;

/** One parameter group: its hyperparameters by PyTorch's names, and its parameters' indices. */
export interface ParamGroupState {
  params: number[];
  lr: number;
  [keyword: string]: unknown;
}

/** torch.optim.Optimizer.state_dict(): per-parameter state keyed by the parameter's index. */
export interface OptimizerStateDict {
  state: Record<string, Record<string, OptimizerStateValue>>;
  param_groups: ParamGroupState[];
}

/** A scheduler's state_dict() (last_epoch, _last_lr, base_lrs; ReduceLROnPlateau's best, num_bad_epochs, …). */
export type SchedulerStateDict = Record<string, number | number[] | string | boolean | null>;

/** The state of one of the engine's seeded generators (xoshiro128**'s four words and Box–Muller's spare). */
export type RngState = number[];

export interface TrainState {
  /** The optimizer as configured (type and keywords) and its state_dict(). */
  optimizer: { spec: Choice; stateDict: OptimizerStateDict };
  /** The scheduler as configured and its state_dict(); null without one. */
  scheduler: { spec: Choice; stateDict: SchedulerStateDict } | null;
  /** Optimizer steps and epochs trained so far, the runs continued from included. */
  step: number;
  epoch: number;
  /** After the last step: dropout's generator, the loader's shuffling and augmentation. */
  rng: { model: RngState; shuffle: RngState; augment: RngState };
}

/** Same type and keywords (an unchanged optimizer or scheduler resumes exactly). */
export function sameChoice(a: Choice | null, b: Choice | null): boolean {
  return JSON.stringify(sortedKeys(a)) === JSON.stringify(sortedKeys(b));
}

function sortedKeys(c: Choice | null): [string, unknown][] | null {
  return c && Object.entries(c).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
}
