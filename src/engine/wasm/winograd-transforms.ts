// Winograd tile transforms as generated SIMD code, shared by the forward (winograd-kernels.ts)
// and the weight gradient (winograd-dw-kernels.ts): constant-matrix products over f32x4
// values (four tiles per vector), the input transform Bᵀ·d·B of four horizontally adjacent
// tiles read from a zero-bordered plane, and stores of a tile's α² points.
import {
  add,
  ex,
  f32c,
  ld32f,
  le,
  lt,
  mul,
  shl,
  st32f,
  vzero,
  V128,
  vadd,
  vld,
  vmul,
  vshuffle,
  vsplat,
  vst,
  vsub,
  type Expr,
  type FuncBuilder,
  type Local,
  type Val,
} from './asm.ts';

/** out_i = Σ_j m[i][j]·in_j for constant m, as expressions; ±1 coefficients cost no multiply. */
export function combine(m: readonly (readonly number[])[], ins: Val[], k: (c: number) => Local): Expr[] {
  return m.map((row) => {
    let acc: Expr | null = null;
    const neg: Val[] = [];
    row.forEach((c, j) => {
      if (c === 0) return;
      const term = c === 1 || c === -1 ? ins[j] : vmul(ins[j], k(Math.abs(c)));
      if (c < 0) neg.push(term);
      else acc = acc ? vadd(acc, term) : ex(term);
    });
    let out: Expr = acc ?? vsub(k(0), neg.shift()!);
    for (const t of neg) out = vsub(out, t);
    return out;
  });
}

/** Sets fresh locals to exprs (so each is computed once), returning them. */
export function keep(f: FuncBuilder, exprs: Expr[]): Local[] {
  return exprs.map((e) => {
    const l = f.local(V128);
    f.set(l, e);
    return l;
  });
}

/** Vector-zeroes n floats (rounded up to 4) at dst. */
export function zeroFloats(f: FuncBuilder, dst: Val, n: Val, i: Local): void {
  f.for(i, 0, shl(n, 2), 16, () => f.do(vst(add(dst, i), vzero())));
}

/** dst[0..n) = src[0..n) (byte pointers), four at a time then one at a time: nothing past dst + 4n. */
export function copyFloats(f: FuncBuilder, dst: Local, src: Local, n: Val, j: Local): void {
  f.set(j, 0);
  f.while(
    () => le(add(j, 4), n),
    () => {
      f.do(vst(add(dst, shl(j, 2)), vld(add(src, shl(j, 2)))));
      f.set(j, add(j, 4));
    },
  );
  f.while(
    () => lt(j, n),
    () => {
      f.do(st32f(add(dst, shl(j, 2)), ld32f(add(src, shl(j, 2)))));
      f.set(j, add(j, 1));
    },
  );
}

/** Scratch locals of copyIntoPlanes. */
export interface PlaneLocals {
  c: Local;
  y: Local;
  src: Local;
  dst: Local;
  j: Local;
}

/**
 * Copies `planes` planes of h×w floats from image (byte address of its first plane) into
 * zero-bordered planes of hp×wp floats at dst, each at row top and column left. The borders
 * are left as they are: zero them once (zeroFloats), every image rewrites the same interior.
 */
export function copyIntoPlanes(
  f: FuncBuilder,
  image: Val,
  planes: Val,
  h: Val,
  w: Val,
  dst: Val,
  p: { hp: Val; wp: Val; top: Val; left: Val },
  l: PlaneLocals,
): void {
  f.for(l.c, 0, planes, 1, () =>
    f.for(l.y, 0, h, 1, () => {
      f.set(l.src, add(image, shl(mul(add(mul(l.c, h), l.y), w), 2)));
      f.set(l.dst, add(dst, shl(add(mul(add(mul(l.c, p.hp), add(l.y, p.top)), p.wp), p.left), 2)));
      copyFloats(f, l.dst, l.src, w, l.j);
    }),
  );
}

/** Splat constants as locals set once (V8 would otherwise rematerialize them in the loops). */
export function constPool(f: FuncBuilder, matrices: readonly (readonly (readonly number[])[])[]): (v: number) => Local {
  const consts = new Map<number, Local>();
  const k = (v: number): Local => {
    let l = consts.get(v);
    if (!l) {
      l = f.local(V128);
      f.set(l, vsplat(f32c(v)));
      consts.set(v, l);
    }
    return l;
  };
  for (const m of matrices) for (const row of m) for (const v of row) k(Math.abs(v));
  k(0);
  return k;
}

/**
 * Bᵀ·d·B for four horizontally adjacent α×α tiles (stride 2) of a plane: src is the first
 * tile's top-left float (advanced row by row: it ends on the last row), rowBytes the plane's
 * row stride; the α² points go to p, p + stride, … in ξ = ξr·α + ξq order (p advances too).
 * Reads 2·t0 + α + 6 floats per row: the plane needs that many columns.
 */
export function inputTransform(
  f: FuncBuilder,
  BT: readonly (readonly number[])[],
  k: (v: number) => Local,
  src: Local,
  rowBytes: Val,
  p: Local,
  stride: Val,
): void {
  const alpha = BT.length,
    rows: Local[][] = [];
  for (let rr = 0; rr < alpha; rr++) {
    // tile j's column q is float 2j + q: the even (odd) lanes of the 8 floats from float q (q − 1)
    if (rr > 0) f.set(src, add(src, rowBytes));
    const loads = new Map<number, Local>();
    const at = (bytes: number): Local => {
      let l = loads.get(bytes);
      if (!l) {
        l = f.local(V128);
        f.set(l, vld(src, bytes));
        loads.set(bytes, l);
      }
      return l;
    };
    const d: Expr[] = [];
    for (let q = 0; q < alpha; q++) {
      const base = 8 * (q >> 1);
      d.push(vshuffle(at(base), at(base + 16), q & 1 ? [1, 3, 5, 7] : [0, 2, 4, 6]));
    }
    // along the row: t[rr][ξq] = Σ_q Bᵀ[ξq][q]·d[q]
    rows.push(keep(f, combine(BT, keep(f, d), k)));
  }
  // down the columns: V[ξr][ξq] = Σ_rr Bᵀ[ξr][rr]·t[rr][ξq]
  const out: Local[][] = [];
  for (let q = 0; q < alpha; q++)
    out.push(
      keep(
        f,
        combine(
          BT,
          rows.map((row) => row[q]),
          k,
        ),
      ),
    );
  storePoints(f, alpha, (xr, q) => out[q][xr], p, stride);
}

/** Stores point ξ = xr·α + q at p + ξ·stride, in ξ order (p advances: one add per store). */
export function storePoints(
  f: FuncBuilder,
  alpha: number,
  value: (xr: number, q: number) => Local,
  p: Local,
  stride: Val,
): void {
  for (let xr = 0; xr < alpha; xr++) {
    for (let q = 0; q < alpha; q++) {
      f.do(vst(p, value(xr, q)));
      if (xr * alpha + q < alpha * alpha - 1) f.set(p, add(p, stride));
    }
  }
}
