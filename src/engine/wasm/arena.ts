// The wasm backend's arena: one WebAssembly memory, a fixed head (thread task slots, the
// parameter block) and a bump region that each kernel call resets. It grows (never
// shrinks) to the largest call, so a training loop reaches a steady size after its first
// step and allocates nothing after that.
import { MAX_PAGES } from './kernel-module.ts';

const PAGE = 65536;

export class Arena {
  f32: Float32Array;
  i32: Int32Array;
  f64: Float64Array;
  private top: number;
  /** Largest bump-region end any call reached, in bytes. */
  peak: number;

  /** base: first byte of the bump region (everything below is the fixed head). */
  constructor(
    readonly memory: WebAssembly.Memory,
    private readonly base: number,
  ) {
    this.f32 = new Float32Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
    this.f64 = new Float64Array(memory.buffer);
    this.top = base;
    this.peak = base;
  }

  /** Frees the whole bump region (start of a kernel call). */
  reset(): void {
    this.top = this.base;
  }

  /** A 64-byte aligned region of `bytes`, growing the memory when needed. */
  alloc(bytes: number): number {
    const p = (this.top + 63) & ~63;
    this.top = p + bytes;
    if (this.top > this.peak) this.peak = this.top;
    const have = this.memory.buffer.byteLength;
    if (this.top > have) {
      const pages = Math.ceil((this.top - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES)
        throw new Error(
          `wasm backend: a call needs ${Math.ceil(this.top / 2 ** 20)} MiB, over the ${MAX_PAGES / 16} MiB limit`,
        );
      this.memory.grow(pages);
    }
    // views over a grown (or, unshared, detached) buffer are renewed
    if (this.f32.buffer !== this.memory.buffer) {
      this.f32 = new Float32Array(this.memory.buffer);
      this.i32 = new Int32Array(this.memory.buffer);
      this.f64 = new Float64Array(this.memory.buffer);
    }
    return p;
  }

  /** Copies floats in; returns their address. */
  put(a: Float32Array): number {
    const p = this.alloc(a.byteLength);
    this.f32.set(a, p >> 2);
    return p;
  }

  /** Copies float64s in (8-byte aligned, as every allocation is). */
  putF64(a: Float64Array): number {
    const p = this.alloc(a.byteLength);
    this.f64.set(a, p >> 3);
    return p;
  }

  getF64(p: number, out: Float64Array): void {
    out.set(this.f64.subarray(p >> 3, (p >> 3) + out.length));
  }

  putInts(a: Int32Array): number {
    const p = this.alloc(a.byteLength);
    this.i32.set(a, p >> 2);
    return p;
  }

  /** Copies a[from, to) in. */
  putRange(a: Float32Array, from: number, to: number): number {
    const p = this.alloc((to - from) * 4);
    this.f32.set(a.subarray(from, to), p >> 2);
    return p;
  }

  zeros(floats: number): number {
    const p = this.alloc(floats * 4);
    this.f32.fill(0, p >> 2, (p >> 2) + floats);
    return p;
  }

  /** Copies out.length floats at p into out (memcpy through a transient view). */
  get(p: number, out: Float32Array): void {
    out.set(this.f32.subarray(p >> 2, (p >> 2) + out.length));
  }

  getInts(p: number, out: Int32Array): void {
    out.set(this.i32.subarray(p >> 2, (p >> 2) + out.length));
  }

  /** Copies into out[from, to). */
  getRange(p: number, out: Float32Array, from: number, to: number): void {
    out.set(this.f32.subarray(p >> 2, (p >> 2) + to - from), from);
  }

  /** Bytes of WebAssembly memory held now. */
  get bytes(): number {
    return this.memory.buffer.byteLength;
  }
}
