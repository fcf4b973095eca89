// WASM kernels that move Conv2d data between image and matrix layouts: im2col and col2im
// driven by the same gather tables as the TS kernels (src/engine/kernels/im2col.ts), and
// im2col straight into the GEMM's packed B panels (no intermediate matrix to repack).
import {
  add,
  and,
  eqz,
  f32c,
  fadd,
  ge,
  I32,
  iadd4,
  ige4,
  ilt4,
  imin,
  isplat,
  ld32f,
  ld32i,
  le,
  lt,
  mul,
  select,
  shl,
  shru,
  st32f,
  sub,
  vadd,
  vand,
  vconsti,
  vld,
  vselect,
  vst,
  vzero,
  V128,
  type FuncBuilder,
  type Local,
  type ModuleBuilder,
  type Val,
} from './asm.ts';

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
  /** Parameter block of dx = dY ⋆ W flipped (conv-transpose.ts), 0 = dx by col2im; WPK then holds the flipped weights. */
  DXT: 20,
  /** 1: conv_bwd leaves the weight gradient to the Winograd kernels (winograd-dw-kernels.ts). */
  NODW: 21,
} as const;
export const CONV_WORDS = 22;

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
export function fill(f: FuncBuilder, dst: Val, n: Val, value: Val, i: Local): void {
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
export function emitIm2col(m: ModuleBuilder): number {
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
export function emitCol2im(m: ModuleBuilder): number {
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

/**
 * im2col_panels(params, x, cg, bp): the col matrix of cg channels ([K][P], K = cg·kh·kw,
 * P = oh·ow) written straight in sgemm_pp's packed-B layout, so the forward GEMM needs no
 * repacking: K block pc (rows [pc, pc + kcb), kcb = min(KC, K − pc)) at pc·Npad floats,
 * its panel jp at jp·kcb·NR floats, element (k, n) there at (k − pc)·NR + n mod NR;
 * columns n ≥ P are zero. When NR divides ow every panel lies in one output row and is
 * filled with vectors (lanes outside the source span masked to zero).
 */
export function emitIm2colPanels(m: ModuleBuilder, nr: number, KC: number): number {
  if ((nr & (nr - 1)) !== 0 || nr % 4 !== 0 || (KC & (KC - 1)) !== 0) throw new Error('im2col_panels: nr, KC');
  const nv = nr / 4,
    lg = Math.log2(nr);
  return m.func('im2col_panels', [I32, I32, I32, I32], [], (f, [prm, x, cg, bp]) => {
    const g = loadGeo(f, prm);
    f.set(g.x, x);
    f.set(g.cg, cg);
    const P = f.local(),
      np = f.local(),
      K = f.local(),
      aligned = f.local(),
      k = f.local(),
      pc = f.local(),
      rowB = f.local(),
      pb = f.local(),
      n0 = f.local();
    const lo = f.local(),
      hi = f.local(),
      shift = f.local(),
      sp = f.local(),
      col0 = f.local(),
      loV = f.local(V128),
      hiV = f.local(V128);
    f.set(P, mul(g.oh, g.ow));
    f.set(np, shl(shru(add(P, nr - 1), lg), lg));
    f.set(K, mul(mul(cg, g.kh), g.kw));
    f.set(aligned, eqz(and(g.ow, nr - 1)));
    f.set(k, 0);
    f.set(col0, 0);
    const at = (n: Val) => add(add(rowB, mul(shru(n, lg), pb)), shl(and(n, nr - 1), 2));
    walkRows(
      f,
      g,
      col0,
      (kj) => {
        f.set(pc, and(k, -KC));
        f.set(pb, shl(mul(imin(KC, sub(K, pc)), nr), 2));
        f.set(rowB, add(bp, shl(add(mul(pc, np), mul(sub(k, pc), nr)), 2)));
        f.set(k, add(k, 1));
        f.set(n0, 0);
        f.set(sp, add(g.span, mul(kj, 12)));
        f.set(lo, ld32i(sp));
        f.set(hi, ld32i(sp, 4));
        f.set(shift, shl(sub(ld32i(sp, 8), lo), 2));
        f.set(loV, isplat(lo));
        f.set(hiV, isplat(hi));
      },
      (_o, rb, kj) => {
        f.if(
          and(aligned, ge(lo, 0)),
          () => spanPanels(f, { g, rb, at, n0, pb, lo, hi, shift, loV, hiV }, nv),
          () => gatherRow(f, g, rb, kj, n0, at),
        );
        f.set(n0, add(n0, g.ow));
      },
      () => {
        zeroRow(f, g, aligned, n0, pb, at, nv);
        f.set(n0, add(n0, g.ow));
      },
    );
    // zero the columns past P of every row (only when NR does not divide P)
    const i = f.local();
    f.if(lt(P, np), () =>
      f.for(k, 0, K, 1, () => {
        f.set(pc, and(k, -KC));
        f.set(pb, shl(mul(imin(KC, sub(K, pc)), nr), 2));
        f.set(rowB, add(bp, shl(add(mul(pc, np), mul(sub(k, pc), nr)), 2)));
        f.for(i, P, np, 1, () => f.do(st32f(at(i), f32c(0))));
      }),
    );
  });
}

interface SpanRow {
  g: Geo;
  rb: Local;
  at: (n: Val) => Val;
  n0: Local;
  pb: Local;
  lo: Local;
  hi: Local;
  shift: Local;
  loV: Local;
  hiV: Local;
}

/** One output row whose panels are whole: plain vector copies inside [lo, hi), masked lanes at its edges. */
function spanPanels(f: FuncBuilder, r: SpanRow, nv: number): void {
  const { g, rb, at, n0, pb, lo, hi, shift, loV, hiV } = r;
  const ox = f.local(),
    p = f.local(),
    src = f.local(),
    lanes = f.local(V128);
  f.set(p, at(n0));
  f.for(ox, 0, g.ow, 4 * nv, () => {
    f.set(src, add(add(rb, shift), shl(ox, 2)));
    f.if(
      and(ge(ox, lo), le(add(ox, 4 * nv), hi)),
      () => {
        for (let v = 0; v < nv; v++) f.do(vst(p, vld(src, 16 * v), 16 * v));
      },
      () => {
        for (let v = 0; v < nv; v++) {
          f.set(lanes, iadd4(isplat(add(ox, 4 * v)), vconsti([0, 1, 2, 3])));
          const mask = vand(ige4(lanes, loV), ilt4(lanes, hiV));
          f.do(vst(p, vselect(vld(src, 16 * v), vzero(), mask), 16 * v));
        }
      },
    );
    f.set(p, add(p, pb));
  });
}

/** One output row of zeros: whole panels by vectors when NR divides ow. */
function zeroRow(f: FuncBuilder, g: Geo, aligned: Local, n0: Local, pb: Local, at: (n: Val) => Val, nv: number): void {
  const i = f.local(),
    p = f.local();
  f.if(
    aligned,
    () => {
      f.set(p, at(n0));
      f.for(i, 0, g.ow, 4 * nv, () => {
        for (let v = 0; v < nv; v++) f.do(vst(p, vzero(), 16 * v));
        f.set(p, add(p, pb));
      });
    },
    () => f.for(i, 0, g.ow, 1, () => f.do(st32f(at(add(n0, i)), f32c(0)))),
  );
}

/** One output row element by element through colT (strided or unaligned rows). */
function gatherRow(f: FuncBuilder, g: Geo, rb: Local, kj: Local, n0: Local, at: (n: Val) => Val): void {
  const ox = f.local(),
    ci = f.local();
  f.for(ox, 0, g.ow, 1, () => {
    f.set(ci, ld32i(add(g.colT, shl(add(mul(kj, g.ow), ox), 2))));
    f.do(st32f(at(add(n0, ox)), select(f32c(0), ld32f(add(rb, shl(select(0, ci, lt(ci, 0)), 2))), lt(ci, 0))));
  });
}
