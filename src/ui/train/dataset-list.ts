// The datasets imported into this browser (manifests only; the bytes stay in their chunks,
// and deleting them is the data worker's job).
import type { LayerboardDB } from '../../db/schema.ts';
import type { StoredDatasetInfo, StoredManifest } from '../../worker/data-protocol.ts';

export async function listDatasets(db: LayerboardDB): Promise<StoredDatasetInfo[]> {
  const records = await db.datasets.orderBy('created').reverse().toArray();
  return records.map((r) => ({ id: r.id, name: r.name, kind: r.kind, created: r.created, manifest: r.manifest as unknown as StoredManifest }));
}
