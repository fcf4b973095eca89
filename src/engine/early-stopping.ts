// Early stopping and best-weights keeping, as practitioners know them from Keras'
// EarlyStopping and Lightning's: after each epoch the monitored value either improves on
// the best by more than min_delta (in the mode's direction) or counts towards patience;
// training stops once `patience` epochs in a row did not improve. With
// restore_best_weights the model ends with the weights of its best epoch.
import type { EarlyStoppingConfig } from '../core/run/training-config.ts';
import type { EpochRecord } from '../core/run/records.ts';

const VALUE: Record<EarlyStoppingConfig['monitor'], (r: EpochRecord) => number | null> = {
  val_loss: (r) => r.valLoss,
  val_accuracy: (r) => r.valAccuracy,
  train_loss: (r) => r.trainLoss,
};

export class EarlyStopping {
  best: number;
  /** The best epoch so far (0-based, as EpochRecord.epoch); null before the first. */
  bestEpoch: number | null = null;
  wait = 0;
  private readonly mode: 'min' | 'max';

  constructor(readonly config: EarlyStoppingConfig) {
    // auto: accuracies rise, losses fall
    this.mode = config.mode === 'auto' ? (config.monitor === 'val_accuracy' ? 'max' : 'min') : config.mode;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  /** The epoch's verdict: whether it is the new best, and whether training should stop now. */
  update(record: EpochRecord): { improved: boolean; stop: boolean } {
    const value = VALUE[this.config.monitor](record);
    if (value === null)
      throw new Error(
        `early stopping monitors ${this.config.monitor}, which this run does not measure (nothing held out for validation, or not a classification)`,
      );
    const delta = Math.abs(this.config.min_delta);
    const improved = this.mode === 'min' ? value < this.best - delta : value > this.best + delta;
    if (improved) {
      this.best = value;
      this.bestEpoch = record.epoch;
      this.wait = 0;
    } else {
      this.wait += 1;
    }
    return { improved, stop: this.wait >= this.config.patience };
  }
}
