// Early stopping (monitor, patience, min_delta, mode) and restore_best_weights, in the
// training loop and from the command line.
import { expect, test } from 'vitest';
import type { LayerSpec } from '../../src/core/model/types.ts';
import { EarlyStopping } from '../../src/engine/early-stopping.ts';
import { tensorSource } from '../../src/engine/data-loader.ts';
import { Rng } from '../../src/engine/rng.ts';
import { Sequential } from '../../src/engine/sequential.ts';
import type { EpochRecord } from '../../src/core/run/records.ts';
import { train, type TrainerConfig } from '../../src/engine/trainer.ts';
import { parseTrainArgs } from '../../src/cli/train-args.ts';
import {
  defaultTrainingConfig,
  validateTrainingConfig,
  type EarlyStoppingConfig,
} from '../../src/core/run/training-config.ts';

const rec = (epoch: number, valLoss: number): EpochRecord => ({
  epoch,
  trainLoss: 1,
  trainAccuracy: null,
  valLoss,
  valAccuracy: null,
  lr: 0.1,
  seconds: 1,
  examplesPerSecond: 1,
});
const es = (over: Partial<EarlyStoppingConfig>): EarlyStoppingConfig => ({
  monitor: 'val_loss',
  patience: 2,
  min_delta: 0,
  mode: 'auto',
  restore_best_weights: false,
  ...over,
});

test('patience counts epochs in a row without an improvement larger than min_delta', () => {
  const e = new EarlyStopping(es({ min_delta: 0.05 }));
  const verdicts = [1.0, 0.9, 0.88, 0.7, 0.69, 0.68].map((v, i) => e.update(rec(i, v)));
  expect(verdicts.map((v) => v.improved)).toEqual([true, true, false, true, false, false]);
  expect(verdicts.map((v) => v.stop)).toEqual([false, false, false, false, false, true]);
  expect([e.bestEpoch, e.best]).toEqual([3, 0.7]); // 0-based epochs, as the records
  expect(() => new EarlyStopping(es({ monitor: 'val_accuracy' })).update(rec(0, 0.5))).toThrow(
    'early stopping monitors val_accuracy, which this run does not measure',
  );
});

const MLP: LayerSpec[] = [{ type: 'Linear', in_features: 2, out_features: 2 }];
function data() {
  const rng = new Rng(2),
    x = new Float32Array(200),
    y = new Int32Array(100);
  for (let i = 0; i < 100; i++) {
    y[i] = i % 2;
    x[2 * i] = rng.normal() + y[i];
    x[2 * i + 1] = rng.normal();
  }
  return tensorSource(x, [2], y);
}
const base: TrainerConfig = {
  loss: { type: 'CrossEntropyLoss' },
  optimizer: { type: 'SGD', lr: 0.1 },
  batchSize: 10,
  epochs: 6,
  seed: 3,
  valSplit: 0.2,
};

test("the loop stops early and, with restore_best_weights, ends with the best epoch's weights", async () => {
  // mode max on a falling training loss: the first epoch (0) is the best, the third (2) ends the run
  const model = new Sequential(MLP, { seed: 7 });
  const r = await train(
    model,
    { train: data() },
    { ...base, earlyStopping: es({ monitor: 'train_loss', mode: 'max', restore_best_weights: true }) },
  );
  expect(r.epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
  expect(r.best).toEqual({ epoch: 0, value: r.epochs[0].trainLoss, stoppedAt: 2, restored: true });
  const once = new Sequential(MLP, { seed: 7 });
  await train(once, { train: data() }, { ...base, epochs: 1 });
  expect(model.stateDict()).toEqual(once.stateDict());
  // without restore_best_weights the last epoch's weights stay
  const last = new Sequential(MLP, { seed: 7 });
  const r2 = await train(
    last,
    { train: data() },
    { ...base, earlyStopping: es({ monitor: 'train_loss', mode: 'max' }) },
  );
  expect(r2.best!.restored).toBe(false);
  expect(last.stateDict()).not.toEqual(once.stateDict());
});

test('CLI flags and config checks', () => {
  const a = parseTrainArgs([
    'm.json',
    '--optimizer',
    'adam',
    '--early-stopping',
    '3,val_accuracy,0.001',
    '--restore-best-weights',
  ]);
  expect(a.config.earlyStopping).toEqual({
    monitor: 'val_accuracy',
    patience: 3,
    min_delta: 0.001,
    mode: 'auto',
    restore_best_weights: true,
  });
  expect(() => parseTrainArgs(['m.json', '--optimizer', 'adam', '--restore-best-weights'])).toThrow(
    '--restore-best-weights needs --early-stopping',
  );
  expect(() => parseTrainArgs(['m.json', '--optimizer', 'adam', '--early-stopping', '2', '--val-split', '0'])).toThrow(
    '--early-stopping monitors val_loss, which needs --val-split > 0',
  );
  expect(validateTrainingConfig({ ...defaultTrainingConfig(), valSplit: 0, earlyStopping: es({}) })).toEqual([
    'earlyStopping.monitor: val_loss needs a validation split (valSplit > 0), or monitor train_loss',
  ]);
});
