// MaxPool2d (https://pytorch.org/docs/stable/generated/torch.nn.MaxPool2d.html): -inf padding,
// dilation, ceil_mode. As ATen's CPU kernel, a window's max is the FIRST largest element, a
// NaN always wins (the last NaN of the window), and an all -inf window points at its first
// in-bounds element; backward routes each output's gradient to that index.
import type { ResolvedMaxPool2d } from '../../core/model/resolved.ts';
import { poolOutSize } from '../../core/model/shape-math.ts';
import { backend } from '../backend.ts';
import { IntScratch, Workspace } from '../kernels/workspace.ts';
import type { Tensor } from '../tensor.ts';
import { asBatched4d, like4d, type Buffer, type Layer } from './layer.ts';

export class MaxPool2d implements Layer {
  readonly type = 'MaxPool2d';
  readonly params = [];
  readonly buffers: Buffer[] = [];
  private readonly ws = new Workspace();
  release(): void {
    this.ws.release();
  }
  private readonly argmax = new IntScratch();
  private indices: Int32Array | null = null;
  private x: Tensor | null = null;

  constructor(private readonly cfg: ResolvedMaxPool2d) {}

  forward(x: Tensor): Tensor {
    const { n, c, h, w } = asBatched4d(x, 'MaxPool2d');
    const {
      kernel: [kh, kw],
      stride: [sh, sw],
      padding: [ph, pw],
      dilation: [dh, dw],
      ceil_mode,
    } = this.cfg;
    const oh = poolOutSize(h, kh, sh, ph, dh, ceil_mode),
      ow = poolOutSize(w, kw, sw, pw, dw, ceil_mode);
    if (oh < 1 || ow < 1)
      throw new Error(`MaxPool2d: input ${h}×${w} is too small for kernel ${kh}×${kw} (output ${oh}×${ow})`);
    const y = this.ws.tensor('y', like4d(x, n, c, oh, ow));
    const idx = this.argmax.get(y.data.length);
    backend().maxPool2dForward({ planes: n * c, h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw }, x.data, y.data, idx);
    this.indices = idx;
    this.x = x;
    return y;
  }

  backward(gy: Tensor, needInput: boolean): Tensor | null {
    const x = this.x,
      idx = this.indices;
    if (!x || !idx) throw new Error('MaxPool2d.backward called before forward');
    if (!needInput) return null;
    const { n, c, h, w } = asBatched4d(x, 'MaxPool2d');
    const dx = this.ws.tensor('dx', x.shape);
    const {
      kernel: [kh, kw],
      stride: [sh, sw],
      padding: [ph, pw],
      dilation: [dh, dw],
    } = this.cfg;
    const oh = gy.shape[gy.shape.length - 2],
      ow = gy.shape[gy.shape.length - 1];
    backend().maxPool2dBackward({ planes: n * c, h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw }, gy.data, idx, dx.data);
    return dx;
  }
}
