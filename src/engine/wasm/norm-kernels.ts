// WASM BatchNorm over a range of channels, the loops of src/engine/kernels/batch-norm.ts
// in SIMD: the statistics and the backward sums are float64 sums (f64x2, two lanes per
// accumulator, so in another order than the reference's single running sum: the same value
// to float64 rounding), the normalization and the input gradient are float32 (f32x4) with
// per-channel coefficients, as PyTorch's CPU kernel computes them.
import {
  add,
  dadd,
  ddiv,
  demote,
  dmul,
  dsqrt,
  dsub,
  dvadd,
  dvlane,
  dvmul,
  dvsplat,
  dvsub,
  f64c,
  F64,
  fadd,
  fmul,
  fsub,
  F32,
  I32,
  i2d,
  ld32f,
  ld32i,
  ld64f,
  le,
  lt,
  mul,
  promote,
  shl,
  st32f,
  st64f,
  V128,
  vadd,
  vld,
  vmul,
  vpromoteLow,
  vshuffle,
  vsplat,
  vst,
  vsub,
  vzero,
  type Expr,
  type FuncBuilder,
  type Local,
  type ModuleBuilder,
  type Val,
} from './asm.ts';

/** Word indices of the BatchNorm parameter block; EPS is a float64 at word 12. */
export const NORM = {
  X: 0,
  Y: 1,
  G: 2,
  D: 3,
  GAMMA: 4,
  BETA: 5,
  STATS: 6,
  SUMS: 7,
  N: 8,
  C: 9,
  S: 10,
  BATCH: 11,
  EPS: 12,
} as const;

export const NORM_TASKS = ['bn_fwd', 'bn_bwd'] as const;

interface Fields {
  X: Local;
  Y: Local;
  G: Local;
  D: Local;
  GAMMA: Local;
  BETA: Local;
  STATS: Local;
  SUMS: Local;
  N: Local;
  C: Local;
  S: Local;
  BATCH: Local;
}

function fields(f: FuncBuilder, prm: Local): Fields {
  const out = {} as Record<keyof Fields, Local>;
  for (const k of ['X', 'Y', 'G', 'D', 'GAMMA', 'BETA', 'STATS', 'SUMS', 'N', 'C', 'S', 'BATCH'] as const) {
    out[k] = f.local();
    f.set(out[k], ld32i(prm, 4 * NORM[k]));
  }
  return out;
}

/**
 * For every image, channel c's run of S floats: vec(o) at byte offset o while 8 floats are
 * left, then one(o) per float.
 */
function eachRun(f: FuncBuilder, p: Fields, c: Local, vec: (o: Local) => void, one: (o: Local) => void): void {
  const n = f.local(),
    o = f.local(),
    e = f.local();
  f.for(n, 0, p.N, 1, () => {
    f.set(o, shl(mul(add(mul(n, p.C), c), p.S), 2));
    f.set(e, add(o, shl(p.S, 2)));
    f.while(
      () => le(add(o, 32), e),
      () => {
        vec(o);
        f.set(o, add(o, 32));
      },
    );
    f.while(
      () => lt(o, e),
      () => {
        one(o);
        f.set(o, add(o, 4));
      },
    );
  });
}

/** f32 lanes 0, 1 and lanes 2, 3 of v as f64x2 pairs. */
const lo = (v: Local): Expr => vpromoteLow(v);
const hi = (v: Local): Expr => vpromoteLow(vshuffle(v, v, [2, 3, 0, 1]));

/** A float64 sum kept in two f64x2 accumulators and a scalar (for the tails). */
class Sum {
  readonly a: Local;
  readonly b: Local;
  readonly s: Local;
  constructor(private readonly f: FuncBuilder) {
    this.a = f.local(V128);
    this.b = f.local(V128);
    this.s = f.local(F64);
  }
  zero(): void {
    this.f.set(this.a, vzero());
    this.f.set(this.b, vzero());
    this.f.set(this.s, f64c(0));
  }
  /** Adds the four float64 pairs of 8 floats: (p0 + p1) into a, (p2 + p3) into b. */
  add8(p0: Expr, p1: Expr, p2: Expr, p3: Expr): void {
    this.f.set(this.a, dvadd(this.a, dvadd(p0, p1)));
    this.f.set(this.b, dvadd(this.b, dvadd(p2, p3)));
  }
  add1(x: Val): void {
    this.f.set(this.s, dadd(this.s, x));
  }
  total(): Expr {
    const v = dvadd(this.a, this.b);
    return dadd(this.s, dadd(dvlane(v, 0), dvlane(v, 1)));
  }
}

/** γ[c] (1 when absent) and β[c] (0) as float64. */
function affine(f: FuncBuilder, ptr: Local, c: Local, dflt: number): Local {
  const v = f.local(F64);
  f.set(v, f64c(dflt));
  f.if(ptr, () => f.set(v, promote(ld32f(add(ptr, shl(c, 2))))));
  return v;
}

const x64 = (base: Local, o: Local) => promote(ld32f(add(base, o)));

/** Loads the 8 floats at base + o into two f32x4 locals. */
function load8(f: FuncBuilder, base: Local, o: Local, v0: Local, v1: Local): void {
  f.set(v0, vld(add(base, o)));
  f.set(v1, vld(add(base, o), 16));
}

/** A float32 scalar and its f32x4 splat, from a float64. */
function coef(f: FuncBuilder, d: Val): { s: Local; v: Local } {
  const s = f.local(F32),
    v = f.local(V128);
  f.set(s, demote(d));
  f.set(v, vsplat(s));
  return { s, v };
}

/**
 * x − mean in float32 without losing mean's low bits: mean split into hi (its float32) and
 * lo (the rest); x − hi is exact near the mean (Sterbenz), so a mean far from zero beside a
 * small spread keeps the reference's precision.
 */
function centered(f: FuncBuilder, mean: Val): { v: (x: Expr) => Expr; s: (x: Expr) => Expr } {
  const hi = coef(f, mean),
    lo = coef(f, dsub(mean, promote(hi.s)));
  return { v: (x) => vsub(vsub(x, hi.v), lo.v), s: (x) => fsub(fsub(x, hi.s), lo.s) };
}

function emitForward(m: ModuleBuilder): void {
  m.func('bn_fwd', [I32, I32, I32, I32, I32, I32], [], (f, [prm, c0, c1]) => {
    const p = fields(f, prm);
    const c = f.local(),
      st = f.local(),
      count = f.local(F64),
      eps = f.local(F64),
      mean = f.local(F64),
      mean2 = f.local(V128),
      d = f.local(F64),
      is = f.local(F64),
      v0 = f.local(V128),
      v1 = f.local(V128),
      sum = new Sum(f);
    f.set(count, i2d(mul(p.N, p.S)));
    f.set(eps, ld64f(prm, 4 * NORM.EPS));
    const sq = (pair: Expr): Expr => {
      const dv = dvsub(pair, mean2);
      return dvmul(dv, dv);
    };
    f.for(c, c0, c1, 1, () => {
      f.set(st, add(p.STATS, mul(c, 24)));
      f.if(p.BATCH, () => {
        sum.zero();
        eachRun(
          f,
          p,
          c,
          (o) => {
            load8(f, p.X, o, v0, v1);
            sum.add8(lo(v0), hi(v0), lo(v1), hi(v1));
          },
          (o) => sum.add1(x64(p.X, o)),
        );
        f.set(mean, ddiv(sum.total(), count));
        f.set(mean2, dvsplat(mean));
        sum.zero();
        eachRun(
          f,
          p,
          c,
          (o) => {
            load8(f, p.X, o, v0, v1);
            sum.add8(sq(lo(v0)), sq(hi(v0)), sq(lo(v1)), sq(hi(v1)));
          },
          (o) => {
            f.set(d, dsub(x64(p.X, o), mean));
            sum.add1(dmul(d, d));
          },
        );
        f.do(st64f(st, mean));
        f.do(st64f(st, ddiv(f64c(1), dsqrt(dadd(ddiv(sum.total(), count), eps))), 8));
        f.do(st64f(st, sum.total(), 16));
      });
      // y = (x − mean)·(invStd·γ) + β in float32
      f.set(is, ld64f(st, 8));
      const xc = centered(f, ld64f(st)),
        scale = coef(f, dmul(is, affine(f, p.GAMMA, c, 1))),
        shift = coef(f, affine(f, p.BETA, c, 0));
      const norm = (x: Expr): Expr => vadd(vmul(xc.v(x), scale.v), shift.v);
      eachRun(
        f,
        p,
        c,
        (o) => {
          f.do(vst(add(p.Y, o), norm(vld(add(p.X, o)))));
          f.do(vst(add(p.Y, o), norm(vld(add(p.X, o), 16)), 16));
        },
        (o) => f.do(st32f(add(p.Y, o), fadd(fmul(xc.s(ld32f(add(p.X, o))), scale.s), shift.s))),
      );
    });
  });
}

function emitBackward(m: ModuleBuilder): void {
  m.func('bn_bwd', [I32, I32, I32, I32, I32, I32], [], (f, [prm, c0, c1]) => {
    const p = fields(f, prm);
    const c = f.local(),
      count = f.local(F64),
      mean = f.local(F64),
      mean2 = f.local(V128),
      is = f.local(F64),
      gv = f.local(F64),
      g0 = f.local(V128),
      g1 = f.local(V128),
      x0 = f.local(V128),
      x1 = f.local(V128),
      sumG = new Sum(f),
      sumGX = new Sum(f),
      meanG = f.local(F64),
      k = f.local(F64),
      scale = f.local(F64);
    f.set(count, i2d(mul(p.N, p.S)));
    const gx = (g: Expr, x: Expr): Expr => dvmul(g, dvsub(x, mean2));
    f.for(c, c0, c1, 1, () => {
      f.set(mean, ld64f(add(p.STATS, mul(c, 24))));
      f.set(mean2, dvsplat(mean));
      f.set(is, ld64f(add(p.STATS, mul(c, 24)), 8));
      sumG.zero();
      sumGX.zero();
      eachRun(
        f,
        p,
        c,
        (o) => {
          load8(f, p.G, o, g0, g1);
          load8(f, p.X, o, x0, x1);
          sumG.add8(lo(g0), hi(g0), lo(g1), hi(g1));
          sumGX.add8(gx(lo(g0), lo(x0)), gx(hi(g0), hi(x0)), gx(lo(g1), lo(x1)), gx(hi(g1), hi(x1)));
        },
        (o) => {
          f.set(gv, x64(p.G, o));
          sumG.add1(gv);
          sumGX.add1(dmul(gv, dsub(x64(p.X, o), mean)));
        },
      );
      f.do(st64f(add(p.SUMS, shl(c, 4)), sumG.total()));
      f.do(st64f(add(p.SUMS, shl(c, 4)), sumGX.total(), 8));
      f.if(p.D, () => {
        f.set(scale, dmul(is, affine(f, p.GAMMA, c, 1)));
        f.if(
          p.BATCH,
          () => {
            // dx = (gy − mean(gy) − (x − mean)·k)·(invStd·γ) in float32
            f.set(meanG, ddiv(sumG.total(), count));
            f.set(k, dmul(dmul(ddiv(sumGX.total(), count), is), is));
            const mg = coef(f, meanG),
              xc = centered(f, mean),
              k32 = coef(f, k),
              s32 = coef(f, scale);
            const dx = (g: Expr, x: Expr): Expr => vmul(vsub(vsub(g, mg.v), vmul(xc.v(x), k32.v)), s32.v);
            eachRun(
              f,
              p,
              c,
              (o) => {
                f.do(vst(add(p.D, o), dx(vld(add(p.G, o)), vld(add(p.X, o)))));
                f.do(vst(add(p.D, o), dx(vld(add(p.G, o), 16), vld(add(p.X, o), 16)), 16));
              },
              (o) => {
                const g = ld32f(add(p.G, o)),
                  x = xc.s(ld32f(add(p.X, o)));
                f.do(st32f(add(p.D, o), fmul(fsub(fsub(g, mg.s), fmul(x, k32.s)), s32.s)));
              },
            );
          },
          () => {
            const s32 = coef(f, scale);
            eachRun(
              f,
              p,
              c,
              (o) => {
                f.do(vst(add(p.D, o), vmul(vld(add(p.G, o)), s32.v)));
                f.do(vst(add(p.D, o), vmul(vld(add(p.G, o), 16), s32.v), 16));
              },
              (o) => f.do(st32f(add(p.D, o), fmul(ld32f(add(p.G, o)), s32.s))),
            );
          },
        );
      });
    });
  });
}

export function emitNorm(m: ModuleBuilder): void {
  emitForward(m);
  emitBackward(m);
}
