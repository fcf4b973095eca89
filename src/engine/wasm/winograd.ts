// Winograd F(2, r) for Conv2d on the wasm backend: the transform matrices (Cook–Toom on the
// points 0, ±1 (, ±2) and ∞; checked against direct correlation in the unit tests), which
// convolutions take the Winograd weight gradient, and its last step on the host.
import type { ConvShape } from '../backend.ts';
import { zeroPadding } from './conv-transpose.ts';

export interface WinogradMatrices {
  /** 2×α: output transform of the forward (y = Aᵀ[(G·g) ⊙ (Bᵀ·d)]). */
  AT: number[][];
  /** α×r: filter transform. */
  G: number[][];
  /** α×α: input transform. */
  BT: number[][];
}

export const WINOGRAD: Record<3 | 5, WinogradMatrices> = {
  3: {
    AT: [
      [1, 1, 1, 0],
      [0, 1, -1, 1],
    ],
    G: [
      [-1, 0, 0],
      [1 / 2, 1 / 2, 1 / 2],
      [1 / 2, -1 / 2, 1 / 2],
      [0, 0, 1],
    ],
    BT: [
      [-1, 0, 1, 0],
      [0, 1, 1, 0],
      [0, -1, 1, 0],
      [0, -1, 0, 1],
    ],
  },
  5: {
    AT: [
      [1, 1, 1, 1, 1, 0],
      [0, 1, -1, 2, -2, 1],
    ],
    G: [
      [1 / 4, 0, 0, 0, 0],
      [-1 / 6, -1 / 6, -1 / 6, -1 / 6, -1 / 6],
      [-1 / 6, 1 / 6, -1 / 6, 1 / 6, -1 / 6],
      [1 / 24, 1 / 12, 1 / 6, 1 / 3, 2 / 3],
      [1 / 24, -1 / 12, 1 / 6, -1 / 3, 2 / 3],
      [0, 0, 0, 0, 1],
    ],
    BT: [
      [4, 0, -5, 0, 1, 0],
      [0, -4, -4, 1, 1, 0],
      [0, 4, -4, -1, 1, 0],
      [0, -2, -1, 2, 1, 0],
      [0, 2, -1, -2, 1, 0],
      [0, 4, 0, -5, 0, 1],
    ],
  },
};

export interface WinogradDw {
  r: 3 | 5;
  top: number;
  left: number;
  /** Tile rows ⌈oh/2⌉ and tile columns ⌈ow/2⌉ rounded up to 4. */
  th: number;
  tw4: number;
}

/**
 * The Winograd weight gradient's plan for s, or null where it does not apply (groups,
 * stride, dilation, non-zero padding modes, kernels other than 3×3 and 5×5) or does not
 * pay: few channels leave the GEMMs too thin for the transforms' cost.
 */
export function winogradDwPlan(s: ConvShape): WinogradDw | null {
  const g = s.geo;
  if (s.groups !== 1 || s.pointwise || g.kh !== g.kw || (g.kh !== 3 && g.kh !== 5)) return null;
  // measured (batch 64, one thread, CPU ms): 3×3 8→8 at 32×32 3.5 against im2col's 4.6, 16→16 7.2 against 10.6;
  // below 8 channels the transforms outweigh the GEMM they save
  if (Math.min(s.cin, s.cout) < 8) return null;
  const pad = zeroPadding(g);
  if (!pad) return null;
  const th = Math.ceil(g.oh / 2),
    tw4 = Math.ceil(Math.ceil(g.ow / 2) / 4) * 4;
  return { r: g.kh, top: pad.top, left: pad.left, th, tw4 };
}

/** Row-major Float64Array copies of a matrix and of its transpose. */
function flat(m: number[][]): { a: Float64Array; t: Float64Array } {
  const rows = m.length,
    cols = m[0].length,
    a = new Float64Array(rows * cols),
    t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      a[i * cols + j] = m[i][j];
      t[j * rows + i] = m[i][j];
    }
  return { a, t };
}

const FLAT = { 3: flat(WINOGRAD[3].G), 5: flat(WINOGRAD[5].G) };

/**
 * out (p×p) = X·A·Xᵀ for X (p×q) and A (q×q), row-major; tmp holds p·q. The filter
 * transform is G·g·Gᵀ (X = G), the weight gradient's last step Gᵀ·M·G (X = Gᵀ).
 */
export function sandwich(
  X: Float64Array,
  p: number,
  q: number,
  A: Float64Array,
  tmp: Float64Array,
  out: Float64Array,
): void {
  for (let i = 0; i < p; i++)
    for (let j = 0; j < q; j++) {
      let v = 0;
      for (let k = 0; k < q; k++) v += X[i * q + k] * A[k * q + j];
      tmp[i * q + j] = v;
    }
  for (let i = 0; i < p; i++)
    for (let j = 0; j < p; j++) {
      let v = 0;
      for (let k = 0; k < q; k++) v += tmp[i * q + k] * X[j * q + k];
      out[i * p + j] = v;
    }
}

/**
 * U[ξ][m][k] = (G·g·Gᵀ)[ξ] at f[dst …] (ξ planes M·K apart) with g = W[m][k] (forward) or
 * W[k][m] rotated by 180° (dx); w is [cout][cin][r][r].
 */
export function filterTransform(
  r: 3 | 5,
  w: Float32Array,
  f: Float32Array,
  dst: number,
  M: number,
  K: number,
  cin: number,
  dx: boolean,
): void {
  const G = FLAT[r].a,
    alpha = r + 1,
    rr = r * r,
    mk = M * K,
    g = new Float64Array(rr),
    tmp = new Float64Array(alpha * r),
    u = new Float64Array(alpha * alpha);
  for (let m = 0; m < M; m++) {
    for (let k = 0; k < K; k++) {
      const q = (dx ? k * cin + m : m * cin + k) * rr;
      for (let i = 0; i < rr; i++) g[i] = dx ? w[q + rr - 1 - i] : w[q + i];
      sandwich(G, alpha, r, g, tmp, u);
      for (let x = 0, o = dst + m * K + k; x < alpha * alpha; x++, o += mk) f[o] = u[x];
    }
  }
}

/**
 * dw[o][c] += Gᵀ·M[o][c]·G (r×r) with M at float index base of f: the chunks' summed
 * [α²][cout][cin] products.
 */
export function addDwTransform(
  f: Float32Array,
  base: number,
  cout: number,
  cin: number,
  r: 3 | 5,
  dw: Float32Array,
): void {
  const GT = FLAT[r].t,
    alpha = r + 1,
    plane = cout * cin,
    m = new Float64Array(alpha * alpha),
    tmp = new Float64Array(r * alpha),
    out = new Float64Array(r * r);
  for (let o = 0; o < cout; o++) {
    for (let c = 0; c < cin; c++) {
      for (let x = 0, i = base + o * cin + c; x < alpha * alpha; x++, i += plane) m[x] = f[i];
      sandwich(GT, r, alpha, m, tmp, out);
      const at = (o * cin + c) * r * r;
      for (let i = 0; i < r * r; i++) dw[at + i] += out[i];
    }
  }
}
