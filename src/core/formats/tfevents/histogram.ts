// HistogramProto (histogram.proto) in a Summary.Value's `histo` field, as PyTorch's
// add_histogram writes it, and the histogram of a set of values with its buckets.
import { readFields, ProtoWriter } from './protobuf.ts';
import { first, packDoubles, unpackDoubles } from './summary-value.ts';

export interface Histogram {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  /** Right edges of the buckets; bucket i holds values in (limit[i-1], limit[i]]. */
  bucketLimit: number[];
  bucket: number[];
}

const asD = (f: ReturnType<typeof first>) => (f ? unpackDoubles(f)[0] : 0);

export function decodeHistogram(bytes: Uint8Array): Histogram {
  const f = readFields(bytes);
  return {
    min: asD(first(f, 1)),
    max: asD(first(f, 2)),
    num: asD(first(f, 3)),
    sum: asD(first(f, 4)),
    sumSquares: asD(first(f, 5)),
    bucketLimit: f.filter((x) => x.number === 6).flatMap(unpackDoubles),
    bucket: f.filter((x) => x.number === 7).flatMap(unpackDoubles),
  };
}

/** The histogram of a Summary.Value's bytes, or null when it holds none. */
export function histogramOfValue(value: Uint8Array): Histogram | null {
  const h = first(readFields(value), 5);
  return h ? decodeHistogram(h.bytes!) : null;
}

export function encodeHistogram(h: Histogram): ProtoWriter {
  return new ProtoWriter()
    .double(1, h.min)
    .double(2, h.max)
    .double(3, h.num)
    .double(4, h.sum)
    .double(5, h.sumSquares)
    .bytes(6, packDoubles(h.bucketLimit))
    .bytes(7, packDoubles(h.bucket));
}

/** Summary.Value { tag, histo }. */
export function encodeHistogramValue(tag: string, h: Histogram): Uint8Array {
  return new ProtoWriter().string(1, tag).message(5, encodeHistogram(h)).finish();
}

/**
 * The histogram of values on TensorFlow's exponential bucket edges (±1e-12 · 1.1^k and
 * 0, as PyTorch's bins='tensorflow'), trimmed to the used range plus one empty bucket
 * on the left so that the first bucket's left edge is known.
 */
export function histogramOf(values: ArrayLike<number>): Histogram {
  const limits = defaultBucketLimits();
  const counts = new Float64Array(limits.length);
  let min = Infinity,
    max = -Infinity,
    sum = 0,
    sumSquares = 0,
    num = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    num++;
    sum += v;
    sumSquares += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
    counts[lowerBoundLimit(limits, v)]++;
  }
  if (num === 0) return { min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, bucketLimit: [], bucket: [] };
  let lo = 0,
    hi = counts.length - 1;
  while (lo < hi && counts[lo] === 0) lo++;
  while (hi > lo && counts[hi] === 0) hi--;
  // As make_histogram: one empty bucket before the first used one, so the left edge is known.
  const from = Math.max(0, lo - 1);
  return {
    min,
    max,
    num,
    sum,
    sumSquares,
    bucketLimit: limits.slice(from, hi + 1),
    bucket: Array.from(counts.slice(from, hi + 1)),
  };
}

let cachedLimits: number[] | null = null;
function defaultBucketLimits(): number[] {
  if (cachedLimits) return cachedLimits;
  const pos: number[] = [];
  for (let v = 1e-12; v < 1e20; v *= 1.1) pos.push(v);
  cachedLimits = [...pos.map((v) => -v).reverse(), 0, ...pos, Number.MAX_VALUE];
  return cachedLimits;
}

/** First limit ≥ v (buckets are right-inclusive). */
function lowerBoundLimit(limits: number[], v: number): number {
  let lo = 0,
    hi = limits.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (limits[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The same histogram with each run of empty buckets merged into one (TensorFlow's
 * Histogram::EncodeToProto with preserve_zero_buckets=false): every count keeps its
 * edges, and a sparse histogram takes a fraction of the bytes.
 */
export function mergeEmptyBuckets(h: Histogram): Histogram {
  const bucketLimit: number[] = [],
    bucket: number[] = [];
  for (let i = 0; i < h.bucket.length; i++) {
    // an empty bucket followed by another empty one is covered by that one
    if (h.bucket[i] === 0 && i + 1 < h.bucket.length && h.bucket[i + 1] === 0) continue;
    bucketLimit.push(h.bucketLimit[i]);
    bucket.push(h.bucket[i]);
  }
  return { ...h, bucketLimit, bucket };
}
