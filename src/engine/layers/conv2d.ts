// Conv2d (https://pytorch.org/docs/stable/generated/torch.nn.Conv2d.html): im2col + GEMM
// per image and group on the active backend (src/engine/backend.ts). Weight [out, in/groups, kh, kw].
import type { ResolvedConv2d } from '../../core/model/resolved.ts';
import { convOutSize } from '../../core/model/shape-math.ts';
import { biasUniform, kaimingUniform } from '../init.ts';
import { backend } from '../backend.ts';
import { axisTable, type ConvGeometry } from '../kernels/im2col.ts';
import { Workspace } from '../kernels/workspace.ts';
import type { Rng } from '../rng.ts';
import type { Param, Tensor } from '../tensor.ts';
import { asBatched4d, gradOf, like4d, param, shapeStr, sharedParams, type Buffer, type Layer } from './layer.ts';

export class Conv2d implements Layer {
  readonly type = 'Conv2d';
  readonly params: Param[];
  readonly buffers: Buffer[] = [];
  private readonly weight: Param;
  private readonly bias: Param | null;
  private readonly ws = new Workspace();
  release(): void {
    this.ws.release();
  }
  private geo: ConvGeometry | null = null;
  private x: Tensor | null = null;
  /** 1×1 kernel, stride 1, no padding: the input itself is the im2col matrix. */
  private readonly pointwise: boolean;
  /** The forward rounds as the direct convolution does: a max pooling compares its outputs (exact-forward.ts). */
  exactForward = false;

  constructor(
    private readonly cfg: ResolvedConv2d,
    prefix: string,
    rng: Rng,
    twin?: Layer,
  ) {
    const { in_channels, out_channels, groups, kernel } = cfg;
    if (twin) {
      [this.weight, this.bias = null] = sharedParams(twin, 'Conv2d', cfg.bias ? 2 : 1);
    } else {
      const fanIn = (in_channels / groups) * kernel[0] * kernel[1];
      this.weight = param(`${prefix}weight`, [out_channels, in_channels / groups, kernel[0], kernel[1]]);
      kaimingUniform(this.weight.value.data, fanIn, rng);
      this.bias = cfg.bias ? param(`${prefix}bias`, [out_channels]) : null;
      if (this.bias) biasUniform(this.bias.value.data, fanIn, rng);
    }
    this.params = this.bias ? [this.weight, this.bias] : [this.weight];
    this.pointwise =
      kernel[0] === 1 &&
      kernel[1] === 1 &&
      cfg.stride[0] === 1 &&
      cfg.stride[1] === 1 &&
      cfg.padBegin.every((p) => p === 0) &&
      cfg.padEnd.every((p) => p === 0);
  }

  private geometry(h: number, w: number): ConvGeometry {
    if (this.geo && this.geo.h === h && this.geo.w === w) return this.geo;
    const {
      kernel: [kh, kw],
      stride: [sh, sw],
      dilation: [dh, dw],
      padBegin,
      padEnd,
      padding_mode: mode,
    } = this.cfg;
    checkPadding(mode, [h, w], padBegin, padEnd);
    const oh = convOutSize(h, kh, sh, padBegin[0], padEnd[0], dh);
    const ow = convOutSize(w, kw, sw, padBegin[1], padEnd[1], dw);
    if (oh < 1 || ow < 1) {
      throw new Error(
        `Conv2d: input ${h}×${w} (padded ${h + padBegin[0] + padEnd[0]}×${w + padBegin[1] + padEnd[1]}) is smaller than the dilated kernel ${dh * (kh - 1) + 1}×${dw * (kw - 1) + 1}`,
      );
    }
    const rowT = axisTable(mode, h, padBegin[0], kh, sh, dh, oh);
    for (let i = 0; i < rowT.length; i++) if (rowT[i] >= 0) rowT[i] *= w;
    const colT = axisTable(mode, w, padBegin[1], kw, sw, dw, ow);
    this.geo = { h, w, oh, ow, kh, kw, rowT, colT };
    return this.geo;
  }

  forward(x: Tensor): Tensor {
    const { n, c, h, w } = asBatched4d(x, 'Conv2d');
    const { in_channels: cin, out_channels: cout, groups } = this.cfg;
    if (c !== cin)
      throw new Error(`Conv2d(in_channels=${cin}) got an input with ${c} channels, shape ${shapeStr(x.shape)}`);
    const g = this.geometry(h, w);
    const y = this.ws.tensor('y', like4d(x, n, cout, g.oh, g.ow));
    backend().conv2dForward(
      { n, cin, cout, groups, geo: g, pointwise: this.pointwise, exact: this.exactForward },
      x.data,
      this.weight.value.data,
      this.bias?.value.data ?? null,
      y.data,
    );
    this.x = x;
    return y;
  }

  backward(gy: Tensor, needInput: boolean): Tensor | null {
    const x = this.x,
      g = this.geo;
    if (!x || !g) throw new Error('Conv2d.backward called before forward');
    const { n } = asBatched4d(x, 'Conv2d');
    const { in_channels: cin, out_channels: cout, groups } = this.cfg;
    const dx = needInput ? this.ws.tensor('dx', x.shape) : null;
    backend().conv2dBackward(
      { n, cin, cout, groups, geo: g, pointwise: this.pointwise },
      x.data,
      this.weight.value.data,
      gy.data,
      gradOf(this.weight),
      this.bias ? gradOf(this.bias) : null,
      dx?.data ?? null,
    );
    return dx;
  }
}

/** F.pad's limits for the non-zero padding modes, with PyTorch's wording. */
function checkPadding(
  mode: ResolvedConv2d['padding_mode'],
  size: [number, number],
  before: [number, number],
  after: [number, number],
): void {
  for (let a = 0; a < 2; a++) {
    const pad = Math.max(before[a], after[a]),
      axis = a === 0 ? 'height' : 'width';
    if (mode === 'reflect' && pad >= size[a]) {
      throw new Error(`Conv2d(padding_mode='reflect'): padding ${pad} must be less than the input ${axis} ${size[a]}`);
    }
    if (mode === 'circular' && pad > size[a]) {
      throw new Error(
        `Conv2d(padding_mode='circular'): padding ${pad} wraps around more than once (input ${axis} ${size[a]})`,
      );
    }
  }
}
