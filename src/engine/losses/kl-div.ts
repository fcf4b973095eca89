// KLDivLoss (torch 1.13): the input holds log-probabilities; each element is
// target·(log target − input), 0 where target is 0 (xlogy), or with log_target
// exp(target)·(target − input). 'batchmean' divides the sum by the batch size — the
// mathematically correct KL divergence; 'mean' divides by every element, as PyTorch does.
import { numel, type IntTensor, type Tensor } from '../tensor.ts';
import { isIntTensor } from '../tensor-json.ts';
import { ReducedLoss, shapeText, type Elements } from './common.ts';

export type KlReduction = 'mean' | 'sum' | 'none' | 'batchmean';

export class KLDivLoss extends ReducedLoss {
  private target: Tensor | null = null;
  private shape: number[] = [];

  constructor(
    private readonly kind: KlReduction,
    private readonly logTarget: boolean,
  ) {
    super('KLDivLoss', kind === 'batchmean' ? 'mean' : kind);
  }

  protected elementsOf(input: Tensor, target: Tensor | IntTensor): Elements {
    if (isIntTensor(target))
      throw new Error(
        `${this.type}: target must be a float tensor of probabilities${this.logTarget ? ' (log-probabilities with log_target=True)' : ''}, got int64`,
      );
    if (target.shape.length !== input.shape.length || target.shape.some((d, i) => d !== input.shape[i])) {
      throw new Error(
        `${this.type}: target of shape ${shapeText(target.shape)} must have the input's shape ${shapeText(input.shape)}`,
      );
    }
    const n = input.data.length,
      values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const x = input.data[i],
        t = target.data[i];
      let v: number;
      if (this.logTarget) v = Math.fround(Math.exp(t)) * (t - x);
      else v = (t === 0 && !Number.isNaN(x) ? 0 : Math.fround(t * Math.log(t))) - Math.fround(t * x);
      values[i] = Math.fround(v);
    }
    this.target = target;
    this.shape = [...input.shape];
    // batchmean: the sum over the batch's first dimension (a 0-d input is not divided)
    const denom = this.kind === 'batchmean' ? (input.shape.length ? input.shape[0] : 1) : n;
    return { values, shape: [...input.shape], denom };
  }

  protected inputGrad(up: Float64Array): Tensor {
    const t = this.target!,
      grad = new Float32Array(numel(this.shape));
    for (let i = 0; i < grad.length; i++)
      grad[i] = -(this.logTarget ? Math.fround(Math.exp(t.data[i])) : t.data[i]) * up[i];
    return { shape: [...this.shape], data: grad };
  }
}
