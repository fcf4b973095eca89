// Gradient clipping in the training loop, between backward() and step(): with SGD and
// clip_grad_value_(c), no weight moves by more than lr × c in a step; the CLI flags map to it.
import { expect, test } from 'vitest';
import type { LayerSpec } from '../../src/core/model/types.ts';
import { tensorSource } from '../../src/engine/data-loader.ts';
import { Sequential } from '../../src/engine/sequential.ts';
import { train } from '../../src/engine/trainer.ts';
import { parseTrainArgs } from '../../src/cli/train-args.ts';
import {
  validateTrainingConfig,
  defaultTrainingConfig,
  type GradClipConfig,
} from '../../src/core/run/training-config.ts';

const MLP: LayerSpec[] = [{ type: 'Linear', in_features: 3, out_features: 2 }];
// large inputs: unclipped gradients are far above the limit
const x = Float32Array.from({ length: 24 }, (_, i) => (i % 5) * 40 - 80),
  y = Int32Array.from({ length: 8 }, (_, i) => i % 2);

async function maxMove(gradClip: GradClipConfig | null): Promise<number> {
  const model = new Sequential(MLP, { seed: 4 });
  const before = model.parameters().map((p) => Float32Array.from(p.value.data));
  await train(
    model,
    { train: tensorSource(x, [3], y) },
    {
      loss: { type: 'CrossEntropyLoss' },
      optimizer: { type: 'SGD', lr: 0.5 },
      batchSize: 8,
      epochs: 1,
      valSplit: 0,
      gradClip,
    },
  );
  return Math.max(
    ...model.parameters().flatMap((p, k) => Array.from(p.value.data, (v, i) => Math.abs(v - before[k][i]))),
  );
}

test('clip_grad_value_ bounds each step; without clipping the step is far larger', async () => {
  expect(await maxMove({ type: 'value', clip_value: 0.01 })).toBeLessThanOrEqual(0.5 * 0.01 + 1e-7);
  expect(await maxMove(null)).toBeGreaterThan(1);
  expect(await maxMove({ type: 'norm', max_norm: 0.02 })).toBeLessThanOrEqual(0.5 * 0.02 + 1e-7);
});

test('the CLI flags and the config validation', () => {
  expect(parseTrainArgs(['m.json', '--optimizer', 'adam', '--clip-grad-norm', '1.5']).config.gradClip).toEqual({
    type: 'norm',
    max_norm: 1.5,
  });
  expect(parseTrainArgs(['m.json', '--optimizer', 'adam', '--clip-grad-norm', '1,1']).config.gradClip).toEqual({
    type: 'norm',
    max_norm: 1,
    norm_type: 1,
  });
  expect(parseTrainArgs(['m.json', '--optimizer', 'adam', '--clip-grad-value', '0.1']).config.gradClip).toEqual({
    type: 'value',
    clip_value: 0.1,
  });
  expect(() => parseTrainArgs(['m.json', '--clip-grad-value', '0'])).toThrow("--clip-grad-value must be > 0, got '0'");
  expect(validateTrainingConfig({ ...defaultTrainingConfig(), gradClip: { type: 'norm', max_norm: -1 } })).toEqual([
    'gradClip.max_norm: must be a number > 0, got -1',
  ]);
});
