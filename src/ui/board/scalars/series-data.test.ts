import { describe, expect, test } from 'vitest';
import { smooth } from '../../charts/series.ts';
import { bestOf, higherIsBetter, nearestIndex, Series } from './series-data.ts';
import { affineOf, pathData, pickColumns, visibleIndices, xExtent, xOf, yDomain } from './chart-math.ts';
import { decimateMinMax } from '../../charts/series.ts';

const pts = (values: number[], step0 = 0) =>
  values.map((value, i) => ({ step: step0 + i, wallTime: 1000 + 2 * (step0 + i), value }));

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

describe('series with appends', () => {
  test('smoothing continued over appends equals smooth() of the whole series', () => {
    const rand = seeded(7);
    for (const weight of [0, 0.6, 0.95, 0.999]) {
      const values = Array.from({ length: 500 }, (_, i) =>
        i === 40 ? NaN : i === 90 ? Infinity : Math.exp(-i / 100) + rand() * 0.1,
      );
      const s = new Series('r', 'loss');
      let at = 0;
      while (at < values.length) {
        const n = 1 + Math.floor(rand() * 60);
        s.append(pts(values.slice(at, at + n), at));
        at += n;
        s.smoothed(weight); // computed between appends, continued afterwards
      }
      const got = Array.from(s.smoothed(weight).subarray(0, s.length));
      const want = smooth(values, weight);
      got.forEach((v, i) => (Number.isFinite(want[i]) ? expect(v).toBeCloseTo(want[i], 12) : expect(v).toBe(want[i])));
    }
  });

  test('a series constant so far is unsmoothed until a different value arrives', () => {
    const s = new Series('r', 'lr');
    s.append(pts([0.1, 0.1, 0.1]));
    expect(Array.from(s.smoothed(0.6).subarray(0, 3))).toEqual([0.1, 0.1, 0.1]);
    s.append(pts([0.01], 3));
    expect(Array.from(s.smoothed(0.6).subarray(0, 4))).toEqual(smooth([0.1, 0.1, 0.1, 0.01], 0.6));
  });

  test('appends ignore steps already held; min and max follow; replace starts over', () => {
    const s = new Series('r', 'loss');
    s.append(pts([3, 1, 2]));
    expect(s.append(pts([9, 0.5], 2))).toBe(1); // step 2 is held already
    expect(Array.from(s.values.subarray(0, s.length))).toEqual([3, 1, 2, 0.5]);
    expect([s.minIndex, s.maxIndex]).toEqual([3, 0]);
    s.replace(pts([5, 4]).reverse());
    expect(Array.from(s.steps.subarray(0, s.length))).toEqual([0, 1]);
    expect(Array.from(s.values.subarray(0, s.length))).toEqual([5, 4]);
  });

  test('nearest index and which tags are better high', () => {
    const xs = Float64Array.from([0, 10, 20, 30]);
    expect([
      nearestIndex(xs, 4, -5),
      nearestIndex(xs, 4, 14),
      nearestIndex(xs, 4, 16),
      nearestIndex(xs, 4, 99),
    ]).toEqual([0, 1, 2, 3]);
    expect(nearestIndex(xs, 0, 3)).toBe(-1);
    expect(higherIsBetter('accuracy/val')).toBe(true);
    expect(higherIsBetter('throughput/images_per_sec')).toBe(true);
    expect(higherIsBetter('loss/train')).toBe(false);
    expect([
      bestOf('loss/val'),
      bestOf('accuracy/test'),
      bestOf('lr'),
      bestOf('optim/lr'),
      bestOf('lr_finder/loss'),
    ]).toEqual(['min', 'max', null, null, 'min']);
  });
});

describe('chart math', () => {
  test('x on each axis: step, relative seconds, wall seconds', () => {
    const s = new Series('r', 't');
    s.append(pts([1, 2, 3], 5));
    expect([xOf(s, 'step', 2), xOf(s, 'relative', 2), xOf(s, 'wall', 2)]).toEqual([7, 4, 1014]);
    expect(xExtent([s], 'relative')).toEqual([0, 4]);
  });

  test('visible indices: the slice in view plus one point each side, decimated with every spike', () => {
    const s = new Series('r', 't');
    s.append(
      Array.from({ length: 100_000 }, (_, i) => ({ step: i, wallTime: i, value: i === 61_234 ? 1e6 : Math.sin(i) })),
    );
    const idx = visibleIndices(s, 'step', s.values, 50_000, 70_000, 300);
    expect(idx[0]).toBe(49_999);
    expect(idx.at(-1)).toBe(70_000);
    expect(idx).toContain(61_234);
    expect(idx.length).toBeLessThanOrEqual(4 * 302);
  });

  test('y-range: padded extent, outliers ignored, log, fixed bounds', () => {
    const s = new Series('r', 't');
    const values = Array.from({ length: 101 }, (_, i) => i);
    values[50] = 1e6;
    s.append(pts(values));
    const idx = Array.from({ length: 101 }, (_, i) => i);
    const auto = yDomain([{ ys: s.values, idx }], [s], {
      scale: 'linear',
      ignoreOutliers: false,
      min: null,
      max: null,
    });
    expect(auto[1]).toBeGreaterThan(1e6);
    const robust = yDomain([{ ys: s.values, idx }], [s], {
      scale: 'linear',
      ignoreOutliers: true,
      min: null,
      max: null,
    });
    expect(robust[1]).toBeLessThan(110); // the 1e6 spike no longer sets the range
    expect(robust[0]).toBeLessThan(5);
    expect(yDomain([{ ys: s.values, idx }], [s], { scale: 'linear', ignoreOutliers: false, min: -1, max: 2 })).toEqual([
      -1, 2,
    ]);
    const log = yDomain([{ ys: s.values, idx }], [s], { scale: 'log', ignoreOutliers: false, min: null, max: null });
    expect(log[0]).toBeGreaterThan(0); // the 0 at step 0 is left out on a log axis
    expect(log[0]).toBeLessThan(1);
  });

  test('path data breaks at values a log axis cannot show', () => {
    const ys = Float64Array.from([1, NaN, 2, 0, 4]);
    const xs = Float64Array.from([0, 1, 2, 3, 4]);
    const id = { ax: 1, x0: 0, bx: 0, ay: 1, by: 0 };
    // tenths of a pixel
    expect(pathData(xs, 0, ys, [0, 1, 2, 3, 4], id, 'linear')).toBe('M0,10h0M20,20L30,0L40,40');
    // log axis: y = log10(v) (here 100 px per decade), values ≤ 0 left out
    expect(pathData(xs, 0, ys, [0, 1, 2, 3, 4], { ax: 1, x0: 0, bx: 0, ay: 100, by: 0 }, 'log')).toBe(
      'M0,0h0M20,301h0M40,602h0',
    );
    // the affine of a scale reproduces it
    const t = affineOf(
      (x) => 3 * x + 7,
      [0, 10],
      (y) => 500 - 100 * Math.log10(y),
      [0.1, 1000],
      'log',
    );
    expect(t.ax).toBeCloseTo(3);
    expect(t.bx).toBeCloseTo(7);
    expect(t.ay).toBeCloseTo(-100);
    expect(t.by).toBeCloseTo(500);
    expect(pathData(xs, 2, ys, [4], t, 'log')).toBe(
      `M${Math.round((3 * 2 + 7) * 10)},${Math.round((500 - 100 * Math.log10(4)) * 10)}h0`,
    );
  });

  test('a one-point series draws a dot (a zero-length segment the round cap shows)', () => {
    const id = { ax: 1, x0: 0, bx: 0, ay: 1, by: 0 };
    expect(pathData(Float64Array.of(5), 0, Float64Array.of(2), [0], id, 'linear')).toBe('M50,20h0');
    expect(pathData(Float64Array.of(5, 6), 0, Float64Array.of(2, 3), [0, 1], id, 'linear')).toBe('M50,20L60,30');
  });

  test('steps near 2^53 keep their pixel', () => {
    const max = 2 ** 53 - 1;
    const xd: [number, number] = [max - 10, max + 1];
    // d3-like scale: 0..550 px over the domain
    const px = (x: number) => ((x - xd[0]) / (xd[1] - xd[0])) * 550;
    const t = affineOf(px, xd, (y) => 100 - y, [0, 100], 'linear');
    const d = pathData(Float64Array.of(max - 10, max), 0, Float64Array.of(1, 2), [0, 1], t, 'linear');
    expect(d).toBe(`M0,990L${Math.round(px(max) * 10)},980`);
    expect(Math.round(px(max) * 10)).toBe(5000);
  });
});

describe('min/max pyramid', () => {
  test('block extremes hold every spike and every column extreme of a long series', async () => {
    const { MinMaxPyramid } = await import('./minmax-pyramid.ts');
    const rand = seeded(3);
    const n = 100_003;
    const ys = Float64Array.from({ length: n }, () => rand());
    ys[4_321] = 50;
    ys[70_001] = -50;
    ys[99_999] = NaN;
    const p = new MinMaxPyramid(ys, n);
    const cand = p.candidates(1_000, 100_003, 500);
    expect(cand.length).toBeLessThan(2_200);
    expect([...cand].sort((a, b) => a - b)).toEqual(cand);
    expect(new Set(cand).size).toBe(cand.length);
    for (const i of [4_321, 70_001, 99_999]) expect(cand).toContain(i);
    expect(cand[0]).toBe(1_000);
    expect(cand.at(-1)).toBe(100_002);
    // the extremes of any whole block range are among the candidates
    const [lo, hi] = [30_000, 60_000];
    let min = lo,
      max = lo;
    for (let i = lo; i < hi; i++) {
      if (ys[i] < ys[min]) min = i;
      if (ys[i] > ys[max]) max = i;
    }
    expect(cand).toContain(min);
    expect(cand).toContain(max);
    expect(p.candidates(10, 20, 500)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  });

  test('visible indices over a pyramid keep the spikes of 100,000 points in a few per column', () => {
    const s = new Series('r', 't');
    s.append(
      Array.from({ length: 100_000 }, (_, i) => ({
        step: i,
        wallTime: i,
        value: i === 12_345 ? -9 : i === 87_654 ? 9 : Math.sin(i / 50),
      })),
    );
    const idx = visibleIndices(s, 'step', s.values, 0, 99_999, 400);
    expect(idx.length).toBeLessThanOrEqual(4 * 402);
    expect(idx).toContain(12_345);
    expect(idx).toContain(87_654);
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
  });
});

test("the one-pass column picker gives decimateMinMax's points", () => {
  const rand = seeded(11);
  for (const n of [50, 3_000, 20_000]) {
    const xs = Float64Array.from({ length: n }, (_, i) => i * 1.5 + 3);
    const ys = Float64Array.from({ length: n }, () => (rand() < 0.01 ? NaN : rand()));
    for (const cols of [7, 100, 333]) {
      const [x0, x1] = [xs[0], xs[n - 1]];
      expect(pickColumns(xs, ys, null, 0, n, cols, x0, x1)).toEqual(decimateMinMax(xs, ys, cols, x0, x1));
    }
  }
});
