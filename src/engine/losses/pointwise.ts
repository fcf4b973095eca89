// Losses of the difference d = input - target, element by element: L1Loss, MSELoss,
// SmoothL1Loss, HuberLoss. Input and target broadcast as in PyTorch (which warns when
// their sizes differ); the gradient is summed back onto the input's shape.
import { numel, type IntTensor, type Tensor } from '../tensor.ts';
import { isIntTensor } from '../tensor-json.ts';
import { broadcastIndex, broadcastShapes, ReducedLoss, type Elements, type Reduction } from './common.ts';

/** A loss of the difference and its derivative, both as PyTorch's CPU kernels define them. */
export interface Pointwise {
  value(d: number): number;
  slope(d: number): number;
}

export const l1: Pointwise = {
  value: (d) => Math.abs(d),
  slope: (d) => (d > 0 ? 1 : d < 0 ? -1 : d === 0 ? 0 : NaN), // sign(0) = 0
};

export const mse: Pointwise = {
  value: (d) => d * d,
  slope: (d) => 2 * d,
};

/** SmoothL1Loss: quadratic below beta, linear above; beta = 0 is exactly L1Loss. */
export function smoothL1(beta: number): Pointwise {
  if (beta === 0) return l1;
  return {
    value: (d) => {
      const z = Math.abs(d);
      return z < beta ? (0.5 * z * z) / beta : z - 0.5 * beta;
    },
    slope: (d) => (d <= -beta ? -1 : d >= beta ? 1 : d / beta),
  };
}

/** HuberLoss = delta · SmoothL1Loss(beta = delta). */
export function huber(delta: number): Pointwise {
  return {
    value: (d) => {
      const z = Math.abs(d);
      return z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta);
    },
    slope: (d) => (d <= -delta ? -delta : d >= delta ? delta : d),
  };
}

export class PointwiseLoss extends ReducedLoss {
  private diff = new Float32Array(0);
  private inputShape: number[] = [];
  private inputIndex: Int32Array | null = null;

  constructor(
    type: string,
    reduction: Reduction,
    private readonly fn: Pointwise,
  ) {
    super(type, reduction);
  }

  protected elementsOf(input: Tensor, target: Tensor | IntTensor): Elements {
    if (isIntTensor(target)) throw new Error(`${this.type}: target must be a float tensor, got int64 (class indices)`);
    const shape = broadcastShapes(input.shape, target.shape);
    const n = numel(shape);
    const ii = broadcastIndex(shape, input.shape),
      ti = broadcastIndex(shape, target.shape);
    const diff = new Float32Array(n),
      values = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      // the difference is a float32 tensor in PyTorch before the loss of it is taken
      diff[k] = input.data[ii ? ii[k] : k] - target.data[ti ? ti[k] : k];
      values[k] = Math.fround(this.fn.value(diff[k]));
    }
    this.diff = diff;
    this.inputShape = [...input.shape];
    this.inputIndex = ii;
    return { values, shape, denom: n };
  }

  protected inputGrad(up: Float64Array): Tensor {
    const grad = new Float32Array(numel(this.inputShape));
    const ii = this.inputIndex,
      diff = this.diff;
    if (ii) {
      const acc = new Float64Array(grad.length);
      for (let k = 0; k < diff.length; k++) acc[ii[k]] += up[k] * this.fn.slope(diff[k]);
      grad.set(acc);
    } else {
      for (let k = 0; k < diff.length; k++) grad[k] = up[k] * this.fn.slope(diff[k]);
    }
    return { shape: [...this.inputShape], data: grad };
  }
}
