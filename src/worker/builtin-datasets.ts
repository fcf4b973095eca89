// A built-in dataset for a worker: from IndexedDB when this browser has the current copy
// (same content hash as static/datasets/index.json), else downloaded from the app's
// static files with progress, decoded, and cached for the next time. Caching is a
// convenience: a browser that refuses the space still trains on the downloaded copy.
import type { ImageDataset } from '../core/formats/lbds.ts';
import {
  fetchBuiltinDataset,
  fetchBuiltinIndex,
  type BuiltinDatasetId,
  type BuiltinIndex,
} from '../engine/data/builtin.ts';
import { loadStoredDataset, saveDataset } from '../db/dataset-store.ts';
import type { LayerboardDB } from '../db/schema.ts';

export type BuiltinPhase = 'download' | 'decode' | 'load' | 'save';
export type BuiltinReport = (phase: BuiltinPhase, fraction: number, detail?: string) => void;

/** The datasets-table id of a built-in dataset's cached copy. */
export const builtinStoreId = (id: BuiltinDatasetId) => `builtin-${id}`;

export async function loadBuiltinDataset(
  db: LayerboardDB,
  id: BuiltinDatasetId,
  baseUrl: string,
  report?: BuiltinReport,
): Promise<ImageDataset> {
  const index: BuiltinIndex = await fetchBuiltinIndex(baseUrl).catch(() => ({}));
  const entry = index[id];
  const storeId = builtinStoreId(id);
  const cached = await db.datasets.get(storeId).catch(() => undefined);
  if (entry && cached?.manifest.version === entry.hash) {
    try {
      return await loadStoredDataset(db, storeId, (f) => report?.('load', f));
    } catch {
      /* a damaged copy: download it again */
    }
  }
  const ds = await fetchBuiltinDataset(id, baseUrl, report, entry?.bytes);
  if (entry)
    await saveDataset(db, storeId, 'builtin', ds, {
      version: entry.hash,
      onProgress: (f) => report?.('save', f),
    }).catch(() => undefined);
  return ds;
}
