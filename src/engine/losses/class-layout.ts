// Where the class dimension lies for NLLLoss and CrossEntropyLoss, and the checks PyTorch
// makes on class-index targets. Input [N, C, d1, ...] (or unbatched [C]); a position is
// one (n, d1, ...) and its class c sits at n·C·inner + c·inner + k.
import { numel, type IntTensor, type Tensor } from '../tensor.ts';
import { shapeText } from './common.ts';

export interface ClassLayout {
  /** Batch size (1 for an unbatched [C] input). */
  n: number;
  /** Number of classes. */
  c: number;
  /** Product of the dimensions after the class dimension. */
  inner: number;
  /** Shape of one value per position: [N, d1, ...], or [] unbatched. */
  positions: number[];
}

export function classLayout(type: string, shape: readonly number[]): ClassLayout {
  if (shape.length === 0)
    throw new Error(`${type}: input must have a class dimension ([C], [N, C] or [N, C, d1, ...]), got a scalar`);
  if (shape.length === 1) return { n: 1, c: shape[0], inner: 1, positions: [] };
  return { n: shape[0], c: shape[1], inner: numel(shape.slice(2)), positions: [shape[0], ...shape.slice(2)] };
}

/** Class-index target checks, with PyTorch's messages. */
export function checkIndexTarget(type: string, input: Tensor, target: IntTensor, layout: ClassLayout): void {
  const ts = target.shape,
    is = input.shape;
  if (is.length === 1) {
    if (ts.length !== 0)
      throw new Error(
        `${type}: an unbatched input of shape ${shapeText(is)} needs a scalar target (shape []), got ${shapeText(ts)}`,
      );
    return;
  }
  if (is.length === 2 && ts.length !== 1)
    throw new Error(
      `${type}: 0D or 1D target tensor expected, multi-target not supported (target shape ${shapeText(ts)})`,
    );
  if (is.length === 2 && ts[0] !== is[0])
    throw new Error(`${type}: Expected input batch_size (${is[0]}) to match target batch_size (${ts[0]}).`);
  if (ts.length !== layout.positions.length || ts.some((d, i) => d !== layout.positions[i])) {
    throw new Error(`${type}: Expected target size ${shapeText(layout.positions)}, got ${shapeText(ts)}`);
  }
}

/** The class weight must be 1-D with one value per class. */
export function checkClassWeight(type: string, weight: Tensor | null, c: number): void {
  if (weight && (weight.shape.length !== 1 || weight.shape[0] !== c)) {
    throw new Error(
      `${type}: weight tensor should be defined either for all ${c} classes or no classes but got weight tensor of shape: ${shapeText(weight.shape)}`,
    );
  }
}

/** Log-softmax over the class dimension, in double precision. */
export function logSoftmax(x: Float32Array, { n, c, inner }: ClassLayout): Float64Array {
  const out = new Float64Array(x.length);
  for (let b = 0; b < n; b++) {
    for (let k = 0; k < inner; k++) {
      const o = b * c * inner + k;
      let max = -Infinity;
      for (let j = 0; j < c; j++) max = Math.max(max, x[o + j * inner]);
      // an all -inf row has no finite max; PyTorch then yields NaN as x - max does here
      const m = Number.isFinite(max) ? max : 0;
      let s = 0;
      for (let j = 0; j < c; j++) s += Math.exp(x[o + j * inner] - m);
      const lse = m + Math.log(s);
      for (let j = 0; j < c; j++) out[o + j * inner] = x[o + j * inner] - lse;
    }
  }
  return out;
}

/** Chains d/d(log_softmax) into d/d(logits): g - softmax · Σ g, in place. */
export function logSoftmaxBackward(g: Float64Array, logp: Float64Array, { n, c, inner }: ClassLayout): void {
  for (let b = 0; b < n; b++) {
    for (let k = 0; k < inner; k++) {
      const o = b * c * inner + k;
      let s = 0;
      for (let j = 0; j < c; j++) s += g[o + j * inner];
      for (let j = 0; j < c; j++) g[o + j * inner] -= Math.exp(logp[o + j * inner]) * s;
    }
  }
}
