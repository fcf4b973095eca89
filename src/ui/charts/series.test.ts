import { describe, expect, test } from 'vitest';
import { decimateMinMax, percentile, smooth } from './series.ts';

describe("TensorBoard's smoothing", () => {
  test('hand-worked series with s = 0.6', () => {
    // last: 0.4·1 = 0.4 → /0.4 = 1; 0.24+0.4·3 = 1.44 → /0.64 = 2.25; 0.864+0.8 = 1.664 → /0.784
    const out = smooth([1, 3, 2], 0.6);
    expect(out[0]).toBeCloseTo(1, 12);
    expect(out[1]).toBeCloseTo(2.25, 12);
    expect(out[2]).toBeCloseTo(1.664 / 0.784, 12);
  });
  test('s = 0 is the raw series', () => {
    expect(smooth([5, -1, 7.5], 0)).toEqual([5, -1, 7.5]);
  });
  test('s = 0.999 stays debiased: the first value is the first point', () => {
    const out = smooth([10, 0, 0], 0.999);
    expect(out[0]).toBeCloseTo(10, 9);
    // second: (0.999·0.01 + 0)/(1 − 0.999²) = 0.00999 / 0.001999
    expect(out[1]).toBeCloseTo(0.00999 / 0.001999, 6);
  });
  test('NaN and ±Infinity pass through without moving the average', () => {
    const out = smooth([1, NaN, Infinity, 3, -Infinity], 0.6);
    expect(out[1]).toBeNaN();
    expect(out[2]).toBe(Infinity);
    expect(out[4]).toBe(-Infinity);
    expect(out[3]).toBeCloseTo(2.25, 12); // as if the series were [1, 3]
  });
  test('a constant series is left as is', () => {
    expect(smooth([4, 4, 4], 0.9)).toEqual([4, 4, 4]);
    expect(smooth([], 0.6)).toEqual([]);
  });
});

describe('decimation', () => {
  test('keeps the min and max of every pixel column (spikes survive)', () => {
    const n = 100_000;
    const xs = Float64Array.from({ length: n }, (_, i) => i);
    const ys = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 1000));
    ys[54_321] = 50; // a one-point spike
    ys[77_777] = -50;
    const kept = decimateMinMax(xs, ys, 500, 0, n - 1);
    expect(kept.length).toBeLessThanOrEqual(2000);
    expect(kept).toContain(54_321);
    expect(kept).toContain(77_777);
    expect(kept[0]).toBe(0);
    expect(kept[kept.length - 1]).toBe(n - 1);
    expect([...kept].sort((a, b) => a - b)).toEqual(kept);
    // every column's extremes are present
    for (let c = 0; c < 500; c += 37) {
      const inCol = Array.from(xs)
        .map((_, i) => i)
        .filter((i) => Math.floor((xs[i] / (n - 1)) * 500) === c);
      const max = inCol.reduce((a, b) => (ys[b] > ys[a] ? b : a));
      const min = inCol.reduce((a, b) => (ys[b] < ys[a] ? b : a));
      expect(kept).toContain(max);
      expect(kept).toContain(min);
    }
  });
  test('short series are drawn whole', () => {
    expect(decimateMinMax([0, 1, 2], [3, 1, 2], 100, 0, 2)).toEqual([0, 1, 2]);
  });
  test('percentiles for ignore-outliers ranges', () => {
    expect(percentile([1, 2, 3, 4, 5], 50)).toBe(3);
    expect(percentile([0, 10], 5)).toBeCloseTo(0.5);
    expect(percentile([NaN, 1, Infinity], 95)).toBe(1);
  });
});
