// ReduceLROnPlateau in the training loop: it steps once per epoch with the validation
// loss (the training loss when nothing is held out), as `scheduler.step(val_loss)`.
import { expect, test } from 'vitest';
import type { LayerSpec } from '../../src/core/model/types.ts';
import { tensorSource } from '../../src/engine/data-loader.ts';
import { Rng } from '../../src/engine/rng.ts';
import { Sequential } from '../../src/engine/sequential.ts';
import type { EpochRecord } from '../../src/core/run/records.ts';
import { train, type TrainerConfig } from '../../src/engine/trainer.ts';

const MLP: LayerSpec[] = [
  { type: 'Linear', in_features: 4, out_features: 8 },
  { type: 'ReLU' },
  { type: 'Linear', in_features: 8, out_features: 2 },
];

function data(n: number) {
  const rng = new Rng(5),
    x = new Float32Array(n * 4),
    y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    for (let k = 0; k < 4; k++) x[i * 4 + k] = rng.normal() + (y[i] ? 1 : -1);
  }
  return tensorSource(x, [4], y);
}

async function epochs(config: Partial<TrainerConfig>): Promise<EpochRecord[]> {
  const base: TrainerConfig = {
    loss: { type: 'CrossEntropyLoss' },
    optimizer: { type: 'SGD', lr: 0.1 },
    batchSize: 16,
    epochs: 6,
    seed: 1,
    valSplit: 0.25,
  };
  return (await train(new Sequential(MLP, { seed: 3 }), { train: data(128) }, { ...base, ...config })).epochs;
}

test('mode max on a falling validation loss: no epoch improves after the first, lr decays each epoch', async () => {
  const e = await epochs({ scheduler: { type: 'ReduceLROnPlateau', mode: 'max', patience: 0, factor: 0.5 } });
  // the record's lr is the one the epoch trained with; the decay follows its end
  expect(e.map((r) => r.lr)).toEqual([0.1, 0.1, 0.05, 0.025, 0.0125, 0.00625]);
});

test('mode min on a falling loss keeps lr, and without validation it watches the training loss', async () => {
  const held = await epochs({ scheduler: { type: 'ReduceLROnPlateau', patience: 0, factor: 0.5 } });
  for (let i = 1; i < held.length; i++) expect(held[i].valLoss!).toBeLessThan(held[i - 1].valLoss!);
  expect(held.map((r) => r.lr)).toEqual(new Array(6).fill(0.1));
  const noVal = await epochs({
    valSplit: 0,
    scheduler: { type: 'ReduceLROnPlateau', mode: 'max', patience: 1, factor: 0.5 },
  });
  expect(noVal.every((r) => r.valLoss === null)).toBe(true);
  expect(noVal.map((r) => r.lr)).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.025]);
});
