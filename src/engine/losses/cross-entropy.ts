// NLLLoss and CrossEntropyLoss (= NLLLoss of log_softmax), as PyTorch 1.13 computes them:
// class-index targets with weight, ignore_index and label_smoothing, and for
// CrossEntropyLoss probability targets of the input's shape.
import { numel, type IntTensor, type Tensor } from '../tensor.ts';
import { isIntTensor } from '../tensor-json.ts';
import { ReducedLoss, type Elements, type Reduction } from './common.ts';
import {
  checkClassWeight,
  checkIndexTarget,
  classLayout,
  logSoftmax,
  logSoftmaxBackward,
  type ClassLayout,
} from './class-layout.ts';

export interface ClassLossOptions {
  reduction: Reduction;
  weight: Tensor | null;
  ignore_index: number;
  /** CrossEntropyLoss only; 0 for NLLLoss. */
  label_smoothing: number;
}

/** What backward needs from the last forward. */
interface Saved {
  layout: ClassLayout;
  inputShape: number[];
  /** Log-probabilities laid out as the input (the input itself for NLLLoss). */
  logp: Float64Array;
  /** Class indices, or null for probability targets. */
  index: Int32Array | null;
  /** Probability targets (already smoothed), or null. */
  probs: Float64Array | null;
}

export class ClassLoss extends ReducedLoss {
  private saved: Saved | null = null;

  constructor(
    type: 'NLLLoss' | 'CrossEntropyLoss',
    private readonly opts: ClassLossOptions,
  ) {
    super(type, opts.reduction);
  }

  private get softmax(): boolean {
    return this.type === 'CrossEntropyLoss';
  }
  private w(c: number): number {
    return this.opts.weight ? this.opts.weight.data[c] : 1;
  }

  protected elementsOf(input: Tensor, target: Tensor | IntTensor): Elements {
    const layout = classLayout(this.type, input.shape);
    checkClassWeight(this.type, this.opts.weight, layout.c);
    const logp = this.softmax ? logSoftmax(input.data, layout) : Float64Array.from(input.data);
    const sameShape = target.shape.length === input.shape.length && target.shape.every((d, i) => d === input.shape[i]);
    if (this.softmax && sameShape) {
      if (isIntTensor(target))
        throw new Error(`${this.type}: Expected floating point type for target with class probabilities, got Long`);
      if (this.opts.ignore_index >= 0)
        throw new Error(`${this.type}: ignore_index is not supported for floating point target`);
      return this.probElements(input, target, layout, logp);
    }
    if (!isIntTensor(target))
      throw new Error(
        `${this.type}: class-index target must be int64, got a float tensor of shape [${target.shape.join(', ')}]${this.softmax ? " (probability targets need the input's shape)" : ''}`,
      );
    checkIndexTarget(this.type, input, target, layout);
    return this.indexElements(input, target, layout, logp);
  }

  private indexElements(input: Tensor, target: IntTensor, layout: ClassLayout, logp: Float64Array): Elements {
    const { n, c, inner } = layout,
      eps = this.opts.label_smoothing;
    const values = new Float64Array(n * inner);
    let totalWeight = 0,
      nllSum = 0,
      smoothSum = 0;
    for (let b = 0; b < n; b++) {
      for (let k = 0; k < inner; k++) {
        const i = b * inner + k,
          t = target.data[i],
          o = b * c * inner + k;
        if (t === this.opts.ignore_index) continue;
        if (t < 0 || t >= c) throw new Error(`${this.type}: Target ${t} is out of bounds.`);
        const wt = this.w(t);
        totalWeight += wt;
        const nll = -wt * logp[o + t * inner];
        let smooth = 0;
        if (eps > 0) for (let j = 0; j < c; j++) smooth -= this.w(j) * logp[o + j * inner];
        nllSum += nll;
        smoothSum += smooth;
        values[i] = eps > 0 ? (1 - eps) * nll + (eps / c) * smooth : nll;
      }
    }
    this.saved = { layout, inputShape: [...input.shape], logp, index: target.data, probs: null };
    // PyTorch 1.13: (1 - ε)·mean(nll) + (ε / C)·mean(smooth), each divided by the total
    // target weight of the kept positions (so 0 + x/0 gives NaN, not Inf, when it is 0)
    const mean = eps > 0 ? (1 - eps) * (nllSum / totalWeight) + (eps / c) * (smoothSum / totalWeight) : undefined;
    return { values, shape: [...layout.positions], denom: totalWeight, mean };
  }

  private probElements(input: Tensor, target: Tensor, layout: ClassLayout, logp: Float64Array): Elements {
    const { n, c, inner } = layout,
      eps = this.opts.label_smoothing;
    const probs = new Float64Array(target.data.length);
    // smoothed target, as a float32 tensor in PyTorch: t·(1 - ε) + ε / C
    for (let i = 0; i < probs.length; i++)
      probs[i] = eps > 0 ? Math.fround(Math.fround(target.data[i] * (1 - eps)) + eps / c) : target.data[i];
    const values = new Float64Array(n * inner);
    for (let b = 0; b < n; b++) {
      for (let k = 0; k < inner; k++) {
        const o = b * c * inner + k;
        let v = 0;
        for (let j = 0; j < c; j++) v -= this.w(j) * probs[o + j * inner] * logp[o + j * inner];
        values[b * inner + k] = v;
      }
    }
    this.saved = { layout, inputShape: [...input.shape], logp, index: null, probs };
    // 'mean' divides by the number of positions, numel / C, whatever the weights
    return { values, shape: [...layout.positions], denom: n * inner };
  }

  protected inputGrad(up: Float64Array): Tensor {
    const s = this.saved;
    if (!s) throw new Error(`${this.type}.backward() called before forward()`);
    const g = s.index ? this.indexGrad(up, s, s.index) : this.probGrad(up, s, s.probs!);
    if (this.softmax) logSoftmaxBackward(g, s.logp, s.layout);
    return { shape: [...s.inputShape], data: Float32Array.from(g) };
  }

  /** d/d(log-probs) for class-index targets; ignored positions get nothing. */
  private indexGrad(up: Float64Array, s: Saved, index: Int32Array): Float64Array {
    const { n, c, inner } = s.layout,
      eps = this.opts.label_smoothing;
    const g = new Float64Array(numel(s.inputShape));
    for (let b = 0; b < n; b++) {
      for (let k = 0; k < inner; k++) {
        const i = b * inner + k,
          t = index[i],
          o = b * c * inner + k;
        if (t === this.opts.ignore_index) continue;
        g[o + t * inner] = -(1 - eps) * up[i] * this.w(t);
        if (eps > 0) for (let j = 0; j < c; j++) g[o + j * inner] -= (eps / c) * up[i] * this.w(j);
      }
    }
    return g;
  }

  private probGrad(up: Float64Array, s: Saved, probs: Float64Array): Float64Array {
    const { n, c, inner } = s.layout;
    const g = new Float64Array(numel(s.inputShape));
    for (let b = 0; b < n; b++) {
      for (let k = 0; k < inner; k++) {
        const o = b * c * inner + k,
          u = up[b * inner + k];
        for (let j = 0; j < c; j++) g[o + j * inner] = -u * this.w(j) * probs[o + j * inner];
      }
    }
    return g;
  }
}
