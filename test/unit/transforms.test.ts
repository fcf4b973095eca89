import { describe, expect, test } from 'vitest';
import { fillBatch, validateTransforms } from '../../src/engine/data/transforms.ts';
import type { ImageDataset } from '../../src/core/formats/lbds.ts';
import { Rng } from '../../src/engine/rng.ts';

// Two 2-channel 2×3 images with distinct pixels.
const ds: ImageDataset = {
  name: 't',
  classes: ['a', 'b'],
  channels: 2,
  height: 2,
  width: 3,
  train: 2,
  test: 0,
  pixels: Uint8Array.from({ length: 24 }, (_, i) => i * 10),
  labels: Uint8Array.from([1, 0]),
};

describe('transforms', () => {
  test('ToTensor scales to 0..1 and keeps NCHW order', () => {
    const out = new Float32Array(12),
      labels = new Int32Array(1);
    fillBatch(ds, [1], {}, null, out, labels);
    expect(Array.from(out, (v) => Math.round(v * 255))).toEqual(Array.from({ length: 12 }, (_, i) => (i + 12) * 10));
    expect(labels[0]).toBe(0);
  });
  test('Normalize is (x/255 − mean) / std per channel', () => {
    const out = new Float32Array(12),
      labels = new Int32Array(1);
    fillBatch(ds, [0], { normalize: { mean: [0.5, 0.25], std: [0.5, 2] } }, null, out, labels);
    expect(out[1]).toBeCloseTo((10 / 255 - 0.5) / 0.5, 6);
    expect(out[7]).toBeCloseTo((70 / 255 - 0.25) / 2, 6);
  });
  test('horizontal flip mirrors rows; evaluation (no rng) never augments', () => {
    const out = new Float32Array(12),
      labels = new Int32Array(1);
    const alwaysFlip = { next: () => 0, int: () => 0 } as unknown as Rng;
    fillBatch(ds, [0], { horizontalFlip: true }, alwaysFlip, out, labels);
    expect(Array.from(out.subarray(0, 3), (v) => Math.round(v * 255))).toEqual([20, 10, 0]);
    fillBatch(ds, [0], { horizontalFlip: true, cropPadding: 4 }, null, out, labels);
    expect(Array.from(out.subarray(0, 3), (v) => Math.round(v * 255))).toEqual([0, 10, 20]);
  });
  test('random crop with padding shifts and fills with zeros', () => {
    const out = new Float32Array(12),
      labels = new Int32Array(1);
    const shift = { next: () => 0.9, int: (n: number) => n - 1 } as unknown as Rng; // dy = dx = +pad
    fillBatch(ds, [0], { cropPadding: 1 }, shift, out, labels);
    expect(Array.from(out.subarray(0, 6), (v) => Math.round(v * 255))).toEqual([40, 50, 0, 0, 0, 0]);
  });
  test('seeded augmentation is reproducible', () => {
    const a = new Float32Array(24),
      b = new Float32Array(24),
      l = new Int32Array(2);
    fillBatch(ds, [0, 1], { horizontalFlip: true, cropPadding: 1 }, new Rng(3), a, l);
    fillBatch(ds, [0, 1], { horizontalFlip: true, cropPadding: 1 }, new Rng(3), b, l);
    expect(a).toEqual(b);
  });
  test('bad settings are refused naming the problem', () => {
    expect(() => validateTransforms({ normalize: { mean: [0.5], std: [0.5] } }, 3)).toThrow(
      'Normalize needs 3 mean and std values for 3-channel images, got 1 and 1',
    );
    expect(() => validateTransforms({ normalize: { mean: [0], std: [0] } }, 1)).toThrow(
      'Normalize std[0] must be positive, got 0',
    );
    expect(() => validateTransforms({ cropPadding: -1 }, 1)).toThrow(
      'RandomCrop padding must be a non-negative integer, got -1',
    );
  });
});
