// The reference backend: pure TypeScript kernels (im2col + the packed GEMM with float64
// accumulation), one thread. Every other backend is checked against this one.
import type { Backend, ConvShape, PoolShape } from '../backend.ts';
import { batchNormBackward, batchNormForward } from '../kernels/batch-norm.ts';
import { elementwise } from '../kernels/elementwise.ts';
import { gemm } from '../kernels/gemm.ts';
import { col2im, im2col } from '../kernels/im2col.ts';

/** Scratch for im2col and its gradient, grown on demand and reused across calls. */
let colBuf = new Float32Array(0);
let dcolBuf = new Float32Array(0);

function scratch(n: number, which: 'col' | 'dcol'): Float32Array {
  if (which === 'col') {
    if (colBuf.length < n) colBuf = new Float32Array(n);
    return colBuf;
  }
  if (dcolBuf.length < n) dcolBuf = new Float32Array(n);
  return dcolBuf;
}

function dims(s: ConvShape): { cg: number; og: number; K: number; P: number; hw: number } {
  const g = s.geo,
    cg = s.cin / s.groups;
  return { cg, og: s.cout / s.groups, K: cg * g.kh * g.kw, P: g.oh * g.ow, hw: g.h * g.w };
}

function conv2dForward(s: ConvShape, x: Float32Array, W: Float32Array, b: Float32Array | null, y: Float32Array): void {
  const { n, cin, cout, groups, geo: g, pointwise } = s,
    { cg, og, K, P, hw } = dims(s);
  const col = pointwise ? null : scratch(K * P, 'col');
  for (let i = 0; i < n; i++) {
    for (let gi = 0; gi < groups; gi++) {
      const xOff = (i * cin + gi * cg) * hw,
        yOff = (i * cout + gi * og) * P;
      if (b) for (let o = 0; o < og; o++) y.fill(b[gi * og + o], yOff + o * P, yOff + (o + 1) * P);
      if (col) im2col(x, xOff, cg, g, col);
      gemm(false, false, og, P, K, W, gi * og * K, K, col ?? x, col ? 0 : xOff, P, y, yOff, P, !!b);
    }
  }
}

function conv2dBackward(
  s: ConvShape,
  x: Float32Array,
  W: Float32Array,
  gy: Float32Array,
  dW: Float32Array,
  db: Float32Array | null,
  dx: Float32Array | null,
): void {
  const { n, cin, cout, groups, geo: g, pointwise } = s,
    { cg, og, K, P, hw } = dims(s);
  const col = pointwise ? null : scratch(K * P, 'col');
  const dcol = dx && !pointwise ? scratch(K * P, 'dcol') : null;
  if (dx && !pointwise) dx.fill(0);
  if (db) biasGrad(gy, n, cout, P, db);
  for (let i = 0; i < n; i++) {
    for (let gi = 0; gi < groups; gi++) {
      const xOff = (i * cin + gi * cg) * hw,
        yOff = (i * cout + gi * og) * P;
      if (col) im2col(x, xOff, cg, g, col);
      // dW_g += dY_g · colᵀ
      gemm(false, true, og, K, P, gy, yOff, P, col ?? x, col ? 0 : xOff, P, dW, gi * og * K, K, true);
      if (!dx) continue;
      // dcol = W_gᵀ · dY_g, folded back onto the input (straight into dx when pointwise)
      if (dcol) {
        gemm(true, false, K, P, og, W, gi * og * K, K, gy, yOff, P, dcol, 0, P, false);
        col2im(dcol, cg, g, dx, xOff);
      } else {
        gemm(true, false, K, P, og, W, gi * og * K, K, gy, yOff, P, dx, xOff, P, false);
      }
    }
  }
}

function biasGrad(gy: Float32Array, n: number, cout: number, P: number, db: Float32Array): void {
  for (let i = 0; i < n; i++) {
    for (let o = 0; o < cout; o++) {
      let s = 0;
      const base = (i * cout + o) * P;
      for (let p = 0; p < P; p++) s += gy[base + p];
      db[o] += s;
    }
  }
}

function maxPool2dForward(s: PoolShape, X: Float32Array, Y: Float32Array, idx: Int32Array): void {
  const { planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw } = s;
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * h * w;
    for (let oy = 0; oy < oh; oy++) {
      let y0 = oy * sh - ph;
      const y1 = Math.min(y0 + (kh - 1) * dh + 1, h);
      while (y0 < 0) y0 += dh;
      for (let ox = 0; ox < ow; ox++, o++) {
        let x0 = ox * sw - pw;
        const x1 = Math.min(x0 + (kw - 1) * dw + 1, w);
        while (x0 < 0) x0 += dw;
        let best = -Infinity,
          at = y0 * w + x0;
        for (let yy = y0; yy < y1; yy += dh) {
          for (let xx = x0; xx < x1; xx += dw) {
            const v = X[base + yy * w + xx];
            // v !== v: NaN propagates, as std::isnan in ATen
            if (v > best || v !== v) {
              best = v;
              at = yy * w + xx;
            }
          }
        }
        Y[o] = best;
        idx[o] = at;
      }
    }
  }
}

function maxPool2dBackward(s: PoolShape, G: Float32Array, idx: Int32Array, D: Float32Array): void {
  const { planes, h, w, oh, ow } = s,
    per = oh * ow;
  D.fill(0);
  for (let plane = 0, o = 0; plane < planes; plane++) {
    const base = plane * h * w;
    for (let k = 0; k < per; k++, o++) D[base + idx[o]] += G[o];
  }
}

export const tsBackend: Backend = {
  name: 'ts',
  threads: 1,
  description: 'TypeScript reference kernels, 1 thread',
  floats: (n) => new Float32Array(n),
  view: (a, n) => a.subarray(0, n),
  free: () => undefined,
  gemm,
  conv2dForward,
  conv2dBackward,
  maxPool2dForward,
  maxPool2dBackward,
  elementwise,
  batchNormForward,
  batchNormBackward,
  dispose: () => undefined,
};
