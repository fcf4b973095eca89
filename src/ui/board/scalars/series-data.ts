// One run's points of one tag, held as growable typed columns so that live training
// appends in place; smoothing and min/max follow the appends incrementally.
import { percentile } from '../../charts/series.ts';
import { MinMaxPyramid } from './minmax-pyramid.ts';
import type { ScalarColumns } from '../../../db/schema.ts';

export interface ScalarPoint {
  step: number;
  wallTime: number;
  value: number;
}

type Column = Float64Array<ArrayBuffer>;

function grow(a: Column, need: number): Column {
  if (need <= a.length) return a;
  const out = new Float64Array(Math.max(need, a.length * 2, 64));
  out.set(a);
  return out;
}

/**
 * TensorBoard's debiased EMA, continued over appended points: the same numbers as
 * smooth() on the whole series (it is causal, so earlier outputs never change), except
 * that a series constant so far is passed through until a different value arrives.
 */
export class Smoother {
  weight: number;
  #last = 0;
  #count = 0;
  #done = 0;
  #constant = true;
  out: Column = new Float64Array(0);

  constructor(weight: number) {
    this.weight = weight;
  }

  /** Brings `out` up to date with the first `length` values. */
  update(values: Float64Array, length: number): void {
    if (length < this.#done) this.reset();
    this.out = grow(this.out, length);
    if (this.#constant && !isConstant(values, length)) this.reset(false);
    if (this.#constant) {
      this.out.set(values.subarray(this.#done, length), this.#done);
      this.#done = length;
      return;
    }
    const s = this.weight;
    for (let i = this.#done; i < length; i++) {
      const y = values[i];
      if (!Number.isFinite(y)) {
        this.out[i] = y;
        continue;
      }
      this.#last = this.#last * s + (1 - s) * y;
      this.#count++;
      this.out[i] = this.#last / (s === 1 ? 1 : 1 - s ** this.#count);
    }
    this.#done = length;
  }

  reset(constant = true): void {
    this.#last = 0;
    this.#count = 0;
    this.#done = 0;
    this.#constant = constant;
  }
}

function isConstant(values: Float64Array, length: number): boolean {
  // NaN !== NaN: a series with a NaN is never constant, as in smooth().
  for (let i = 1; i < length; i++) if (values[i] !== values[0]) return false;
  return true;
}

export class Series {
  readonly runId: string;
  readonly tag: string;
  steps: Column = new Float64Array(0);
  walls: Column = new Float64Array(0);
  values: Column = new Float64Array(0);
  length = 0;
  /** Bumped on every change; caches compare it. */
  version = 0;
  /** Index of the smallest / largest finite value, or -1. */
  minIndex = -1;
  maxIndex = -1;
  #smoother: Smoother | null = null;
  #smoothedAt = -1;
  #percentiles: { version: number; p5: number; p95: number } | null = null;
  #pyramids: { ys: Float64Array; version: number; pyramid: MinMaxPyramid }[] = [];

  constructor(runId: string, tag: string) {
    this.runId = runId;
    this.tag = tag;
  }

  get lastStep(): number {
    return this.length ? this.steps[this.length - 1] : -Infinity;
  }

  /** Adds points with steps after the last one (others are ignored: use replace). */
  append(points: ArrayLike<ScalarPoint>): number {
    this.reserve(this.length + points.length);
    let added = 0;
    for (let k = 0; k < points.length; k++) added += this.#push(points[k].step, points[k].wallTime, points[k].value);
    if (added) this.version++;
    return added;
  }

  /** Makes room for `n` points in all (one allocation before reading a whole tag). */
  reserve(n: number): void {
    this.steps = grow(this.steps, n);
    this.walls = grow(this.walls, n);
    this.values = grow(this.values, n);
  }

  /** Adds stored columns (a block of points sorted by step), those after the last step. */
  appendColumns(block: ScalarColumns): number {
    this.reserve(this.length + block.count);
    let added = 0;
    for (let k = 0; k < block.count; k++) added += this.#push(block.steps[k], block.wallTimes[k], block.values[k]);
    if (added) this.version++;
    return added;
  }

  /** One point after the last step (1), or none (0); room is reserved by the caller. */
  #push(step: number, wall: number, value: number): number {
    if (this.length > 0 && step <= this.steps[this.length - 1]) return 0;
    const i = this.length++;
    this.steps[i] = step;
    this.walls[i] = wall;
    this.values[i] = value;
    this.#track(i);
    return 1;
  }

  /** Replaces every point (sorted by step here). */
  replace(points: ScalarPoint[]): void {
    this.length = 0;
    this.minIndex = this.maxIndex = -1;
    this.#smoother?.reset();
    this.append([...points].sort((a, b) => a.step - b.step));
    this.version++;
  }

  /** Smoothed values (TensorBoard's EMA with this weight), at least `length` long. */
  smoothed(weight: number): Float64Array {
    if (!this.#smoother || this.#smoother.weight !== weight) {
      this.#smoother = new Smoother(weight);
      this.#smoothedAt = -1;
    }
    if (this.#smoothedAt !== this.version) {
      this.#smoother.update(this.values, this.length);
      this.#smoothedAt = this.version;
    }
    return this.#smoother.out;
  }

  /** The min/max pyramid of `ys` (the values or the smoothed values), cached per version. */
  pyramid(ys: Float64Array): MinMaxPyramid {
    const cached = this.#pyramids.find((p) => p.ys === ys && p.version === this.version);
    if (cached) return cached.pyramid;
    const pyramid = new MinMaxPyramid(ys, this.length);
    this.#pyramids = [
      ...this.#pyramids.filter((p) => p.version === this.version),
      { ys, version: this.version, pyramid },
    ].slice(-2);
    return pyramid;
  }

  /** The 5th and 95th percentiles of the finite values (cached per version). */
  percentiles(): { p5: number; p95: number } {
    if (this.#percentiles?.version !== this.version) {
      const values = Array.from(this.values.subarray(0, this.length));
      this.#percentiles = { version: this.version, p5: percentile(values, 5), p95: percentile(values, 95) };
    }
    return this.#percentiles;
  }

  #track(i: number): void {
    const v = this.values[i];
    if (!Number.isFinite(v)) return;
    if (this.minIndex < 0 || v < this.values[this.minIndex]) this.minIndex = i;
    if (this.maxIndex < 0 || v > this.values[this.maxIndex]) this.maxIndex = i;
  }
}

/** Index of the point whose x is nearest to `x` in ascending `xs[0..length)`, or -1. */
export function nearestIndex(xs: Float64Array, length: number, x: number): number {
  if (length === 0 || !Number.isFinite(x)) return -1;
  let lo = 0,
    hi = length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(xs[lo - 1] - x) <= Math.abs(xs[lo] - x)) return lo - 1;
  return lo;
}

/** First index with xs[i] >= x (ascending xs). */
export function lowerBound(xs: Float64Array, length: number, x: number): number {
  let lo = 0,
    hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const HIGHER_IS_BETTER = /acc|accuracy|precision|recall|f1|auc|iou|map\b|throughput|per_sec|images_per/i;

/** Settings logged as scalars (lr, momentum, epoch): no value of theirs is "best". */
const NOT_A_SCORE = /(^|\/)(lr|learning_rate|momentum|weight_decay|epoch|step|batch_size)(\/|$)/i;

/** Whether a larger value of this tag is better (accuracy) or a smaller one (loss). */
export function higherIsBetter(tag: string): boolean {
  return HIGHER_IS_BETTER.test(tag);
}

/** Which extreme of a tag is its best value: 'max' (accuracy), 'min' (loss), or none (lr). */
export function bestOf(tag: string): 'min' | 'max' | null {
  if (NOT_A_SCORE.test(tag)) return null;
  return higherIsBetter(tag) ? 'max' : 'min';
}
