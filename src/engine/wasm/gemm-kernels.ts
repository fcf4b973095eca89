// WASM SIMD GEMM, generated: C[M, N] (+)= A·B with A and B addressed by element strides
// (so transposed operands need no copy), packed into panels, blocked along K, and a
// register-blocked MR×NR micro-kernel of f32x4 FMAs (relaxed_madd where the runtime has it).
//
// Packed layouts (floats): Ap[ip][k][r] = A(ip·MR + r, k), Bp[jp][k][c] = B(k, jp·NR + c),
// zero-filled past M and N, so every micro-kernel call computes a full tile.
import {
  add, divs, eqz, f32c, I32, imin, ld32f, le, lt, mul, or, shl, shru, st32f, sub, V128, vld, vmadd, vsplatld, vst, vzero,
  type Expr, type Local, type ModuleBuilder, type Val,
} from './asm.ts';

export interface GemmShape {
  /** Rows of the register tile. */
  mr: number;
  /** Columns of the register tile, a multiple of 4. */
  nr: number;
  /** K block: one packed B panel (kc·nr floats) stays in L1. */
  kc: number;
  /** M block: the packed A block (mc·kc floats) stays in L2. */
  mc: number;
  relaxed: boolean;
}

export interface GemmFuncs {
  shape: GemmShape;
  /** sgemm(M, N, K, a, ars, acs, b, brs, bcs, c, ldc, acc, scratch): strides in floats, pointers in bytes. */
  sgemm: number;
  /** Bytes of scratch sgemm needs for a given N. */
  scratchBytes(n: number): number;
}

const UNROLL = 4;

/** ukernel(a, b, c, ldcBytes, kc, acc): one MR×NR tile of C (+)= Ap·Bp over kc steps. */
function microKernel(m: ModuleBuilder, s: GemmShape): number {
  const { mr, nr, relaxed } = s, nv = nr / 4;
  return m.func('ukernel', [I32, I32, I32, I32, I32, I32], [], (f, [a, b, c, ldc, kc, acc]) => {
    const accs: Local[][] = [];
    for (let r = 0; r < mr; r++) accs.push(Array.from({ length: nv }, () => f.local(V128)));
    const bv = Array.from({ length: nv }, () => f.local(V128));
    const av = f.local(V128), k = f.local(I32), crow = f.local(I32);
    f.if(acc, () => {
      f.set(crow, c);
      for (let r = 0; r < mr; r++) {
        for (let v = 0; v < nv; v++) f.set(accs[r][v], vld(crow, 16 * v));
        if (r < mr - 1) f.set(crow, add(crow, ldc));
      }
    }, () => {
      for (let r = 0; r < mr; r++) for (let v = 0; v < nv; v++) f.set(accs[r][v], vzero());
    });
    // one k step at static offsets u (unrolled), the pointers advance once per group
    const step = (u: number) => {
      for (let v = 0; v < nv; v++) f.set(bv[v], vld(b, (u * nr + 4 * v) * 4));
      for (let r = 0; r < mr; r++) {
        f.set(av, vsplatld(a, (u * mr + r) * 4));
        for (let v = 0; v < nv; v++) f.set(accs[r][v], vmadd(av, bv[v], accs[r][v], relaxed));
      }
    };
    f.set(k, 0);
    f.while(() => le(add(k, UNROLL), kc), () => {
      for (let u = 0; u < UNROLL; u++) step(u);
      f.set(a, add(a, UNROLL * mr * 4));
      f.set(b, add(b, UNROLL * nr * 4));
      f.set(k, add(k, UNROLL));
    });
    f.while(() => lt(k, kc), () => {
      step(0);
      f.set(a, add(a, mr * 4));
      f.set(b, add(b, nr * 4));
      f.set(k, add(k, 1));
    });
    f.set(crow, c);
    for (let r = 0; r < mr; r++) {
      for (let v = 0; v < nv; v++) f.do(vst(crow, accs[r][v], 16 * v));
      if (r < mr - 1) f.set(crow, add(crow, ldc));
    }
  });
}

/** pack_a(src, rs, cs, M, K, dst): Ap panels of MR rows, A(m, k) at src + 4·(m·rs + k·cs). */
function packA(m: ModuleBuilder, s: GemmShape): number {
  const { mr } = s;
  return m.func('pack_a', [I32, I32, I32, I32, I32, I32], [], (f, [src, rs, cs, M, K, dst]) => {
    const ip = f.local(), r = f.local(), row = f.local(), k = f.local(), p = f.local(), d = f.local();
    const panels = f.local(), csb = f.local();
    f.set(panels, divCeil(M, mr));
    f.set(csb, shl(cs, 2));
    f.for(ip, 0, panels, 1, () => {
      f.for(r, 0, mr, 1, () => {
        f.set(row, add(mul(ip, mr), r));
        f.set(d, add(dst, shl(add(mul(mul(ip, mr), K), r), 2)));
        f.if(lt(row, M), () => {
          f.set(p, add(src, shl(mul(row, rs), 2)));
          f.for(k, 0, K, 1, () => {
            f.do(st32f(d, ld32f(p)));
            f.set(p, add(p, csb));
            f.set(d, add(d, mr * 4));
          });
        }, () => {
          f.for(k, 0, K, 1, () => { f.do(st32f(d, f32c(0))); f.set(d, add(d, mr * 4)); });
        });
      });
    });
  }, false);
}

/** pack_b(src, rs, cs, K, N, dst): Bp panels of NR columns, B(k, n) at src + 4·(k·rs + n·cs). */
function packB(m: ModuleBuilder, s: GemmShape): number {
  const { nr } = s, nv = nr / 4;
  return m.func('pack_b', [I32, I32, I32, I32, I32, I32], [], (f, [src, rs, cs, K, N, dst]) => {
    const jp = f.local(), c = f.local(), col = f.local(), k = f.local(), p = f.local(), d = f.local();
    const panels = f.local(), rsb = f.local();
    f.set(panels, divCeil(N, nr));
    f.set(rsb, shl(rs, 2));
    f.for(jp, 0, panels, 1, () => {
      f.set(d, add(dst, shl(mul(mul(jp, nr), K), 2)));
      // contiguous full panel: NR floats per k with vector copies
      f.if(fullPanel(cs, jp, nr, N), () => {
        f.set(p, add(src, shl(mul(jp, nr), 2)));
        f.for(k, 0, K, 1, () => {
          for (let v = 0; v < nv; v++) f.do(vst(d, vld(p, 16 * v), 16 * v));
          f.set(p, add(p, rsb));
          f.set(d, add(d, nr * 4));
        });
      }, () => {
        f.for(c, 0, nr, 1, () => {
          f.set(col, add(mul(jp, nr), c));
          f.set(d, add(dst, shl(add(mul(mul(jp, nr), K), c), 2)));
          f.if(lt(col, N), () => {
            f.set(p, add(src, shl(mul(col, cs), 2)));
            f.for(k, 0, K, 1, () => {
              f.do(st32f(d, ld32f(p)));
              f.set(p, add(p, rsb));
              f.set(d, add(d, nr * 4));
            });
          }, () => {
            f.for(k, 0, K, 1, () => { f.do(st32f(d, f32c(0))); f.set(d, add(d, nr * 4)); });
          });
        });
      });
    });
  }, false);
}

/** cs == 1 and the panel jp lies wholly inside N. */
function fullPanel(cs: Val, jp: Val, nr: number, N: Val): Expr {
  // (cs − 1) | ((N − (jp+1)·nr) >>> 31) is 0 exactly when cs == 1 and (jp+1)·nr ≤ N (cs ≥ 1)
  return eqz(or(sub(cs, 1), shru(sub(N, mul(add(jp, 1), nr)), 31)));
}

function divCeil(a: Val, b: number): Expr {
  return divs(add(a, b - 1), b);
}

/**
 * gemm_packed(ap, bp, c, M, N, kc, ldcBytes, acc, tmp): C[M, N] (+)= Ap·Bp. Edge tiles go
 * through the tmp tile (MR×NR floats) so the micro-kernel always reads and writes a full tile.
 */
function gemmPacked(m: ModuleBuilder, s: GemmShape, ukernel: number): number {
  const { mr, nr } = s;
  return m.func('gemm_packed', [I32, I32, I32, I32, I32, I32, I32, I32, I32], [], (f, [ap, bp, c, M, N, kc, ldc, acc, tmp]) => {
    const i = f.local(), j = f.local(), rows = f.local(), cols = f.local(), cij = f.local(), apk = f.local(), bpk = f.local();
    const r = f.local(), q = f.local();
    f.for(j, 0, N, nr, () => {
      f.set(cols, imin(nr, sub(N, j)));
      f.set(bpk, add(bp, shl(mul(j, kc), 2)));
      f.for(i, 0, M, mr, () => {
        f.set(rows, imin(mr, sub(M, i)));
        f.set(apk, add(ap, shl(mul(i, kc), 2)));
        f.set(cij, add(add(c, mul(i, ldc)), shl(j, 2)));
        f.if(eqz(or(sub(rows, mr), sub(cols, nr))), () => {
          f.call(ukernel, [apk, bpk, cij, ldc, kc, acc]);
        }, () => {
          const each = (body: (src: number[], dst: number[]) => void) => {
            f.for(r, 0, rows, 1, () => f.for(q, 0, cols, 1, () => body(
              add(add(cij, mul(r, ldc)), shl(q, 2)), add(tmp, shl(add(mul(r, nr), q), 2)))));
          };
          f.if(acc, () => each((cp, tp) => f.do(st32f(tp, ld32f(cp)))));
          f.call(ukernel, [apk, bpk, tmp, nr * 4, kc, acc]);
          each((cp, tp) => f.do(st32f(cp, ld32f(tp))));
        });
      });
    });
  }, false);
}

/** Emits the GEMM functions into m. */
export function emitGemm(m: ModuleBuilder, s: GemmShape): GemmFuncs {
  if (s.nr % 4 !== 0) throw new Error('gemm: nr must be a multiple of 4');
  const uk = microKernel(m, s), pa = packA(m, s), pb = packB(m, s), gp = gemmPacked(m, s, uk);
  const { mr, nr, kc: KC, mc: MC } = s;
  const aBytes = Math.ceil(MC / mr) * mr * KC * 4, tileBytes = mr * nr * 4;
  const sgemm = m.func('sgemm', new Array(13).fill(I32), [], (f, [M, N, K, a, ars, acs, b, brs, bcs, c, ldc, acc, scratch]) => {
    const pc = f.local(), kc = f.local(), ic = f.local(), mc = f.local(), apk = f.local(), bpk = f.local(), tmp = f.local();
    f.set(tmp, scratch);
    f.set(apk, add(scratch, tileBytes));
    f.set(bpk, add(apk, aBytes));
    f.for(pc, 0, K, KC, () => {
      f.set(kc, imin(KC, sub(K, pc)));
      f.call(pb, [add(b, shl(mul(pc, brs), 2)), brs, bcs, kc, N, bpk]);
      f.for(ic, 0, M, MC, () => {
        f.set(mc, imin(MC, sub(M, ic)));
        f.call(pa, [add(a, shl(add(mul(ic, ars), mul(pc, acs)), 2)), ars, acs, mc, kc, apk]);
        f.call(gp, [apk, bpk, add(c, shl(mul(ic, ldc), 2)), mc, N, kc, shl(ldc, 2), or(acc, pc), tmp]);
      });
    });
  });
  return { shape: s, sgemm, scratchBytes: (n) => tileBytes + aBytes + Math.ceil(n / nr) * nr * KC * 4 + 64 };
}
