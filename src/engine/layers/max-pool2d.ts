// MaxPool2d (https://pytorch.org/docs/stable/generated/torch.nn.MaxPool2d.html): -inf padding,
// dilation, ceil_mode. As ATen's CPU kernel, a window's max is the FIRST largest element, a
// NaN always wins (the last NaN of the window), and an all -inf window points at its first
// in-bounds element; backward routes each output's gradient to that index.
import type { ResolvedMaxPool2d } from '../../core/resolved.ts';
import { poolOutSize } from '../../core/shape-math.ts';
import { IntScratch, Workspace } from '../kernels/workspace.ts';
import type { Tensor } from '../tensor.ts';
import { asBatched4d, like4d, type Buffer, type Layer } from './layer.ts';

export class MaxPool2d implements Layer {
  readonly type = 'MaxPool2d';
  readonly params = [];
  readonly buffers: Buffer[] = [];
  private readonly ws = new Workspace();
  private readonly argmax = new IntScratch();
  private indices: Int32Array | null = null;
  private x: Tensor | null = null;

  constructor(private readonly cfg: ResolvedMaxPool2d) {}

  forward(x: Tensor): Tensor {
    const { n, c, h, w } = asBatched4d(x, 'MaxPool2d');
    const { kernel: [kh, kw], stride: [sh, sw], padding: [ph, pw], dilation: [dh, dw], ceil_mode } = this.cfg;
    const oh = poolOutSize(h, kh, sh, ph, dh, ceil_mode), ow = poolOutSize(w, kw, sw, pw, dw, ceil_mode);
    if (oh < 1 || ow < 1) throw new Error(`MaxPool2d: input ${h}×${w} is too small for kernel ${kh}×${kw} (output ${oh}×${ow})`);
    const y = this.ws.tensor('y', like4d(x, n, c, oh, ow));
    const idx = this.argmax.get(y.data.length);
    const X = x.data, Y = y.data;
    let o = 0;
    for (let plane = 0; plane < n * c; plane++) {
      const base = plane * h * w;
      for (let oy = 0; oy < oh; oy++) {
        let y0 = oy * sh - ph;
        const y1 = Math.min(y0 + (kh - 1) * dh + 1, h);
        while (y0 < 0) y0 += dh;
        for (let ox = 0; ox < ow; ox++, o++) {
          let x0 = ox * sw - pw;
          const x1 = Math.min(x0 + (kw - 1) * dw + 1, w);
          while (x0 < 0) x0 += dw;
          let best = -Infinity, at = y0 * w + x0;
          for (let yy = y0; yy < y1; yy += dh) {
            for (let xx = x0; xx < x1; xx += dw) {
              const v = X[base + yy * w + xx];
              // v !== v: NaN propagates, as std::isnan in ATen
              if (v > best || v !== v) { best = v; at = yy * w + xx; }
            }
          }
          Y[o] = best;
          idx[o] = at;
        }
      }
    }
    this.indices = idx;
    this.x = x;
    return y;
  }

  backward(gy: Tensor, needInput: boolean): Tensor | null {
    const x = this.x, idx = this.indices;
    if (!x || !idx) throw new Error('MaxPool2d.backward called before forward');
    if (!needInput) return null;
    const { n, c, h, w } = asBatched4d(x, 'MaxPool2d');
    const dx = this.ws.tensor('dx', x.shape);
    dx.data.fill(0);
    const per = gy.data.length / (n * c), G = gy.data, D = dx.data;
    for (let plane = 0, o = 0; plane < n * c; plane++) {
      const base = plane * h * w;
      for (let k = 0; k < per; k++, o++) D[base + idx[o]] += G[o];
    }
    return dx;
  }
}
