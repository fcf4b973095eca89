// BCEWithLogitsLoss: sigmoid + binary cross-entropy in one numerically stable expression,
// with PyTorch 1.13's formula (max_val = max(-x, 0) keeps every exp() argument <= 0).
// `weight` and `pos_weight` broadcast to the input (pos_weight typically over the last dim).
import { numel, type IntTensor, type Tensor } from '../tensor.ts';
import { isIntTensor } from '../tensor-json.ts';
import { checkBroadcastsTo, ReducedLoss, shapeText, type Elements, type Reduction } from './common.ts';

export interface BceOptions {
  reduction: Reduction;
  weight: Tensor | null;
  pos_weight: Tensor | null;
}

export class BCEWithLogitsLoss extends ReducedLoss {
  private input: Tensor | null = null;
  private target: Tensor | null = null;
  private wIndex: Int32Array | null = null;
  private pwIndex: Int32Array | null = null;

  constructor(private readonly opts: BceOptions) {
    super('BCEWithLogitsLoss', opts.reduction);
  }

  protected elementsOf(input: Tensor, target: Tensor | IntTensor): Elements {
    if (isIntTensor(target))
      throw new Error(`${this.type}: target must be a float tensor of 0/1 (or probabilities), got int64`);
    if (target.shape.length !== input.shape.length || target.shape.some((d, i) => d !== input.shape[i])) {
      throw new Error(
        `${this.type}: Target size ${shapeText(target.shape)} must be the same as input size ${shapeText(input.shape)}`,
      );
    }
    const { weight, pos_weight } = this.opts;
    this.wIndex = weight ? checkBroadcastsTo(`${this.type}: weight`, weight, input.shape) : null;
    this.pwIndex = pos_weight ? checkBroadcastsTo(`${this.type}: pos_weight`, pos_weight, input.shape) : null;
    const n = input.data.length,
      values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const x = input.data[i],
        t = target.data[i];
      const maxVal = Math.max(-x, 0);
      // log(1 + exp(-x)) without overflow
      const softplusNeg = Math.log(Math.exp(-maxVal) + Math.exp(-x - maxVal)) + maxVal;
      const logWeight = pos_weight ? (this.pw(i) - 1) * t + 1 : 1;
      let v = (1 - t) * x + logWeight * softplusNeg;
      if (weight) v *= this.wt(i);
      values[i] = Math.fround(v);
    }
    this.input = input;
    this.target = target;
    return { values, shape: [...input.shape], denom: n };
  }

  private wt(i: number): number {
    return this.opts.weight!.data[this.wIndex ? this.wIndex[i] : i];
  }
  private pw(i: number): number {
    return this.opts.pos_weight!.data[this.pwIndex ? this.pwIndex[i] : i];
  }

  protected inputGrad(up: Float64Array): Tensor {
    const x = this.input!,
      t = this.target!,
      n = numel(x.shape);
    const grad = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const s = 1 / (1 + Math.exp(-x.data[i]));
      let g: number;
      if (this.opts.pos_weight) {
        const pt = this.pw(i) * t.data[i];
        g = (pt + 1 - t.data[i]) * s - pt;
      } else {
        g = s - t.data[i];
      }
      if (this.opts.weight) g *= this.wt(i);
      grad[i] = g * up[i];
    }
    return { shape: [...x.shape], data: grad };
  }
}
