// AvgPool2d (https://pytorch.org/docs/stable/generated/torch.nn.AvgPool2d.html) and
// AdaptiveAvgPool2d (…/AdaptiveAvgPool2d.html), forward and backward.
import type { ResolvedAdaptiveAvgPool2d, ResolvedAvgPool2d } from '../../core/model/resolved.ts';
import { adaptiveBin, poolOutSize } from '../../core/model/shape-math.ts';
import { Workspace } from '../kernels/workspace.ts';
import type { Tensor } from '../tensor.ts';
import { asBatched4d, like4d, type Buffer, type Layer } from './layer.ts';

/**
 * The windows of one input size: for output o, input rows [b[4o], b[4o+1]) × columns
 * [b[4o+2], b[4o+3]) summed and divided by div[o]. Built once per input size.
 */
interface Plan {
  h: number;
  w: number;
  oh: number;
  ow: number;
  bounds: Int32Array;
  div: Float64Array;
}

function makePlan(
  h: number,
  w: number,
  oh: number,
  ow: number,
  win: (oy: number, ox: number, out: Int32Array, o: number) => number,
): Plan {
  const bounds = new Int32Array(oh * ow * 4),
    div = new Float64Array(oh * ow);
  for (let oy = 0, o = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++, o++) div[o] = win(oy, ox, bounds, 4 * o);
  return { h, w, oh, ow, bounds, div };
}

/** Sums each window / its divisor (an empty window gives 0, as ATen). */
function poolForward(X: Float32Array, Y: Float32Array, planes: number, p: Plan): void {
  const { h, w, bounds: b, div } = p,
    P = p.oh * p.ow;
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * h * w;
    for (let o = 0; o < P; o++) {
      const y0 = b[4 * o],
        y1 = b[4 * o + 1],
        x0 = b[4 * o + 2],
        x1 = b[4 * o + 3];
      let s = 0;
      for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) s += X[base + yy * w + xx];
      Y[pl * P + o] = y0 < y1 && x0 < x1 ? s / div[o] : 0;
    }
  }
}

/** Spreads each output gradient / divisor over its window. */
function poolBackward(G: Float32Array, D: Float32Array, planes: number, p: Plan): void {
  const { h, w, bounds: b, div } = p,
    P = p.oh * p.ow;
  D.fill(0);
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * h * w;
    for (let o = 0; o < P; o++) {
      const y0 = b[4 * o],
        y1 = b[4 * o + 1],
        x0 = b[4 * o + 2],
        x1 = b[4 * o + 3];
      const g = G[pl * P + o] / div[o];
      for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) D[base + yy * w + xx] += g;
    }
  }
}

abstract class AvgPoolBase implements Layer {
  abstract readonly type: string;
  readonly params = [];
  readonly buffers: Buffer[] = [];
  private readonly ws = new Workspace();
  release(): void {
    this.ws.release();
  }
  private x: Tensor | null = null;
  private saved: Plan | null = null;

  protected abstract plan(h: number, w: number): Plan;

  forward(x: Tensor): Tensor {
    const { n, c, h, w } = asBatched4d(x, this.type);
    const p = this.saved && this.saved.h === h && this.saved.w === w ? this.saved : this.plan(h, w);
    const y = this.ws.tensor('y', like4d(x, n, c, p.oh, p.ow));
    poolForward(x.data, y.data, n * c, p);
    this.x = x;
    this.saved = p;
    return y;
  }

  backward(gy: Tensor, needInput: boolean): Tensor | null {
    const x = this.x,
      p = this.saved;
    if (!x || !p) throw new Error(`${this.type}.backward called before forward`);
    if (!needInput) return null;
    const { n, c } = asBatched4d(x, this.type);
    const dx = this.ws.tensor('dx', x.shape);
    poolBackward(gy.data, dx.data, n * c, p);
    return dx;
  }
}

export class AvgPool2d extends AvgPoolBase {
  readonly type = 'AvgPool2d';
  constructor(private readonly cfg: ResolvedAvgPool2d) {
    super();
  }

  protected plan(h: number, w: number): Plan {
    const {
      kernel: [kh, kw],
      stride: [sh, sw],
      padding: [ph, pw],
      ceil_mode,
      count_include_pad,
      divisor_override,
    } = this.cfg;
    const oh = poolOutSize(h, kh, sh, ph, 1, ceil_mode),
      ow = poolOutSize(w, kw, sw, pw, 1, ceil_mode);
    if (oh < 1 || ow < 1)
      throw new Error(`AvgPool2d: input ${h}×${w} is too small for kernel ${kh}×${kw} (output ${oh}×${ow})`);
    // ATen's avg_pool2d: the divisor counts the window clipped to the PADDED input
    // (count_include_pad), or clipped to the input itself; divisor_override wins.
    return makePlan(h, w, oh, ow, (oy, ox, b, at) => {
      let y0 = oy * sh - ph,
        x0 = ox * sw - pw;
      let y1 = Math.min(y0 + kh, h + ph),
        x1 = Math.min(x0 + kw, w + pw);
      const padded = (y1 - y0) * (x1 - x0);
      y0 = Math.max(y0, 0);
      x0 = Math.max(x0, 0);
      y1 = Math.min(y1, h);
      x1 = Math.min(x1, w);
      b[at] = y0;
      b[at + 1] = y1;
      b[at + 2] = x0;
      b[at + 3] = x1;
      return divisor_override ?? (count_include_pad ? padded : (y1 - y0) * (x1 - x0));
    });
  }
}

export class AdaptiveAvgPool2d extends AvgPoolBase {
  readonly type = 'AdaptiveAvgPool2d';
  constructor(private readonly cfg: ResolvedAdaptiveAvgPool2d) {
    super();
  }

  protected plan(h: number, w: number): Plan {
    const oh = this.cfg.output_size[0] ?? h,
      ow = this.cfg.output_size[1] ?? w;
    if (h < 1 || w < 1) throw new Error(`AdaptiveAvgPool2d: input ${h}×${w} has an empty spatial dimension`);
    return makePlan(h, w, oh, ow, (oy, ox, b, at) => {
      const [y0, y1] = adaptiveBin(oy, h, oh),
        [x0, x1] = adaptiveBin(ox, w, ow);
      b[at] = y0;
      b[at + 1] = y1;
      b[at + 2] = x0;
      b[at + 3] = x1;
      return (y1 - y0) * (x1 - x0);
    });
  }
}
