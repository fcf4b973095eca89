// Losses that compare the output element by element train on class labels as train.py
// does: the labels become one-hot rows (BCELoss after a Sigmoid, KLDivLoss after LogSoftmax).
import { expect, test } from 'vitest';
import type { LayerSpec } from '../../src/core/model/types.ts';
import { tensorSource } from '../../src/engine/data-loader.ts';
import { lossTarget } from '../../src/engine/losses/targets.ts';
import { Rng } from '../../src/engine/rng.ts';
import { Sequential } from '../../src/engine/sequential.ts';
import { train } from '../../src/engine/trainer.ts';

function blobs(n: number) {
  const rng = new Rng(9),
    x = new Float32Array(n * 2),
    y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    x[i * 2] = rng.normal() * 0.3 + y[i];
    x[i * 2 + 1] = rng.normal() * 0.3 - y[i];
  }
  return tensorSource(x, [2], y);
}

for (const [loss, last] of [
  ['BCELoss', 'Sigmoid'],
  ['KLDivLoss', 'LogSoftmax'],
] as const) {
  test(`${loss} after ${last} learns 3 classes from labels`, async () => {
    const layers: LayerSpec[] = [
      { type: 'Linear', in_features: 2, out_features: 16 },
      { type: 'ReLU' },
      { type: 'Linear', in_features: 16, out_features: 3 },
      { type: last, ...(last === 'LogSoftmax' && { dim: 1 }) },
    ];
    const r = await train(
      new Sequential(layers, { seed: 1 }),
      { train: blobs(240) },
      {
        loss: { type: loss, ...(loss === 'KLDivLoss' && { reduction: 'batchmean' }) },
        optimizer: { type: 'Adam', lr: 0.02 },
        batchSize: 16,
        epochs: 8,
        valSplit: 0.25,
        seed: 2,
      },
    );
    expect(r.epochs.at(-1)!.trainLoss).toBeLessThan(r.epochs[0].trainLoss * 0.5);
    expect(r.epochs.at(-1)!.valAccuracy).toBeGreaterThan(0.9);
  });
}

test('one-hot targets: only for element-wise losses, and a label past the outputs is named', () => {
  const out = { shape: [2, 3], data: new Float32Array(6) },
    labels = { shape: [2], data: Int32Array.from([2, 0]) };
  expect(lossTarget('CrossEntropyLoss', out, labels)).toBe(labels);
  expect(Array.from(lossTarget('BCELoss', out, labels).data)).toEqual([0, 0, 1, 1, 0, 0]);
  expect(() => lossTarget('MSELoss', out, { shape: [2], data: Int32Array.from([3, 0]) })).toThrow(
    "MSELoss: class 3 of example 0 is not below the model's 3 outputs",
  );
});
