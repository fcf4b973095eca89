// Built-in datasets, fetched from the app's own static files (nothing from the network
// beyond the page's origin) and gunzipped with DecompressionStream in the worker.
import { decodeLbds, type ImageDataset } from '../../core/formats/lbds.ts';
import { gunzip as gunzipMembers } from '../../core/formats/gzip.ts';

export const BUILTIN_DATASETS = { mnist: 'datasets/mnist.lbds.gz' } as const;
export type BuiltinDatasetId = keyof typeof BUILTIN_DATASETS;

/** Every member of a gzip file (a browser's DecompressionStream alone stops after the first). */
export function gunzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return gunzipMembers(bytes);
}

export async function fetchBuiltinDataset(id: BuiltinDatasetId, baseUrl: string): Promise<ImageDataset> {
  const url = new URL(BUILTIN_DATASETS[id], baseUrl);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load the built-in ${id} dataset from ${url}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  // a server that sends the .gz with Content-Encoding: gzip (vite preview, sirv) has it inflated already
  return decodeLbds(bytes[0] === 0x1f && bytes[1] === 0x8b ? await gunzip(bytes) : bytes);
}
