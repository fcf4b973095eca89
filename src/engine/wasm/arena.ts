// The wasm backend's arena: one WebAssembly memory, a fixed head (thread task slots, the
// parameter block), a persistent heap of blocks that layers keep their activations and
// gradients in (so kernels read and write them in place), and above it a bump region that
// each kernel call resets. Memory grows (never shrinks) to the largest need, so a training
// loop reaches a steady size after its first step and allocates nothing after that.
import { MAX_PAGES } from './kernel-module.ts';

const PAGE = 65536;
/** The persistent heap stops here; past it layers get plain (copied) arrays. */
const HEAP_LIMIT = (MAX_PAGES * PAGE) / 2;

export class Arena {
  f32: Float32Array;
  i32: Int32Array;
  f64: Float64Array;
  private top: number;
  /** End of the persistent heap, where the bump region starts. */
  private heapTop: number;
  /** Released heap blocks by size (bytes, a multiple of 64). */
  private readonly freeBlocks = new Map<number, number[]>();
  /** Largest bump-region end any call reached, in bytes. */
  peak: number;

  /** base: first byte of the heap (everything below is the fixed head); 64-byte aligned. */
  constructor(
    readonly memory: WebAssembly.Memory,
    base: number,
  ) {
    this.f32 = new Float32Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
    this.f64 = new Float64Array(memory.buffer);
    this.top = base;
    this.heapTop = base;
    this.peak = base;
  }

  /** Frees the whole bump region (start of a kernel call). */
  reset(): void {
    this.top = this.heapTop;
  }

  /**
   * A persistent block of `bytes` (64-byte aligned) that outlives kernel calls, or null when
   * the heap is full. Only between calls: the bump region above it moves up.
   */
  hold(bytes: number): number | null {
    const size = Math.ceil(bytes / 64) * 64;
    const reused = this.freeBlocks.get(size)?.pop();
    if (reused !== undefined) return reused;
    if (this.heapTop + size > HEAP_LIMIT) return null;
    const p = this.heapTop;
    this.heapTop += size;
    if (this.top < this.heapTop) this.top = this.heapTop;
    this.ensure(this.heapTop);
    return p;
  }

  /** Returns a block from hold() for reuse. */
  release(p: number, bytes: number): void {
    const size = Math.ceil(bytes / 64) * 64;
    const list = this.freeBlocks.get(size);
    if (list) list.push(p);
    else this.freeBlocks.set(size, [p]);
  }

  /** Bytes of the persistent heap (held and released blocks). */
  get heapBytes(): number {
    return this.heapTop;
  }

  /** A 64-byte aligned region of `bytes`, growing the memory when needed. */
  alloc(bytes: number): number {
    const p = (this.top + 63) & ~63;
    this.top = p + bytes;
    if (this.top > this.peak) this.peak = this.top;
    this.ensure(this.top);
    return p;
  }

  /** Grows the memory to hold `end` bytes, renewing the views. */
  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES)
        throw new Error(
          `wasm backend: a call needs ${Math.ceil(end / 2 ** 20)} MiB, over the ${MAX_PAGES / 16} MiB limit`,
        );
      this.memory.grow(pages);
    }
    // views over a grown (or, unshared, detached) buffer are renewed
    if (this.f32.buffer !== this.memory.buffer) {
      this.f32 = new Float32Array(this.memory.buffer);
      this.i32 = new Int32Array(this.memory.buffer);
      this.f64 = new Float64Array(this.memory.buffer);
    }
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
