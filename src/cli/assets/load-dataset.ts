// Node side of the built-in datasets: the same LBDS asset the app serves.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { decodeLbds, type ImageDataset } from '../../core/formats/lbds.ts';
import { ensureMnistAsset } from './build-mnist.ts';

export function loadMnist(root = process.cwd()): ImageDataset {
  return decodeLbds(gunzipSync(readFileSync(ensureMnistAsset(root))));
}
