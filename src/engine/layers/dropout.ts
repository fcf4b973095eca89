// Dropout (https://pytorch.org/docs/stable/generated/torch.nn.Dropout.html): in training each
// element is zeroed with probability p from the model's seeded RNG and the rest scaled by
// 1/(1 − p); p = 1 gives zeros. In eval mode, the identity.
import type { ResolvedDropout } from '../../core/model/resolved.ts';
import { Workspace } from '../kernels/workspace.ts';
import type { Rng } from '../rng.ts';
import type { Tensor } from '../tensor.ts';
import type { Buffer, Layer } from './layer.ts';

export class Dropout implements Layer {
  readonly type = 'Dropout';
  readonly params = [];
  readonly buffers: Buffer[] = [];
  private readonly ws = new Workspace();
  release(): void {
    this.ws.release();
  }
  /** The scaled mask of the last training forward (0 or 1/(1−p)), or null after an identity pass. */
  private mask: Float32Array | null = null;
  private shape: number[] = [];

  constructor(
    private readonly cfg: ResolvedDropout,
    private readonly rng: Rng,
  ) {}

  forward(x: Tensor, training: boolean): Tensor {
    this.shape = x.shape;
    if (!training || this.cfg.p === 0) {
      this.mask = null;
      return x;
    }
    const p = this.cfg.p,
      scale = p === 1 ? 0 : Math.fround(1 / (1 - p));
    const mask = this.ws.floats('mask', x.data.length);
    for (let i = 0; i < mask.length; i++) mask[i] = this.rng.next() < p ? 0 : scale;
    const y = this.ws.tensor('y', x.shape);
    for (let i = 0; i < mask.length; i++) y.data[i] = x.data[i] * mask[i];
    this.mask = mask;
    return y;
  }

  backward(gy: Tensor, needInput: boolean): Tensor | null {
    if (!needInput) return null;
    const mask = this.mask;
    if (!mask) return gy;
    const dx = this.ws.tensor('dx', this.shape);
    for (let i = 0; i < mask.length; i++) dx.data[i] = gy.data[i] * mask[i];
    return dx;
  }
}
