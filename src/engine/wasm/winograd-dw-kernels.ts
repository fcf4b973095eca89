// Conv2d's weight gradient by Winograd F(2×2, r×r), r = 3 or 5, for stride-1, dilation-1,
// zero-padded convolutions without groups. The forward algorithm y = Aᵀ[(G·g) ⊙ (Bᵀ·d)]
// transposes into ∂g = Gᵀ[(A·∂y) ⊙ (Bᵀ·d)], so over the output's 2×2 tiles
//   dW[o, c] = Gᵀ (Σ_tiles (A·dY_t·Aᵀ)[o] ⊙ (Bᵀ·X_t·B)[c]) G,
// with X_t the α×α input tile (α = r + 1) under output tile t. Per chunk of images: each
// image is copied into a zero-bordered scratch (its padding and the tiles' overhang), its
// input tiles are transformed into V[ξ][c][t] and its dY tiles into U[ξ][o][t] (ξ: the α²
// points; four tiles per f32x4); then for each ξ one GEMM M_ξ[o][c] += U_ξ·V_ξᵀ over the
// chunk's tiles, into the chunk's partial. The host sums the chunks in order and applies
// Gᵀ·M·G (winograd.ts). Multiplications per tile: α² per (o, c) against 4·r² directly.
import {
  add,
  and,
  imin,
  I32,
  ld32i,
  mul,
  ne,
  shl,
  sub,
  V128,
  vld,
  vshuffle,
  type Expr,
  type FuncBuilder,
  type Local,
  type ModuleBuilder,
} from './asm.ts';
import type { GemmFuncs } from './gemm-kernels.ts';
import {
  combine,
  constPool,
  copyIntoPlanes,
  inputTransform,
  keep,
  storePoints,
  zeroFloats,
} from './winograd-transforms.ts';
import { WINOGRAD, type WinogradMatrices } from './winograd.ts';

/** Floats between the α² matrices of V and of U, so their rows never sit a power of two apart (L1 aliasing). */
const PLANE_PAD = 16;

/** Word indices of the wino_dw parameter block. */
export const WDW = {
  X: 0,
  GY: 1,
  CIN: 2,
  COUT: 3,
  H: 4,
  W: 5,
  OH: 6,
  OW: 7,
  TOP: 8,
  LEFT: 9,
  /** Tile rows ⌈oh/2⌉ and tile columns ⌈ow/2⌉ rounded up to 4 (one f32x4 of tiles). */
  TH: 10,
  TW4: 11,
  /** Images transformed per batch of GEMMs (their tiles are the GEMMs' depth; V and U stay in L2). */
  NB: 12,
} as const;

/** The task of each kernel size. */
export const WDW_TASKS = { 3: 'wino_dw3', 5: 'wino_dw5' } as const;

/** Scratch bytes of one thread for a chunk of `images` (the layout of the task), without the GEMM's. */
export function winogradDwScratchBytes(
  p: { cin: number; cout: number; th: number; tw4: number; r: number },
  images: number,
): number {
  const alpha = p.r + 1,
    TT = p.th * p.tw4 * images,
    region = (floats: number) => ((floats + 16) * 4 + 63) & ~63;
  return (
    region(p.cin * (2 * p.th + alpha - 2) * (2 * p.tw4 + 4)) +
    region(p.cout * 2 * p.th * 2 * p.tw4) +
    region((p.cin * TT + PLANE_PAD) * alpha * alpha) +
    region((p.cout * TT + PLANE_PAD) * alpha * alpha)
  );
}

function emitTask(m: ModuleBuilder, gemm: GemmFuncs, r: 3 | 5, mat: WinogradMatrices): void {
  const alpha = r + 1,
    pts = alpha * alpha;
  m.func(WDW_TASKS[r], [I32, I32, I32, I32, I32, I32], [], (f, [prm, i0, i1, scratch, part]) => {
    const w = (i: number) => ld32i(prm, 4 * i);
    const cin = f.local(),
      cout = f.local(),
      h = f.local(),
      wd = f.local(),
      oh = f.local(),
      ow = f.local(),
      th = f.local(),
      tw4 = f.local(),
      T = f.local(),
      TT = f.local(),
      hp = f.local(),
      wp = f.local(),
      dw = f.local(),
      xp = f.local(),
      dp = f.local(),
      V = f.local(),
      U = f.local(),
      gs = f.local();
    const img = f.local(),
      c = f.local(),
      y = f.local(),
      ti = f.local(),
      t0 = f.local(),
      col = f.local(),
      src = f.local(),
      dst = f.local(),
      xi = f.local();
    const k = constPool(f, [mat.BT, mat.AT]);
    f.set(cin, w(WDW.CIN));
    f.set(cout, w(WDW.COUT));
    f.set(h, w(WDW.H));
    f.set(wd, w(WDW.W));
    f.set(oh, w(WDW.OH));
    f.set(ow, w(WDW.OW));
    f.set(th, w(WDW.TH));
    f.set(tw4, w(WDW.TW4));
    f.set(T, mul(th, tw4));
    f.set(TT, mul(T, imin(w(WDW.NB), sub(i1, i0))));
    f.set(hp, add(shl(th, 1), alpha - 2));
    f.set(wp, add(shl(tw4, 1), 4));
    f.set(dw, shl(tw4, 1));
    // scratch: padded x, padded dY, V, U, GEMM scratch (each 64-byte aligned)
    const region = (floats: Expr): Expr => and(add(shl(add(floats, 16), 2), 63), -64);
    f.set(xp, scratch);
    f.set(dp, add(xp, region(mul(cin, mul(hp, wp)))));
    f.set(V, add(dp, region(mul(cout, mul(shl(th, 1), dw)))));
    f.set(U, add(V, region(mul(add(mul(cin, TT), PLANE_PAD), pts))));
    f.set(gs, add(U, region(mul(add(mul(cout, TT), PLANE_PAD), pts))));
    // the padded planes' borders (and dY's past oh × ow) are zero for every image of the call
    zeroFloats(f, xp, mul(cin, mul(hp, wp)), y);
    zeroFloats(f, dp, mul(cout, mul(shl(th, 1), dw)), y);
    const b0 = f.local(),
      b1 = f.local(),
      vPlane = f.local(),
      uPlane = f.local();
    f.for(b0, i0, i1, w(WDW.NB), () => {
      f.set(b1, imin(add(b0, w(WDW.NB)), i1));
      f.set(TT, mul(T, sub(b1, b0)));
      f.set(vPlane, shl(add(mul(cin, TT), PLANE_PAD), 2));
      f.set(uPlane, shl(add(mul(cout, TT), PLANE_PAD), 2));
      batch(b0, b1);
    });
    function batch(b0: Local, b1: Local): void {
      f.for(img, b0, b1, 1, () => {
        const l = { c, y, src, dst, j: xi };
        // x[img] into xp at (top, left), dY[img] into dp (2·th × 2·tw4 per plane); the borders stay zero
        copyIntoPlanes(
          f,
          add(w(WDW.X), shl(mul(mul(img, cin), mul(h, wd)), 2)),
          cin,
          h,
          wd,
          xp,
          { hp, wp, top: w(WDW.TOP), left: w(WDW.LEFT) },
          l,
        );
        copyIntoPlanes(
          f,
          add(w(WDW.GY), shl(mul(mul(img, cout), mul(oh, ow)), 2)),
          cout,
          oh,
          ow,
          dp,
          { hp: shl(th, 1), wp: dw, top: 0, left: 0 },
          l,
        );
        f.for(ti, 0, th, 1, () =>
          f.for(t0, 0, tw4, 4, () => {
            // byte offset of these four tiles in a V or U row: image, tile row, tile column
            f.set(col, shl(add(mul(sub(img, b0), T), add(mul(ti, tw4), t0)), 2));
            f.for(c, 0, cin, 1, () =>
              inputTiles(f, mat, k, { xp, hp, wp, c, ti, t0, V, plane: vPlane, TT, col, src: xi, dst }),
            );
            f.for(c, 0, cout, 1, () =>
              gradTiles(f, mat, alpha, k, { dp, th, dw, o: c, ti, t0, U, plane: uPlane, TT, col, src: xi }),
            );
          }),
        );
      });
      // M_ξ[o][c] += Σ_t U_ξ[o][t]·V_ξ[c][t], into this chunk's partial [ξ][o][c]
      const xi2 = f.local();
      f.for(xi2, 0, pts, 1, () =>
        f.call(gemm.sgemm, [
          cout,
          cin,
          TT,
          add(U, mul(xi2, uPlane)),
          TT,
          1,
          add(V, mul(xi2, vPlane)),
          1,
          TT,
          add(part, shl(mul(mul(xi2, cout), cin), 2)),
          cin,
          // the chunk's first batch overwrites its partial (no zeroing beforehand), later ones add
          ne(b0, i0),
          gs,
        ]),
      );
    }
  });
}

interface InputArgs {
  xp: Local;
  hp: Local;
  wp: Local;
  c: Local;
  ti: Local;
  t0: Local;
  V: Local;
  /** Bytes from one point ξ's matrix to the next (padded: power-of-two strides alias in L1). */
  plane: Local;
  TT: Local;
  col: Local;
  src: Local;
  dst: Local;
}

/** Bᵀ·X_t·B for four tiles of channel c (rows 2·ti…, columns 2·t0…), stored at V[ξ][c][col]. */
function inputTiles(f: FuncBuilder, mat: WinogradMatrices, k: (v: number) => Local, a: InputArgs): void {
  f.set(a.src, add(a.xp, shl(add(mul(add(mul(a.c, a.hp), shl(a.ti, 1)), a.wp), shl(a.t0, 1)), 2)));
  f.set(a.dst, add(add(a.V, shl(mul(a.c, a.TT), 2)), a.col));
  inputTransform(f, mat.BT, k, a.src, shl(a.wp, 2), a.dst, a.plane);
}

interface GradArgs {
  dp: Local;
  th: Local;
  dw: Local;
  o: Local;
  ti: Local;
  t0: Local;
  U: Local;
  plane: Local;
  TT: Local;
  col: Local;
  src: Local;
}

/** A·dY_t·Aᵀ for four 2×2 tiles of dY plane o, stored at U[ξ][o][col]. */
function gradTiles(f: FuncBuilder, mat: WinogradMatrices, alpha: number, k: (v: number) => Local, a: GradArgs): void {
  // A = Aᵀᵀ: α×2
  const A = Array.from({ length: alpha }, (_, x) => [mat.AT[0][x], mat.AT[1][x]]);
  const s: Local[][] = [];
  for (let i = 0; i < 2; i++) {
    f.set(a.src, add(a.dp, shl(add(mul(add(mul(a.o, shl(a.th, 1)), add(shl(a.ti, 1), i)), a.dw), shl(a.t0, 1)), 2)));
    const lo = f.local(V128),
      hi = f.local(V128);
    f.set(lo, vld(a.src));
    f.set(hi, vld(a.src, 16));
    const pair = keep(f, [vshuffle(lo, hi, [0, 2, 4, 6]), vshuffle(lo, hi, [1, 3, 5, 7])]);
    s.push(keep(f, combine(A, pair, k)));
  }
  const out: Local[][] = [];
  for (let q = 0; q < alpha; q++) out.push(keep(f, combine(A, [s[0][q], s[1][q]], k)));
  f.set(a.src, add(add(a.U, shl(mul(a.o, a.TT), 2)), a.col));
  storePoints(f, alpha, (xr, q) => out[q][xr], a.src, a.plane);
}

/** Emits wino_dw3 and wino_dw5. */
export function emitWinogradDw(m: ModuleBuilder, gemm: GemmFuncs): void {
  emitTask(m, gemm, 3, WINOGRAD[3]);
  emitTask(m, gemm, 5, WINOGRAD[5]);
}
