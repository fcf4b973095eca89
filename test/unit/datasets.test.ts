import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { classCounts, decodeLbds, encodeLbds, type ImageDataset } from '../../src/core/formats/lbds.ts';
import { gunzip } from '../../src/engine/data/builtin.ts';
import { loadBuiltinDataset } from '../../src/cli/assets/load-dataset.ts';
import { ensureDatasetAsset, FASHION_CLASSES } from '../../src/cli/assets/build-datasets.ts';
import { decodeIdx } from '../../src/cli/assets/idx.ts';

const tiny: ImageDataset = {
  name: 'tiny',
  classes: ['a', 'b'],
  channels: 1,
  height: 2,
  width: 2,
  train: 2,
  test: 1,
  pixels: Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
  labels: Uint8Array.from([0, 1, 1]),
};

describe('LBDS container', () => {
  test('round trips', () => {
    expect(decodeLbds(encodeLbds(tiny))).toEqual(tiny);
  });
  test('refuses other files, wrong sizes and labels with a clear message', () => {
    expect(() => decodeLbds(new TextEncoder().encode('PK\x03\x04 zip file here'))).toThrow(
      'not a Layerboard dataset file',
    );
    const bytes = encodeLbds(tiny);
    expect(() => decodeLbds(bytes.subarray(0, bytes.length - 1))).toThrow(/describes \d+ \(3 images of 1×2×2\)/);
    expect(() => decodeLbds(encodeLbds({ ...tiny, labels: Uint8Array.from([0, 2, 1]) }))).toThrow(
      'label 2 of image 1 is not below the 2 classes',
    );
  });
});

describe('IDX files', () => {
  test('a uint8 IDX decodes; a wrong size or type is named', () => {
    const file = Uint8Array.from([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 1, 7, 9]);
    expect(decodeIdx(file, 'x')).toEqual({ shape: [2, 1], data: Uint8Array.from([7, 9]) });
    expect(() => decodeIdx(file.subarray(0, 13), 'x')).toThrow('x: 13 bytes, its header [2, 1] describes 14');
    expect(() => decodeIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 0]), 'f')).toThrow(
      'f: element type 0xd is not uint8 (0x08)',
    );
  });
});

const digest = (ds: ImageDataset, i: number) =>
  createHash('sha1')
    .update(ds.pixels.subarray(i * 784, (i + 1) * 784))
    .digest('hex');

describe('built-in MNIST', () => {
  const ds = loadBuiltinDataset('mnist');
  test('the official 60,000 / 10,000 split in the original order', () => {
    expect([ds.train, ds.test, ds.channels, ds.height, ds.width]).toEqual([60000, 10000, 1, 28, 28]);
    expect([...ds.labels.subarray(0, 5)]).toEqual([5, 0, 4, 1, 9]); // train-labels-idx1-ubyte
    expect([...ds.labels.subarray(60000, 60005)]).toEqual([7, 2, 1, 0, 4]); // t10k-labels-idx1-ubyte
    const counts = classCounts(ds);
    expect(counts.test).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    expect(counts.train).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    // real digits: ink in the middle, blank corners, the full 0..255 range
    const first = ds.pixels.subarray(0, 784);
    expect(Math.max(...first)).toBe(255);
    expect(first[0] + first[27] + first[783]).toBe(0);
  });
  test('the browser path (DecompressionStream) decodes the same bytes', async () => {
    const gz = new Uint8Array(readFileSync(ensureDatasetAsset(process.cwd(), 'mnist')));
    const back = decodeLbds(await gunzip(gz));
    expect(back.labels).toEqual(ds.labels);
    expect(digest(back, 69999)).toBe(digest(ds, 69999));
  });
});

describe('built-in Fashion-MNIST', () => {
  const ds = loadBuiltinDataset('fashion-mnist');
  test('a stratified 60,000 / 10,000 split with the class names', () => {
    expect([ds.train, ds.test, ds.channels, ds.height, ds.width]).toEqual([60000, 10000, 1, 28, 28]);
    expect(ds.classes).toEqual(FASHION_CLASSES);
    expect(ds.classes[0]).toBe('T-shirt/top');
    expect(ds.classes[9]).toBe('Ankle boot');
    const counts = classCounts(ds);
    expect(counts.train).toEqual(new Array(10).fill(6000));
    expect(counts.test).toEqual(new Array(10).fill(1000));
    // shuffled: the first hundred training images hold every class
    expect(new Set(ds.labels.subarray(0, 100)).size).toBe(10);
  });
  test('no image is in both splits unless the package itself repeats it, and none is empty', () => {
    const train = new Set<string>();
    for (let i = 0; i < ds.train; i++) train.add(digest(ds, i));
    let shared = 0,
      empty = 0;
    for (let i = ds.train; i < ds.train + ds.test; i++) if (train.has(digest(ds, i))) shared++;
    for (let i = 0; i < ds.train + ds.test; i++)
      if (ds.pixels.subarray(i * 784, (i + 1) * 784).every((v) => v === 0)) empty++;
    expect(empty).toBe(0);
    // the package has 36 exact duplicates within classes (Fashion-MNIST's own); a few land on both sides
    expect(shared).toBeLessThan(36);
  });
});
