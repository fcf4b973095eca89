// The training loop: PyTorch's seed loop (forward, loss, zero_grad, backward, step) over
// epochs, with per-epoch validation in eval mode, pause/resume/stop between steps and a
// clean error when the loss stops being finite.
//
//   const controller = new TrainController();
//   const result = await train(model, { train: source }, config, {
//     controller,                                   // pause() / resume() / stop() from anywhere
//     onProgress: (events) => post(events),         // batched: at most every progressIntervalMs
//   });
//
// Events: 'steps' (a batch of per-step training losses), 'epoch' (mean train loss and
// accuracy, validation loss and accuracy), 'state' (paused / running). `step` is the
// 0-based global step and `epoch` the 0-based epoch index (core/run/records.ts). Schedulers in core's PER_BATCH_SCHEDULERS
// (OneCycleLR) step after every batch, the others after every epoch. A loss that is NaN or
// infinite rejects with NonFiniteLossError before backward, so the weights stay the last
// finite ones.
import type { EpochRecord, TrainOutcome } from '../core/run/records.ts';
import type { TrainState } from '../core/run/train-state.ts';
import { resumeTraining, trainStateOf } from './resume.ts';
import { type Choice, type TrainingConfig } from '../core/run/training-config.ts';
import { PER_BATCH_SCHEDULERS } from '../core/run/training-catalogue.ts';
import { DataLoader, splitIndices, type Batch, type BatchSource } from './data-loader.ts';
import { createLoss, type Loss } from './losses.ts';
import { lossTarget } from './losses/targets.ts';
import { clipGradients, gradClipOf, type GradClip } from './optim/clip.ts';
import { EarlyStopping } from './early-stopping.ts';
import {
  createOptimizer,
  createScheduler,
  SCHEDULER_TYPES,
  type Optimizer,
  type Scheduler,
  type SchedulerSpec,
  type SchedulerType,
} from './optim/index.ts';
import type { Model } from './model.ts';
import type { IntTensor, Tensor } from './tensor.ts';
import type { Rng } from './rng.ts';
import { ProgressBuffer, TrainController, yieldToEventLoop, type TrainEvent } from './train-control.ts';

/** What the loop reads of a TrainingConfig; a TrainingConfig is one (seed 0, shuffle, no validation, no drop_last, no clipping and no early stopping when left out). */
export type TrainerConfig = Pick<TrainingConfig, 'loss' | 'optimizer' | 'batchSize' | 'epochs'> &
  Partial<
    Pick<TrainingConfig, 'scheduler' | 'seed' | 'shuffle' | 'valSplit' | 'dropLast' | 'gradClip' | 'earlyStopping'>
  >;

export interface TrainResult {
  status: TrainOutcome;
  steps: number;
  epochs: EpochRecord[];
  /**
   * With early stopping: the best epoch by the monitored value (0-based, like EpochRecord.epoch),
   * the epoch after which training ended early (0-based; null when every epoch ran), and
   * whether the model now holds the best epoch's weights.
   */
  best?: { epoch: number; value: number; stoppedAt: number | null; restored: boolean };
  /** Where training ended, for a run that continues it (optimizer, scheduler, steps, generators). */
  state: TrainState;
  /** What a `resume` state gave back: the optimizer's state, its hyperparameters, the scheduler's. */
  resumed?: { optimizer: boolean; hyperparameters: boolean; scheduler: boolean };
}

export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    readonly epoch: number,
    readonly value: number,
  ) {
    super(
      `loss became ${value} at step ${step} (epoch ${epoch + 1}); training stopped before applying it — try a lower learning rate`,
    );
    this.name = 'NonFiniteLossError';
  }
}

/** Sees the run between steps (the summaries of engine/run-summaries.ts). */
export interface TrainObserver {
  /** After the optimizer step of local step `step` (0-based): weights updated, gradients kept. */
  afterStep(step: number, batch: Batch): void;
  /** After an epoch (and its validation), whose last local step was `lastStep`. */
  afterEpoch(lastStep: number): void;
}

export interface TrainOptions {
  controller?: TrainController;
  observer?: TrainObserver;
  onProgress?: (events: TrainEvent[]) => void;
  /** Minimum time between onProgress calls while steps run (default 100 ms). */
  progressIntervalMs?: number;
  /** How often the loop yields to the event loop so that messages (pause, stop) get through (default 25 ms). */
  yieldIntervalMs?: number;
  now?: () => number;
  /** Continue from a run's end state ("continue training") instead of fresh optimizer and scheduler. */
  resume?: TrainState;
}

/** Correct predictions of [N, C] logits against [N] class indices, or null when not a classification. */
function countCorrect(out: Tensor, target: Tensor | IntTensor): number | null {
  if (!(target.data instanceof Int32Array) || out.shape.length !== 2 || target.shape.length !== 1) return null;
  const [n, c] = out.shape;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (out.data[i * c + j] > out.data[i * c + best]) best = j;
    if (best === target.data[i]) correct++;
  }
  return correct;
}

/** The epoch's batches and the validation batches (held out by valSplit, or a source of their own). */
export interface RunLoaders {
  train: DataLoader;
  val: DataLoader | null;
  /** The generator of the training split's augmentation, when the loaders' source has one. */
  augment?: Rng;
}

/** The loaders a run uses; `train.length` is its steps per epoch. */
export function makeLoaders(data: { train: BatchSource; validation?: BatchSource }, c: TrainerConfig): RunLoaders {
  const seed = c.seed ?? 0;
  if (data.validation) {
    return {
      train: new DataLoader(data.train, {
        batchSize: c.batchSize,
        shuffle: c.shuffle ?? true,
        dropLast: c.dropLast,
        seed,
        train: true,
      }),
      val: new DataLoader(data.validation, { batchSize: c.batchSize }),
    };
  }
  const split = splitIndices(data.train.length, c.valSplit ?? 0, seed);
  return {
    train: new DataLoader(data.train, {
      batchSize: c.batchSize,
      shuffle: c.shuffle ?? true,
      dropLast: c.dropLast,
      seed,
      train: true,
      indices: split.train,
    }),
    val: split.val.length ? new DataLoader(data.train, { batchSize: c.batchSize, indices: split.val }) : null,
  };
}

function checkConfig(c: TrainerConfig): void {
  if (!Number.isInteger(c.epochs) || c.epochs < 1)
    throw new Error(`epochs must be a positive integer, got ${c.epochs}`);
  if ((c.loss.reduction ?? 'mean') === 'none')
    throw new Error("loss.reduction: 'none' gives one loss per element; training needs a scalar ('mean' or 'sum')");
}

const isSchedulerType = (t: string): t is SchedulerType => (SCHEDULER_TYPES as string[]).includes(t);

function makeScheduler(c: TrainerConfig, opt: Optimizer, stepsPerEpoch: number): Scheduler | null {
  if (!c.scheduler) return null;
  const { type, ...keywords }: Choice = c.scheduler;
  if (!isSchedulerType(type))
    throw new Error(`scheduler.type: unknown scheduler '${type}' (known: ${SCHEDULER_TYPES.join(', ')})`);
  const spec: SchedulerSpec = { ...keywords, type };
  // OneCycleLR needs the run's length; fill it in when the spec leaves it open
  if (spec.type === 'OneCycleLR' && spec.total_steps == null && (spec.epochs == null || spec.steps_per_epoch == null)) {
    spec.total_steps = c.epochs * stepsPerEpoch;
  }
  return createScheduler(spec, opt);
}

/** Trains `model` in place; resolves when all epochs ran or the controller stopped it. */
export async function train(
  model: Model,
  data: { train: BatchSource; validation?: BatchSource },
  config: TrainerConfig,
  options: TrainOptions = {},
): Promise<TrainResult> {
  return trainWith(model, makeLoaders(data, config), config, options);
}

/** train() over loaders made beforehand (prepareRun's, whose length it reported). */
export function trainWith(
  model: Model,
  loaders: RunLoaders,
  config: TrainerConfig,
  options: TrainOptions = {},
): Promise<TrainResult> {
  checkConfig(config);
  return new TrainingRun(model, loaders, config, options).run();
}

/** One call of train(): the loop's state and its steps. */
class TrainingRun {
  private readonly now: () => number;
  private readonly ctl: TrainController;
  private readonly loss: Loss;
  private readonly opt: Optimizer;
  private readonly sched: Scheduler | null;
  private readonly perBatch: boolean;
  private readonly clip: GradClip | null;
  private readonly progress: ProgressBuffer;
  private step = 0;
  private lastYield: number;
  private readonly resumed: TrainResult['resumed'];

  constructor(
    private readonly model: Model,
    private readonly loaders: RunLoaders,
    private readonly config: TrainerConfig,
    private readonly options: TrainOptions,
  ) {
    const { train: tl } = loaders;
    if (tl.length === 0)
      throw new Error(
        `no training batches: ${tl.size} examples with batch size ${config.batchSize}${config.dropLast ? ' and drop_last' : ''}`,
      );
    this.now = options.now ?? (() => performance.now());
    this.ctl = options.controller ?? new TrainController();
    this.loss = createLoss(config.loss);
    this.opt = createOptimizer(config.optimizer, model.parameters());
    this.sched = makeScheduler(config, this.opt, tl.length);
    this.perBatch = this.sched !== null && PER_BATCH_SCHEDULERS.has(String(config.scheduler?.type));
    this.clip = gradClipOf(config.gradClip);
    this.resumed = options.resume && resumeTraining(options.resume, this.parts(), config);
    this.progress = new ProgressBuffer(options.onProgress, options.progressIntervalMs ?? 100, this.now);
    this.lastYield = this.now();
  }

  async run(): Promise<TrainResult> {
    const epochs: EpochRecord[] = [];
    const early = this.config.earlyStopping ? new EarlyStopping(this.config.earlyStopping) : null;
    let bestWeights: ReturnType<Model['stateDict']> | null = null,
      stoppedAt: number | null = null;
    for (let epoch = 0; epoch < this.config.epochs && !this.ctl.isStopped(); epoch++) {
      const t0 = this.now();
      const tr = await this.trainEpoch(epoch);
      if (this.ctl.isStopped()) break;
      const val = this.loaders.val ? await evaluate(this.model, this.loaders.val, this.loss, this.ctl) : null;
      if (this.ctl.isStopped()) break;
      const seconds = (this.now() - t0) / 1000;
      const record: EpochRecord = {
        epoch,
        trainLoss: tr.lossSum / tr.seen,
        trainAccuracy: tr.correct === null ? null : tr.correct / tr.seen,
        valLoss: val?.loss ?? null,
        valAccuracy: val?.accuracy ?? null,
        lr: this.opt.lr,
        seconds,
        examplesPerSecond: tr.seen / Math.max(seconds, 1e-9),
      };
      epochs.push(record);
      // ReduceLROnPlateau monitors the validation loss (the training loss without validation)
      if (this.sched && !this.perBatch) this.sched.step(record.valLoss ?? record.trainLoss);
      this.options.observer?.afterEpoch(this.step - 1);
      this.progress.push({ type: 'epoch', record }, true);
      if (early) {
        const { improved, stop } = early.update(record);
        if (improved && early.config.restore_best_weights) bestWeights = this.model.stateDict();
        if (stop && epoch < this.config.epochs - 1) {
          stoppedAt = epoch;
          break;
        }
      }
    }
    this.progress.flush();
    const restored = bestWeights !== null && early!.bestEpoch !== epochs.at(-1)?.epoch;
    if (restored) this.model.loadStateDict(bestWeights!);
    const best =
      early && early.bestEpoch !== null
        ? { epoch: early.bestEpoch, value: early.best, stoppedAt, restored }
        : undefined;
    const state = trainStateOf(this.parts(), this.config, {
      step: (this.options.resume?.step ?? 0) + this.step,
      epoch: (this.options.resume?.epoch ?? 0) + epochs.length,
    });
    const status = this.ctl.isStopped() ? 'stopped' : 'finished';
    return {
      status,
      steps: this.step,
      epochs,
      ...(best && { best }),
      state,
      ...(this.resumed && { resumed: this.resumed }),
    };
  }

  /** What a train state is made of and restored into. */
  private parts() {
    return { model: this.model, optimizer: this.opt, scheduler: this.sched, loaders: this.loaders };
  }

  private async trainEpoch(epoch: number): Promise<{ lossSum: number; seen: number; correct: number | null }> {
    let lossSum = 0,
      seen = 0,
      correct: number | null = 0;
    this.model.train();
    for (const batch of this.loaders.train.batches()) {
      await this.pauseIfAsked();
      if (this.ctl.isStopped()) break;
      const { value, right } = this.trainStep(batch, epoch);
      correct = right === null || correct === null ? null : correct + right;
      lossSum += value * batch.size;
      seen += batch.size;
      if (this.now() - this.lastYield >= (this.options.yieldIntervalMs ?? 25)) {
        await yieldToEventLoop();
        this.lastYield = this.now();
      }
    }
    return { lossSum, seen, correct };
  }

  /** forward, loss, zero_grad, backward, step — the seed's loop. */
  private trainStep(batch: Batch, epoch: number): { value: number; right: number | null } {
    const out = this.model.forwardView(batch.input);
    const value = this.loss.forward(out, lossTarget(this.loss.type, out, batch.target)).data[0];
    if (!Number.isFinite(value)) {
      // Deliver every finite step logged so far before failing: a failed run keeps its logs.
      this.progress.flush();
      throw new NonFiniteLossError(this.step, epoch, value);
    }
    const right = countCorrect(out, batch.target);
    this.opt.zeroGrad();
    this.model.backwardParams(this.loss.backward());
    clipGradients(this.opt.params, this.clip);
    const lr = this.opt.lr;
    this.opt.step();
    this.options.observer?.afterStep(this.step, batch);
    this.progress.step({ step: this.step, epoch, loss: value, lr });
    this.step++;
    if (this.perBatch) this.sched!.step();
    return { value, right };
  }

  private async pauseIfAsked(): Promise<void> {
    if (!this.ctl.isPaused()) return;
    this.progress.push({ type: 'state', state: 'paused' }, true);
    await this.ctl.waitWhilePaused();
    if (!this.ctl.isStopped()) this.progress.push({ type: 'state', state: 'running' }, true);
  }
}

/** Mean loss (weighted by batch size) and accuracy over a loader, in eval mode. */
export async function evaluate(
  model: Model,
  loader: DataLoader,
  loss: Loss,
  ctl?: TrainController,
): Promise<{ loss: number; accuracy: number | null }> {
  const wasTraining = model.training;
  model.eval();
  let sum = 0,
    seen = 0,
    correct: number | null = 0,
    lastYield = performance.now();
  try {
    for (const batch of loader.batches()) {
      if (ctl?.isStopped()) break;
      const out = model.forwardView(batch.input);
      sum += loss.forward(out, lossTarget(loss.type, out, batch.target)).data[0] * batch.size;
      seen += batch.size;
      const c = countCorrect(out, batch.target);
      correct = c === null || correct === null ? null : correct + c;
      if (performance.now() - lastYield >= 25) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
  } finally {
    model.train(wasTraining);
  }
  return { loss: sum / Math.max(seen, 1), accuracy: correct === null || seen === 0 ? null : correct / seen };
}
