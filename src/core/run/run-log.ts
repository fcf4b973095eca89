// A run's scalar logs, as a PyTorch user writes them with SummaryWriter and as the exported
// train.py writes them, so runs from the browser, the CLI and PyTorch line up on the board:
// loss/train and lr per step at the 0-based global step; loss/val, accuracy/val,
// accuracy/train and throughput/images_per_sec per epoch at the 0-based epoch index;
// accuracy/test and loss/test at step = epochs trained. A continued run carries on from its
// parent's step and epoch. Pure: the scalars go to a sink (a SummaryWriter, an event file).
import type { EpochRecord, EvalResult, StepRecord } from './records.ts';
import type { TrainingConfig } from './training-config.ts';

export const TAGS = {
  trainLoss: 'loss/train',
  lr: 'lr',
  valLoss: 'loss/val',
  valAccuracy: 'accuracy/val',
  trainAccuracy: 'accuracy/train',
  testAccuracy: 'accuracy/test',
  testLoss: 'loss/test',
  throughput: 'throughput/images_per_sec',
} as const;

/** Where a run's steps and epochs start (a continued run's are its parent's totals). */
export interface LogOffsets {
  step: number;
  epoch: number;
}

/** The final metrics a run record and its hparams keep, by tag (plus 'steps', 'epochs', 'seconds'). */
export type FinalMetrics = Record<string, number>;

export type ScalarSink = (tag: string, value: number, step: number, wallTime: number) => void;

export class RunLog {
  /** Last values seen, for the final metrics. */
  #last: FinalMetrics = {};
  #steps = 0;
  #epochs = 0;

  constructor(
    private readonly sink: ScalarSink,
    readonly offsets: LogOffsets = { step: 0, epoch: 0 },
  ) {}

  /** The logged step of a step record (its global step after the offset). */
  stepOf(r: StepRecord): number {
    return this.offsets.step + r.step;
  }

  /** The logged step of an epoch's metrics (its index after the offset). */
  epochStepOf(r: EpochRecord): number {
    return this.offsets.epoch + r.epoch;
  }

  steps(records: readonly StepRecord[], wallTime = Date.now() / 1000): void {
    for (const r of records) {
      const step = this.stepOf(r);
      this.sink(TAGS.trainLoss, r.loss, step, wallTime);
      this.sink(TAGS.lr, r.lr, step, wallTime);
      this.#steps = Math.max(this.#steps, r.step + 1);
    }
    const last = records.at(-1);
    if (last) this.#last[TAGS.trainLoss] = last.loss;
  }

  epoch(r: EpochRecord, wallTime = Date.now() / 1000): void {
    const step = this.epochStepOf(r);
    const put = (tag: string, v: number | null) => {
      if (v === null || !Number.isFinite(v)) return;
      this.sink(tag, v, step, wallTime);
      this.#last[tag] = v;
    };
    put(TAGS.valLoss, r.valLoss);
    put(TAGS.valAccuracy, r.valAccuracy);
    put(TAGS.trainAccuracy, r.trainAccuracy);
    put(TAGS.throughput, r.examplesPerSecond);
    this.#last['loss/train_epoch'] = r.trainLoss;
    this.#epochs = Math.max(this.#epochs, r.epoch + 1);
  }

  /** The step test results are logged at: the epochs trained, parent's included. */
  get testStep(): number {
    return this.offsets.epoch + this.#epochs;
  }

  /** The test split's result after this run's epochs. */
  test(result: EvalResult, wallTime = Date.now() / 1000): void {
    const step = this.testStep;
    if (result.accuracy !== null) {
      this.sink(TAGS.testAccuracy, result.accuracy, step, wallTime);
      this.#last[TAGS.testAccuracy] = result.accuracy;
    }
    if (Number.isFinite(result.loss)) {
      this.sink(TAGS.testLoss, result.loss, step, wallTime);
      this.#last[TAGS.testLoss] = result.loss;
    }
  }

  /** Steps and epochs this run trained (not counting its parent's). */
  get progress(): { steps: number; epochs: number } {
    return { steps: this.#steps, epochs: this.#epochs };
  }

  metrics(extra: FinalMetrics = {}): FinalMetrics {
    return {
      ...this.#last,
      steps: this.offsets.step + this.#steps,
      epochs: this.offsets.epoch + this.#epochs,
      ...extra,
    };
  }
}

/** A run's hyper-parameters as the HParams table shows them: the config flattened ('optimizer.lr': 0.01). */
export type Hparams = Record<string, string | number | boolean>;

export function flatHparams(config: TrainingConfig): Hparams {
  const out: Hparams = {};
  const put = (prefix: string, value: unknown) => {
    if (value === null || value === undefined) return;
    if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') out[prefix] = value;
    else if (Array.isArray(value)) out[prefix] = value.join(', ');
    else if (typeof value === 'object')
      for (const [k, v] of Object.entries(value)) put(prefix ? `${prefix}.${k}` : k, v);
  };
  put('', config);
  return out;
}
