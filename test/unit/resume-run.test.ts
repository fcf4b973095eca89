// A whole run continued: one epoch, then "continue training" from its weights and its
// TrainState for one more, gives the same steps, losses, learning rates and weights as two
// epochs at once — dropout, shuffling, augmentation, SGD momentum and StepLR included.
import { describe, expect, test } from 'vitest';
import { prepareRun } from '../../src/engine/prepare-run.ts';
import { syntheticDataset } from '../../src/engine/synthetic-dataset.ts';
import { defaultTrainingConfig, type TrainingConfig } from '../../src/core/run/training-config.ts';
import { newModelDocument } from '../../src/core/model/model-json.ts';
import type { StepRecord } from '../../src/core/run/records.ts';
import type { TrainOptions } from '../../src/engine/trainer.ts';
import type { StateDict } from '../../src/engine/state-dict.ts';

const doc = newModelDocument(
  [1, 8, 8],
  [
    { type: 'Conv2d', in_channels: 1, out_channels: 4, kernel_size: 3, padding: 1 },
    { type: 'BatchNorm2d', num_features: 4 },
    { type: 'ReLU' },
    { type: 'Flatten' },
    { type: 'Dropout', p: 0.3 },
    { type: 'Linear', in_features: 256, out_features: 3 },
  ],
  null,
);
const dataset = syntheticDataset({ input: [1, 8, 8], classes: 3, train: 120, test: 30, seed: 5 });
const base: TrainingConfig = {
  ...defaultTrainingConfig('synthetic'),
  transforms: { normalize: null, horizontalFlip: true, cropPadding: 1 },
  optimizer: { type: 'SGD', lr: 0.05, momentum: 0.9 },
  scheduler: { type: 'StepLR', step_size: 1, gamma: 0.5 },
  batchSize: 16,
  seed: 3,
};

async function run(config: TrainingConfig, options: TrainOptions = {}, weights?: StateDict) {
  const prepared = prepareRun(doc, config, dataset, weights);
  const steps: StepRecord[] = [];
  const result = await prepared.train({
    ...options,
    onProgress: (events) => events.forEach((e) => e.type === 'steps' && steps.push(...e.steps)),
  });
  return { result, steps, weights: prepared.model.stateDict() };
}

describe('continue training resumes a run where it ended', () => {
  test('1 epoch + 1 continued epoch equals 2 epochs at once', async () => {
    const whole = await run({ ...base, epochs: 2 });
    const first = await run({ ...base, epochs: 1 });
    expect(first.result.state).toMatchObject({ step: first.steps.length, epoch: 1 });
    const second = await run({ ...base, epochs: 1 }, { resume: first.result.state }, first.weights);
    expect(second.result.resumed).toEqual({ optimizer: true, hyperparameters: true, scheduler: true });
    const perEpoch = first.steps.length;
    expect(second.steps.map((s) => [s.loss, s.lr])).toEqual(whole.steps.slice(perEpoch).map((s) => [s.loss, s.lr]));
    expect(second.weights).toEqual(whole.weights);
    expect(second.result.state.step).toBe(whole.result.state.step);
    expect(second.result.state.epoch).toBe(2);
  });

  test('without the state (fresh optimizer and scheduler) the continued epoch differs', async () => {
    const whole = await run({ ...base, epochs: 2 });
    const first = await run({ ...base, epochs: 1 });
    const fresh = await run({ ...base, epochs: 1 }, {}, first.weights);
    expect(fresh.steps[0].lr).toBe(0.05); // StepLR starts over
    expect(fresh.steps.map((s) => s.loss)).not.toEqual(whole.steps.slice(first.steps.length).map((s) => s.loss));
  });

  test('a changed optimizer keyword keeps the moments but takes the new lr; another optimizer starts fresh', async () => {
    const first = await run({ ...base, epochs: 1, scheduler: null });
    const changed = await run(
      { ...base, epochs: 1, scheduler: null, optimizer: { type: 'SGD', lr: 0.01, momentum: 0.9 } },
      { resume: first.result.state },
      first.weights,
    );
    expect(changed.result.resumed).toEqual({ optimizer: true, hyperparameters: false, scheduler: false });
    expect(changed.steps[0].lr).toBe(0.01);
    const other = await run(
      { ...base, epochs: 1, scheduler: null, optimizer: { type: 'Adam', lr: 0.001 } },
      { resume: first.result.state },
      first.weights,
    );
    expect(other.result.resumed).toEqual({ optimizer: false, hyperparameters: false, scheduler: false });
  });
});
