// The worker's datasets: resolve a DatasetRef to images, and feed a split to the
// DataLoader in the model's input shape ([1, 28, 28] images also feed a [784] MLP input).
import type { TrainingConfig } from '../core/training-config.ts';
import { fetchBuiltinDataset } from '../engine/data/builtin.ts';
import type { ImageDataset } from '../engine/data/lbds.ts';
import type { TransformConfig } from '../engine/data/transforms.ts';
import { imageSource, type BatchSource } from '../engine/data-loader.ts';
import type { Rng } from '../engine/rng.ts';
import { syntheticDataset } from '../engine/synthetic-dataset.ts';
import type { DatasetRef } from './protocol.ts';
import { readStoredDataset } from './dataset-store.ts';

export type BuiltinLoader = typeof fetchBuiltinDataset;

export async function loadDataset(ref: DatasetRef, modelInput: number[], loadBuiltin: BuiltinLoader = fetchBuiltinDataset): Promise<ImageDataset> {
  switch (ref.kind) {
    case 'synthetic':
      return syntheticDataset({ input: modelInput, classes: ref.classes, train: ref.train, test: ref.test, seed: ref.seed, noise: ref.noise });
    case 'builtin':
      return loadBuiltin(ref.id, ref.baseUrl);
    case 'stored':
      return readStoredDataset(ref.id);
    default:
      return ref satisfies never;
  }
}

export function transformsOf(config: TrainingConfig): TransformConfig {
  const t = config.transforms;
  return t ? { normalize: t.normalize ?? undefined, horizontalFlip: t.horizontalFlip, cropPadding: t.cropPadding } : {};
}

/** A split of `ds` whose examples have the model's input shape (same number of values). */
export function splitSource(ds: ImageDataset, split: 'train' | 'test', modelInput: number[], transforms: TransformConfig, rng: Rng): BatchSource {
  const src = imageSource(ds, split, transforms, rng);
  const per = ds.channels * ds.height * ds.width, want = modelInput.reduce((a, d) => a * d, 1);
  if (per !== want) {
    throw new Error(`the model takes inputs of shape [${modelInput.join(', ')}] (${want} values) but ${ds.name} images are [${ds.channels}, ${ds.height}, ${ds.width}] (${per} values)`);
  }
  return { length: src.length, inputShape: [...modelInput], targetShape: src.targetShape, targetKind: src.targetKind, fill: (ids, input, target, train) => src.fill(ids, input, target, train) };
}
