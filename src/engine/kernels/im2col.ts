// im2col / col2im for 2-D convolution, NCHW. Padding of every mode is folded into two
// small gather tables (one per axis), so the zeros/reflect/replicate/circular cases share
// one loop and no padded copy of the input is made.
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

/** Source index along an axis for padded coordinate p (already shifted by padBefore), or -1 for a zero. */
function source(mode: PaddingMode, p: number, size: number): number {
  if (p >= 0 && p < size) return p;
  switch (mode) {
    case 'zeros':
      return -1;
    // reflect excludes the edge: ... x2 x1 | x0 x1 x2 ... (needs pad < size)
    case 'reflect':
      return p < 0 ? -p : 2 * (size - 1) - p;
    case 'replicate':
      return p < 0 ? 0 : size - 1;
    case 'circular':
      return ((p % size) + size) % size;
  }
}

/**
 * table[k·out + o] = source index of kernel tap k at output position o along one axis
 * (-1 for zero padding): o·stride + k·dilation − padBefore, mapped by the padding mode.
 */
export function axisTable(
  mode: PaddingMode,
  size: number,
  padBefore: number,
  kernel: number,
  stride: number,
  dilation: number,
  out: number,
): Int32Array {
  const t = new Int32Array(kernel * out);
  for (let k = 0; k < kernel; k++) {
    for (let o = 0; o < out; o++) t[k * out + o] = source(mode, o * stride + k * dilation - padBefore, size);
  }
  return t;
}

export interface ConvGeometry {
  h: number;
  w: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  /** rowT[ki·oh + oy] = source row × w (or -1); colT[kj·ow + ox] = source column (or -1). */
  rowT: Int32Array;
  colT: Int32Array;
}

const spans = new WeakMap<Int32Array, Int32Array>();

/**
 * For each kernel column kj, the run [lo, hi) of output columns whose source column is
 * ox + off (in bounds, stride 1): there im2col is a straight copy, no table or branch.
 * Cached per column table; returns [lo, hi, off] triples.
 */
function interior(colT: Int32Array, kw: number, ow: number): Int32Array {
  let s = spans.get(colT);
  if (s) return s;
  s = new Int32Array(kw * 3);
  for (let kj = 0; kj < kw; kj++) {
    const cb = kj * ow;
    let lo = 0;
    while (lo < ow && colT[cb + lo] < 0) lo++;
    const off = lo < ow ? colT[cb + lo] - lo : 0;
    let hi = lo;
    while (hi < ow && colT[cb + hi] === hi + off) hi++;
    s[3 * kj] = lo;
    s[3 * kj + 1] = hi;
    s[3 * kj + 2] = off;
  }
  spans.set(colT, s);
  return s;
}

/** col[(c·kh + ki)·kw + kj][oy·ow + ox] = x[c][row][col] for `channels` channels starting at xOff. */
export function im2col(x: Float32Array, xOff: number, channels: number, g: ConvGeometry, col: Float32Array): void {
  const { h, w, oh, ow, kh, kw, rowT, colT } = g;
  const run = interior(colT, kw, ow);
  let o = 0;
  for (let c = 0; c < channels; c++) {
    const xb = xOff + c * h * w;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const cb = kj * ow,
          lo = run[3 * kj],
          hi = run[3 * kj + 1],
          off = run[3 * kj + 2];
        for (let oy = 0; oy < oh; oy++, o += ow) {
          const r = rowT[ki * oh + oy];
          if (r < 0) {
            col.fill(0, o, o + ow);
            continue;
          }
          const rb = xb + r,
            src = rb + off - o;
          for (let ox = 0; ox < lo; ox++) {
            const ci = colT[cb + ox];
            col[o + ox] = ci < 0 ? 0 : x[rb + ci];
          }
          for (let i = o + lo, e = o + hi; i < e; i++) col[i] = x[src + i];
          for (let ox = hi; ox < ow; ox++) {
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
  const run = interior(colT, kw, ow);
  let o = 0;
  for (let c = 0; c < channels; c++) {
    const xb = xOff + c * h * w;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const cb = kj * ow,
          lo = run[3 * kj],
          hi = run[3 * kj + 1],
          off = run[3 * kj + 2];
        for (let oy = 0; oy < oh; oy++, o += ow) {
          const r = rowT[ki * oh + oy];
          if (r < 0) continue;
          const rb = xb + r,
            dst = rb + off - o;
          for (let ox = 0; ox < lo; ox++) {
            const ci = colT[cb + ox];
            if (ci >= 0) dx[rb + ci] += dcol[o + ox];
          }
          for (let i = o + lo, e = o + hi; i < e; i++) dx[dst + i] += dcol[i];
          for (let ox = hi; ox < ow; ox++) {
            const ci = colT[cb + ox];
            if (ci >= 0) dx[rb + ci] += dcol[o + ox];
          }
        }
      }
    }
  }
}
