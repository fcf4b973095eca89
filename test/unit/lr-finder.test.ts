// The learning-rate range test: an exponential sweep, a smoothed loss that falls then
// blows up, the sweep stopping at divergence, and the suggestion at the steepest fall.
import { expect, test } from 'vitest';
import type { LayerSpec } from '../../src/core/model/types.ts';
import { tensorSource } from '../../src/engine/data-loader.ts';
import { lrRangeTest, suggestLr, type LrPoint } from '../../src/engine/lr-finder.ts';
import { Rng } from '../../src/engine/rng.ts';
import { Sequential } from '../../src/engine/sequential.ts';

test('suggestLr picks the steepest fall of the smoothed loss against log(lr)', () => {
  // a loss flat until 1e-3, falling fastest around 1e-2, flat again, then rising
  const points: LrPoint[] = Array.from({ length: 61 }, (_, i) => {
    const lr = 10 ** (-5 + i / 10),
      x = Math.log10(lr);
    const smoothed = 2 - 1.5 / (1 + Math.exp(-4 * (x + 2))) + (x > 0 ? x * x : 0);
    return { lr, loss: smoothed, smoothed };
  });
  expect(Math.log10(suggestLr(points)!)).toBeCloseTo(-2, 1);
  expect(suggestLr(points.slice(0, 12))).toBeNull(); // too few points once the ends are skipped
});

test('on a learnable problem the sweep is exponential, stops when the loss diverges and suggests an lr inside the range', async () => {
  const rng = new Rng(4),
    n = 512,
    x = new Float32Array(n * 8),
    y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 4;
    for (let k = 0; k < 8; k++) x[i * 8 + k] = rng.normal() + (k % 4 === y[i] ? 2 : 0);
  }
  const layers: LayerSpec[] = [
    { type: 'Linear', in_features: 8, out_features: 32 },
    { type: 'ReLU' },
    { type: 'Linear', in_features: 32, out_features: 4 },
  ];
  const r = await lrRangeTest(
    new Sequential(layers, { seed: 1 }),
    tensorSource(x, [8], y),
    { loss: { type: 'CrossEntropyLoss' }, optimizer: { type: 'SGD', lr: 0.1 }, batchSize: 16 },
    { startLr: 1e-5, endLr: 100, steps: 120 },
  );
  expect(r.points[0].lr).toBeCloseTo(1e-5, 12);
  const ratio = r.points[1].lr / r.points[0].lr;
  r.points.slice(1).forEach((p, i) => expect(p.lr / r.points[i].lr).toBeCloseTo(ratio, 9));
  expect(r.diverged).toBe(true);
  expect(r.points.length).toBeLessThan(120);
  const best = Math.min(...r.points.map((p) => p.smoothed));
  expect(best).toBeLessThan(r.points[5].smoothed * 0.7); // the loss fell somewhere in the sweep
  expect(r.suggestion).toBeGreaterThan(1e-4);
  expect(r.suggestion).toBeLessThan(r.points.at(-1)!.lr);
});
