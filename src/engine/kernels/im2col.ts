// im2col / col2im for 2-D convolution, NCHW. Padding of every mode is folded into two
// small gather tables (one per axis), so the zeros/reflect/replicate/circular cases share
// one loop and no padded copy of the input is made.
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

/** Source index along an axis for padded coordinate p (already shifted by padBefore), or -1 for a zero. */
function source(mode: PaddingMode, p: number, size: number): number {
  if (p >= 0 && p < size) return p;
  switch (mode) {
    case 'zeros': return -1;
    // reflect excludes the edge: ... x2 x1 | x0 x1 x2 ... (needs pad < size)
    case 'reflect': return p < 0 ? -p : 2 * (size - 1) - p;
    case 'replicate': return p < 0 ? 0 : size - 1;
    case 'circular': return ((p % size) + size) % size;
  }
}

/**
 * table[k·out + o] = source index of kernel tap k at output position o along one axis
 * (-1 for zero padding): o·stride + k·dilation − padBefore, mapped by the padding mode.
 */
export function axisTable(mode: PaddingMode, size: number, padBefore: number, kernel: number, stride: number, dilation: number, out: number): Int32Array {
  const t = new Int32Array(kernel * out);
  for (let k = 0; k < kernel; k++) {
    for (let o = 0; o < out; o++) t[k * out + o] = source(mode, o * stride + k * dilation - padBefore, size);
  }
  return t;
}

export interface ConvGeometry {
  h: number; w: number; oh: number; ow: number;
  kh: number; kw: number;
  /** rowT[ki·oh + oy] = source row × w (or -1); colT[kj·ow + ox] = source column (or -1). */
  rowT: Int32Array; colT: Int32Array;
}

/** col[(c·kh + ki)·kw + kj][oy·ow + ox] = x[c][row][col] for `channels` channels starting at xOff. */
export function im2col(x: Float32Array, xOff: number, channels: number, g: ConvGeometry, col: Float32Array): void {
  const { h, w, oh, ow, kh, kw, rowT, colT } = g;
  let o = 0;
  for (let c = 0; c < channels; c++) {
    const xb = xOff + c * h * w;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const cb = kj * ow;
        for (let oy = 0; oy < oh; oy++, o += ow) {
          const r = rowT[ki * oh + oy];
          if (r < 0) { col.fill(0, o, o + ow); continue; }
          const rb = xb + r;
          for (let ox = 0; ox < ow; ox++) {
            const ci = colT[cb + ox];
            col[o + ox] = ci < 0 ? 0 : x[rb + ci];
          }
        }
      }
    }
  }
}

/** The adjoint of im2col: dx[c][row][col] += dcol[...] (padding taps are dropped, reflected ones fold back). */
export function col2im(dcol: Float32Array, channels: number, g: ConvGeometry, dx: Float32Array, xOff: number): void {
  const { h, w, oh, ow, kh, kw, rowT, colT } = g;
  let o = 0;
  for (let c = 0; c < channels; c++) {
    const xb = xOff + c * h * w;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const cb = kj * ow;
        for (let oy = 0; oy < oh; oy++, o += ow) {
          const r = rowT[ki * oh + oy];
          if (r < 0) continue;
          const rb = xb + r;
          for (let ox = 0; ox < ow; ox++) {
            const ci = colT[cb + ox];
            if (ci >= 0) dx[rb + ci] += dcol[o + ox];
          }
        }
      }
    }
  }
}
