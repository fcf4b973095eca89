// The engine worker's datasets: a DatasetRef resolved to images (split sources: engine/dataset-source.ts).
import type { ImageDataset } from '../core/formats/lbds.ts';
import { withDatabase, loadStoredDataset } from '../db/dataset-store.ts';
import type { BuiltinDatasetId } from '../engine/data/builtin.ts';
import { syntheticDataset } from '../engine/synthetic-dataset.ts';
import { loadBuiltinDataset } from './builtin-datasets.ts';
import type { DatasetRef } from './protocol.ts';

export type BuiltinLoader = (id: BuiltinDatasetId, baseUrl: string) => Promise<ImageDataset>;

const cachedBuiltin: BuiltinLoader = (id, baseUrl) => withDatabase((db) => loadBuiltinDataset(db, id, baseUrl));

export async function loadDataset(
  ref: DatasetRef,
  modelInput: number[],
  loadBuiltin: BuiltinLoader = cachedBuiltin,
): Promise<ImageDataset> {
  switch (ref.kind) {
    case 'synthetic':
      return syntheticDataset({
        input: modelInput,
        classes: ref.classes,
        train: ref.train,
        test: ref.test,
        seed: ref.seed,
        noise: ref.noise,
      });
    case 'builtin':
      return loadBuiltin(ref.id, ref.baseUrl);
    case 'stored':
      return withDatabase((db) => loadStoredDataset(db, ref.id));
    default:
      return ref satisfies never;
  }
}
