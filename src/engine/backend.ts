// The engine's compute backend: the hot kernels (GEMM, Conv2d forward/backward, MaxPool2d)
// behind one small interface, so layers stay backend-agnostic. 'ts' is the pure-TypeScript
// reference (src/engine/backends/ts-backend.ts); 'wasm' runs WASM SIMD kernels, optionally
// on several threads (src/engine/wasm/). Layers call the dispatching functions below.
//
//   await useBackend({ backend: 'wasm', threads: 2 });   // once, before training
//   conv2dForward(shape, x, w, b, y);                     // in a layer: runs on the active backend
import type { NormShape } from './kernels/batch-norm.ts';
import type { ElementwiseOp } from './kernels/elementwise.ts';
import type { ConvGeometry } from './kernels/im2col.ts';
import { tsBackend } from './backends/ts-backend.ts';

export type BackendName = 'ts' | 'wasm';

/** One Conv2d call: batch n, channels, groups and the layer's cached gather geometry. */
export interface ConvShape {
  n: number;
  cin: number;
  cout: number;
  groups: number;
  geo: ConvGeometry;
  /** 1×1 kernel, stride 1, no padding: the input is its own im2col matrix. */
  pointwise: boolean;
  /** The forward must round as the direct convolution does (no Winograd): a max pooling compares its outputs. */
  exact?: boolean;
}

/** One MaxPool2d call over `planes` = N·C planes. */
export interface PoolShape {
  planes: number;
  h: number;
  w: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
}

/** C[M, N] = A·B (accumulate: C += A·B); A is [M, K] (transA: stored [K, M]), B is [K, N] (transB: [N, K]). */
export type GemmFn = (
  transA: boolean,
  transB: boolean,
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
  accumulate: boolean,
) => void;

export interface Backend {
  readonly name: BackendName;
  /** Threads the kernels run on (1 for the TS backend). */
  readonly threads: number;
  /** Human-readable: which kernels and why (e.g. 'wasm SIMD, relaxed FMA, 2 threads'). */
  readonly description: string;
  /**
   * n zeroed floats that this backend's kernels read and write in place (the wasm backend
   * keeps them in its memory, so a call copies nothing); a plain array on the TS backend.
   * Layers keep their activations and gradients in these (kernels/workspace.ts).
   */
  floats(n: number): Float32Array;
  /** The first n floats of an array from floats(); its memory stays held while the view lives. */
  view(a: Float32Array, n: number): Float32Array;
  /** Returns an array from floats() now (neither it nor its views may be used again); others are ignored. */
  free(a: Float32Array): void;
  gemm: GemmFn;
  /** y = conv(x) + b; y is [n, cout, oh, ow]. */
  conv2dForward(s: ConvShape, x: Float32Array, w: Float32Array, b: Float32Array | null, y: Float32Array): void;
  /** dw += ∂/∂w, db += ∂/∂b; dx (when given) = ∂/∂x, overwritten. */
  conv2dBackward(
    s: ConvShape,
    x: Float32Array,
    w: Float32Array,
    gy: Float32Array,
    dw: Float32Array,
    db: Float32Array | null,
    dx: Float32Array | null,
  ): void;
  /** y and idx (argmax within each plane) for every output. */
  maxPool2dForward(s: PoolShape, x: Float32Array, y: Float32Array, idx: Int32Array): void;
  /** dx = 0, then dx[idx] += gy, plane by plane. */
  maxPool2dBackward(s: PoolShape, gy: Float32Array, idx: Int32Array, dx: Float32Array): void;
  /** y[i] = op(a[i], b[i]) over y (kernels/elementwise.ts); y may be a (add in place). */
  elementwise(op: ElementwiseOp, a: Float32Array, b: Float32Array | null, y: Float32Array): void;
  /** BatchNorm's normalization, with batch statistics into stats when s.batch (kernels/batch-norm.ts). */
  batchNormForward(
    s: NormShape,
    x: Float32Array,
    gamma: Float32Array | null,
    beta: Float32Array | null,
    stats: Float64Array,
    y: Float32Array,
  ): void;
  /** BatchNorm's backward sums per channel, and dx when given (kernels/batch-norm.ts). */
  batchNormBackward(
    s: NormShape,
    x: Float32Array,
    gy: Float32Array,
    gamma: Float32Array | null,
    stats: Float64Array,
    sums: Float64Array,
    dx: Float32Array | null,
  ): void;
  /** Releases threads and memory; the backend must not be used afterwards. */
  dispose(): void;
}

let active: Backend = tsBackend;

/** The backend layers run on now. */
export function backend(): Backend {
  return active;
}

/** Makes b the active backend (disposing the previous one unless it is the TS reference). */
export function setBackend(b: Backend): void {
  if (active !== b && active !== tsBackend) active.dispose();
  active = b;
}

export interface BackendOptions {
  backend: BackendName;
  /** Threads for 'wasm' (default 1); fewer run when the platform cannot share memory. */
  threads?: number;
}

/** Creates and activates a backend; the wasm one is loaded on demand (its module is generated in memory). */
export async function useBackend(opts: BackendOptions): Promise<Backend> {
  if (opts.backend === 'ts') {
    setBackend(tsBackend);
    return tsBackend;
  }
  if (opts.backend !== 'wasm') throw new Error(`unknown backend '${String(opts.backend)}' (expected 'ts' or 'wasm')`);
  const { createWasmBackend } = await import('./wasm/wasm-backend.ts');
  const b = await createWasmBackend({ threads: opts.threads ?? 1 });
  setBackend(b);
  return b;
}

export const gemm: GemmFn = (tA, tB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, acc) =>
  active.gemm(tA, tB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, acc);
