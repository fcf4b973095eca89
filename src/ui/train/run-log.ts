// A run's logs as a PyTorch user would write them with SummaryWriter, and as the exported
// train.py writes them, so browser and PyTorch runs line up on the board: loss/train and lr
// per step (global_step from 0), loss/val, accuracy/val and throughput/images_per_sec per
// epoch (epoch from 0), accuracy/test at step = epochs trained. A continued run carries on
// from its parent's step and epoch.
import type { SummaryWriter } from '../../db/summary-writer.ts';
import type { EpochRecord, EvalResult, StepRecord } from '../../worker/protocol.ts';

export const TAGS = {
  trainLoss: 'loss/train', lr: 'lr', valLoss: 'loss/val', valAccuracy: 'accuracy/val',
  trainAccuracy: 'accuracy/train', testAccuracy: 'accuracy/test', testLoss: 'loss/test',
  throughput: 'throughput/images_per_sec',
} as const;

export interface LogOffsets { step: number; epoch: number }

/** The final metrics a run record and its hparams keep. */
export type FinalMetrics = Record<string, number>;

export class RunLogger {
  /** Last values seen, for the final metrics. */
  #last: FinalMetrics = {};
  #steps = 0;
  #epochs = 0;

  constructor(readonly writer: SummaryWriter, readonly offsets: LogOffsets = { step: 0, epoch: 0 }) {}

  /** The global step (0-based, offset) of an engine step record (1-based). */
  stepOf(engineStep: number): number { return this.offsets.step + engineStep - 1; }

  steps(records: readonly StepRecord[], wallTime = Date.now() / 1000): void {
    for (const r of records) {
      const step = this.stepOf(r.step);
      this.writer.addScalar(TAGS.trainLoss, r.loss, step, wallTime);
      this.writer.addScalar(TAGS.lr, r.lr, step, wallTime);
      this.#steps = Math.max(this.#steps, r.step);
    }
    const last = records.at(-1);
    if (last) this.#last['loss/train'] = last.loss;
  }

  epoch(r: EpochRecord, wallTime = Date.now() / 1000): void {
    const e = this.offsets.epoch + r.epoch - 1;
    const put = (tag: string, v: number | null) => {
      if (v === null || !Number.isFinite(v)) return;
      this.writer.addScalar(tag, v, e, wallTime);
      this.#last[tag] = v;
    };
    put(TAGS.valLoss, r.valLoss);
    put(TAGS.valAccuracy, r.valAccuracy);
    put(TAGS.trainAccuracy, r.trainAccuracy);
    put(TAGS.throughput, r.examplesPerSecond);
    this.#last['loss/train_epoch'] = r.trainLoss;
    this.#epochs = Math.max(this.#epochs, r.epoch);
  }

  /** The test split's result after `epochs` epochs of this run. */
  test(result: EvalResult, wallTime = Date.now() / 1000): void {
    const step = this.offsets.epoch + this.#epochs;
    if (result.accuracy !== null) { this.writer.addScalar(TAGS.testAccuracy, result.accuracy, step, wallTime); this.#last[TAGS.testAccuracy] = result.accuracy; }
    if (Number.isFinite(result.loss)) { this.writer.addScalar(TAGS.testLoss, result.loss, step, wallTime); this.#last[TAGS.testLoss] = result.loss; }
  }

  /** Steps and epochs this run trained (not counting its parent's). */
  get progress(): { steps: number; epochs: number } { return { steps: this.#steps, epochs: this.#epochs }; }

  metrics(extra: FinalMetrics = {}): FinalMetrics {
    return { ...this.#last, steps: this.offsets.step + this.#steps, epochs: this.offsets.epoch + this.#epochs, ...extra };
  }
}
