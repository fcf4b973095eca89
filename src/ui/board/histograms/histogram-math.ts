// Histograms as TensorBoard draws them: each step's buckets as a density curve over the
// value axis (offset: stacked by step; overlay: on top of each other), and the
// distribution of each step as percentile bands (its basis points: 0, 6.68, 15.87,
// 30.85, 50, 69.15, 84.13, 93.32, 100 %, i.e. ±1.5σ, ±1σ, ±0.5σ of a normal).
import type { Histogram } from '../../../core/formats/tfevents/histogram.ts';

export interface Bin {
  left: number;
  right: number;
  count: number;
}

/** The buckets with both edges: the first starts at min, the last ends at max. */
export function binsOf(h: Histogram): Bin[] {
  const bins: Bin[] = [];
  for (let i = 0; i < h.bucket.length; i++) {
    const left = i === 0 ? Math.min(h.min, h.bucketLimit[0]) : h.bucketLimit[i - 1];
    const right = Math.min(h.bucketLimit[i], h.max);
    if (h.bucket[i] === 0 && (right < h.min || left > h.max)) continue;
    bins.push({ left: Math.max(left, h.min), right: Math.max(right, Math.max(left, h.min)), count: h.bucket[i] });
  }
  return bins;
}

/**
 * TensorBoard re-bins every step onto `n` equal bins over the shared [lo, hi]: counts are
 * spread over the part of each bucket a bin covers (a point bucket goes whole into its bin).
 */
export function rebin(h: Histogram, lo: number, hi: number, n = 30): number[] {
  const out = new Array<number>(n).fill(0);
  const width = (hi - lo) / n || 1;
  for (const b of binsOf(h)) {
    if (b.count === 0) continue;
    if (b.right <= b.left) {
      out[Math.min(n - 1, Math.max(0, Math.floor((b.left - lo) / width)))] += b.count;
      continue;
    }
    for (let i = Math.max(0, Math.floor((b.left - lo) / width)); i < n && lo + i * width < b.right; i++) {
      const a = Math.max(b.left, lo + i * width),
        z = Math.min(b.right, lo + (i + 1) * width);
      if (z > a) out[i] += (b.count * (z - a)) / (b.right - b.left);
    }
  }
  return out;
}

export const BASIS_POINTS = [0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000];

/** The value below which each fraction of the step's values lies (linear within a bucket). */
export function percentiles(h: Histogram, basisPoints = BASIS_POINTS): number[] {
  const bins = binsOf(h);
  const total = bins.reduce((s, b) => s + b.count, 0);
  return basisPoints.map((bp) => {
    if (total === 0) return NaN;
    if (bp <= 0) return h.min;
    if (bp >= 10000) return h.max;
    const target = (bp / 10000) * total;
    let seen = 0;
    for (const b of bins) {
      if (seen + b.count >= target && b.count > 0) return b.left + ((target - seen) / b.count) * (b.right - b.left);
      seen += b.count;
    }
    return h.max;
  });
}
