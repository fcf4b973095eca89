// The 'wasm' backend: the kernels of kernel-module.ts on one WebAssembly memory (the
// arena), split across a thread pool when memory can be shared. Each call copies its
// operands into the arena, runs, and copies the results out; the arena is reset per call
// and only grows to the largest call, so a training loop allocates nothing per step.
import type { Backend, ConvShape, PoolShape } from '../backend.ts';
import type { ConvGeometry } from '../kernels/im2col.ts';
import { CONV, convScratchBytes } from './conv-kernels.ts';
import { buildKernelModule, hasRelaxedSimd, hasSimd, MAX_PAGES, TASKS, type TaskName } from './kernel-module.ts';
import { POOL } from './pool-kernels.ts';
import { threadSlotBytes, ThreadPool } from './thread-pool.ts';

export interface WasmBackendOptions {
  /** Threads to run on (the calling thread counts as one). */
  threads: number;
}

type Kernel = (a0: number, lo: number, hi: number, a: number, b: number, c: number) => void;

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
  return new WasmBackend(memory, instance.exports as unknown as Record<TaskName, Kernel>, pool, relaxed, kernel.scratchBytes, note);
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
    private readonly memory: WebAssembly.Memory, private readonly k: Record<TaskName, Kernel>,
    private readonly pool: ThreadPool | null, readonly relaxed: boolean,
    private readonly gemmScratch: (n: number) => number, readonly note: string | null,
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

  /** Runs task fn over [0, count) on the pool (or here); args(t) gives thread t's last three words. */
  private parallel(fn: TaskName, count: number, args: (t: number) => [number, number, number]): void {
    if (this.pool) this.pool.run(fn, PARAMS, count, args, this.k[fn]);
    else this.k[fn](PARAMS, 0, count, ...args(0));
  }

  private scratch(count: number, bytes: number): number[] {
    return Array.from({ length: Math.min(this.threads, Math.max(count, 1)) }, () => this.alloc(bytes));
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
    const rows = M * N * K >= 1 << 21 && M >= 16 * this.threads ? M : Math.min(M, 1);
    const s = this.scratch(rows, this.gemmScratch(N));
    if (rows === M) this.parallel('gemm_rows', M, (t) => [s[t], 0, 0]);
    else this.k.gemm_rows(PARAMS, 0, M, s[0], 0, 0);
    this.get(pc, c);
  };

  private convParams(s: ConvShape, px: number, pw: number, pb: number, py: number, pgy: number, pdx: number): number {
    const g = s.geo;
    const rowT = this.put(g.rowT), colT = this.put(g.colT), span = this.put(this.span(g));
    const words = new Array<number>(19).fill(0);
    Object.assign(words, {
      [CONV.X]: px, [CONV.W]: pw, [CONV.B]: pb, [CONV.Y]: py, [CONV.GY]: pgy, [CONV.DX]: pdx, [CONV.CIN]: s.cin, [CONV.H]: g.h,
      [CONV.WD]: g.w, [CONV.COUT]: s.cout, [CONV.G]: s.groups, [CONV.OH]: g.oh, [CONV.OW]: g.ow, [CONV.KH]: g.kh, [CONV.KW]: g.kw,
      [CONV.ROWT]: rowT, [CONV.COLT]: colT, [CONV.SPAN]: span, [CONV.POINTWISE]: s.pointwise ? 1 : 0,
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

  conv2dForward(s: ConvShape, x: Float32Array, w: Float32Array, b: Float32Array | null, y: Float32Array): void {
    this.reset();
    const px = this.put(x), pw = this.put(w), pb = b ? this.put(b) : 0, py = this.alloc(y.byteLength);
    this.convParams(s, px, pw, pb, py, 0, 0);
    const sc = this.scratch(s.n, this.convScratch(s));
    this.parallel('conv_fwd', s.n, (t) => [sc[t], 0, 0]);
    this.get(py, y);
  }

  conv2dBackward(s: ConvShape, x: Float32Array, w: Float32Array, gy: Float32Array, dw: Float32Array, db: Float32Array | null, dx: Float32Array | null): void {
    this.reset();
    const px = this.put(x), pw = this.put(w), pgy = this.put(gy), pdx = dx ? this.alloc(dx.byteLength) : 0;
    this.convParams(s, px, pw, 0, 0, pgy, pdx);
    const sc = this.scratch(s.n, this.convScratch(s));
    // per-thread gradient accumulators, summed in thread order (deterministic for a given thread count)
    const dws = sc.map(() => this.zeros(dw.length)), dbs = sc.map(() => (db ? this.zeros(db.length) : 0));
    this.parallel('conv_bwd', s.n, (t) => [sc[t], dws[t], dbs[t]]);
    this.addInto(dw, dws);
    if (db) this.addInto(db, dbs);
    if (dx) this.get(pdx, dx);
  }

  private addInto(dst: Float32Array, parts: number[]): void {
    const f = this.f32;
    for (const p of parts) for (let i = 0, q = p >> 2; i < dst.length; i++, q++) dst[i] += f[q];
  }

  private convScratch(s: ConvShape): number {
    const g = s.geo, K = (s.cin / s.groups) * g.kh * g.kw;
    return convScratchBytes(this.gemmScratch, K, g.oh * g.ow);
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
    this.parallel('max_pool_fwd', s.planes, () => [0, 0, 0]);
    this.get(py, y);
    this.get(pidx, idx);
  }

  maxPool2dBackward(s: PoolShape, gy: Float32Array, idx: Int32Array, dx: Float32Array): void {
    this.reset();
    const pgy = this.put(gy), pidx = this.put(idx), pdx = this.alloc(dx.byteLength);
    this.poolParams(s, 0, 0, pidx, pgy, pdx);
    this.parallel('max_pool_bwd', s.planes, () => [0, 0, 0]);
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
