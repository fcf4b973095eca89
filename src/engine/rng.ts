// Seeded pseudo-random numbers for reproducible runs: initialization, dropout masks,
// shuffling. xoshiro128** (Blackman & Vigna) seeded through splitmix32: fast on 32-bit
// integer math, 2^128 − 1 period, and every seed (0 included) gives a good state.

/** splitmix32 step: scrambles a counter into a well-mixed 32-bit value. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | null = null;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`Rng: seed must be a finite number, got ${seed}`);
    // Fold the seed's high bits in so seeds above 2^32 still differ.
    const st = { s: (Math.floor(seed) ^ Math.floor(seed / 4294967296)) | 0 };
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const r = Math.sqrt(-2 * Math.log(u)),
      theta = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** Uniform integer in [0, n), unbiased (rejection sampling), n ≤ 2^32. */
  int(n: number): number {
    if (!(n >= 1) || n > 4294967296 || !Number.isInteger(n))
      throw new Error(`Rng.int: n must be an integer in [1, 2^32], got ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(a: T[] | Int32Array | Uint32Array | Float32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** The generator's state (torch.get_rng_state()'s role): four words, then the normal spare or NaN. */
  getState(): number[] {
    return [this.a, this.b, this.c, this.d, this.spare ?? NaN];
  }

  /** Continues from a getState() (torch.set_rng_state()). */
  setState(state: readonly number[]): void {
    if (state.length !== 5 || !state.slice(0, 4).every((w) => Number.isInteger(w)))
      throw new Error(`Rng.setState: expected four integer words and a spare, got ${JSON.stringify(state)}`);
    [this.a, this.b, this.c, this.d] = state.map((w) => w | 0);
    this.spare = Number.isNaN(state[4]) ? null : state[4];
  }

  /** Fills `out` with U[lo, hi) values. */
  fillUniform(out: Float32Array, lo: number, hi: number): void {
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.next();
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
