// BCELoss: binary cross-entropy of probabilities (after a Sigmoid), torch 1.13's CPU
// kernel: −w·(y·log x + (1−y)·log(1−x)) with each log clamped at −100, inputs checked to
// lie in [0, 1]; the gradient w·(x − y) / max((1 − x)·x, 1e-12).
import { numel, type IntTensor, type Tensor } from '../tensor.ts';
import { isIntTensor } from '../tensor-json.ts';
import { checkBroadcastsTo, ReducedLoss, shapeText, type Elements, type Reduction } from './common.ts';

const EPSILON = 1e-12;

export class BCELoss extends ReducedLoss {
  private input: Tensor | null = null;
  private target: Tensor | null = null;
  private wIndex: Int32Array | null = null;

  constructor(
    reduction: Reduction,
    private readonly weight: Tensor | null,
  ) {
    super('BCELoss', reduction);
  }

  protected elementsOf(input: Tensor, target: Tensor | IntTensor): Elements {
    if (isIntTensor(target))
      throw new Error(`${this.type}: target must be a float tensor of 0/1 (or probabilities), got int64`);
    if (
      numel(target.shape) !== numel(input.shape) ||
      target.shape.length !== input.shape.length ||
      target.shape.some((d, i) => d !== input.shape[i])
    ) {
      throw new Error(
        `${this.type}: Using a target size (${shapeText(target.shape)}) that is different to the input size (${shapeText(input.shape)}) is deprecated. Please ensure they have the same size.`,
      );
    }
    this.wIndex = this.weight ? checkBroadcastsTo(`${this.type}: weight`, this.weight, input.shape) : null;
    const n = input.data.length,
      values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const x = input.data[i],
        y = target.data[i];
      if (!(x >= 0 && x <= 1))
        throw new Error(
          `${this.type}: all elements of input should be between 0 and 1 (element ${i} is ${x}: put a Sigmoid before it, or use BCEWithLogitsLoss)`,
        );
      const logX = Math.max(Math.fround(Math.log(x)), -100),
        log1mX = Math.max(Math.fround(Math.log(1 - x)), -100);
      let v = (y - 1) * log1mX - y * logX;
      if (this.weight) v *= this.w(i);
      values[i] = Math.fround(v);
    }
    this.input = input;
    this.target = target;
    return { values, shape: [...input.shape], denom: n };
  }

  private w(i: number): number {
    return this.weight!.data[this.wIndex ? this.wIndex[i] : i];
  }

  protected inputGrad(up: Float64Array): Tensor {
    const x = this.input!,
      y = this.target!,
      n = numel(x.shape),
      grad = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const xi = x.data[i];
      let g = (xi - y.data[i]) / Math.max((1 - xi) * xi, EPSILON);
      if (this.weight) g *= this.w(i);
      grad[i] = g * up[i];
    }
    return { shape: [...x.shape], data: grad };
  }
}
