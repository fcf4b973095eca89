// WASM SIMD GEMM, generated: C[M, N] (+)= A·B with A and B addressed by element strides
// (so transposed operands need no copy), packed into panels, blocked along K, and a
// register-blocked MR×NR micro-kernel of f32x4 FMAs (relaxed_madd where the runtime has it).
//
// Packed layouts (floats): Ap[ip][k][r] = A(ip·MR + r, k), Bp[jp][k][c] = B(k, jp·NR + c),
// zero-filled past M and N, so every micro-kernel call computes a full tile.
import {
  add,
  eqz,
  I32,
  imin,
  ld32f,
  ltu,
  mul,
  or,
  shl,
  st32f,
  sub,
  V128,
  vld,
  vmadd,
  vsplatld,
  vst,
  vzero,
  type Local,
  type ModuleBuilder,
  type Val,
} from './asm.ts';
import { divCeil, packA, packB } from './gemm-packing.ts';

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
  /** sgemm_pa(M, N, K, ap, b, brs, bcs, c, ldc, acc, scratch): A already packed by pack_a_all. */
  sgemmPa: number;
  /** sgemm_pp(M, N, K, ap, bp, c, ldc, acc, scratch): A by pack_a_all, B already in packed panels (bPanelOffset). */
  sgemmPp: number;
  /** pack_a_all(M, K, a, ars, acs, dst). */
  packAll: number;
  packedABytes(M: number, K: number): number;
  /** Scratch of sgemm_pp (one edge tile). */
  ppScratchBytes: number;
  /** Scratch of sgemm_pa for N columns. */
  paScratchBytes(N: number): number;
  /** Scratch of sgemm. */
  scratchBytes(M: number, N: number, K: number): number;
}

/** ukernel(a, b, c, ldcBytes, kc, acc): one MR×NR tile of C (+)= Ap·Bp over kc steps. */
function microKernel(m: ModuleBuilder, s: GemmShape): number {
  const { mr, nr, relaxed } = s,
    nv = nr / 4;
  return m.func('ukernel', [I32, I32, I32, I32, I32, I32], [], (f, [a, b, c, ldc, kc, acc]) => {
    const accs: Local[][] = [];
    for (let r = 0; r < mr; r++) accs.push(Array.from({ length: nv }, () => f.local(V128)));
    const bv = Array.from({ length: nv }, () => f.local(V128));
    const av = f.local(V128),
      bEnd = f.local(I32),
      crow = f.local(I32);
    f.if(
      acc,
      () => {
        f.set(crow, c);
        for (let r = 0; r < mr; r++) {
          for (let v = 0; v < nv; v++) f.set(accs[r][v], vld(crow, 16 * v));
          if (r < mr - 1) f.set(crow, add(crow, ldc));
        }
      },
      () => {
        for (let r = 0; r < mr; r++) for (let v = 0; v < nv; v++) f.set(accs[r][v], vzero());
      },
    );
    // one k step (no unrolling: TurboFan hoists unrolled loads and their address offsets out of the loop and spills them)
    const step = () => {
      for (let v = 0; v < nv; v++) f.set(bv[v], vld(b, 16 * v));
      for (let r = 0; r < mr; r++) {
        f.set(av, vsplatld(a, 4 * r));
        for (let v = 0; v < nv; v++) f.set(accs[r][v], vmadd(av, bv[v], accs[r][v], relaxed));
      }
    };
    // one k step per iteration, the B pointer as the loop counter: no separate k to count
    // and compare (TurboFan keeps the loop to two pointer adds and one compare)
    f.set(bEnd, add(b, mul(kc, nr * 4)));
    f.if(kc, () =>
      f.loop(() => {
        step();
        f.set(a, add(a, mr * 4));
        f.set(b, add(b, nr * 4));
        f.brIf(0, ltu(b, bEnd));
      }),
    );
    f.set(crow, c);
    for (let r = 0; r < mr; r++) {
      for (let v = 0; v < nv; v++) f.do(vst(crow, accs[r][v], 16 * v));
      if (r < mr - 1) f.set(crow, add(crow, ldc));
    }
  });
}

/**
 * gemm_packed(ap, bp, c, M, N, kc, ldcBytes, acc, tmp): C[M, N] (+)= Ap·Bp. Edge tiles go
 * through the tmp tile (MR×NR floats) so the micro-kernel always reads and writes a full tile.
 */
function gemmPacked(m: ModuleBuilder, s: GemmShape, ukernel: number): number {
  const { mr, nr } = s;
  return m.func(
    'gemm_packed',
    [I32, I32, I32, I32, I32, I32, I32, I32, I32],
    [],
    (f, [ap, bp, c, M, N, kc, ldc, acc, tmp]) => {
      const i = f.local(),
        j = f.local(),
        rows = f.local(),
        cols = f.local(),
        cij = f.local(),
        apk = f.local(),
        bpk = f.local();
      const r = f.local(),
        q = f.local();
      f.for(j, 0, N, nr, () => {
        f.set(cols, imin(nr, sub(N, j)));
        f.set(bpk, add(bp, shl(mul(j, kc), 2)));
        f.for(i, 0, M, mr, () => {
          f.set(rows, imin(mr, sub(M, i)));
          f.set(apk, add(ap, shl(mul(i, kc), 2)));
          f.set(cij, add(add(c, mul(i, ldc)), shl(j, 2)));
          f.if(
            eqz(or(sub(rows, mr), sub(cols, nr))),
            () => {
              f.call(ukernel, [apk, bpk, cij, ldc, kc, acc]);
            },
            () => {
              const each = (body: (src: number[], dst: number[]) => void) => {
                f.for(r, 0, rows, 1, () =>
                  f.for(q, 0, cols, 1, () =>
                    body(add(add(cij, mul(r, ldc)), shl(q, 2)), add(tmp, shl(add(mul(r, nr), q), 2))),
                  ),
                );
              };
              f.if(acc, () => each((cp, tp) => f.do(st32f(tp, ld32f(cp)))));
              f.call(ukernel, [apk, bpk, tmp, nr * 4, kc, acc]);
              each((cp, tp) => f.do(st32f(cp, ld32f(tp))));
            },
          );
        });
      });
    },
    false,
  );
}

/** Emits the GEMM functions into m. */
export function emitGemm(m: ModuleBuilder, s: GemmShape): GemmFuncs {
  if (s.nr % 4 !== 0) throw new Error('gemm: nr must be a multiple of 4');
  const uk = microKernel(m, s),
    pa = packA(m, s),
    pb = packB(m, s),
    gp = gemmPacked(m, s, uk);
  const { mr, nr, kc: KC, mc: MC } = s,
    tileBytes = mr * nr * 4;
  const mpad = (M: Val) => mul(divCeil(M, mr), mr);
  // pack_a_all(M, K, a, ars, acs, dst): A packed once, K block after K block (block pc at pc·Mpad floats)
  const packAll = m.func('pack_a_all', [I32, I32, I32, I32, I32, I32], [], (f, [M, K, a, ars, acs, dst]) => {
    const pc = f.local(),
      mp = f.local();
    f.set(mp, mpad(M));
    f.for(pc, 0, K, KC, () =>
      f.call(pa, [add(a, shl(mul(pc, acs), 2)), ars, acs, M, imin(KC, sub(K, pc)), add(dst, shl(mul(pc, mp), 2))]),
    );
  });
  // sgemm_pa(M, N, K, ap, b, brs, bcs, c, ldc, acc, scratch): A prepacked by pack_a_all
  const sgemmPa = m.func(
    'sgemm_pa',
    new Array(11).fill(I32),
    [],
    (f, [M, N, K, ap, b, brs, bcs, c, ldc, acc, scratch]) => {
      const pc = f.local(),
        kc = f.local(),
        ic = f.local(),
        mp = f.local(),
        bpk = f.local();
      f.set(mp, mpad(M));
      f.set(bpk, add(scratch, tileBytes));
      f.for(pc, 0, K, KC, () => {
        f.set(kc, imin(KC, sub(K, pc)));
        f.call(pb, [add(b, shl(mul(pc, brs), 2)), brs, bcs, kc, N, bpk]);
        f.for(ic, 0, M, MC, () => {
          f.call(gp, [
            add(ap, shl(add(mul(pc, mp), mul(ic, kc)), 2)),
            bpk,
            add(c, shl(mul(ic, ldc), 2)),
            imin(MC, sub(M, ic)),
            N,
            kc,
            shl(ldc, 2),
            or(acc, pc),
            scratch,
          ]);
        });
      });
    },
  );
  // sgemm_pp(M, N, K, ap, bp, c, ldc, acc, scratch): both operands prepacked; K block pc of B at pc·Npad floats
  const sgemmPp = m.func('sgemm_pp', new Array(9).fill(I32), [], (f, [M, N, K, ap, bp, c, ldc, acc, scratch]) => {
    const pc = f.local(),
      kc = f.local(),
      ic = f.local(),
      mp = f.local(),
      np = f.local();
    f.set(mp, mpad(M));
    f.set(np, mul(divCeil(N, nr), nr));
    f.for(pc, 0, K, KC, () => {
      f.set(kc, imin(KC, sub(K, pc)));
      f.for(ic, 0, M, MC, () => {
        f.call(gp, [
          add(ap, shl(add(mul(pc, mp), mul(ic, kc)), 2)),
          add(bp, shl(mul(pc, np), 2)),
          add(c, shl(mul(ic, ldc), 2)),
          imin(MC, sub(M, ic)),
          N,
          kc,
          shl(ldc, 2),
          or(acc, pc),
          scratch,
        ]);
      });
    });
  });
  // sgemm(M, N, K, a, ars, acs, b, brs, bcs, c, ldc, acc, scratch): packs A into scratch, then sgemm_pa
  const sgemm = m.func(
    'sgemm',
    new Array(13).fill(I32),
    [],
    (f, [M, N, K, a, ars, acs, b, brs, bcs, c, ldc, acc, scratch]) => {
      const ap = f.local();
      f.set(ap, scratch);
      f.call(packAll, [M, K, a, ars, acs, ap]);
      f.call(sgemmPa, [M, N, K, ap, b, brs, bcs, c, ldc, acc, add(ap, shl(mul(mpad(M), K), 2))]);
    },
  );
  return {
    shape: s,
    sgemm,
    sgemmPa,
    sgemmPp,
    packAll,
    packedABytes: (M, K) => Math.ceil(M / mr) * mr * K * 4,
    ppScratchBytes: tileBytes + 64,
    paScratchBytes: (N) => tileBytes + Math.ceil(N / nr) * nr * KC * 4 + 64,
    scratchBytes: (M, N, K) => Math.ceil(M / mr) * mr * K * 4 + tileBytes + Math.ceil(N / nr) * nr * KC * 4 + 64,
  };
}
