// WASM kernels for Conv2d: im2col / col2im driven by the same gather tables as the TS
// kernels (src/engine/kernels/im2col.ts), plus whole-layer forward and backward over a
// range of images so a thread pool can split a batch. Arguments come in a parameter block
// of i32 words (CONV below) written by the host.
import {
  add,
  and,
  divs,
  F32,
  f32c,
  fadd,
  ge,
  I32,
  ld32f,
  ld32i,
  le,
  lt,
  mul,
  select,
  shl,
  st32f,
  sub,
  V128,
  vadd,
  vld,
  vlane,
  vst,
  vzero,
  type Expr,
  type FuncBuilder,
  type Local,
  type ModuleBuilder,
  type Val,
} from './asm.ts';
import type { GemmFuncs } from './gemm-kernels.ts';

/** Word indices of the conv parameter block (pointers are byte addresses, 0 = absent). */
export const CONV = {
  X: 0,
  W: 1,
  B: 2,
  Y: 3,
  GY: 4,
  DX: 5,
  CIN: 6,
  H: 7,
  WD: 8,
  COUT: 9,
  G: 10,
  OH: 11,
  OW: 12,
  KH: 13,
  KW: 14,
  /** rowT[ki·oh + oy] = source row × w or −1; colT[kj·ow + ox] = source column or −1 (im2col.ts). */
  ROWT: 15,
  COLT: 16,
  /** span[3·kj ..]: lo, hi, base — columns [lo, hi) read x[base + ox − lo] and the rest are zero; lo = −1: use colT. */
  SPAN: 17,
  POINTWISE: 18,
  /** The weights packed by pack_a_all: W_g per group for the forward, W_gᵀ for the backward. */
  WPK: 19,
} as const;
export const CONV_WORDS = 20;

interface Geo {
  x: Local;
  cg: Local;
  h: Local;
  w: Local;
  oh: Local;
  ow: Local;
  kh: Local;
  kw: Local;
  rowT: Local;
  colT: Local;
  span: Local;
}

function loadGeo(f: FuncBuilder, prm: Local): Geo {
  const field = (i: number) => {
    const l = f.local();
    f.set(l, ld32i(prm, 4 * i));
    return l;
  };
  const g = {
    x: f.local(),
    cg: f.local(),
    h: field(CONV.H),
    w: field(CONV.WD),
    oh: field(CONV.OH),
    ow: field(CONV.OW),
    kh: field(CONV.KH),
    kw: field(CONV.KW),
    rowT: field(CONV.ROWT),
    colT: field(CONV.COLT),
    span: field(CONV.SPAN),
  };
  return g;
}

/** dst[0..n) = value (n floats, byte pointer dst). */
function fill(f: FuncBuilder, dst: Val, n: Val, value: Val, i: Local): void {
  f.for(i, 0, n, 1, () => f.do(st32f(add(dst, shl(i, 2)), value)));
}

/**
 * Walks col rows (c, ki, kj, oy): `perColumn(kj)` once per kernel column, then `row(o, rb)`
 * for in-bounds source rows (o: byte address of the col row, rb: of the source row) and
 * `zeroRow(o)` otherwise.
 */
function walkRows(
  f: FuncBuilder,
  g: Geo,
  col: Local,
  perColumn: (kj: Local) => void,
  row: (o: Local, rb: Local, kj: Local) => void,
  zeroRow: (o: Local) => void,
): void {
  const c = f.local(),
    ki = f.local(),
    kj = f.local(),
    oy = f.local(),
    o = f.local(),
    xb = f.local(),
    r = f.local(),
    rb = f.local();
  f.set(o, col);
  f.for(c, 0, g.cg, 1, () => {
    f.set(xb, add(g.x, shl(mul(mul(c, g.h), g.w), 2)));
    f.for(ki, 0, g.kh, 1, () =>
      f.for(kj, 0, g.kw, 1, () => {
        perColumn(kj);
        f.for(oy, 0, g.oh, 1, () => {
          f.set(r, ld32i(add(g.rowT, shl(add(mul(ki, g.oh), oy), 2))));
          f.if(
            lt(r, 0),
            () => zeroRow(o),
            () => {
              f.set(rb, add(xb, shl(r, 2)));
              row(o, rb, kj);
            },
          );
          f.set(o, add(o, shl(g.ow, 2)));
        });
      }),
    );
  });
}

/**
 * im2col(params, x, cg, col): col[(c·kh + ki)·kw + kj][oy·ow + ox] for cg channels from x.
 * Contiguous spans are copied four floats at a time and may run up to 3 floats past the
 * span (into the next row, rewritten later, or the slack after col).
 */
function emitIm2col(m: ModuleBuilder): number {
  return m.func('im2col', [I32, I32, I32, I32], [], (f, [prm, x, cg, col]) => {
    const g = loadGeo(f, prm);
    f.set(g.x, x);
    f.set(g.cg, cg);
    const i = f.local(),
      lo = f.local(),
      hi = f.local(),
      shift = f.local(),
      ci = f.local(),
      sp = f.local();
    const p = f.local(),
      q = f.local(),
      end = f.local();
    walkRows(
      f,
      g,
      col,
      (kj) => {
        f.set(sp, add(g.span, mul(kj, 12)));
        f.set(lo, ld32i(sp));
        f.set(hi, ld32i(sp, 4));
        // source byte offset of output column ox is 4·ox + shift
        f.set(shift, shl(sub(ld32i(sp, 8), lo), 2));
      },
      (o, rb, kj) => {
        f.if(
          ge(lo, 0),
          () => {
            fill(f, o, lo, f32c(0), i);
            f.set(p, add(o, shl(lo, 2)));
            f.set(q, add(add(rb, shift), shl(lo, 2)));
            f.set(end, add(o, shl(hi, 2)));
            f.while(
              () => lt(p, end),
              () => {
                f.do(vst(p, vld(q)));
                f.set(p, add(p, 16));
                f.set(q, add(q, 16));
              },
            );
            f.for(i, hi, g.ow, 1, () => f.do(st32f(add(o, shl(i, 2)), f32c(0))));
          },
          () => {
            f.for(i, 0, g.ow, 1, () => {
              f.set(ci, ld32i(add(g.colT, shl(add(mul(kj, g.ow), i), 2))));
              f.do(
                st32f(add(o, shl(i, 2)), select(f32c(0), ld32f(add(rb, shl(select(0, ci, lt(ci, 0)), 2))), lt(ci, 0))),
              );
            });
          },
        );
      },
      (o) => fill(f, o, g.ow, f32c(0), i),
    );
  });
}

/** col2im(params, dcol, cg, dx): dx[c][row][col] += dcol[...], the adjoint of im2col. */
function emitCol2im(m: ModuleBuilder): number {
  return m.func('col2im', [I32, I32, I32, I32], [], (f, [prm, dcol, cg, dx]) => {
    const g = loadGeo(f, prm);
    f.set(g.x, dx);
    f.set(g.cg, cg);
    const i = f.local(),
      lo = f.local(),
      hi = f.local(),
      dst = f.local(),
      ci = f.local(),
      sp = f.local(),
      a = f.local();
    walkRows(
      f,
      g,
      dcol,
      (kj) => {
        f.set(sp, add(g.span, mul(kj, 12)));
        f.set(lo, ld32i(sp));
        f.set(hi, ld32i(sp, 4));
      },
      (o, rb, kj) => {
        f.if(
          ge(lo, 0),
          () => {
            f.set(dst, add(rb, shl(sub(ld32i(sp, 8), lo), 2)));
            f.set(i, lo);
            f.while(
              () => le(add(i, 4), hi),
              () => {
                f.set(a, add(dst, shl(i, 2)));
                f.do(vst(a, vadd(vld(a), vld(add(o, shl(i, 2))))));
                f.set(i, add(i, 4));
              },
            );
            f.while(
              () => lt(i, hi),
              () => {
                f.set(a, add(dst, shl(i, 2)));
                f.do(st32f(a, fadd(ld32f(a), ld32f(add(o, shl(i, 2))))));
                f.set(i, add(i, 1));
              },
            );
          },
          () => {
            f.for(i, 0, g.ow, 1, () => {
              f.set(ci, ld32i(add(g.colT, shl(add(mul(kj, g.ow), i), 2))));
              f.if(ge(ci, 0), () => {
                f.set(a, add(rb, shl(ci, 2)));
                f.do(st32f(a, fadd(ld32f(a), ld32f(add(o, shl(i, 2))))));
              });
            });
          },
        );
      },
      () => undefined,
    );
  });
}

interface Dims {
  cin: Local;
  cout: Local;
  groups: Local;
  cg: Local;
  og: Local;
  K: Local;
  P: Local;
  hw: Local;
  pointwise: Local;
}

function loadDims(f: FuncBuilder, prm: Local): Dims {
  const field = (i: number) => {
    const l = f.local();
    f.set(l, ld32i(prm, 4 * i));
    return l;
  };
  const d = {
    cin: field(CONV.CIN),
    cout: field(CONV.COUT),
    groups: field(CONV.G),
    cg: f.local(),
    og: f.local(),
    K: f.local(),
    P: f.local(),
    hw: f.local(),
    pointwise: field(CONV.POINTWISE),
  };
  f.set(d.cg, divs(d.cin, d.groups));
  f.set(d.og, divs(d.cout, d.groups));
  f.set(d.K, mul(mul(d.cg, ld32i(prm, 4 * CONV.KH)), ld32i(prm, 4 * CONV.KW)));
  f.set(d.P, mul(ld32i(prm, 4 * CONV.OH), ld32i(prm, 4 * CONV.OW)));
  f.set(d.hw, mul(ld32i(prm, 4 * CONV.H), ld32i(prm, 4 * CONV.WD)));
  return d;
}

/** Per image i and group gi: byte offsets of its input planes and output planes. */
function offsets(f: FuncBuilder, d: Dims, i: Local, gi: Local, xOff: Local, yOff: Local): void {
  f.set(xOff, shl(mul(add(mul(i, d.cin), mul(gi, d.cg)), d.hw), 2));
  f.set(yOff, shl(mul(add(mul(i, d.cout), mul(gi, d.og)), d.P), 2));
}

/** Bytes of a region of n floats, rounded to 64 (keeps every scratch region aligned). */
const region = (floats: Val): Expr => and(add(shl(floats, 2), 63), -64);

/** Packed-A bytes for M rows (padded to the tile) by K. */
const packedA = (mr: number, M: Val, K: Val): Expr => shl(mul(mul(divs(add(M, mr - 1), mr), mr), K), 2);

/**
 * conv_fwd(params, i0, i1, scratch): y = conv(x) for images [i0, i1), with the weights the
 * host packed once per call (WPK). Scratch: col, then GEMM scratch.
 */
function emitForward(m: ModuleBuilder, gemm: GemmFuncs, im2col: number): number {
  const { mr } = gemm.shape;
  return m.func('conv_fwd', [I32, I32, I32, I32, I32, I32], [], (f, [prm, i0, i1, scratch]) => {
    const d = loadDims(f, prm);
    const X = f.local(),
      W = f.local(),
      B = f.local(),
      Y = f.local(),
      col = f.local(),
      gs = f.local(),
      wpk = f.local(),
      wsz = f.local();
    const i = f.local(),
      gi = f.local(),
      o = f.local(),
      j = f.local(),
      xOff = f.local(),
      yOff = f.local(),
      bv = f.local(F32),
      src = f.local();
    f.set(X, ld32i(prm, 4 * CONV.X));
    f.set(W, ld32i(prm, 4 * CONV.W));
    f.set(B, ld32i(prm, 4 * CONV.B));
    f.set(Y, ld32i(prm, 4 * CONV.Y));
    f.set(wsz, packedA(mr, d.og, d.K));
    f.set(wpk, ld32i(prm, 4 * CONV.WPK));
    f.set(col, scratch);
    f.set(gs, add(col, region(add(mul(d.K, d.P), 16))));
    f.for(i, i0, i1, 1, () =>
      f.for(gi, 0, d.groups, 1, () => {
        offsets(f, d, i, gi, xOff, yOff);
        f.if(B, () =>
          f.for(o, 0, d.og, 1, () => {
            f.set(bv, ld32f(add(B, shl(add(mul(gi, d.og), o), 2))));
            fill(f, add(add(Y, yOff), shl(mul(o, d.P), 2)), d.P, bv, j);
          }),
        );
        f.if(
          d.pointwise,
          () => f.set(src, add(X, xOff)),
          () => {
            f.call(im2col, [prm, add(X, xOff), d.cg, col]);
            f.set(src, col);
          },
        );
        f.call(gemm.sgemmPa, [
          d.og,
          d.P,
          d.K,
          add(wpk, mul(gi, wsz)),
          src,
          d.P,
          1,
          add(Y, yOff),
          d.P,
          select(1, 0, B),
          gs,
        ]);
      }),
    );
  });
}

/**
 * conv_bwd(params, i0, i1, scratch, dwt, db): for images [i0, i1), dwt += col·dYᵀ (the weight
 * gradient TRANSPOSED, [groups][K][og]: the big im2col matrix is then the packed-A side) and
 * db += Σ dY, both accumulators of this chunk of images; when DX is set dx = col2im(Wᵀ·dY)
 * with Wᵀ packed by the host (WPK). Scratch: col, dcol, GEMM scratch.
 */
function emitBackward(m: ModuleBuilder, gemm: GemmFuncs, im2col: number, col2im: number): number {
  const { mr } = gemm.shape;
  return m.func('conv_bwd', [I32, I32, I32, I32, I32, I32], [], (f, [prm, i0, i1, scratch, dwt, db]) => {
    const d = loadDims(f, prm);
    const X = f.local(),
      W = f.local(),
      GY = f.local(),
      DX = f.local(),
      col = f.local(),
      dcol = f.local(),
      gs = f.local();
    const i = f.local(),
      gi = f.local(),
      o = f.local(),
      j = f.local(),
      xOff = f.local(),
      yOff = f.local(),
      src = f.local();
    const s = f.local(V128),
      row = f.local(),
      a = f.local(),
      t = f.local(F32),
      wtpk = f.local(),
      wsz = f.local(),
      wg = f.local();
    f.set(X, ld32i(prm, 4 * CONV.X));
    f.set(W, ld32i(prm, 4 * CONV.W));
    f.set(GY, ld32i(prm, 4 * CONV.GY));
    f.set(DX, ld32i(prm, 4 * CONV.DX));
    f.set(wsz, packedA(mr, d.K, d.og));
    f.set(wtpk, ld32i(prm, 4 * CONV.WPK));
    f.set(col, scratch);
    f.set(dcol, add(col, region(add(mul(d.K, d.P), 16))));
    f.set(gs, add(dcol, region(mul(d.K, d.P))));
    f.for(i, i0, i1, 1, () => {
      // bias: db[o] += Σ_p dY[i, o, p]
      f.if(db, () =>
        f.for(o, 0, d.cout, 1, () => {
          f.set(row, add(GY, shl(mul(add(mul(i, d.cout), o), d.P), 2)));
          f.set(s, vzero());
          f.set(j, 0);
          f.while(
            () => le(add(j, 4), d.P),
            () => {
              f.set(s, vadd(s, vld(add(row, shl(j, 2)))));
              f.set(j, add(j, 4));
            },
          );
          f.set(t, fadd(fadd(vlane(s, 0), vlane(s, 1)), fadd(vlane(s, 2), vlane(s, 3))));
          f.while(
            () => lt(j, d.P),
            () => {
              f.set(t, fadd(t, ld32f(add(row, shl(j, 2)))));
              f.set(j, add(j, 1));
            },
          );
          f.set(a, add(db, shl(o, 2)));
          f.do(st32f(a, fadd(ld32f(a), t)));
        }),
      );
      f.if(DX, () => fill(f, add(DX, shl(mul(mul(i, d.cin), d.hw), 2)), mul(d.cin, d.hw), f32c(0), j));
      f.for(gi, 0, d.groups, 1, () => {
        offsets(f, d, i, gi, xOff, yOff);
        f.set(wg, shl(mul(mul(gi, d.og), d.K), 2));
        f.if(
          d.pointwise,
          () => f.set(src, add(X, xOff)),
          () => {
            f.call(im2col, [prm, add(X, xOff), d.cg, col]);
            f.set(src, col);
          },
        );
        // dWᵀ_g += col · dY_gᵀ: A = col [K, P], B(p, o) = dY[o·P + p]
        f.call(gemm.sgemm, [d.K, d.og, d.P, src, d.P, 1, add(GY, yOff), 1, d.P, add(dwt, wg), d.og, 1, gs]);
        f.if(DX, () => {
          // dcol = W_gᵀ · dY_g; pointwise writes dx directly
          f.if(
            d.pointwise,
            () => {
              f.call(gemm.sgemmPa, [
                d.K,
                d.P,
                d.og,
                add(wtpk, mul(gi, wsz)),
                add(GY, yOff),
                d.P,
                1,
                add(DX, xOff),
                d.P,
                0,
                gs,
              ]);
            },
            () => {
              f.call(gemm.sgemmPa, [d.K, d.P, d.og, add(wtpk, mul(gi, wsz)), add(GY, yOff), d.P, 1, dcol, d.P, 0, gs]);
              f.call(col2im, [prm, dcol, d.cg, add(DX, xOff)]);
            },
          );
        });
      });
    });
  });
}

export interface ConvFuncs {
  forward: number;
  backward: number;
}

export function emitConv(m: ModuleBuilder, gemm: GemmFuncs): ConvFuncs {
  const i2c = emitIm2col(m),
    c2i = emitCol2im(m);
  return { forward: emitForward(m, gemm, i2c), backward: emitBackward(m, gemm, i2c, c2i) };
}

/** Scratch bytes one thread needs for conv_fwd and conv_bwd (the layouts above, plus slack). */
export function convScratchBytes(
  g: GemmFuncs,
  d: { K: number; P: number; og: number },
): { forward: number; backward: number } {
  // col keeps 16 floats of slack for im2col's vector overrun
  const r = (floats: number) => (floats * 4 + 63) & ~63,
    col = r(d.K * d.P + 16);
  return {
    forward: col + g.paScratchBytes(d.P) + 256,
    backward: 2 * col + Math.max(g.scratchBytes(d.K, d.og, d.P), g.paScratchBytes(d.P)) + 256,
  };
}
