// WASM kernels for Conv2d: whole-layer forward and backward over a range of images so a
// thread pool can split a batch, on the im2col / col2im kernels of im2col-kernels.ts.
// Arguments come in a parameter block of i32 words (CONV) written by the host.
import {
  add,
  and,
  divs,
  eqz,
  F32,
  f32c,
  fadd,
  I32,
  imax,
  ld32f,
  ld32i,
  le,
  lt,
  mul,
  ne,
  select,
  shl,
  st32f,
  V128,
  vadd,
  vld,
  vlane,
  vzero,
  type Expr,
  type FuncBuilder,
  type Local,
  type ModuleBuilder,
  type Val,
} from './asm.ts';
import type { GemmFuncs } from './gemm-kernels.ts';
import { CONV, emitCol2im, emitIm2col, emitIm2colPanels, fill } from './im2col-kernels.ts';

export { CONV, CONV_WORDS } from './im2col-kernels.ts';

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
 * host packed once per call (WPK). Scratch: col (in packed-B panels), then GEMM scratch.
 */
function emitForward(m: ModuleBuilder, gemm: GemmFuncs, im2colPanels: number): number {
  const { mr, nr } = gemm.shape;
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
      bv = f.local(F32);
    f.set(X, ld32i(prm, 4 * CONV.X));
    f.set(W, ld32i(prm, 4 * CONV.W));
    f.set(B, ld32i(prm, 4 * CONV.B));
    f.set(Y, ld32i(prm, 4 * CONV.Y));
    f.set(wsz, packedA(mr, d.og, d.K));
    f.set(wpk, ld32i(prm, 4 * CONV.WPK));
    f.set(col, scratch);
    f.set(gs, add(col, region(add(mul(d.K, mul(divs(add(d.P, nr - 1), nr), nr)), 16))));
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
          () =>
            f.call(gemm.sgemmPa, [
              d.og,
              d.P,
              d.K,
              add(wpk, mul(gi, wsz)),
              add(X, xOff),
              d.P,
              1,
              add(Y, yOff),
              d.P,
              select(1, 0, B),
              gs,
            ]),
          () => {
            f.call(im2colPanels, [prm, add(X, xOff), d.cg, col]);
            f.call(gemm.sgemmPp, [d.og, d.P, d.K, add(wpk, mul(gi, wsz)), col, add(Y, yOff), d.P, select(1, 0, B), gs]);
          },
        );
      }),
    );
  });
}

/**
 * conv_bwd(params, i0, i1, scratch, dwt, db): for images [i0, i1), dwt += col·dYᵀ (the weight
 * gradient TRANSPOSED, [groups][K][og]: the big im2col matrix is then the packed-A side) and
 * db += Σ dY, both accumulators of this chunk of images; when DX is set, dx = dY ⋆ W flipped
 * (DXT set: im2col of dY into panels, the flipped weights in WPK) or dx = col2im(Wᵀ·dY) with Wᵀ
 * packed by the host (WPK). Scratch: col, dcol (or dY's panels), GEMM scratch.
 */
function emitBackward(m: ModuleBuilder, gemm: GemmFuncs, k: ConvKernels): number {
  const { mr, nr } = gemm.shape,
    { im2col, col2im, im2colPanels } = k;
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
      wg = f.local(),
      dxt = f.local(),
      K2 = f.local();
    f.set(X, ld32i(prm, 4 * CONV.X));
    f.set(W, ld32i(prm, 4 * CONV.W));
    f.set(GY, ld32i(prm, 4 * CONV.GY));
    f.set(DX, ld32i(prm, 4 * CONV.DX));
    f.set(dxt, ld32i(prm, 4 * CONV.DXT));
    // the transposed convolution's depth og·kh·kw; its panels (K2 × hw padded to NR) share dcol's region
    f.set(K2, mul(d.og, divs(d.K, d.cg)));
    f.set(wsz, select(packedA(mr, d.cg, K2), packedA(mr, d.K, d.og), dxt));
    f.set(wtpk, ld32i(prm, 4 * CONV.WPK));
    f.set(col, scratch);
    f.set(dcol, add(col, region(add(mul(d.K, d.P), 16))));
    f.set(gs, add(dcol, region(add(imax(mul(d.K, d.P), mul(K2, mul(divs(add(d.hw, nr - 1), nr), nr))), 16))));
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
      f.if(and(ne(DX, 0), eqz(dxt)), () =>
        fill(f, add(DX, shl(mul(mul(i, d.cin), d.hw), 2)), mul(d.cin, d.hw), f32c(0), j),
      );
      f.for(gi, 0, d.groups, 1, () => {
        offsets(f, d, i, gi, xOff, yOff);
        f.set(wg, shl(mul(mul(gi, d.og), d.K), 2));
        f.if(eqz(ld32i(prm, 4 * CONV.NODW)), () => {
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
        });
        f.if(DX, () => {
          // dx_g = W'_g · panels(dY_g), W' the flipped weights [cg][K2]
          f.if(dxt, () => {
            f.call(im2colPanels, [dxt, add(GY, yOff), d.og, dcol]);
            f.call(gemm.sgemmPp, [d.cg, d.hw, K2, add(wtpk, mul(gi, wsz)), dcol, add(DX, xOff), d.hw, 0, gs]);
          });
          // else dcol = W_gᵀ · dY_g; pointwise writes dx directly
          const wtGemm = (dst: Val) =>
            f.call(gemm.sgemmPa, [d.K, d.P, d.og, add(wtpk, mul(gi, wsz)), add(GY, yOff), d.P, 1, dst, d.P, 0, gs]);
          f.if(eqz(dxt), () =>
            f.if(
              d.pointwise,
              () => wtGemm(add(DX, xOff)),
              () => {
                wtGemm(dcol);
                f.call(col2im, [prm, dcol, d.cg, add(DX, xOff)]);
              },
            ),
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

interface ConvKernels {
  im2col: number;
  col2im: number;
  im2colPanels: number;
}

export function emitConv(m: ModuleBuilder, gemm: GemmFuncs): ConvFuncs {
  const k = {
    im2col: emitIm2col(m),
    col2im: emitCol2im(m),
    im2colPanels: emitIm2colPanels(m, gemm.shape.nr, gemm.shape.kc),
  };
  return { forward: emitForward(m, gemm, k.im2colPanels), backward: emitBackward(m, gemm, k) };
}

/** Scratch bytes one thread needs for conv_fwd and conv_bwd (the layouts above, plus slack). */
export function convScratchBytes(
  g: GemmFuncs,
  d: { K: number; P: number; og: number; cg: number; hw: number },
): { forward: number; backward: number } {
  // col keeps 16 floats of slack for im2col's vector overrun
  const r = (floats: number) => (floats * 4 + 63) & ~63,
    pad = (n: number) => Math.ceil(n / g.shape.nr) * g.shape.nr,
    col = r(d.K * d.P + 16),
    dcol = r(Math.max(d.K * d.P, ((d.og * d.K) / d.cg) * pad(d.hw)) + 16);
  return {
    forward: r(d.K * pad(d.P) + 16) + Math.max(g.paScratchBytes(d.P), g.ppScratchBytes) + 256,
    backward: col + dcol + Math.max(g.scratchBytes(d.K, d.og, d.P), g.paScratchBytes(d.P), g.ppScratchBytes) + 256,
  };
}
