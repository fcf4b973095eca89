// Conv2d's input gradient as a convolution. With stride 1 and zero padding,
// dx[c, y, x] = Σ_{o, ki, kj} W[o, c, ki, kj] · dY[o, y + p − ki·d, x + q − kj·d], i.e. dY
// convolved with the flipped weights at padding (k − 1)·d − p. That runs on the forward's
// im2col-into-panels and GEMM (depth og·kh·kw) instead of a GEMM of depth og, whose tiles
// are short, followed by col2im's read-modify-write of dx.
import { axisTable, type ConvGeometry } from '../kernels/im2col.ts';

const cache = new WeakMap<ConvGeometry, ConvGeometry | null>();

/**
 * [padBefore, dilation] when table t (source indices × scale, −1 for padding; k taps by
 * `out` positions over an axis of `size`) is exactly a stride-1 zero-padding table, else null.
 */
function zeroPadAxis(t: Int32Array, scale: number, size: number, k: number, out: number): [number, number] | null {
  // source of tap j at position o is o + j·d − pad: read pad from tap 0 and d from tap 1
  const offset = (tap: number): number | null => {
    for (let o = 0; o < out; o++) if (t[tap * out + o] >= 0) return t[tap * out + o] / scale - o;
    return null;
  };
  const s0 = offset(0),
    s1 = k > 1 ? offset(1) : null;
  if (s0 === null || (k > 1 && s1 === null)) return null;
  const pad = -s0,
    d = s1 === null ? 1 : s1 + pad;
  if (!Number.isInteger(pad) || !Number.isInteger(d) || d < 1) return null;
  const ref = axisTable('zeros', size, pad, k, 1, d, out);
  for (let i = 0; i < ref.length; i++) if ((ref[i] < 0 ? -1 : ref[i] * scale) !== t[i]) return null;
  return [pad, d];
}

/** Padding before the rows and columns when g is a stride-1, dilation-1, zero-padding convolution, else null. */
export function zeroPadding(g: ConvGeometry): { top: number; left: number } | null {
  const r = zeroPadAxis(g.rowT, g.w, g.h, g.kh, g.oh),
    c = zeroPadAxis(g.colT, 1, g.w, g.kw, g.ow);
  return r && c && r[1] === 1 && c[1] === 1 ? { top: r[0], left: c[0] } : null;
}

/**
 * The geometry of dx = dY ⋆ W flipped (input dY: oh×ow, output h×w, taps in flipped order),
 * or null when g is not a stride-1 zero-padding convolution. Cached per geometry.
 */
export function transposedGeometry(g: ConvGeometry): ConvGeometry | null {
  const hit = cache.get(g);
  if (hit !== undefined) return hit;
  const r = zeroPadAxis(g.rowT, g.w, g.h, g.kh, g.oh),
    c = zeroPadAxis(g.colT, 1, g.w, g.kw, g.ow);
  let t: ConvGeometry | null = null;
  if (r && c) {
    const rowT = axisTable('zeros', g.oh, (g.kh - 1) * r[1] - r[0], g.kh, 1, r[1], g.h);
    for (let i = 0; i < rowT.length; i++) if (rowT[i] >= 0) rowT[i] *= g.ow;
    const colT = axisTable('zeros', g.ow, (g.kw - 1) * c[1] - c[0], g.kw, 1, c[1], g.w);
    t = { h: g.oh, w: g.ow, oh: g.h, ow: g.w, kh: g.kh, kw: g.kw, rowT, colT };
  }
  cache.set(g, t);
  return t;
}

/**
 * Writes the weights of that convolution, per group [cg][og·kh·kw], into f at `dst`:
 * W'[g][c][(o·kh + i)·kw + j] = W[g·og + o][c][kh − 1 − i][kw − 1 − j].
 */
export function flipWeights(
  w: Float32Array,
  f: Float32Array,
  dst: number,
  s: { cin: number; cout: number; groups: number; kh: number; kw: number },
): void {
  const cg = s.cin / s.groups,
    og = s.cout / s.groups,
    kk = s.kh * s.kw;
  for (let g = 0; g < s.groups; g++) {
    for (let c = 0; c < cg; c++) {
      for (let o = 0; o < og; o++) {
        const src = ((g * og + o) * cg + c) * kk,
          out = dst + ((g * cg + c) * og + o) * kk;
        for (let q = 0; q < kk; q++) f[out + q] = w[src + kk - 1 - q];
      }
    }
  }
}
