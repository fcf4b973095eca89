// Softmax and LogSoftmax (https://pytorch.org/docs/stable/generated/torch.nn.Softmax.html)
// along any dim, computed stably (max subtracted). dim=None takes PyTorch's implicit
// choice (_get_softmax_dim, shape-math's implicitSoftmaxDim).
import type { ResolvedSoftmax } from '../../core/model/resolved.ts';
import { implicitSoftmaxDim, wrapDim } from '../../core/model/shape-math.ts';
import { Workspace } from '../kernels/workspace.ts';
import type { Tensor } from '../tensor.ts';
import { shapeStr, type Buffer, type Layer } from './layer.ts';

function softmaxDim(dim: number | null, shape: number[]): number {
  if (dim === null) return implicitSoftmaxDim(shape.length);
  const d = wrapDim(dim, shape.length);
  if (d === null) throw new Error(`dim ${dim} is out of range for a ${shape.length}-D input ${shapeStr(shape)}`);
  return d;
}

/** outer × len × inner view of a shape around `dim`. */
function split(shape: readonly number[], dim: number): [number, number, number] {
  let outer = 1,
    inner = 1;
  for (let d = 0; d < dim; d++) outer *= shape[d];
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d];
  return [outer, shape.length ? shape[dim] : 1, inner];
}

export class Softmax implements Layer {
  readonly params = [];
  readonly buffers: Buffer[] = [];
  private readonly ws = new Workspace();
  release(): void {
    this.ws.release();
  }
  private y: Tensor | null = null;
  private dims: [number, number, number] = [0, 0, 0];
  private readonly log: boolean;

  constructor(private readonly cfg: ResolvedSoftmax) {
    this.log = cfg.type === 'LogSoftmax';
  }

  get type(): string {
    return this.cfg.type;
  }

  forward(x: Tensor): Tensor {
    let dim: number;
    try {
      dim = softmaxDim(this.cfg.dim, x.shape);
    } catch (e) {
      throw new Error(`${this.type}: ${(e as Error).message}`);
    }
    const [outer, len, inner] = (this.dims = split(x.shape, dim));
    const y = this.ws.tensor('y', x.shape),
      X = x.data,
      Y = y.data;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * len * inner + i;
        let max = -Infinity;
        for (let k = 0, p = base; k < len; k++, p += inner) if (X[p] > max || X[p] !== X[p]) max = X[p];
        let sum = 0;
        for (let k = 0, p = base; k < len; k++, p += inner) sum += Math.exp(X[p] - max);
        if (this.log) {
          const lse = max + Math.log(sum);
          for (let k = 0, p = base; k < len; k++, p += inner) Y[p] = X[p] - lse;
        } else {
          for (let k = 0, p = base; k < len; k++, p += inner) Y[p] = Math.exp(X[p] - max) / sum;
        }
      }
    }
    this.y = y;
    return y;
  }

  backward(gy: Tensor, needInput: boolean): Tensor | null {
    const y = this.y;
    if (!y) throw new Error(`${this.type}.backward called before forward`);
    if (!needInput) return null;
    const [outer, len, inner] = this.dims,
      Y = y.data,
      G = gy.data;
    const dx = this.ws.tensor('dx', y.shape),
      D = dx.data;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * len * inner + i;
        let s = 0;
        if (this.log) {
          // d/dx log_softmax: g − softmax · Σg
          for (let k = 0, p = base; k < len; k++, p += inner) s += G[p];
          for (let k = 0, p = base; k < len; k++, p += inner) D[p] = G[p] - Math.exp(Y[p]) * s;
        } else {
          // d/dx softmax: y · (g − Σ g·y)
          for (let k = 0, p = base; k < len; k++, p += inner) s += G[p] * Y[p];
          for (let k = 0, p = base; k < len; k++, p += inner) D[p] = Y[p] * (G[p] - s);
        }
      }
    }
    return dx;
  }
}
