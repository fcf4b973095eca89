// The seed's CIFAR-10 `BS` template comes with its training recipe: what the Train tab shows
// and `export --format pytorch-project` writes, valid for the engine, and it trains (on
// CIFAR-10-shaped synthetic images here: the real CIFAR-10 is imported by the user).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setBackend, useBackend } from '../../src/engine/backend.ts';
import { tsBackend } from '../../src/engine/backends/ts-backend.ts';
import { templateDocument } from '../../src/core/model/templates.ts';
import { validateTrainingConfig } from '../../src/core/run/training-config.ts';
import { pytorchProject } from '../../src/core/python/pytorch-project.ts';
import { prepareRun } from '../../src/engine/prepare-run.ts';
import { syntheticDataset } from '../../src/engine/synthetic-dataset.ts';

describe("the CIFAR-10 BS template's recipe", () => {
  const bs = templateDocument('cifar10-bs');
  const recipe = bs.training!;
  beforeAll(async () => {
    await useBackend({ backend: 'wasm', threads: 2 });
  });
  afterAll(() => {
    setBackend(tsBackend);
  });

  test('Adam 1e-3, batch 64, crop + flip, normalized, cosine lr over 10 epochs; valid', () => {
    expect(recipe).toMatchObject({
      dataset: { id: 'cifar10' },
      transforms: {
        normalize: { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] },
        horizontalFlip: true,
        cropPadding: 4,
      },
      optimizer: { type: 'Adam', lr: 0.001 },
      scheduler: { type: 'CosineAnnealingLR', T_max: 10 },
      batchSize: 64,
      epochs: 10,
    });
    expect(validateTrainingConfig(recipe)).toEqual([]);
    const train = pytorchProject(bs, recipe).find((f) => f.path === 'train.py')!.content;
    expect(train).toContain("'type': 'CosineAnnealingLR'");
    expect(train).toContain("'cropPadding': 4");
  });

  test('trains in the engine: the lr follows the cosine, the loss falls', async () => {
    const data = syntheticDataset({ input: [3, 32, 32], classes: 10, train: 64, test: 0, seed: 1 });
    const config = {
      ...recipe,
      batchSize: 16,
      epochs: 3,
      scheduler: { type: 'CosineAnnealingLR', T_max: 3 },
      valSplit: 0,
    };
    const result = await prepareRun(bs, config, data).train();
    expect(result.epochs.map((e) => e.lr)).toEqual([0.001, 0.00075, 0.00025].map((lr) => expect.closeTo(lr, 12)));
    expect(result.epochs[2].trainLoss).toBeLessThan(result.epochs[0].trainLoss);
  }, 180_000);
});
