// The wasm backend's call machinery — the arena, the parameter block, per-thread scratch,
// running a kernel over chunks on the thread pool — and the calls of the step's lighter
// ops: elementwise (ReLU, add) and BatchNorm. WasmBackend (wasm-backend.ts) adds GEMM,
// Conv2d and MaxPool2d on top.
import type { NormShape } from '../kernels/batch-norm.ts';
import type { ElementwiseOp } from '../kernels/elementwise.ts';
import { Arena } from './arena.ts';
import { EW, EW_TASKS } from './elementwise-kernels.ts';
import type { TaskName } from './kernel-module.ts';
import { NORM } from './norm-kernels.ts';
import { threadSlotBytes, type Kernel, type ThreadPool } from './thread-pool.ts';

/** Arena head: task slots at CTRL, the parameter block at PARAMS, the bump region from DYN. */
export const CTRL = 1024,
  PARAMS = 8192,
  DYN = 16384;

export interface Exports extends Record<TaskName, Kernel> {
  pack_a_all(M: number, K: number, a: number, ars: number, acs: number, dst: number): void;
  sum_parts(dst: number, strideBytes: number, count: number, n: number): void;
}

/** A heap block of floats() and how many arrays over it are still alive. */
interface HeldBlock {
  p: number;
  bytes: number;
  refs: number;
  /** Returned by free(): the finalizers must not return it again. */
  freed: boolean;
}

export class KernelCalls {
  readonly threads: number;
  protected readonly arena: Arena;
  /** Per-thread scratch addresses of the current call (reused). */
  private readonly sc: number[] = [];
  /** The buffers of this memory that floats() handed out views of (one per size the memory had). */
  private readonly residentBuffers = new WeakSet<ArrayBufferLike>();
  /** Returns a floats() block to the heap once its array and every view() of it are garbage. */
  private readonly blocks = new FinalizationRegistry<HeldBlock>((b) => {
    if (--b.refs === 0 && !b.freed) this.arena.release(b.p, b.bytes);
  });
  private readonly heldBy = new WeakMap<Float32Array, HeldBlock>();
  /** Whether views of the memory survive its growth (shared memory): only then are arrays kept in it. */
  private readonly inPlace: boolean;

  constructor(
    memory: WebAssembly.Memory,
    protected readonly k: Exports,
    protected readonly pool: ThreadPool | null,
  ) {
    this.threads = pool?.size ?? 1;
    this.arena = new Arena(memory, DYN);
    this.inPlace = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    if (CTRL + threadSlotBytes(this.threads) > PARAMS)
      throw new Error(`wasm backend: at most ${(PARAMS - CTRL) / 64} threads`);
  }

  /** Bytes of the persistent heap that floats() takes blocks from. */
  get heapBytes(): number {
    return this.arena.heapBytes;
  }

  /** Bytes of WebAssembly memory held now (the arena never shrinks). */
  get memoryBytes(): number {
    return this.arena.bytes;
  }

  /**
   * n zeroed floats inside the wasm memory, so kernels read and write them in place (no
   * copy per call). Unshared memory detaches its views when it grows, so there — and once
   * the heap is full — a plain array (copied per call) comes back.
   */
  floats(n: number): Float32Array {
    const p = this.inPlace && n > 0 ? this.arena.hold(n * 4) : null;
    if (p === null) return new Float32Array(n);
    const buffer = this.arena.memory.buffer;
    this.residentBuffers.add(buffer);
    const a = new Float32Array(buffer, p, n);
    a.fill(0);
    this.keep(a, { p, bytes: n * 4, refs: 0, freed: false });
    return a;
  }

  free(a: Float32Array): void {
    const block = this.heldBy.get(a);
    if (!block || block.freed) return;
    block.freed = true;
    this.blocks.unregister(block);
    this.arena.release(block.p, block.bytes);
  }

  view(a: Float32Array, n: number): Float32Array {
    const v = a.subarray(0, n),
      block = this.heldBy.get(a);
    if (block) this.keep(v, block);
    return v;
  }

  /** Counts a as a holder of block: the block is released after its last holder is collected. */
  private keep(a: Float32Array, block: HeldBlock): void {
    block.refs++;
    this.heldBy.set(a, block);
    this.blocks.register(a, block, block);
  }

  /** Whether a's data lies in this memory (from floats()). */
  protected resident(a: Float32Array): boolean {
    return this.residentBuffers.has(a.buffer);
  }

  /** The address of a's data for a kernel to read: in place, or copied into the bump region. */
  protected input(a: Float32Array): number {
    return this.resident(a) ? a.byteOffset : this.arena.put(a);
  }

  /** The address a kernel writes a's data at: in place, or a bump region that collect() copies out. */
  protected output(a: Float32Array): number {
    return this.resident(a) ? a.byteOffset : this.arena.alloc(a.byteLength);
  }

  /** Copies a kernel's result at p into a, unless it was written in place. */
  protected collect(p: number, a: Float32Array): void {
    if (!this.resident(a)) this.arena.get(p, a);
  }

  /** Writes parameter word `i` of the call. */
  protected w(i: number, v: number): void {
    this.arena.i32[(PARAMS >> 2) + i] = v;
  }

  /** Per-thread scratch of `bytes` for a call of `count` items. */
  protected scratch(count: number, bytes: number): number[] {
    const n = Math.min(this.threads, Math.max(count, 1));
    this.sc.length = n;
    for (let t = 0; t < n; t++) this.sc[t] = this.arena.alloc(bytes);
    return this.sc;
  }

  /** Kernel fn over chunks of [0, count) (params at PARAMS) on the pool, or here. */
  protected parallel(fn: TaskName, count: number, chunk: number, b = 0, bs = 0, c = 0, cs = 0): void {
    if (this.pool) {
      this.pool.run(fn, this.k[fn], PARAMS, count, chunk, this.sc, b, bs, c, cs);
      return;
    }
    for (let q = 0, lo = 0; lo < count; q++, lo += chunk)
      this.k[fn](PARAMS, lo, Math.min(lo + chunk, count), this.sc[0], b + q * bs, c + q * cs);
  }

  /** Chunks for balance: about 8 per thread (items within a chunk run in order on one thread; 4 per thread left 2 threads waiting on the last chunk, 12% of a ResNet-20 step). */
  protected chunk(count: number, multiple = 1): number {
    const c = Math.max(1, Math.ceil(count / (8 * this.threads)));
    return Math.ceil(c / multiple) * multiple;
  }

  elementwise(op: ElementwiseOp, a: Float32Array, b: Float32Array | null, y: Float32Array): void {
    const n = y.length;
    if (n === 0) return;
    if (op !== 'relu' && !b) throw new Error(`elementwise ${op} needs a second operand`);
    const ar = this.arena;
    ar.reset();
    const pa = this.resident(a) ? a.byteOffset : ar.putRange(a, 0, n),
      pb = !b ? 0 : this.resident(b) ? b.byteOffset : ar.putRange(b, 0, n),
      py = y === a ? pa : this.output(y);
    this.w(EW.A, pa);
    this.w(EW.B, pb);
    this.w(EW.Y, py);
    // chunks of whole cache lines (16 floats): threads never write the same line
    const split = n >= 1 << 16;
    this.scratch(split ? n : 1, 0);
    this.parallel(EW_TASKS[op], n, split ? this.chunk(n, 16) : n);
    if (!this.resident(y)) ar.getRange(py, y, 0, n);
  }

  private normParams(s: NormShape, px: number, pgamma: number, pbeta: number, pstats: number): void {
    this.w(NORM.X, px);
    this.w(NORM.GAMMA, pgamma);
    this.w(NORM.BETA, pbeta);
    this.w(NORM.STATS, pstats);
    this.w(NORM.N, s.n);
    this.w(NORM.C, s.c);
    this.w(NORM.S, s.s);
    this.w(NORM.BATCH, s.batch ? 1 : 0);
    this.arena.f64[(PARAMS >> 3) + NORM.EPS / 2] = s.eps;
  }

  /** Channels split across threads when the tensor is large enough to pay for waking them. */
  private channels(fn: TaskName, s: NormShape): void {
    const split = s.n * s.c * s.s >= 1 << 16;
    this.scratch(split ? s.c : 1, 0);
    this.parallel(fn, s.c, split ? this.chunk(s.c) : s.c);
  }

  batchNormForward(
    s: NormShape,
    x: Float32Array,
    gamma: Float32Array | null,
    beta: Float32Array | null,
    stats: Float64Array,
    y: Float32Array,
  ): void {
    const ar = this.arena;
    ar.reset();
    const pstats = ar.putF64(stats);
    this.normParams(s, this.input(x), gamma ? this.input(gamma) : 0, beta ? this.input(beta) : 0, pstats);
    const py = this.output(y);
    this.w(NORM.Y, py);
    this.channels('bn_fwd', s);
    this.collect(py, y);
    if (s.batch) ar.getF64(pstats, stats);
  }

  batchNormBackward(
    s: NormShape,
    x: Float32Array,
    gy: Float32Array,
    gamma: Float32Array | null,
    stats: Float64Array,
    sums: Float64Array,
    dx: Float32Array | null,
  ): void {
    const ar = this.arena;
    ar.reset();
    this.normParams(s, this.input(x), gamma ? this.input(gamma) : 0, 0, ar.putF64(stats));
    const psums = ar.alloc(sums.byteLength),
      pdx = dx ? this.output(dx) : 0;
    this.w(NORM.G, this.input(gy));
    this.w(NORM.SUMS, psums);
    this.w(NORM.D, pdx);
    this.channels('bn_bwd', s);
    ar.getF64(psums, sums);
    if (dx) this.collect(pdx, dx);
  }
}
