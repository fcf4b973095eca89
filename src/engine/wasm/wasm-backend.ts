// The 'wasm' backend: the kernels of kernel-module.ts on one WebAssembly memory (the
// arena), split across a thread pool when memory can be shared. Operands that live in that
// memory (layers' activations and gradients) are used in place; others are copied in and
// out per call. This file creates the backend and holds GEMM and MaxPool2d; Conv2d is in
// conv-calls.ts, the machinery and the lighter ops in kernel-calls.ts.
import type { Backend, PoolShape } from '../backend.ts';
import { ConvCalls } from './conv-calls.ts';
import type { GemmFuncs } from './gemm-kernels.ts';
import { CTRL, type Exports } from './kernel-calls.ts';
import { buildKernelModule, GEMM, hasRelaxedSimd, hasSimd, MAX_PAGES, TASKS } from './kernel-module.ts';
import { POOL } from './pool-kernels.ts';
import { ThreadPool } from './thread-pool.ts';

export interface WasmBackendOptions {
  /** Threads to run on (the calling thread counts as one). */
  threads: number;
  /** false: plain SIMD mul+add even where relaxed-SIMD FMA is available (default: use FMA when the runtime has it). */
  relaxed?: boolean;
}

/** Node 20's V8 has relaxed SIMD behind a flag that can still be set before the first compile. */
async function enableRelaxedSimdInNode(): Promise<void> {
  if (typeof process === 'undefined' || !process.versions?.node) return;
  const name = 'node:v8';
  const v8 = (await import(/* @vite-ignore */ name)) as typeof import('node:v8');
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
}

/** Why helper threads cannot run here, or null when they can. */
function threadBlocker(): string | null {
  const g = globalThis as { crossOriginIsolated?: boolean; document?: unknown };
  if (typeof SharedArrayBuffer === 'undefined' || g.crossOriginIsolated === false) {
    return 'the page is not cross-origin isolated, so memory cannot be shared with worker threads';
  }
  // a page's main thread may not block in Atomics.wait; the engine runs in a worker
  if (typeof g.document !== 'undefined') return "a page's main thread cannot wait for worker threads";
  return null;
}

export async function createWasmBackend(opts: WasmBackendOptions): Promise<WasmBackend> {
  if (!hasSimd()) throw new Error('the wasm backend needs WebAssembly SIMD, which this runtime lacks');
  await enableRelaxedSimdInNode();
  const relaxed = opts.relaxed !== false && hasRelaxedSimd();
  const wanted = Math.max(1, Math.floor(opts.threads));
  const blocker = threadBlocker();
  const shared =
    typeof SharedArrayBuffer !== 'undefined' &&
    (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
  const threads = blocker ? 1 : wanted;
  const note = blocker && wanted > 1 ? `running on 1 thread: ${blocker}` : null;
  const kernel = buildKernelModule(relaxed, shared);
  const module = await WebAssembly.compile(kernel.bytes);
  const memory = new WebAssembly.Memory(
    shared ? { initial: 256, maximum: MAX_PAGES, shared: true } : { initial: 256, maximum: MAX_PAGES },
  );
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const pool = threads > 1 ? await ThreadPool.start(module, memory, [...TASKS], threads, CTRL) : null;
  // WebAssembly types every export as ExportValue; our module's exports are these functions
  return new WasmBackend(memory, instance.exports as unknown as Exports, pool, relaxed, kernel.gemm, note, wanted);
}

export class WasmBackend extends ConvCalls implements Backend {
  readonly name = 'wasm';
  readonly description: string;

  constructor(
    memory: WebAssembly.Memory,
    k: Exports,
    pool: ThreadPool | null,
    readonly relaxed: boolean,
    g: GemmFuncs,
    readonly note: string | null,
    /** The thread count asked for (threads may be fewer: see note). */
    readonly requestedThreads = 1,
  ) {
    super(memory, k, pool, g);
    this.description = `wasm SIMD (${relaxed ? 'relaxed-SIMD FMA' : 'SIMD mul+add'}), ${this.threads} thread${this.threads > 1 ? 's' : ''}${note ? ` — ${note}` : ''}`;
  }

  gemm = (
    tA: boolean,
    tB: boolean,
    M: number,
    N: number,
    K: number,
    A: Float32Array,
    aOff: number,
    lda: number,
    B: Float32Array,
    bOff: number,
    ldb: number,
    C: Float32Array,
    cOff: number,
    ldc: number,
    acc: boolean,
  ): void => {
    if (M === 0 || N === 0) return;
    if (K === 0) {
      if (!acc) for (let i = 0; i < M; i++) C.fill(0, cOff + i * ldc, cOff + i * ldc + N);
      return;
    }
    const ar = this.arena;
    ar.reset();
    const spanA = tA ? (K - 1) * lda + M : (M - 1) * lda + K,
      spanB = tB ? (N - 1) * ldb + K : (K - 1) * ldb + N,
      spanC = (M - 1) * ldc + N;
    const pa = this.resident(A) ? A.byteOffset + aOff * 4 : ar.putRange(A, aOff, aOff + spanA),
      pb = this.resident(B) ? B.byteOffset + bOff * 4 : ar.putRange(B, bOff, bOff + spanB),
      pc = this.resident(C) ? C.byteOffset + cOff * 4 : ar.putRange(C, cOff, cOff + spanC);
    this.w(GEMM.M, M);
    this.w(GEMM.N, N);
    this.w(GEMM.K, K);
    this.w(GEMM.A, pa);
    this.w(GEMM.ARS, tA ? 1 : lda);
    this.w(GEMM.ACS, tA ? lda : 1);
    this.w(GEMM.B, pb);
    this.w(GEMM.BRS, tB ? 1 : ldb);
    this.w(GEMM.BCS, tB ? ldb : 1);
    this.w(GEMM.C, pc);
    this.w(GEMM.LDC, ldc);
    this.w(GEMM.ACC, acc ? 1 : 0);
    // small products stay on one thread: waking a helper costs more than it saves
    // every chunk packs all of B: one chunk of rows per thread (not the balance chunks of the other kernels)
    const split = this.threads > 1 && M * N * K >= 1 << 21 && M >= 16 * this.threads;
    const mr = this.g.shape.mr,
      chunk = split ? Math.ceil(Math.ceil(M / this.threads) / mr) * mr : M;
    this.scratch(split ? M : 1, this.g.scratchBytes(chunk, N, K));
    this.parallel('gemm_rows', M, chunk);
    if (!this.resident(C)) ar.getRange(pc, C, cOff, cOff + spanC);
  };

  private poolParams(s: PoolShape, px: number, py: number, pidx: number, pgy: number, pdx: number): void {
    this.w(POOL.X, px);
    this.w(POOL.Y, py);
    this.w(POOL.IDX, pidx);
    this.w(POOL.GY, pgy);
    this.w(POOL.DX, pdx);
    this.w(POOL.H, s.h);
    this.w(POOL.W, s.w);
    this.w(POOL.OH, s.oh);
    this.w(POOL.OW, s.ow);
    this.w(POOL.KH, s.kh);
    this.w(POOL.KW, s.kw);
    this.w(POOL.SH, s.sh);
    this.w(POOL.SW, s.sw);
    this.w(POOL.PH, s.ph);
    this.w(POOL.PW, s.pw);
    this.w(POOL.DH, s.dh);
    this.w(POOL.DW, s.dw);
  }

  maxPool2dForward(s: PoolShape, x: Float32Array, y: Float32Array, idx: Int32Array): void {
    const ar = this.arena;
    ar.reset();
    const px = this.input(x),
      py = this.output(y),
      pidx = ar.alloc(idx.byteLength);
    this.poolParams(s, px, py, pidx, 0, 0);
    // the seed's MaxPool2d(2): a vectorized kernel when every window lies inside the input
    const twoByTwo =
      s.kh === 2 &&
      s.kw === 2 &&
      s.sh === 2 &&
      s.sw === 2 &&
      s.ph === 0 &&
      s.pw === 0 &&
      s.dh === 1 &&
      s.dw === 1 &&
      2 * s.oh <= s.h &&
      2 * s.ow <= s.w;
    this.scratch(s.planes, 0);
    this.parallel(twoByTwo ? 'max_pool2x2_fwd' : 'max_pool_fwd', s.planes, this.chunk(s.planes));
    this.collect(py, y);
    ar.getInts(pidx, idx);
  }

  maxPool2dBackward(s: PoolShape, gy: Float32Array, idx: Int32Array, dx: Float32Array): void {
    const ar = this.arena;
    ar.reset();
    const pgy = this.input(gy),
      pidx = ar.putInts(idx),
      pdx = this.output(dx);
    this.poolParams(s, 0, 0, pidx, pgy, pdx);
    this.scratch(s.planes, 0);
    this.parallel('max_pool_bwd', s.planes, this.chunk(s.planes));
    this.collect(pdx, dx);
  }

  dispose(): void {
    this.pool?.dispose();
  }
}
