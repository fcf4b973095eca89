// Linear (https://pytorch.org/docs/stable/generated/torch.nn.Linear.html): y = x·Wᵀ + b over
// the last dimension, any number of leading dimensions. Weight [out, in].
import type { ResolvedLinear } from '../../core/model/resolved.ts';
import { biasUniform, kaimingUniform } from '../init.ts';
import { gemm } from '../backend.ts';
import { Workspace } from '../kernels/workspace.ts';
import type { Rng } from '../rng.ts';
import type { Param, Tensor } from '../tensor.ts';
import { gradOf, param, shapeStr, sharedParams, type Buffer, type Layer } from './layer.ts';

export class Linear implements Layer {
  readonly type = 'Linear';
  readonly params: Param[];
  readonly buffers: Buffer[] = [];
  private readonly weight: Param;
  private readonly bias: Param | null;
  private readonly ws = new Workspace();
  release(): void {
    this.ws.release();
  }
  private x: Tensor | null = null;

  constructor(
    private readonly cfg: ResolvedLinear,
    prefix: string,
    rng: Rng,
    twin?: Layer,
  ) {
    if (twin) {
      [this.weight, this.bias = null] = sharedParams(twin, 'Linear', cfg.bias ? 2 : 1);
    } else {
      this.weight = param(`${prefix}weight`, [cfg.out_features, cfg.in_features]);
      kaimingUniform(this.weight.value.data, cfg.in_features, rng);
      this.bias = cfg.bias ? param(`${prefix}bias`, [cfg.out_features]) : null;
      if (this.bias) biasUniform(this.bias.value.data, cfg.in_features, rng);
    }
    this.params = this.bias ? [this.weight, this.bias] : [this.weight];
  }

  forward(x: Tensor): Tensor {
    const { in_features: fin, out_features: fout } = this.cfg;
    const last = x.shape[x.shape.length - 1];
    if (x.shape.length === 0 || last !== fin) {
      const got = x.shape.length === 0 ? 'a scalar' : `${last} features (input ${shapeStr(x.shape)})`;
      throw new Error(`Linear(in_features=${fin}) receives ${got}`);
    }
    const rows = x.data.length / fin;
    const y = this.ws.tensor('y', [...x.shape.slice(0, -1), fout]);
    const b = this.bias?.value.data;
    if (b) for (let r = 0; r < rows; r++) y.data.set(b, r * fout);
    gemm(false, true, rows, fout, fin, x.data, 0, fin, this.weight.value.data, 0, fin, y.data, 0, fout, !!b);
    this.x = x;
    return y;
  }

  backward(gy: Tensor, needInput: boolean): Tensor | null {
    const x = this.x;
    if (!x) throw new Error('Linear.backward called before forward');
    const { in_features: fin, out_features: fout } = this.cfg;
    const rows = x.data.length / fin,
      G = gy.data;
    // dW += dYᵀ · X
    gemm(true, false, fout, fin, rows, G, 0, fout, x.data, 0, fin, gradOf(this.weight), 0, fin, true);
    if (this.bias) {
      const db = gradOf(this.bias);
      for (let r = 0; r < rows; r++) for (let o = 0; o < fout; o++) db[o] += G[r * fout + o];
    }
    if (!needInput) return null;
    // dX = dY · W
    const dx = this.ws.tensor('dx', x.shape);
    gemm(false, false, rows, fin, fout, G, 0, fout, this.weight.value.data, 0, fin, dx.data, 0, fin, false);
    return dx;
  }
}
