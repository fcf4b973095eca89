// The two small Winograd transforms that run once per call, in wasm and split across threads
// (in JS on the calling thread they were 10–15% of a 2-thread step): the filter transform
// U = G·g·Gᵀ of every (output, input) channel pair, and the weight gradient's last step
// dW = Gᵀ·M·G. Fully unrolled from winograd.ts's matrices (float32; zero coefficients
// skipped, ±1 without a multiply).
import {
  add,
  ex,
  f32c,
  F32,
  fadd,
  fmul,
  fsub,
  I32,
  ld32f,
  ld32i,
  mul,
  shl,
  st32f,
  type Expr,
  type FuncBuilder,
  type Local,
  type ModuleBuilder,
} from './asm.ts';
import { WINOGRAD } from './winograd.ts';

/** Word indices of the parameter block of both tasks. */
export const WFT = {
  /** Source: the weights [cout][cin][r][r] (filter) or the summed products [α²][cout][cin] (dW). */
  SRC: 0,
  /** Destination: U [α²][M][K] (filter) or dW [cout][cin][r][r] (dW). */
  DST: 1,
  /** Filter: the GEMMs' rows M and depth K, the weights' cin, and 1 for dx (U from W[k][m] rotated). dW: M = cout, K = cin. */
  M: 2,
  K: 3,
  CIN: 4,
  DX: 5,
} as const;

export const WFT_TASKS = {
  filter: { 3: 'wino_filter3', 5: 'wino_filter5' },
  dw: { 3: 'wino_dwt3', 5: 'wino_dwt5' },
} as const;

/** Σ_j row[j]·x[j] for a constant row, as a scalar float32 expression. */
function linear(row: readonly number[], x: Local[]): Expr {
  let acc: Expr | null = null;
  row.forEach((c, j) => {
    if (c === 0) return;
    const term: Expr = c === 1 || c === -1 ? ex(x[j]) : fmul(x[j], f32c(Math.abs(c)));
    if (acc === null) acc = c < 0 ? fsub(f32c(0), term) : term;
    else acc = c < 0 ? fsub(acc, term) : fadd(acc, term);
  });
  return acc ?? f32c(0);
}

/** out = X·A·Xᵀ (X: p×q constants, A: q×q locals) as p×p fresh locals. */
function sandwich(f: FuncBuilder, X: readonly (readonly number[])[], A: Local[]): Local[] {
  const p = X.length,
    q = X[0].length;
  const tmp: Local[] = [];
  for (let i = 0; i < p; i++)
    for (let j = 0; j < q; j++) {
      const l = f.local(F32);
      f.set(
        l,
        linear(
          X[i],
          Array.from({ length: q }, (_, k) => A[k * q + j]),
        ),
      );
      tmp.push(l);
    }
  const out: Local[] = [];
  for (let i = 0; i < p; i++)
    for (let j = 0; j < p; j++) {
      const l = f.local(F32);
      f.set(
        l,
        linear(
          X[j],
          Array.from({ length: q }, (_, k) => tmp[i * q + k]),
        ),
      );
      out.push(l);
    }
  return out;
}

const transpose = (m: readonly (readonly number[])[]): number[][] => m[0].map((_, j) => m.map((row) => row[j]));

/** wino_filter{r}(params, m0, m1): U[ξ][m][k] = (G·g·Gᵀ)[ξ] for rows m of [m0, m1). */
function emitFilter(mb: ModuleBuilder, r: 3 | 5): void {
  const { G } = WINOGRAD[r],
    rr = r * r,
    pts = (r + 1) * (r + 1);
  mb.func(WFT_TASKS.filter[r], [I32, I32, I32, I32, I32, I32], [], (f, [prm, m0, m1]) => {
    const w = (i: number) => ld32i(prm, 4 * i);
    const m = f.local(),
      k = f.local(),
      src = f.local(),
      dst = f.local(),
      plane = f.local();
    const g = Array.from({ length: rr }, () => f.local(F32));
    f.set(plane, shl(mul(w(WFT.M), w(WFT.K)), 2));
    f.for(m, m0, m1, 1, () =>
      f.for(k, 0, w(WFT.K), 1, () => {
        // g = W[m][k] (forward) or W[k][m] rotated by 180° (dx): the same reads in reverse
        f.if(
          w(WFT.DX),
          () => {
            f.set(src, add(w(WFT.SRC), shl(mul(add(mul(k, w(WFT.CIN)), m), rr), 2)));
            for (let i = 0; i < rr; i++) f.set(g[i], ld32f(src, 4 * (rr - 1 - i)));
          },
          () => {
            f.set(src, add(w(WFT.SRC), shl(mul(add(mul(m, w(WFT.CIN)), k), rr), 2)));
            for (let i = 0; i < rr; i++) f.set(g[i], ld32f(src, 4 * i));
          },
        );
        const u = sandwich(f, G, g);
        f.set(dst, add(w(WFT.DST), shl(add(mul(m, w(WFT.K)), k), 2)));
        for (let x = 0; x < pts; x++) {
          f.do(st32f(dst, u[x]));
          if (x < pts - 1) f.set(dst, add(dst, plane));
        }
      }),
    );
  });
}

/** wino_dwt{r}(params, o0, o1): dW[o][c] = Gᵀ·M[·][o][c]·G for outputs o of [o0, o1). */
function emitDw(mb: ModuleBuilder, r: 3 | 5): void {
  const GT = transpose(WINOGRAD[r].G),
    rr = r * r,
    pts = (r + 1) * (r + 1);
  mb.func(WFT_TASKS.dw[r], [I32, I32, I32, I32, I32, I32], [], (f, [prm, o0, o1]) => {
    const w = (i: number) => ld32i(prm, 4 * i);
    const o = f.local(),
      c = f.local(),
      src = f.local(),
      dst = f.local(),
      plane = f.local();
    const mv = Array.from({ length: pts }, () => f.local(F32));
    f.set(plane, shl(mul(w(WFT.M), w(WFT.K)), 2));
    f.for(o, o0, o1, 1, () =>
      f.for(c, 0, w(WFT.K), 1, () => {
        f.set(src, add(w(WFT.SRC), shl(add(mul(o, w(WFT.K)), c), 2)));
        for (let x = 0; x < pts; x++) {
          f.set(mv[x], ld32f(src));
          if (x < pts - 1) f.set(src, add(src, plane));
        }
        const d = sandwich(f, GT, mv);
        f.set(dst, add(w(WFT.DST), shl(mul(add(mul(o, w(WFT.K)), c), rr), 2)));
        for (let i = 0; i < rr; i++) f.do(st32f(dst, d[i], 4 * i));
      }),
    );
  });
}

export function emitWinogradFilters(mb: ModuleBuilder): void {
  for (const r of [3, 5] as const) {
    emitFilter(mb, r);
    emitDw(mb, r);
  }
}
