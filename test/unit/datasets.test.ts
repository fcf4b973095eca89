import { describe, expect, test } from 'vitest';
import { decodeLbds, encodeLbds, type ImageDataset } from '../../src/core/formats/lbds.ts';
import { gunzip } from '../../src/engine/data/builtin.ts';
import { loadMnist } from '../../src/cli/assets/load-dataset.ts';
import { readFileSync } from 'node:fs';
import { ensureMnistAsset } from '../../src/cli/assets/build-mnist.ts';

const tiny: ImageDataset = {
  name: 'tiny', classes: ['a', 'b'], channels: 1, height: 2, width: 2, train: 2, test: 1,
  pixels: Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), labels: Uint8Array.from([0, 1, 1]),
};

describe('LBDS container', () => {
  test('round trips', () => {
    expect(decodeLbds(encodeLbds(tiny))).toEqual(tiny);
  });
  test('refuses other files, wrong sizes and labels with a clear message', () => {
    expect(() => decodeLbds(new TextEncoder().encode('PK\x03\x04 zip file here'))).toThrow('not a Layerboard dataset file');
    const bytes = encodeLbds(tiny);
    expect(() => decodeLbds(bytes.subarray(0, bytes.length - 1))).toThrow(/describes \d+ \(3 images of 1×2×2\)/);
    expect(() => decodeLbds(encodeLbds({ ...tiny, labels: Uint8Array.from([0, 2, 1]) }))).toThrow('label 2 of image 1 is not below the 2 classes');
  });
});

describe('built-in MNIST', () => {
  test('8,000 train and 2,000 test real digits, every class in both', () => {
    const ds = loadMnist();
    expect([ds.train, ds.test, ds.channels, ds.height, ds.width]).toEqual([8000, 2000, 1, 28, 28]);
    const count = (from: number, to: number) => {
      const c = new Array(10).fill(0);
      for (let i = from; i < to; i++) c[ds.labels[i]]++;
      return c;
    };
    expect(Math.min(...count(0, 8000))).toBeGreaterThan(600);
    expect(Math.min(...count(8000, 10000))).toBeGreaterThan(150);
    // Real digits: ink in the middle, blank corners, full 0..255 range.
    const first = ds.pixels.subarray(0, 784);
    expect(Math.max(...first)).toBeGreaterThan(200);
    expect(first[0] + first[27] + first[783]).toBe(0);
  });
  test('the browser path (DecompressionStream) decodes the same bytes', async () => {
    const gz = new Uint8Array(readFileSync(ensureMnistAsset(process.cwd())));
    const ds = decodeLbds(await gunzip(gz));
    expect([...ds.labels]).toEqual([...loadMnist().labels]);
  });
});
