// "Continue training" as a PyTorch checkpoint resumes: the optimizer's and the scheduler's
// state_dict() are saved at a run's end and loaded into the next run's freshly built ones,
// with the generators' states, so training k steps and continuing m equals k + m at once.
//
// What carries over depends on what the next run's configuration keeps:
// - the same optimizer class: its per-parameter state (momentum buffers, Adam's moments and
//   step); with the same keywords too, its group's hyperparameters (the scheduled lr,
//   momentum, betas) — else the configuration's keywords apply to the restored moments;
// - the same scheduler with the same keywords: its state (last_epoch, ReduceLROnPlateau's
//   best and counters), except OneCycleLR, whose cycle is sized to a run and starts anew;
// - always: the dropout, shuffling and augmentation generators.
import type { Choice, TrainingConfig } from '../core/run/training-config.ts';
import { sameChoice, type TrainState } from '../core/run/train-state.ts';
import type { Model } from './model.ts';
import type { Optimizer, Scheduler } from './optim/index.ts';
import type { DataLoader } from './data-loader.ts';
import type { Rng } from './rng.ts';

/** The parts of a run a train state is read from and restored into. */
export interface ResumableParts {
  model: Model;
  optimizer: Optimizer;
  scheduler: Scheduler | null;
  loaders: { train: DataLoader; augment?: Rng };
}

type Configured = { optimizer: Choice; scheduler?: Choice | null };

/** A run's end state: the optimizer and scheduler as configured, their state_dicts, the generators. */
export function trainStateOf(
  parts: ResumableParts,
  config: Configured,
  at: { step: number; epoch: number },
): TrainState {
  const { model, optimizer, scheduler, loaders } = parts;
  return {
    optimizer: { spec: structuredClone(config.optimizer), stateDict: optimizer.stateDict() },
    scheduler:
      scheduler && config.scheduler
        ? { spec: structuredClone(config.scheduler), stateDict: scheduler.stateDict() }
        : null,
    step: at.step,
    epoch: at.epoch,
    rng: { model: model.rng.getState(), shuffle: loaders.train.rngState, augment: loaders.augment?.getState() ?? [] },
  };
}

/** Loads a saved state into freshly built parts; says what was restored. */
export function resumeTraining(
  saved: TrainState,
  parts: ResumableParts,
  config: Pick<TrainingConfig, 'optimizer'> & Partial<Pick<TrainingConfig, 'scheduler'>>,
): { optimizer: boolean; hyperparameters: boolean; scheduler: boolean } {
  const { model, optimizer, scheduler, loaders } = parts;
  const sameOptimizer = saved.optimizer.spec.type === config.optimizer.type;
  const hyperparameters = sameOptimizer && sameChoice(saved.optimizer.spec, config.optimizer);
  if (sameOptimizer) optimizer.loadStateDict(saved.optimizer.stateDict, { hyperparameters });
  const sameScheduler =
    scheduler !== null &&
    saved.scheduler !== null &&
    scheduler.type !== 'OneCycleLR' &&
    sameChoice(saved.scheduler.spec, config.scheduler ?? null);
  if (sameScheduler) scheduler.loadStateDict(saved.scheduler!.stateDict);
  model.rng.setState(saved.rng.model);
  loaders.train.rngState = saved.rng.shuffle;
  if (loaders.augment && saved.rng.augment.length) loaders.augment.setState(saved.rng.augment);
  return { optimizer: sameOptimizer, hyperparameters, scheduler: sameScheduler };
}
