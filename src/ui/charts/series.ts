// Pure series math for the scalar charts: TensorBoard's smoothing, and per-pixel
// decimation that keeps every spike (drawing only; the data keeps every point).

export interface Point {
  step: number;
  wallTime: number;
  value: number;
}

/**
 * TensorBoard's debiased exponential moving average (its scalar card's smoothing):
 * last = s·last + (1−s)·y; n += 1; out = last / (1 − sⁿ). Non-finite values pass
 * through untouched and do not advance the average; a constant series is not smoothed.
 */
export function smooth(values: readonly number[], weight: number): number[] {
  const isConstant = values.every((v) => v === values[0]);
  let last = values.length > 0 ? 0 : NaN;
  let count = 0;
  return values.map((y) => {
    if (isConstant || !Number.isFinite(y)) return y;
    last = last * weight + (1 - weight) * y;
    count++;
    const debias = weight === 1 ? 1 : 1 - weight ** count;
    return last / debias;
  });
}

/**
 * Indices of the points to draw when `xs` (ascending) spans `columns` pixel columns:
 * per column the first, minimum, maximum and last point, in order. Extremes survive,
 * so no spike disappears however long the series.
 */
export function decimateMinMax(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  columns: number,
  xMin: number,
  xMax: number,
): number[] {
  const n = xs.length;
  if (n <= columns * 4 || columns < 1) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  const span = xMax - xMin || 1;
  let i = 0;
  while (i < n) {
    const column = Math.floor(((xs[i] - xMin) / span) * columns);
    const first = i;
    let lo = i,
      hi = i;
    while (i < n && Math.floor(((xs[i] - xMin) / span) * columns) === column) {
      if (ys[i] < ys[lo] || (Number.isNaN(ys[i]) && !Number.isNaN(ys[lo]))) lo = i;
      if (ys[i] > ys[hi]) hi = i;
      i++;
    }
    const last = i - 1;
    for (const k of [...new Set([first, lo, hi, last])].sort((a, b) => a - b)) out.push(k);
  }
  return out;
}

/** The p-th percentile (0..100) of the finite values, linear interpolation. */
export function percentile(values: readonly number[], p: number): number {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const at = (p / 100) * (finite.length - 1);
  const lo = Math.floor(at),
    hi = Math.ceil(at);
  return finite[lo] + (finite[hi] - finite[lo]) * (at - lo);
}
