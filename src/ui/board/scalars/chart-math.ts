// The pure part of a scalar chart: which x each point has on the chosen axis, which
// points a pixel width needs (per-column min/max, every spike kept), the y-range
// (auto, outliers ignored, log, fixed), and the SVG path of a series.
import { lowerBound, type Series } from './series-data.ts';

export type XAxis = 'step' | 'relative' | 'wall';
export type YScale = 'linear' | 'log';

/** The x column of a series on an axis, and the offset subtracted from it. */
export function xColumn(s: Series, axis: XAxis): { xs: Float64Array; offset: number } {
  if (axis === 'step') return { xs: s.steps, offset: 0 };
  return { xs: s.walls, offset: axis === 'relative' && s.length ? s.walls[0] : 0 };
}

/** x of point i on the axis: step, seconds since the run's first point, or wall seconds. */
export function xOf(s: Series, axis: XAxis, i: number): number {
  const { xs, offset } = xColumn(s, axis);
  return xs[i] - offset;
}

export function xExtent(series: Series[], axis: XAxis): [number, number] | null {
  let lo = Infinity,
    hi = -Infinity;
  for (const s of series) {
    if (!s.length) continue;
    const { xs, offset } = xColumn(s, axis);
    lo = Math.min(lo, xs[0] - offset);
    hi = Math.max(hi, xs[s.length - 1] - offset);
  }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * Indices of the points to draw for x in [x0, x1] over `columns` pixels: the visible
 * slice plus one point each side (lines reach the edges), decimated per column. Long
 * slices are first narrowed to the block extremes of the series' min/max pyramid.
 */
export function visibleIndices(
  s: Series,
  axis: XAxis,
  ys: Float64Array,
  x0: number,
  x1: number,
  columns: number,
): number[] {
  const { xs, offset } = xColumn(s, axis);
  const n = s.length;
  const from = Math.max(0, lowerBound(xs, n, x0 + offset) - 1);
  const to = Math.min(n, lowerBound(xs, n, x1 + offset) + 1);
  if (to <= from) return [];
  const cols = Math.max(1, Math.round(columns));
  const cand = to - from > cols * 8 ? s.pyramid(ys).candidates(from, to, cols * 2) : null;
  return pickColumns(xs, ys, cand, from, to, cols, x0 + offset, x1 + offset);
}

/**
 * decimateMinMax (charts/series.ts) over the points `cand` (or from..to): per pixel
 * column its first, lowest, highest and last point, in order; short inputs whole.
 * One pass and no allocation per column: this runs for every series on every frame.
 */
export function pickColumns(
  xs: Float64Array,
  ys: Float64Array,
  cand: number[] | null,
  from: number,
  to: number,
  columns: number,
  xMin: number,
  xMax: number,
): number[] {
  const m = cand ? cand.length : to - from;
  const at = (k: number) => (cand ? cand[k] : from + k);
  if (m <= columns * 4) return cand ?? Array.from({ length: m }, (_, k) => from + k);
  const scale = columns / (xMax - xMin || 1);
  const out: number[] = [];
  let col = NaN,
    first = 0,
    lo = 0,
    hi = 0,
    last = 0;
  const flush = () => {
    out.push(first);
    const [a, b] = lo < hi ? [lo, hi] : [hi, lo];
    if (a !== first && a !== last) out.push(a);
    if (b !== first && b !== last && b !== a) out.push(b);
    if (last !== first) out.push(last);
  };
  for (let k = 0; k < m; k++) {
    const i = at(k);
    const c = Math.floor((xs[i] - xMin) * scale);
    if (c !== col) {
      if (k > 0) flush();
      col = c;
      first = lo = hi = last = i;
      continue;
    }
    const y = ys[i];
    if (y < ys[lo] || (Number.isNaN(y) && !Number.isNaN(ys[lo]))) lo = i;
    if (y > ys[hi]) hi = i;
    last = i;
  }
  flush();
  return out;
}

/** Whether a value can be drawn on the y scale (log needs > 0). */
export function drawable(v: number, scale: YScale): boolean {
  return Number.isFinite(v) && (scale === 'linear' || v > 0);
}

export interface YRangeOptions {
  scale: YScale;
  ignoreOutliers: boolean;
  /** Fixed bounds from the inputs; null: automatic. */
  min: number | null;
  max: number | null;
}

/**
 * The y-domain: fixed bounds win; else the 5th–95th percentiles of every visible series
 * with outliers ignored; else the extent of what is drawn (raw and smoothed), padded.
 */
export function yDomain(
  drawn: { ys: Float64Array; idx: number[] }[],
  series: Series[],
  o: YRangeOptions,
): [number, number] {
  let lo = Infinity,
    hi = -Infinity;
  if (o.ignoreOutliers) {
    for (const s of series) {
      if (!s.length) continue;
      const { p5, p95 } = s.percentiles();
      if (drawable(p5, o.scale)) lo = Math.min(lo, p5);
      if (drawable(p95, o.scale)) hi = Math.max(hi, p95);
    }
  } else {
    for (const { ys, idx } of drawn) {
      for (const i of idx) {
        const v = ys[i];
        if (!drawable(v, o.scale)) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  if (!(lo <= hi)) [lo, hi] = o.scale === 'log' ? [0.1, 1] : [0, 1];
  const nonNegative = lo >= 0;
  [lo, hi] = pad(lo, hi, o.scale);
  // Losses, rates and accuracies never dip below 0: neither does their axis.
  if (nonNegative && o.scale === 'linear') lo = Math.max(0, lo);
  if (o.min !== null && drawable(o.min, o.scale)) lo = o.min;
  if (o.max !== null && drawable(o.max, o.scale)) hi = o.max;
  if (!(lo < hi)) return pad(Math.min(lo, hi), Math.max(lo, hi), o.scale);
  return [lo, hi];
}

function pad(lo: number, hi: number, scale: YScale): [number, number] {
  if (scale === 'log') {
    const a = Math.log10(lo),
      b = Math.log10(hi);
    const m = (b - a || 1) * 0.05;
    return [10 ** (a - m), 10 ** (b + m)];
  }
  const span = hi - lo || Math.abs(hi) || 1;
  return [lo - span * 0.05, hi + span * 0.05];
}

/**
 * Pixel = ax·(x − x0) + bx and ay·y + by (y in log10 units on a log axis): no scale call
 * per point. x is taken relative to the domain's start so that huge steps (2^53 − 1)
 * keep their pixel: ax·x alone would lose every digit a pixel needs.
 */
export interface Affine {
  ax: number;
  x0: number;
  bx: number;
  ay: number;
  by: number;
}

/** The affine maps of two scales, from two points of each domain. */
export function affineOf(
  px: (x: number) => number,
  xd: [number, number],
  py: (y: number) => number,
  yd: [number, number],
  scale: YScale,
): Affine {
  const ax = (px(xd[1]) - px(xd[0])) / (xd[1] - xd[0] || 1);
  const [u0, u1] = scale === 'log' ? [Math.log10(yd[0]), Math.log10(yd[1])] : yd;
  const ay = (py(yd[1]) - py(yd[0])) / (u1 - u0 || 1);
  return { ax, x0: xd[0], bx: px(xd[0]), ay, by: py(yd[0]) - ay * u0 };
}

/**
 * SVG path data through the points at `idx`, in tenths of a pixel (whole numbers print
 * several times faster than decimals; the chart draws the path at scale 0.1). A point
 * that cannot be drawn (NaN, ±Inf, ≤ 0 on a log axis) breaks the line, as in TensorBoard.
 * A point with no drawable neighbour gets a zero-length segment: the line's round cap
 * draws it as a dot (a one-point series is visible).
 */
export function pathData(
  xs: Float64Array,
  offset: number,
  ys: Float64Array,
  idx: ArrayLike<number>,
  t: Affine,
  scale: YScale,
): string {
  const log = scale === 'log';
  const ax = t.ax * 10,
    x0 = t.x0 + offset,
    bx = t.bx * 10,
    ay = t.ay * 10,
    by = t.by * 10;
  let d = '';
  let run = 0;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k];
    const y = ys[i];
    if (!drawable(y, scale)) {
      if (run === 1) d += 'h0';
      run = 0;
      continue;
    }
    d +=
      (run > 0 ? 'L' : 'M') +
      Math.round(ax * (xs[i] - x0) + bx) +
      ',' +
      Math.round(ay * (log ? Math.log10(y) : y) + by);
    run++;
  }
  return run === 1 ? d + 'h0' : d;
}

/** A duration in seconds as an axis label: 45s, 12m, 1.5h, 3d. */
export function formatDuration(seconds: number): string {
  const a = Math.abs(seconds);
  const sign = seconds < 0 ? '-' : '';
  if (a < 60) return `${sign}${+a.toFixed(a < 10 ? 1 : 0)}s`;
  if (a < 3600) return `${sign}${+(a / 60).toFixed(a < 600 ? 1 : 0)}m`;
  if (a < 86400) return `${sign}${+(a / 3600).toFixed(a < 36000 ? 1 : 0)}h`;
  return `${sign}${+(a / 86400).toFixed(1)}d`;
}

/** A value as the charts print it: 4 significant digits, exponent when tiny or huge. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(3).replace(/\.?0+e/, 'e');
  return String(+v.toPrecision(4));
}
