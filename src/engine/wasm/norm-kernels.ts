// WASM BatchNorm over a range of channels, the reference loops of
// src/engine/kernels/batch-norm.ts operation for operation in float64 (the same sums in the
// same order, the same rounding to float32), so the results are the reference's exactly.
import {
  add,
  dadd,
  ddiv,
  demote,
  dmul,
  dsqrt,
  dsub,
  f64c,
  F64,
  I32,
  i2d,
  ld32f,
  ld32i,
  ld64f,
  lt,
  mul,
  promote,
  shl,
  st32f,
  st64f,
  type FuncBuilder,
  type Local,
  type ModuleBuilder,
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

/** body(o) for the byte offset o of every element of channel c, image by image, in order. */
function eachOfChannel(f: FuncBuilder, p: Fields, c: Local, body: (o: Local) => void): void {
  const n = f.local(),
    o = f.local(),
    e = f.local();
  f.for(n, 0, p.N, 1, () => {
    f.set(o, shl(mul(add(mul(n, p.C), c), p.S), 2));
    f.set(e, add(o, shl(p.S, 2)));
    f.while(
      () => lt(o, e),
      () => {
        body(o);
        f.set(o, add(o, 4));
      },
    );
  });
}

/** γ[c] (1 when absent) and β[c] (0) as float64. */
function affine(f: FuncBuilder, ptr: Local, c: Local, dflt: number): Local {
  const v = f.local(F64);
  f.set(v, f64c(dflt));
  f.if(ptr, () => f.set(v, promote(ld32f(add(ptr, shl(c, 2))))));
  return v;
}

const x64 = (base: Local, o: Local) => promote(ld32f(add(base, o)));

function emitForward(m: ModuleBuilder): void {
  m.func('bn_fwd', [I32, I32, I32, I32, I32, I32], [], (f, [prm, c0, c1]) => {
    const p = fields(f, prm);
    const c = f.local(),
      st = f.local(),
      count = f.local(F64),
      eps = f.local(F64),
      sum = f.local(F64),
      mean = f.local(F64),
      d = f.local(F64),
      is = f.local(F64);
    f.set(count, i2d(mul(p.N, p.S)));
    f.set(eps, ld64f(prm, 4 * NORM.EPS));
    f.for(c, c0, c1, 1, () => {
      f.set(st, add(p.STATS, mul(c, 24)));
      f.if(p.BATCH, () => {
        f.set(sum, f64c(0));
        eachOfChannel(f, p, c, (o) => f.set(sum, dadd(sum, x64(p.X, o))));
        f.set(mean, ddiv(sum, count));
        f.set(sum, f64c(0));
        eachOfChannel(f, p, c, (o) => {
          f.set(d, dsub(x64(p.X, o), mean));
          f.set(sum, dadd(sum, dmul(d, d)));
        });
        f.do(st64f(st, mean));
        f.do(st64f(st, ddiv(f64c(1), dsqrt(dadd(ddiv(sum, count), eps))), 8));
        f.do(st64f(st, sum, 16));
      });
      f.set(mean, ld64f(st));
      f.set(is, ld64f(st, 8));
      const g = affine(f, p.GAMMA, c, 1),
        sh = affine(f, p.BETA, c, 0);
      eachOfChannel(f, p, c, (o) =>
        f.do(st32f(add(p.Y, o), demote(dadd(dmul(dmul(dsub(x64(p.X, o), mean), is), g), sh)))),
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
      is = f.local(F64),
      gv = f.local(F64),
      sumG = f.local(F64),
      sumGX = f.local(F64),
      meanG = f.local(F64),
      k = f.local(F64);
    f.set(count, i2d(mul(p.N, p.S)));
    f.for(c, c0, c1, 1, () => {
      f.set(mean, ld64f(add(p.STATS, mul(c, 24))));
      f.set(is, ld64f(add(p.STATS, mul(c, 24)), 8));
      f.set(sumG, f64c(0));
      f.set(sumGX, f64c(0));
      eachOfChannel(f, p, c, (o) => {
        f.set(gv, x64(p.G, o));
        f.set(sumG, dadd(sumG, gv));
        f.set(sumGX, dadd(sumGX, dmul(gv, dsub(x64(p.X, o), mean))));
      });
      f.do(st64f(add(p.SUMS, shl(c, 4)), sumG));
      f.do(st64f(add(p.SUMS, shl(c, 4)), sumGX, 8));
      f.if(p.D, () => {
        const g = affine(f, p.GAMMA, c, 1);
        f.if(
          p.BATCH,
          () => {
            f.set(meanG, ddiv(sumG, count));
            f.set(k, dmul(dmul(ddiv(sumGX, count), is), is));
            eachOfChannel(f, p, c, (o) =>
              f.do(
                st32f(
                  add(p.D, o),
                  demote(dmul(dmul(dsub(dsub(x64(p.G, o), meanG), dmul(dsub(x64(p.X, o), mean), k)), is), g)),
                ),
              ),
            );
          },
          () => eachOfChannel(f, p, c, (o) => f.do(st32f(add(p.D, o), demote(dmul(dmul(x64(p.G, o), g), is))))),
        );
      });
    });
  });
}

export function emitNorm(m: ModuleBuilder): void {
  emitForward(m);
  emitBackward(m);
}
