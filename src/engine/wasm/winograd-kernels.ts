// Winograd F(2×2, 3×3) and F(2×2, 5×5) convolution (stride 1, dilation 1, zero padding, one
// group) for Conv2d's forward and its stride-1 input gradient (dY ⋆ W flipped,
// conv-transpose.ts). Per image: the input planes are copied into a zero-bordered scratch;
// α×α tiles (α = r + 1, stride 2) are transformed, V = Bᵀ d B, four tiles per f32x4,
// straight into the packed-B panels of sgemm_pp (one K×N matrix per ξ of the α² transform
// points); α² GEMMs M[ξ] = U[ξ]·V[ξ] with U = G g Gᵀ packed once per call by the host
// (winograd-conv.ts); then y = Aᵀ m A + bias.
// Tiles are numbered row by row, each tile row padded to a multiple of 4 tiles (TW4), so
// four consecutive tile numbers are four horizontal neighbours; the padded ones are
// computed and dropped. The parameter block (WINO) is written by the host.
import {
  add,
  and,
  divs,
  I32,
  imin,
  ld32f,
  ld32i,
  le,
  mul,
  shl,
  shru,
  st32f,
  sub,
  V128,
  vadd,
  vld,
  vshuffle,
  vsplat,
  vst,
  vsub,
  vzero,
  type FuncBuilder,
  type Local,
  type ModuleBuilder,
  type Val,
} from './asm.ts';
import type { GemmFuncs } from './gemm-kernels.ts';
import { WINOGRAD } from './winograd.ts';
import { combine, constPool, copyIntoPlanes, inputTransform, keep, zeroFloats } from './winograd-transforms.ts';

/** Word indices of the Winograd parameter block (pointers: byte addresses; offsets: bytes into a thread's scratch). */
export const WINO = {
  X: 0,
  B: 1,
  Y: 2,
  /** U[ξ] packed by pack_a_all, ξ after ξ, USZ bytes apart. */
  UPK: 3,
  /** Input channels (the GEMMs' depth) and output channels (their rows). */
  K: 4,
  M: 5,
  H: 6,
  WD: 7,
  OH: 8,
  OW: 9,
  /** Zero rows above and columns left of the input (the convolution's padding). */
  PT: 10,
  PL: 11,
  /** Tile rows, tiles per row padded to a multiple of 4, and N = TH·TW4 tiles. */
  TH: 12,
  TW4: 13,
  N: 14,
  /** The zero-bordered input plane: HP rows of WP floats. */
  HP: 15,
  WP: 16,
  USZ: 17,
  /** Bytes of one ξ's packed V (K·Npad floats) and of one ξ's GEMM output (M·N floats). */
  VSZ: 18,
  MSZ: 19,
  /** Scratch layout: the padded planes at 0, V at VOFF, the GEMM outputs at MOFF, the GEMM's and the edge tile's scratch at GSOFF. */
  VOFF: 20,
  MOFF: 21,
  GSOFF: 22,
} as const;
export const WINO_WORDS = 23;
/** Bytes of GEMM scratch (one edge tile of sgemm_pp) and then the output transform's edge buffer (2 rows of 8 floats). */
export const winoTailBytes = (g: GemmFuncs): number => g.ppScratchBytes + 128;

/** The task of each kernel size. */
export const WINO_TASKS = { 3: 'wino_fwd', 5: 'wino_fwd5' } as const;

/** wino_fwd (3×3) and wino_fwd5 (5×5). */
export function emitWinograd(m: ModuleBuilder, gemm: GemmFuncs): void {
  emitTask(m, gemm, 3);
  emitTask(m, gemm, 5);
}

/**
 * wino_fwd(params, i0, i1, scratch): y = conv(x) for images [i0, i1). F(2×2, 3×3) runs the
 * hand-written tiles below (Lavin's matrices); F(2×2, 5×5) the generated ones of
 * winograd-transforms.ts with the matrices of winograd.ts.
 */
function emitTask(m: ModuleBuilder, gemm: GemmFuncs, ksize: 3 | 5): void {
  const { nr, kc: KC } = gemm.shape;
  if (nr !== 8) throw new Error('winograd: the V panels assume an 8-column register tile');
  const alpha = ksize + 1,
    pts = alpha * alpha,
    mat = WINOGRAD[5];
  m.func(WINO_TASKS[ksize], [I32, I32, I32, I32, I32, I32], [], (f, [prm, i0, i1, scratch]) => {
    const k = ksize === 5 ? constPool(f, [mat.BT, mat.AT]) : null;
    const word = (i: number) => {
      const l = f.local();
      f.set(l, ld32i(prm, 4 * i));
      return l;
    };
    const X = word(WINO.X),
      B = word(WINO.B),
      Y = word(WINO.Y),
      UPK = word(WINO.UPK),
      K = word(WINO.K),
      M = word(WINO.M),
      H = word(WINO.H),
      W = word(WINO.WD),
      OH = word(WINO.OH),
      OW = word(WINO.OW),
      PT = word(WINO.PT),
      PL = word(WINO.PL),
      TH = word(WINO.TH),
      TW4 = word(WINO.TW4),
      N = word(WINO.N),
      HP = word(WINO.HP),
      WP = word(WINO.WP),
      USZ = word(WINO.USZ),
      VSZ = word(WINO.VSZ),
      MSZ = word(WINO.MSZ);
    const V = f.local(),
      Mb = f.local(),
      gs = f.local(),
      tmp = f.local(),
      plane = f.local(),
      wpb = f.local(),
      npad = f.local();
    const i = f.local(),
      c = f.local(),
      r = f.local(),
      j = f.local(),
      ty = f.local(),
      tx = f.local(),
      n = f.local(),
      xi = f.local(),
      o = f.local();
    const src = f.local(),
      dst = f.local(),
      row = f.local(),
      p = f.local(),
      pc = f.local(),
      kcb = f.local(),
      vrow = f.local(),
      oy = f.local(),
      ox = f.local();
    f.set(V, add(scratch, ld32i(prm, 4 * WINO.VOFF)));
    f.set(Mb, add(scratch, ld32i(prm, 4 * WINO.MOFF)));
    f.set(gs, add(scratch, ld32i(prm, 4 * WINO.GSOFF)));
    f.set(tmp, add(gs, gemm.ppScratchBytes));
    f.set(plane, mul(HP, WP));
    f.set(wpb, shl(WP, 2));
    f.set(npad, and(add(N, 7), -8));
    // the borders stay zero for every image of the call; so do the panels' lanes past N
    zeroFloats(f, scratch, mul(K, plane), j);
    zeroFloats(f, V, mul(shru(VSZ, 2), pts), j);
    f.for(i, i0, i1, 1, () => {
      // 1. the image into the padded planes
      copyIntoPlanes(
        f,
        add(X, shl(mul(mul(i, K), mul(H, W)), 2)),
        K,
        H,
        W,
        scratch,
        { hp: HP, wp: WP, top: PT, left: PL },
        { c, y: r, src, dst, j },
      );
      // 2. V[ξ][c][n] = (Bᵀ d B)[ξ] into sgemm_pp's panels (K block pc at pc·Npad floats,
      // panel jp of it at jp·kcb·8, row c − pc at (c − pc)·8)
      f.for(c, 0, K, 1, () => {
        f.set(pc, mul(divs(c, KC), KC));
        f.set(kcb, imin(KC, sub(K, pc)));
        f.set(vrow, add(V, shl(add(mul(pc, npad), shl(sub(c, pc), 3)), 2)));
        f.for(ty, 0, TH, 1, () => {
          f.set(row, add(scratch, shl(add(mul(c, plane), mul(shl(ty, 1), WP)), 2)));
          f.for(tx, 0, TW4, 4, () => {
            f.set(n, add(mul(ty, TW4), tx));
            f.set(src, add(row, shl(tx, 3)));
            f.set(p, add(vrow, shl(add(mul(shru(n, 3), shl(kcb, 3)), and(n, 7)), 2)));
            if (k) inputTransform(f, mat.BT, k, src, wpb, p, VSZ);
            else inputTile(f, src, wpb, p, VSZ);
          });
        });
      });
      // 3. the α² products M[ξ] = U[ξ]·V[ξ] (M rows, N columns, depth K)
      f.for(xi, 0, pts, 1, () =>
        f.call(gemm.sgemmPp, [M, N, K, add(UPK, mul(xi, USZ)), add(V, mul(xi, VSZ)), add(Mb, mul(xi, MSZ)), N, 0, gs]),
      );
      // 4. y = Aᵀ m A + bias, four tiles (8 columns by 2 rows of y) at a time
      f.for(o, 0, M, 1, () => {
        const bv = f.local(V128);
        f.set(bv, vzero());
        f.if(B, () => f.set(bv, vsplat(ld32f(add(B, shl(o, 2))))));
        f.set(row, add(Y, shl(mul(add(mul(i, M), o), mul(OH, OW)), 2)));
        f.for(ty, 0, TH, 1, () =>
          f.for(tx, 0, TW4, 4, () => {
            f.set(p, add(Mb, shl(add(mul(o, N), add(mul(ty, TW4), tx)), 2)));
            f.set(oy, shl(ty, 1));
            f.set(ox, shl(tx, 1));
            f.set(dst, add(row, shl(add(mul(oy, OW), ox), 2)));
            const y = k ? outputPoints(f, mat.AT, k, p, MSZ, bv) : outputPoints3(f, p, MSZ, bv);
            storeTile(f, y, dst, OW, and(le(add(ox, 8), OW), le(add(oy, 2), OH)), tmp, () => {
              // edge: the two rows of 8 from tmp, inside y only
              f.for(r, 0, imin(2, sub(OH, oy)), 1, () =>
                f.for(j, 0, imin(8, sub(OW, ox)), 1, () =>
                  f.do(st32f(add(dst, shl(add(mul(r, OW), j), 2)), ld32f(add(tmp, shl(add(shl(r, 3), j), 2))))),
                ),
              );
            });
          }),
        );
      });
    });
  });
}

/**
 * One group of 4 horizontally adjacent tiles of one plane: src is the top-left float of the
 * first 4×4 input tile, wpb the plane's row bytes; writes the 16 V vectors at p, p + vsz, …
 * Rows are combined first (Bᵀ: r0 − r2, r1 + r2, r2 − r1, r1 − r3) on the raw loads, then
 * split into the 4 tile columns (even / odd lanes of 8 floats at +0 and at +2) and combined
 * the same way along columns.
 */
function inputTile(f: FuncBuilder, src: Local, wpb: Local, p: Local, vsz: Local): void {
  const rows = [0, 1, 2, 3].map(() => f.local());
  const a = [0, 1, 2, 3].map(() => f.local(V128)),
    d = [0, 1, 2, 3].map(() => f.local(V128));
  f.set(rows[0], src);
  for (let q = 1; q < 4; q++) f.set(rows[q], add(rows[q - 1], wpb));
  const combos: [number, number, 'sub' | 'add'][] = [
    [0, 2, 'sub'],
    [1, 2, 'add'],
    [2, 1, 'sub'],
    [1, 3, 'sub'],
  ];
  const op = (k: 'sub' | 'add') => (k === 'sub' ? vsub : vadd);
  for (const [u, v, k] of combos) {
    // a[0..1]: floats 0..7 of the combined row, a[2..3]: floats 2..9
    for (const [q, off] of [
      [0, 0],
      [1, 16],
      [2, 8],
      [3, 24],
    ])
      f.set(a[q], op(k)(vld(rows[u], off), vld(rows[v], off)));
    f.set(d[0], vshuffle(a[0], a[1], [0, 2, 4, 6]));
    f.set(d[1], vshuffle(a[0], a[1], [1, 3, 5, 7]));
    f.set(d[2], vshuffle(a[2], a[3], [0, 2, 4, 6]));
    f.set(d[3], vshuffle(a[2], a[3], [1, 3, 5, 7]));
    const outs = [vsub(d[0], d[2]), vadd(d[1], d[2]), vsub(d[2], d[1]), vsub(d[1], d[3])];
    for (const e of outs) {
      f.do(vst(p, e));
      f.set(p, add(p, vsz));
    }
  }
}

/** Aᵀ m A + bias of 4 tiles of one output channel from m[ξ] at p, p + msz, … (Lavin's F(2×2, 3×3)): y00, y01, y10, y11. */
function outputPoints3(f: FuncBuilder, p: Local, msz: Local, bv: Local): Local[] {
  const t0 = [0, 1, 2, 3].map(() => f.local(V128)),
    t1 = [0, 1, 2, 3].map(() => f.local(V128)),
    m = [0, 1, 2, 3].map(() => f.local(V128)),
    y = [0, 1, 2, 3].map(() => f.local(V128));
  for (let a = 0; a < 4; a++) {
    for (let b = 0; b < 4; b++) {
      f.set(m[b], vld(p));
      f.set(p, add(p, msz));
    }
    // (m A)[a][0] = m0 + m1 + m2, (m A)[a][1] = m1 − m2 − m3
    f.set(t0[a], vadd(vadd(m[0], m[1]), m[2]));
    f.set(t1[a], vsub(vsub(m[1], m[2]), m[3]));
  }
  // y[0][b] = t[0] + t[1] + t[2], y[1][b] = t[1] − t[2] − t[3]
  f.set(y[0], vadd(vadd(vadd(t0[0], t0[1]), t0[2]), bv));
  f.set(y[1], vadd(vadd(vadd(t1[0], t1[1]), t1[2]), bv));
  f.set(y[2], vadd(vsub(vsub(t0[1], t0[2]), t0[3]), bv));
  f.set(y[3], vadd(vsub(vsub(t1[1], t1[2]), t1[3]), bv));
  return y;
}

/** The same for any F(2×2, r×r) from its Aᵀ (2×α), generated. */
function outputPoints(
  f: FuncBuilder,
  AT: readonly (readonly number[])[],
  k: (v: number) => Local,
  p: Local,
  msz: Local,
  bv: Local,
): Local[] {
  const alpha = AT[0].length,
    t: Local[][] = [];
  for (let a = 0; a < alpha; a++) {
    const m: Local[] = [];
    for (let b = 0; b < alpha; b++) {
      m.push(keep(f, [vld(p)])[0]);
      f.set(p, add(p, msz));
    }
    // (m A)[a][j] = Σ_b Aᵀ[j][b]·m[a][b]
    t.push(keep(f, combine(AT, m, k)));
  }
  // y[i][j] = Σ_a Aᵀ[i][a]·(m A)[a][j] + bias
  const col = (j: number) =>
    combine(
      AT,
      t.map((row) => row[j]),
      k,
    );
  const c0 = col(0),
    c1 = col(1);
  return keep(f, [vadd(c0[0], bv), vadd(c1[0], bv), vadd(c0[1], bv), vadd(c1[1], bv)]);
}

/**
 * Writes the 2×2 points y (y00, y01, y10, y11 of 4 tiles) as 2 rows of 8 floats at dst (row
 * stride ow floats) when `full`, else into tmp (rows 8 floats apart) and calls `edge`.
 */
function storeTile(f: FuncBuilder, y: Local[], dst: Local, ow: Local, full: Val, tmp: Local, edge: () => void): void {
  // interleave the tiles' two columns: row 0 = y00(t0) y01(t0) y00(t1) y01(t1) …
  const lo = (u: Local, v: Local) => vshuffle(u, v, [0, 4, 1, 5]),
    hi = (u: Local, v: Local) => vshuffle(u, v, [2, 6, 3, 7]);
  const rowB = f.local();
  f.if(
    full,
    () => {
      f.set(rowB, add(dst, shl(ow, 2)));
      f.do(vst(dst, lo(y[0], y[1])), vst(dst, hi(y[0], y[1]), 16));
      f.do(vst(rowB, lo(y[2], y[3])), vst(rowB, hi(y[2], y[3]), 16));
    },
    () => {
      f.do(vst(tmp, lo(y[0], y[1])), vst(tmp, hi(y[0], y[1]), 16));
      f.do(vst(tmp, lo(y[2], y[3]), 32), vst(tmp, hi(y[2], y[3]), 48));
      edge();
    },
  );
}
