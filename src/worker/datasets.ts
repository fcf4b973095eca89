// The worker's datasets: a DatasetRef resolved to images (split sources: engine/dataset-source.ts).
import { fetchBuiltinDataset } from '../engine/data/builtin.ts';
import type { ImageDataset } from '../core/formats/lbds.ts';
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
