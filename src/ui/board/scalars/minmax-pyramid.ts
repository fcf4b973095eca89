// A min/max pyramid over a series: level k holds, for every block of 2^k points, the
// index of its smallest and of its largest value. A view of n points over c pixel
// columns then reads about 2c blocks instead of n points, so panning 100,000-point
// series costs the same as panning short ones, and every spike is still a block extreme.

/** NaN sorts below everything (a gap must survive decimation like a spike). */
const below = (a: number, b: number) => a < b || (Number.isNaN(a) && !Number.isNaN(b));

export class MinMaxPyramid {
  readonly #values: Float64Array;
  readonly length: number;
  /** lo[k - 1], hi[k - 1]: block extremes at block size 2^k. */
  readonly #lo: Int32Array[] = [];
  readonly #hi: Int32Array[] = [];

  constructor(values: Float64Array, length: number) {
    this.#values = values;
    this.length = length;
    let prevLo: ArrayLike<number> | null = null,
      prevHi: ArrayLike<number> | null = null;
    let count = length;
    while (count > 1) {
      const next = Math.ceil(count / 2);
      const lo = new Int32Array(next),
        hi = new Int32Array(next);
      for (let b = 0; b < next; b++) {
        const i = 2 * b,
          j = Math.min(2 * b + 1, count - 1);
        const [li, lj] = prevLo ? [prevLo[i], prevLo[j]] : [i, j];
        const [hi_, hj] = prevHi ? [prevHi[i], prevHi[j]] : [i, j];
        lo[b] = below(values[lj], values[li]) ? lj : li;
        hi[b] = values[hj] > values[hi_] ? hj : hi_;
      }
      this.#lo.push(lo);
      this.#hi.push(hi);
      prevLo = lo;
      prevHi = hi;
      count = next;
    }
  }

  /**
   * Indices in [from, to), ascending, that hold every block extreme at the coarsest
   * level with at least `blocks` blocks in the range, plus every point of the partial
   * blocks at the two ends. Short ranges come back whole.
   */
  candidates(from: number, to: number, blocks: number): number[] {
    const n = to - from;
    let k = 0;
    while (k < this.#lo.length && n / 2 ** (k + 1) >= blocks) k++;
    if (k === 0) return range(from, to);
    const size = 2 ** k,
      lo = this.#lo[k - 1],
      hi = this.#hi[k - 1];
    const first = Math.ceil(from / size),
      last = Math.floor(to / size); // whole blocks [first, last)
    const out = range(from, Math.min(to, first * size));
    for (let b = first; b < last; b++) {
      const a = lo[b],
        c = hi[b];
      if (a === c) out.push(a);
      else if (a < c) out.push(a, c);
      else out.push(c, a);
    }
    for (let i = Math.max(last * size, first * size, from); i < to; i++) out.push(i);
    return out;
  }

  /** The value column this pyramid indexes (to check it is still current). */
  get values(): Float64Array {
    return this.#values;
  }
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}
