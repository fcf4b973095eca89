// The 'wasm' backend: the kernels of kernel-module.ts on one WebAssembly memory (the
// arena), split across a thread pool when memory can be shared. Each call copies its
// operands into the arena, runs, and copies the results out; the arena is reset per call
// and only grows to the largest call, so a training loop allocates nothing per step.
import type { Backend, ConvShape, PoolShape } from '../backend.ts';
import type { ConvGeometry } from '../kernels/im2col.ts';
import { CONV, CONV_WORDS, convScratchBytes } from './conv-kernels.ts';
import type { GemmFuncs } from './gemm-kernels.ts';
import { buildKernelModule, hasRelaxedSimd, hasSimd, MAX_PAGES, TASKS, type TaskName } from './kernel-module.ts';
import { POOL } from './pool-kernels.ts';
import { threadSlotBytes, ThreadPool, type Kernel, type Task } from './thread-pool.ts';

export interface WasmBackendOptions {
  /** Threads to run on (the calling thread counts as one). */
  threads: number;
}

interface Exports extends Record<TaskName, Kernel> {
  pack_a_all(M: number, K: number, a: number, ars: number, acs: number, dst: number): void;
  sum_parts(dst: number, strideBytes: number, count: number, n: number): void;
}

/** Gradient partials are kept per chunk of images: at most this many chunks, whatever the thread count. */
const GRAD_CHUNKS = 16;

const CTRL = 1024, PARAMS = 8192, DYN = 16384, PAGE = 65536;

/** Node 20's V8 has relaxed SIMD behind a flag that can still be set before the first compile. */
async function enableRelaxedSimdInNode(): Promise<void> {
  if (typeof process === 'undefined' || !process.versions?.node) return;
  const name = 'node:v8';
  const v8 = (await import(/* @vite-ignore */ name)) as typeof import('node:v8');
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
}

function canShareMemory(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return isolated !== false;
}

export async function createWasmBackend(opts: WasmBackendOptions): Promise<WasmBackend> {
  if (!hasSimd()) throw new Error('the wasm backend needs WebAssembly SIMD, which this runtime lacks');
  await enableRelaxedSimdInNode();
  const relaxed = hasRelaxedSimd();
  const wanted = Math.max(1, Math.floor(opts.threads));
  const shared = canShareMemory();
  const threads = shared ? wanted : 1;
  const note = !shared && wanted > 1 ? 'running on 1 thread: the page is not cross-origin isolated, so memory cannot be shared with worker threads' : null;
  const kernel = buildKernelModule(relaxed, shared);
  const module = await WebAssembly.compile(kernel.bytes);
  const memory = new WebAssembly.Memory(shared ? { initial: 256, maximum: MAX_PAGES, shared: true } : { initial: 256, maximum: MAX_PAGES });
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const pool = threads > 1 ? await ThreadPool.start(module, memory, [...TASKS], threads, CTRL) : null;
  return new WasmBackend(memory, instance.exports as unknown as Exports, pool, relaxed, kernel.gemm, note);
}

export class WasmBackend implements Backend {
  readonly name = 'wasm';
  readonly threads: number;
  readonly description: string;
  private f32: Float32Array;
  private i32: Int32Array;
  private top = DYN;
  /** Largest arena the backend has used, in bytes. */
  peakBytes = DYN;
  private readonly spans = new WeakMap<ConvGeometry, Int32Array>();

  constructor(
    private readonly memory: WebAssembly.Memory, private readonly k: Exports,
    private readonly pool: ThreadPool | null, readonly relaxed: boolean,
    private readonly g: GemmFuncs, readonly note: string | null,
  ) {
    this.threads = pool?.size ?? 1;
    this.f32 = new Float32Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
    if (CTRL + threadSlotBytes(this.threads) > PARAMS) throw new Error(`wasm backend: at most ${(PARAMS - CTRL) / 64} threads`);
    this.description = `wasm SIMD (${relaxed ? 'relaxed-SIMD FMA' : 'SIMD mul+add'}), ${this.threads} thread${this.threads > 1 ? 's' : ''}${note ? ` — ${note}` : ''}`;
  }

  // ---- arena ----

  private reset(): void {
    this.top = DYN;
  }

  private alloc(bytes: number): number {
    const p = (this.top + 15) & ~15;
    this.top = p + bytes;
    if (this.top > this.peakBytes) this.peakBytes = this.top;
    const have = this.memory.buffer.byteLength;
    if (this.top > have) {
      const pages = Math.ceil((this.top - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) throw new Error(`wasm backend: needs ${Math.ceil(this.top / 2 ** 20)} MiB, over the ${MAX_PAGES / 16} MiB limit`);
      this.memory.grow(pages);
    }
    if (this.f32.length * 4 < this.memory.buffer.byteLength) {
      this.f32 = new Float32Array(this.memory.buffer);
      this.i32 = new Int32Array(this.memory.buffer);
    }
    return p;
  }

  private put(a: Float32Array | Int32Array): number {
    const p = this.alloc(a.byteLength);
    if (a instanceof Float32Array) this.f32.set(a, p >> 2); else this.i32.set(a, p >> 2);
    return p;
  }

  private zeros(floats: number): number {
    const p = this.alloc(floats * 4);
    this.f32.fill(0, p >> 2, (p >> 2) + floats);
    return p;
  }

  private get(p: number, out: Float32Array | Int32Array): void {
    if (out instanceof Float32Array) out.set(this.f32.subarray(p >> 2, (p >> 2) + out.length));
    else out.set(this.i32.subarray(p >> 2, (p >> 2) + out.length));
  }

  private params(words: number[]): number {
    this.i32.set(words, PARAMS >> 2);
    return PARAMS;
  }

  /** Runs kernel fn over the task's chunks (params at PARAMS) on the pool, or here. */
  private parallel(fn: TaskName, task: Omit<Task, 'a0'>): void {
    const t = { ...task, a0: PARAMS };
    if (this.pool) { this.pool.run(fn, t, this.k[fn]); return; }
    const { count, chunk, perThread, b = 0, bStride = 0, c = 0, cStride = 0 } = t;
    for (let q = 0, lo = 0; lo < count; q++, lo += chunk) this.k[fn](PARAMS, lo, Math.min(lo + chunk, count), perThread(0), b + q * bStride, c + q * cStride);
  }

  /** Per-thread scratch regions for a call of `count` items. */
  private scratch(count: number, bytes: number): number[] {
    return Array.from({ length: Math.min(this.threads, Math.max(count, 1)) }, () => this.alloc(bytes));
  }

  /** Chunks for balance: about 4 per thread (items within a chunk run in order on one thread). */
  private chunk(count: number, multiple = 1): number {
    const c = Math.max(1, Math.ceil(count / (4 * this.threads)));
    return Math.ceil(c / multiple) * multiple;
  }

  // ---- kernels ----

  gemm = (tA: boolean, tB: boolean, M: number, N: number, K: number, A: Float32Array, aOff: number, lda: number,
    B: Float32Array, bOff: number, ldb: number, C: Float32Array, cOff: number, ldc: number, acc: boolean): void => {
    if (M === 0 || N === 0) return;
    if (K === 0) { if (!acc) for (let i = 0; i < M; i++) C.fill(0, cOff + i * ldc, cOff + i * ldc + N); return; }
    this.reset();
    const spanA = tA ? (K - 1) * lda + M : (M - 1) * lda + K, spanB = tB ? (N - 1) * ldb + K : (K - 1) * ldb + N;
    const spanC = (M - 1) * ldc + N, c = C.subarray(cOff, cOff + spanC);
    const pa = this.put(A.subarray(aOff, aOff + spanA)), pb = this.put(B.subarray(bOff, bOff + spanB)), pc = this.put(c);
    this.params([M, N, K, pa, tA ? 1 : lda, tA ? lda : 1, pb, tB ? 1 : ldb, tB ? ldb : 1, pc, ldc, acc ? 1 : 0]);
    // small products stay on one thread: waking a helper costs more than it saves
    const split = M * N * K >= 1 << 21 && M >= 16 * this.threads;
    const chunk = split ? this.chunk(M, this.g.shape.mr) : M;
    const s = this.scratch(split ? M : 1, this.g.scratchBytes(chunk, N, K));
    this.parallel('gemm_rows', { count: M, chunk, perThread: (t) => s[t] });
    this.get(pc, c);
  };

  private convParams(s: ConvShape, px: number, pw: number, pb: number, py: number, pgy: number, pdx: number, wpk: number): number {
    const g = s.geo;
    const rowT = this.put(g.rowT), colT = this.put(g.colT), span = this.put(this.span(g));
    const words = new Array<number>(CONV_WORDS).fill(0);
    Object.assign(words, {
      [CONV.X]: px, [CONV.W]: pw, [CONV.B]: pb, [CONV.Y]: py, [CONV.GY]: pgy, [CONV.DX]: pdx, [CONV.CIN]: s.cin, [CONV.H]: g.h,
      [CONV.WD]: g.w, [CONV.COUT]: s.cout, [CONV.G]: s.groups, [CONV.OH]: g.oh, [CONV.OW]: g.ow, [CONV.KH]: g.kh, [CONV.KW]: g.kw,
      [CONV.ROWT]: rowT, [CONV.COLT]: colT, [CONV.SPAN]: span, [CONV.POINTWISE]: s.pointwise ? 1 : 0, [CONV.WPK]: wpk,
    });
    return this.params(words);
  }

  /** Per kernel column kj: [lo, hi, base] when colT reads x[base + ox − lo] on [lo, hi) and zero elsewhere, else lo = −1. */
  private span(g: ConvGeometry): Int32Array {
    let t = this.spans.get(g);
    if (t) return t;
    t = new Int32Array(3 * g.kw);
    for (let kj = 0; kj < g.kw; kj++) {
      const row = g.colT.subarray(kj * g.ow, (kj + 1) * g.ow);
      let lo = 0, hi = g.ow;
      while (lo < hi && row[lo] < 0) lo++;
      while (hi > lo && row[hi - 1] < 0) hi--;
      let ok = true;
      for (let o = lo; o < hi && ok; o++) ok = row[o] === row[lo] + (o - lo);
      t.set(ok && lo < hi ? [lo, hi, row[lo]] : [-1, -1, 0], 3 * kj);
    }
    this.spans.set(g, t);
    return t;
  }

  /** The weights of every group packed once for the GEMM: W_g (forward) or W_gᵀ (input gradient). */
  private packWeights(s: ConvShape, pw: number, transposed: boolean): number {
    const d = this.dims(s), rows = transposed ? d.K : d.og, depth = transposed ? d.og : d.K;
    const size = this.g.packedABytes(rows, depth), wpk = this.alloc(size * s.groups);
    for (let g = 0; g < s.groups; g++) {
      this.k.pack_a_all(rows, depth, pw + g * d.og * d.K * 4, transposed ? 1 : d.K, transposed ? d.K : 1, wpk + g * size);
    }
    return wpk;
  }

  private dims(s: ConvShape): { K: number; P: number; og: number } {
    const g = s.geo;
    return { K: (s.cin / s.groups) * g.kh * g.kw, P: g.oh * g.ow, og: s.cout / s.groups };
  }

  conv2dForward(s: ConvShape, x: Float32Array, w: Float32Array, b: Float32Array | null, y: Float32Array): void {
    this.reset();
    const px = this.put(x), pw = this.put(w), pb = b ? this.put(b) : 0, py = this.alloc(y.byteLength);
    this.convParams(s, px, pw, pb, py, 0, 0, this.packWeights(s, pw, false));
    const sc = this.scratch(s.n, convScratchBytes(this.g, this.dims(s)).forward);
    this.parallel('conv_fwd', { count: s.n, chunk: this.chunk(s.n), perThread: (t) => sc[t] });
    this.get(py, y);
  }

  conv2dBackward(s: ConvShape, x: Float32Array, w: Float32Array, gy: Float32Array, dw: Float32Array, db: Float32Array | null, dx: Float32Array | null): void {
    this.reset();
    const px = this.put(x), pw = this.put(w), pgy = this.put(gy), pdx = dx ? this.alloc(dx.byteLength) : 0;
    this.convParams(s, px, pw, 0, 0, pgy, pdx, dx ? this.packWeights(s, pw, true) : 0);
    const sc = this.scratch(s.n, convScratchBytes(this.g, this.dims(s)).backward);
    // gradient partials per chunk of images, summed in chunk order: the same sums for any thread count
    const chunk = Math.ceil(s.n / GRAD_CHUNKS), chunks = Math.ceil(s.n / chunk);
    const dwBytes = (dw.byteLength + 63) & ~63, dbBytes = db ? (db.byteLength + 63) & ~63 : 0;
    const dws = this.zeros(chunks * dwBytes / 4), dbs = db ? this.zeros(chunks * dbBytes / 4) : 0;
    this.parallel('conv_bwd', { count: s.n, chunk, perThread: (t) => sc[t], b: dws, bStride: dwBytes, c: dbs, cStride: dbBytes });
    this.k.sum_parts(dws, dwBytes, chunks, dw.length);
    this.addTransposedInto(dw, dws, s);
    if (db) {
      this.k.sum_parts(dbs, dbBytes, chunks, db.length);
      for (let i = 0, q = dbs >> 2; i < db.length; i++, q++) db[i] += this.f32[q];
    }
    if (dx) this.get(pdx, dx);
  }

  /** dw[(g·og + o)·K + k] += part[(g·K + k)·og + o]: the kernels accumulate dWᵀ per group. */
  private addTransposedInto(dw: Float32Array, part: number, s: ConvShape): void {
    const og = s.cout / s.groups, K = dw.length / s.cout, f = this.f32, base = part >> 2;
    for (let g = 0; g < s.groups; g++) {
      for (let k = 0; k < K; k++) {
        const src = base + (g * K + k) * og, dst = g * og * K + k;
        for (let o = 0; o < og; o++) dw[dst + o * K] += f[src + o];
      }
    }
  }

  private poolParams(s: PoolShape, px: number, py: number, pidx: number, pgy: number, pdx: number): number {
    const words = new Array<number>(17).fill(0);
    Object.assign(words, {
      [POOL.X]: px, [POOL.Y]: py, [POOL.IDX]: pidx, [POOL.H]: s.h, [POOL.W]: s.w, [POOL.OH]: s.oh, [POOL.OW]: s.ow, [POOL.KH]: s.kh,
      [POOL.KW]: s.kw, [POOL.SH]: s.sh, [POOL.SW]: s.sw, [POOL.PH]: s.ph, [POOL.PW]: s.pw, [POOL.DH]: s.dh, [POOL.DW]: s.dw, [POOL.GY]: pgy, [POOL.DX]: pdx,
    });
    return this.params(words);
  }

  maxPool2dForward(s: PoolShape, x: Float32Array, y: Float32Array, idx: Int32Array): void {
    this.reset();
    const px = this.put(x), py = this.alloc(y.byteLength), pidx = this.alloc(idx.byteLength);
    this.poolParams(s, px, py, pidx, 0, 0);
    // the seed's MaxPool2d(2): a vectorized kernel when every window lies inside the input
    const twoByTwo = s.kh === 2 && s.kw === 2 && s.sh === 2 && s.sw === 2 && s.ph === 0 && s.pw === 0 && s.dh === 1 && s.dw === 1
      && 2 * s.oh <= s.h && 2 * s.ow <= s.w;
    this.parallel(twoByTwo ? 'max_pool2x2_fwd' : 'max_pool_fwd', { count: s.planes, chunk: this.chunk(s.planes), perThread: () => 0 });
    this.get(py, y);
    this.get(pidx, idx);
  }

  maxPool2dBackward(s: PoolShape, gy: Float32Array, idx: Int32Array, dx: Float32Array): void {
    this.reset();
    const pgy = this.put(gy), pidx = this.put(idx), pdx = this.alloc(dx.byteLength);
    this.poolParams(s, 0, 0, pidx, pgy, pdx);
    this.parallel('max_pool_bwd', { count: s.planes, chunk: this.chunk(s.planes), perThread: () => 0 });
    this.get(pdx, dx);
  }

  /** Bytes of WebAssembly memory held now. */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  dispose(): void {
    this.pool?.dispose();
  }
}
