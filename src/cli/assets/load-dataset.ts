// Node side of the built-in datasets: the same LBDS assets the app serves.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { decodeLbds, type ImageDataset } from '../../core/formats/lbds.ts';
import type { BuiltinDatasetId } from '../../engine/data/builtin.ts';
import { ensureDatasetAsset } from './build-datasets.ts';

export function loadBuiltinDataset(id: BuiltinDatasetId, root = process.cwd()): ImageDataset {
  const bytes = gunzipSync(readFileSync(ensureDatasetAsset(root, id)));
  // a plain Uint8Array view (a Buffer's slice() would not copy, and compares unlike one)
  return decodeLbds(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}
