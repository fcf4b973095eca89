// Assembles the engine's WASM module (GEMM, Conv2d, MaxPool2d kernels) for this runtime:
// relaxed-SIMD FMA when WebAssembly.validate accepts it, plain SIMD mul+add otherwise.
import {
  add,
  fadd,
  I32,
  ld32f,
  ld32i,
  le,
  lt,
  ModuleBuilder,
  mul,
  shl,
  st32f,
  sub,
  V128,
  vadd,
  vld,
  vst,
  vzero,
} from './asm.ts';
import { emitConv } from './conv-kernels.ts';
import { emitGemm, type GemmFuncs } from './gemm-kernels.ts';
import { emitPool } from './pool-kernels.ts';
import { emitElementwise } from './elementwise-kernels.ts';
import { emitNorm } from './norm-kernels.ts';
import { emitWinogradDw } from './winograd-dw-kernels.ts';
import { emitWinograd } from './winograd-kernels.ts';
import { emitWinogradFilters } from './winograd-filter-kernels.ts';

/** Word indices of the GEMM task block (gemm_rows). */
export const GEMM = { M: 0, N: 1, K: 2, A: 3, ARS: 4, ACS: 5, B: 6, BRS: 7, BCS: 8, C: 9, LDC: 10, ACC: 11 } as const;
export const GEMM_WORDS = 12;

/** Kernel entry points a thread may run: fn(params, lo, hi, a, b, c). */
export const TASKS = [
  'gemm_rows',
  'conv_fwd',
  'conv_bwd',
  'max_pool_fwd',
  'max_pool2x2_fwd',
  'max_pool_bwd',
  'ew_relu',
  'ew_relu_bwd',
  'ew_add',
  'bn_fwd',
  'bn_bwd',
  'wino_dw3',
  'wino_dw5',
  'wino_fwd',
  'wino_fwd5',
  'wino_filter3',
  'wino_filter5',
  'wino_dwt3',
  'wino_dwt5',
] as const;
export type TaskName = (typeof TASKS)[number];

export interface KernelModule {
  bytes: Uint8Array<ArrayBuffer>;
  gemm: GemmFuncs;
}

/** 4×8 register tile: 8 accumulators + 2 B vectors + 1 broadcast fit V8's 15 free xmm registers. */
export const TILE = { mr: 4, nr: 8, kc: 256, mc: 128 };

export const MAX_PAGES = 32768;

export function buildKernelModule(relaxed: boolean, shared: boolean): KernelModule {
  const m = new ModuleBuilder({ shared, minPages: 1, maxPages: MAX_PAGES });
  const shape = { ...TILE, relaxed };
  const g = emitGemm(m, shape);
  // gemm_rows(params, r0, r1, scratch): rows [r0, r1) of the GEMM in the task block
  m.func('gemm_rows', [I32, I32, I32, I32, I32, I32], [], (f, [prm, r0, r1, scratch]) => {
    const w = (i: number) => ld32i(prm, 4 * i);
    f.call(g.sgemm, [
      sub(r1, r0),
      w(GEMM.N),
      w(GEMM.K),
      add(w(GEMM.A), shl(mul(r0, w(GEMM.ARS)), 2)),
      w(GEMM.ARS),
      w(GEMM.ACS),
      w(GEMM.B),
      w(GEMM.BRS),
      w(GEMM.BCS),
      add(w(GEMM.C), shl(mul(r0, w(GEMM.LDC)), 2)),
      w(GEMM.LDC),
      w(GEMM.ACC),
      scratch,
    ]);
  });
  emitConv(m, g);
  emitPool(m);
  emitElementwise(m);
  emitNorm(m);
  emitWinogradDw(m, g);
  emitWinograd(m, g);
  emitWinogradFilters(m);
  // sum_parts(dst, strideBytes, count, n): dst[i] += Σ_{q=1}^{count-1} dst[q·stride/4 + i], q in order
  m.func('sum_parts', [I32, I32, I32, I32], [], (f, [dst, stride, count, n]) => {
    const q = f.local(),
      i = f.local(),
      src = f.local(),
      a = f.local();
    f.for(q, 1, count, 1, () => {
      f.set(src, add(dst, mul(q, stride)));
      f.set(i, 0);
      f.while(
        () => le(add(i, 4), n),
        () => {
          f.set(a, add(dst, shl(i, 2)));
          f.do(vst(a, vadd(vld(a), vld(add(src, shl(i, 2))))));
          f.set(i, add(i, 4));
        },
      );
      f.while(
        () => lt(i, n),
        () => {
          f.set(a, add(dst, shl(i, 2)));
          f.do(st32f(a, fadd(ld32f(a), ld32f(add(src, shl(i, 2))))));
          f.set(i, add(i, 1));
        },
      );
    });
  });
  return { bytes: m.bytes(), gemm: g };
}

/** Whether this runtime accepts f32x4.relaxed_madd (relaxed SIMD). */
export function hasRelaxedSimd(): boolean {
  return validates((mb) => mb.func('t', [], [V128], (f) => f.do(vzero(), vzero(), vzero(), [0xfd, 0x85, 0x02])));
}

/** Whether this runtime has WebAssembly with 128-bit SIMD. */
export function hasSimd(): boolean {
  return typeof WebAssembly === 'object' && validates((mb) => mb.func('t', [], [V128], (f) => f.do(vzero())));
}

function validates(build: (mb: ModuleBuilder) => void): boolean {
  const mb = new ModuleBuilder({ shared: false, minPages: 1, maxPages: 1 });
  build(mb);
  try {
    return WebAssembly.validate(mb.bytes());
  } catch {
    return false;
  }
}
