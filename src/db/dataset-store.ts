// Datasets cached in IndexedDB: the LBDS bytes (header + uint8 pixels + labels,
// uncompressed so a load is a copy, not a gunzip) cut into chunks of the datasetChunks
// table, described by a manifest in datasets. Both workers use it: the data worker
// writes after an import or a built-in download, the engine worker reads when a run
// trains on it; the Train tab lists the manifests.
import { classCounts, decodeLbds, encodeLbds, headerOf, type ImageDataset } from '../core/formats/lbds.ts';
import { createDatabase, type DatasetRecord, type LayerboardDB, type StoredManifest } from './schema.ts';

/** IndexedDB stores large values best in pieces of a few MB. */
export const CHUNK_BYTES = 8 << 20;

function quotaMessage(err: unknown, what: string): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  const inner = (e as { inner?: { name?: string } }).inner;
  if (e.name === 'QuotaExceededError' || inner?.name === 'QuotaExceededError' || /quota/i.test(e.message)) {
    return new Error(
      `the browser's storage is full (IndexedDB quota) while saving ${what}: free space by deleting old runs or datasets, or allow more storage for this site`,
      { cause: e },
    );
  }
  return new Error(`could not save ${what} in IndexedDB: ${e.message}`, { cause: e });
}

export interface SaveOptions {
  /** A built-in dataset's content hash, kept in the manifest. */
  version?: string;
  onProgress?: (fraction: number) => void;
}

/** Replaces dataset `id` with `ds`; reports the fraction written. */
export async function saveDataset(
  db: LayerboardDB,
  id: string,
  kind: string,
  ds: ImageDataset,
  options: SaveOptions = {},
): Promise<DatasetRecord> {
  const bytes = encodeLbds(ds);
  const chunks = Math.max(1, Math.ceil(bytes.length / CHUNK_BYTES));
  const manifest: StoredManifest = {
    header: headerOf(ds),
    bytes: bytes.length,
    chunks,
    counts: classCounts(ds),
    ...(options.version && { version: options.version }),
  };
  const record: DatasetRecord = { id, name: ds.name, kind, created: Date.now(), manifest };
  try {
    await deleteDataset(db, id);
    for (let i = 0; i < chunks; i++) {
      // each chunk gets its own ArrayBuffer (a view would store the whole buffer)
      const data = bytes.slice(i * CHUNK_BYTES, Math.min(bytes.length, (i + 1) * CHUNK_BYTES)).buffer;
      await db.datasetChunks.put({ datasetId: id, index: i, data });
      options.onProgress?.((i + 1) / chunks);
    }
    // the manifest goes last: a dataset without one is an unfinished import and is not listed
    await db.datasets.put(record);
  } catch (err) {
    await db.datasetChunks
      .where('datasetId')
      .equals(id)
      .delete()
      .catch(() => undefined);
    throw quotaMessage(err, `the dataset ${ds.name}`);
  }
  return record;
}

export async function deleteDataset(db: LayerboardDB, id: string): Promise<void> {
  await db.transaction('rw', [db.datasets, db.datasetChunks], async () => {
    await db.datasets.delete(id);
    await db.datasetChunks.where('datasetId').equals(id).delete();
  });
}

/** Every stored dataset's manifest, newest first. */
export function listDatasets(db: LayerboardDB): Promise<DatasetRecord[]> {
  return db.datasets.orderBy('created').reverse().toArray();
}

/** Reads a stored dataset back; errors name what is missing. */
export async function loadStoredDataset(
  db: LayerboardDB,
  id: string,
  onProgress?: (fraction: number) => void,
): Promise<ImageDataset> {
  const record = await db.datasets.get(id);
  if (!record)
    throw new Error(
      `the imported dataset '${id}' is not in this browser's storage any more: import it again in the Train tab`,
    );
  const { manifest } = record;
  const bytes = new Uint8Array(manifest.bytes);
  let at = 0;
  for (let i = 0; i < manifest.chunks; i++) {
    const chunk = await db.datasetChunks.get([id, i]);
    if (!chunk)
      throw new Error(
        `the stored dataset ${record.name} is incomplete (chunk ${i + 1} of ${manifest.chunks} is missing): import it again`,
      );
    bytes.set(new Uint8Array(chunk.data), at);
    at += chunk.data.byteLength;
    onProgress?.((i + 1) / manifest.chunks);
  }
  if (at !== manifest.bytes)
    throw new Error(
      `the stored dataset ${record.name} has ${at} bytes, its manifest says ${manifest.bytes}: import it again`,
    );
  return decodeLbds(bytes);
}

/** Opens the app's database, runs `use`, closes it (for a worker that has no db of its own). */
export async function withDatabase<T>(use: (db: LayerboardDB) => Promise<T>): Promise<T> {
  const db = createDatabase();
  try {
    return await use(db);
  } finally {
    db.close();
  }
}
