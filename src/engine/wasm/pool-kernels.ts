// WASM MaxPool2d over a range of planes, the same rules as src/engine/layers/max-pool2d.ts:
// the FIRST largest element wins, a NaN always wins (the last NaN of the window), an all
// -inf window points at its first in-bounds element; backward routes each output's
// gradient to that index.
import {
  add,
  and,
  F32,
  f32c,
  fadd,
  feq,
  fgt,
  I32,
  iadd4,
  imin,
  isplat,
  ld32f,
  ld32i,
  lt,
  mul,
  or,
  shl,
  st32f,
  st32i,
  sub,
  eqz,
  V128,
  vconsti,
  vgt,
  vld,
  vne,
  vor,
  vselect,
  vshuffle,
  vst,
  type FuncBuilder,
  type Local,
  type ModuleBuilder,
} from './asm.ts';

/** Word indices of the pool parameter block. */
export const POOL = {
  X: 0,
  Y: 1,
  IDX: 2,
  H: 3,
  W: 4,
  OH: 5,
  OW: 6,
  KH: 7,
  KW: 8,
  SH: 9,
  SW: 10,
  PH: 11,
  PW: 12,
  DH: 13,
  DW: 14,
  GY: 15,
  DX: 16,
} as const;
export const POOL_WORDS = 17;

function fields(f: FuncBuilder, prm: Local, names: (keyof typeof POOL)[]): Local[] {
  return names.map((n) => {
    const l = f.local();
    f.set(l, ld32i(prm, 4 * POOL[n]));
    return l;
  });
}

/** max_pool_fwd(params, p0, p1): y and the argmax (index within the plane) for planes [p0, p1). */
function emitForward(m: ModuleBuilder): number {
  return m.func('max_pool_fwd', [I32, I32, I32, I32, I32, I32], [], (f, [prm, p0, p1]) => {
    const [X, Y, IDX, h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw] = fields(f, prm, [
      'X',
      'Y',
      'IDX',
      'H',
      'W',
      'OH',
      'OW',
      'KH',
      'KW',
      'SH',
      'SW',
      'PH',
      'PW',
      'DH',
      'DW',
    ]);
    const plane = f.local(),
      base = f.local(),
      o = f.local(),
      oy = f.local(),
      ox = f.local();
    const y0 = f.local(),
      y1 = f.local(),
      x0 = f.local(),
      x1 = f.local(),
      yy = f.local(),
      xx = f.local(),
      at = f.local();
    const best = f.local(F32),
      v = f.local(F32);
    f.for(plane, p0, p1, 1, () => {
      f.set(base, add(X, shl(mul(mul(plane, h), w), 2)));
      f.set(o, mul(mul(plane, oh), ow));
      f.for(oy, 0, oh, 1, () => {
        f.set(y0, sub(mul(oy, sh), ph));
        f.set(y1, imin(add(y0, add(mul(sub(kh, 1), dh), 1)), h));
        f.while(
          () => lt(y0, 0),
          () => f.set(y0, add(y0, dh)),
        );
        f.for(ox, 0, ow, 1, () => {
          f.set(x0, sub(mul(ox, sw), pw));
          f.set(x1, imin(add(x0, add(mul(sub(kw, 1), dw), 1)), w));
          f.while(
            () => lt(x0, 0),
            () => f.set(x0, add(x0, dw)),
          );
          f.set(best, f32c(-Infinity));
          f.set(at, add(mul(y0, w), x0));
          f.for(yy, y0, y1, dh, () =>
            f.for(xx, x0, x1, dw, () => {
              f.set(v, ld32f(add(base, shl(add(mul(yy, w), xx), 2))));
              // v ≠ v: NaN propagates, as std::isnan in ATen
              f.if(or(fgt(v, best), eqz(feq(v, v))), () => {
                f.set(best, v);
                f.set(at, add(mul(yy, w), xx));
              });
            }),
          );
          f.do(st32f(add(Y, shl(o, 2)), best));
          f.do(st32i(add(IDX, shl(o, 2)), at));
          f.set(o, add(o, 1));
        });
      });
    });
  });
}

/** max_pool_bwd(params, p0, p1): dx = 0, then dx[idx[o]] += dy[o], for planes [p0, p1). */
function emitBackward(m: ModuleBuilder): number {
  return m.func('max_pool_bwd', [I32, I32, I32, I32, I32, I32], [], (f, [prm, p0, p1]) => {
    const [IDX, h, w, oh, ow, GY, DX] = fields(f, prm, ['IDX', 'H', 'W', 'OH', 'OW', 'GY', 'DX']);
    const plane = f.local(),
      base = f.local(),
      k = f.local(),
      o = f.local(),
      per = f.local(),
      hw = f.local(),
      a = f.local();
    f.set(per, mul(oh, ow));
    f.set(hw, mul(h, w));
    f.for(plane, p0, p1, 1, () => {
      f.set(base, add(DX, shl(mul(plane, hw), 2)));
      f.for(k, 0, hw, 1, () => f.do(st32f(add(base, shl(k, 2)), f32c(0))));
      f.set(o, mul(plane, per));
      f.for(k, 0, per, 1, () => {
        f.set(a, add(base, shl(ld32i(add(IDX, shl(o, 2))), 2)));
        f.do(st32f(a, fadd(ld32f(a), ld32f(add(GY, shl(o, 2))))));
        f.set(o, add(o, 1));
      });
    });
  });
}

/**
 * max_pool2x2_fwd(params, p0, p1): kernel 2, stride 2, no padding or dilation, every window
 * inside the input (the host checks) — four outputs per step. Window order (0,0) (0,1) (1,0)
 * (1,1); a later element wins when it is larger or NaN, exactly the generic rule.
 */
function emit2x2(m: ModuleBuilder): number {
  return m.func('max_pool2x2_fwd', [I32, I32, I32, I32, I32, I32], [], (f, [prm, p0, p1]) => {
    const [X, Y, IDX, h, w, oh, ow] = fields(f, prm, ['X', 'Y', 'IDX', 'H', 'W', 'OH', 'OW']);
    const plane = f.local(),
      r0 = f.local(),
      r1 = f.local(),
      o = f.local(),
      oy = f.local(),
      ox = f.local(),
      at = f.local();
    const v = [0, 1, 2, 3].map(() => f.local(V128)),
      best = f.local(V128),
      idx = f.local(V128),
      base = f.local(V128),
      mk = f.local(V128);
    const ow4 = f.local(),
      sb = f.local(F32),
      sv = f.local(F32),
      k = f.local();
    f.set(ow4, and(ow, -4));
    f.for(plane, p0, p1, 1, () =>
      f.for(oy, 0, oh, 1, () => {
        f.set(r0, add(X, shl(mul(add(mul(plane, h), shl(oy, 1)), w), 2)));
        f.set(r1, add(r0, shl(w, 2)));
        f.set(o, mul(add(mul(plane, oh), oy), ow));
        f.for(ox, 0, ow4, 4, () => {
          const a = add(r0, shl(ox, 3)),
            b = add(r1, shl(ox, 3));
          f.set(v[0], vld(a));
          f.set(v[1], vld(a, 16));
          f.set(v[2], vld(b));
          f.set(v[3], vld(b, 16));
          // window element (0,0)…(1,1) of four neighbouring outputs, and its index in the plane
          f.set(base, iadd4(isplat(add(mul(shl(oy, 1), w), shl(ox, 1))), vconsti([0, 2, 4, 6])));
          f.set(best, vshuffle(v[0], v[1], [0, 2, 4, 6]));
          f.set(idx, base);
          const take = (val: number[], offset: number[]) => {
            f.set(mk, vor(vgt(val, best), vne(val, val)));
            f.set(best, vselect(val, best, mk));
            f.set(idx, vselect(iadd4(base, offset), idx, mk));
          };
          take(vshuffle(v[0], v[1], [1, 3, 5, 7]), vconsti([1, 1, 1, 1]));
          take(vshuffle(v[2], v[3], [0, 2, 4, 6]), isplat(w));
          take(vshuffle(v[2], v[3], [1, 3, 5, 7]), isplat(add(w, 1)));
          f.do(vst(add(Y, shl(add(o, ox), 2)), best));
          f.do(vst(add(IDX, shl(add(o, ox), 2)), idx));
        });
        f.for(ox, ow4, ow, 1, () => {
          f.set(at, add(mul(shl(oy, 1), w), shl(ox, 1)));
          f.set(sb, ld32f(add(r0, shl(ox, 3))));
          f.set(k, at);
          const scalar = (addr: number[], i: number[]) => {
            f.set(sv, ld32f(addr));
            f.if(or(fgt(sv, sb), eqz(feq(sv, sv))), () => {
              f.set(sb, sv);
              f.set(k, i);
            });
          };
          scalar(add(r0, add(shl(ox, 3), 4)), add(at, 1));
          scalar(add(r1, shl(ox, 3)), add(at, w));
          scalar(add(r1, add(shl(ox, 3), 4)), add(add(at, w), 1));
          f.do(st32f(add(Y, shl(add(o, ox), 2)), sb));
          f.do(st32i(add(IDX, shl(add(o, ox), 2)), k));
        });
      }),
    );
  });
}

export interface PoolFuncs {
  maxForward: number;
  maxBackward: number;
  max2x2: number;
}

export function emitPool(m: ModuleBuilder): PoolFuncs {
  return { maxForward: emitForward(m), maxBackward: emitBackward(m), max2x2: emit2x2(m) };
}
