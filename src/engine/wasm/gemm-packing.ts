// Packing for the WASM SIMD GEMM (gemm-kernels.ts): A into panels of MR rows and B into
// panels of NR columns, k-major, zero-filled past M and N, with in-register 4×4 transposes
// where the source runs along the wrong axis.
import {
  add,
  and,
  divs,
  eq,
  f32c,
  I32,
  ld32f,
  le,
  lt,
  mul,
  shl,
  st32f,
  V128,
  vld,
  vshuffle,
  vst,
  type Expr,
  type FuncBuilder,
  type Local,
  type ModuleBuilder,
  type Val,
} from './asm.ts';
import type { GemmShape } from './gemm-kernels.ts';

/**
 * In-register 4×4 transpose: rows r[0..3] (4 consecutive k each) become columns, so out[j]
 * holds element j of every row — one packed k step of a 4-row panel.
 */
function transpose4(f: FuncBuilder, r: Local[], t: Local[]): void {
  f.set(t[0], vshuffle(r[0], r[1], [0, 4, 1, 5]));
  f.set(t[1], vshuffle(r[2], r[3], [0, 4, 1, 5]));
  f.set(t[2], vshuffle(r[0], r[1], [2, 6, 3, 7]));
  f.set(t[3], vshuffle(r[2], r[3], [2, 6, 3, 7]));
  f.set(r[0], vshuffle(t[0], t[1], [0, 1, 4, 5]));
  f.set(r[1], vshuffle(t[0], t[1], [2, 3, 6, 7]));
  f.set(r[2], vshuffle(t[2], t[3], [0, 1, 4, 5]));
  f.set(r[3], vshuffle(t[2], t[3], [2, 3, 6, 7]));
}

/**
 * Copies a 4-wide strip: element (j, k) at src + 4·(j·js + k) (j < 4, k contiguous) to
 * dst + 4·j + k·dstep bytes, for k in [0, K) — four k at a time through transpose4.
 */
function strip4(f: FuncBuilder, src: Local, js: Local, K: Val, dst: Local, dstep: number): void {
  const p = [f.local(), f.local(), f.local(), f.local()],
    r = [0, 1, 2, 3].map(() => f.local(V128));
  const t = [0, 1, 2, 3].map(() => f.local(V128)),
    k = f.local(),
    d = f.local(),
    jsb = f.local();
  f.set(jsb, shl(js, 2));
  f.set(p[0], src);
  for (let j = 1; j < 4; j++) f.set(p[j], add(p[j - 1], jsb));
  f.set(d, dst);
  f.set(k, 0);
  f.while(
    () => le(add(k, 4), K),
    () => {
      for (let j = 0; j < 4; j++) f.set(r[j], vld(add(p[j], shl(k, 2))));
      transpose4(f, r, t);
      for (let j = 0; j < 4; j++) f.do(vst(d, r[j], j * dstep));
      f.set(d, add(d, 4 * dstep));
      f.set(k, add(k, 4));
    },
  );
  f.while(
    () => lt(k, K),
    () => {
      for (let j = 0; j < 4; j++) f.do(st32f(d, ld32f(add(p[j], shl(k, 2))), 4 * j));
      f.set(d, add(d, dstep));
      f.set(k, add(k, 1));
    },
  );
}

/** pack_a(src, rs, cs, M, K, dst): Ap panels of MR rows, A(m, k) at src + 4·(m·rs + k·cs). */
export function packA(m: ModuleBuilder, s: GemmShape): number {
  const { mr } = s;
  return m.func(
    'pack_a',
    [I32, I32, I32, I32, I32, I32],
    [],
    (f, [src, rs, cs, M, K, dst]) => {
      const ip = f.local(),
        r = f.local(),
        row = f.local(),
        k = f.local(),
        p = f.local(),
        d = f.local();
      const panels = f.local(),
        csb = f.local(),
        full = f.local();
      f.set(panels, divCeil(M, mr));
      f.set(csb, shl(cs, 2));
      f.for(ip, 0, panels, 1, () => {
        f.set(d, add(dst, shl(mul(mul(ip, mr), K), 2)));
        f.set(full, le(mul(add(ip, 1), mr), M));
        if (mr === 4) {
          // rows contiguous along k: 4×4 transposes; columns contiguous (rs = 1): one vector per k
          f.if(
            and(full, eq(cs, 1)),
            () => {
              f.set(p, add(src, shl(mul(mul(ip, mr), rs), 2)));
              strip4(f, p, rs, K, d, 16);
            },
            () =>
              f.if(
                and(full, eq(rs, 1)),
                () => {
                  f.set(p, add(src, shl(mul(ip, mr), 2)));
                  f.for(k, 0, K, 1, () => {
                    f.do(vst(d, vld(p)));
                    f.set(p, add(p, csb));
                    f.set(d, add(d, 16));
                  });
                },
                () => packAGeneric(f, s, { src, rs, M, K, dst, ip, r, row, k, p, d, csb }),
              ),
          );
        } else {
          packAGeneric(f, s, { src, rs, M, K, dst, ip, r, row, k, p, d, csb });
        }
      });
    },
    false,
  );
}

interface PackALocals {
  src: Local;
  rs: Local;
  M: Local;
  K: Local;
  dst: Local;
  ip: Local;
  r: Local;
  row: Local;
  k: Local;
  p: Local;
  d: Local;
  csb: Local;
}

function packAGeneric(f: FuncBuilder, s: GemmShape, l: PackALocals): void {
  const { mr } = s,
    { src, rs, M, K, dst, ip, r, row, k, p, d, csb } = l;
  f.for(r, 0, mr, 1, () => {
    f.set(row, add(mul(ip, mr), r));
    f.set(d, add(dst, shl(add(mul(mul(ip, mr), K), r), 2)));
    f.if(
      lt(row, M),
      () => {
        f.set(p, add(src, shl(mul(row, rs), 2)));
        f.for(k, 0, K, 1, () => {
          f.do(st32f(d, ld32f(p)));
          f.set(p, add(p, csb));
          f.set(d, add(d, mr * 4));
        });
      },
      () => {
        f.for(k, 0, K, 1, () => {
          f.do(st32f(d, f32c(0)));
          f.set(d, add(d, mr * 4));
        });
      },
    );
  });
}

/** pack_b(src, rs, cs, K, N, dst): Bp panels of NR columns, B(k, n) at src + 4·(k·rs + n·cs). */
export function packB(m: ModuleBuilder, s: GemmShape): number {
  const { nr } = s,
    nv = nr / 4;
  return m.func(
    'pack_b',
    [I32, I32, I32, I32, I32, I32],
    [],
    (f, [src, rs, cs, K, N, dst]) => {
      const jp = f.local(),
        c = f.local(),
        col = f.local(),
        k = f.local(),
        p = f.local(),
        d = f.local();
      const panels = f.local(),
        rsb = f.local(),
        full = f.local(),
        q = f.local(),
        dq = f.local();
      f.set(panels, divCeil(N, nr));
      f.set(rsb, shl(rs, 2));
      f.for(jp, 0, panels, 1, () => {
        f.set(d, add(dst, shl(mul(mul(jp, nr), K), 2)));
        f.set(full, le(mul(add(jp, 1), nr), N));
        // rows contiguous along n: NR floats per k with vector copies
        f.if(
          and(full, eq(cs, 1)),
          () => {
            f.set(p, add(src, shl(mul(jp, nr), 2)));
            f.for(k, 0, K, 1, () => {
              for (let v = 0; v < nv; v++) f.do(vst(d, vld(p, 16 * v), 16 * v));
              f.set(p, add(p, rsb));
              f.set(d, add(d, nr * 4));
            });
          },
          () =>
            f.if(
              and(full, eq(rs, 1)),
              () => {
                // columns contiguous along k (B stored transposed): 4×4 transposes, 4 columns at a time
                for (let v = 0; v < nv; v++) {
                  f.set(q, add(src, shl(mul(add(mul(jp, nr), 4 * v), cs), 2)));
                  f.set(dq, add(d, 16 * v));
                  strip4(f, q, cs, K, dq, nr * 4);
                }
              },
              () => {
                f.for(c, 0, nr, 1, () => {
                  f.set(col, add(mul(jp, nr), c));
                  f.set(d, add(dst, shl(add(mul(mul(jp, nr), K), c), 2)));
                  f.if(
                    lt(col, N),
                    () => {
                      f.set(p, add(src, shl(mul(col, cs), 2)));
                      f.for(k, 0, K, 1, () => {
                        f.do(st32f(d, ld32f(p)));
                        f.set(p, add(p, rsb));
                        f.set(d, add(d, nr * 4));
                      });
                    },
                    () => {
                      f.for(k, 0, K, 1, () => {
                        f.do(st32f(d, f32c(0)));
                        f.set(d, add(d, nr * 4));
                      });
                    },
                  );
                });
              },
            ),
        );
      });
    },
    false,
  );
}

export function divCeil(a: Val, b: number): Expr {
  return divs(add(a, b - 1), b);
}
