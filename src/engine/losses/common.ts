// Shared pieces of the losses: the public types, reductions, broadcasting, and the
// base class that turns per-element losses into PyTorch's reduced result and back.
import { numel, type IntTensor, type Tensor } from '../tensor.ts';

export type Reduction = 'mean' | 'sum' | 'none';

/** A loss as PyTorch builds it: class name plus constructor keywords, PyTorch's names. */
export interface LossSpec {
  type: string;
  [keyword: string]: unknown;
}

export interface Loss {
  readonly type: string;
  /** Scalar shape [] for mean/sum, per element for 'none'. Keeps what backward needs. */
  forward(input: Tensor, target: Tensor | IntTensor): Tensor;
  /** d(sum(loss · gradLoss))/d input for the last forward; gradLoss defaults to ones. */
  backward(gradLoss?: Tensor): Tensor;
}

export const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** numpy/PyTorch broadcasting of two shapes; throws PyTorch's message when they do not fit. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1,
      db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(
        `The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`,
      );
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/**
 * For each flat index of `out`, the flat index of the element of a tensor of shape `src`
 * broadcast to it; null when the shapes are equal (identity, the common case).
 */
export function broadcastIndex(out: readonly number[], src: readonly number[]): Int32Array | null {
  if (out.length === src.length && out.every((d, i) => d === src[i])) return null;
  const n = numel(out),
    idx = new Int32Array(n),
    rank = out.length;
  const strides = new Array<number>(rank).fill(0);
  for (let d = rank - 1, s = 1; d >= 0; d--) {
    const sd = src[d - (rank - src.length)];
    if (sd === undefined) continue;
    strides[d] = sd === 1 ? 0 : s;
    s *= sd;
  }
  for (let i = 0; i < n; i++) {
    let rem = i,
      off = 0;
    for (let d = rank - 1; d >= 0; d--) {
      off += (rem % out[d]) * strides[d];
      rem = Math.floor(rem / out[d]);
    }
    idx[i] = off;
  }
  return idx;
}

/** A tensor that must broadcast to `shape` without changing it (a loss weight); throws otherwise. */
export function checkBroadcastsTo(what: string, t: Tensor, shape: readonly number[]): Int32Array | null {
  const b = broadcastShapes(shape, t.shape);
  if (b.length !== shape.length || b.some((d, i) => d !== shape[i])) {
    throw new Error(`${what} of shape ${shapeText(t.shape)} does not broadcast to the input shape ${shapeText(shape)}`);
  }
  return broadcastIndex(shape, t.shape);
}

export interface Elements {
  /** Unreduced loss values, in double precision until the result is written. */
  values: Float64Array;
  /** Shape of the unreduced loss ('none' result). */
  shape: number[];
  /** What 'mean' divides by: the element count, or the total class weight for NLL. */
  denom: number;
  /** The 'mean' result when it is not Σ values / denom (label smoothing's two means). */
  mean?: number;
}

/**
 * Base of every loss: subclasses compute unreduced elements and, given the upstream
 * gradient of each element, the gradient wrt the input.
 */
export abstract class ReducedLoss implements Loss {
  private elements: Elements | null = null;
  protected constructor(
    readonly type: string,
    readonly reduction: Reduction,
  ) {}

  protected abstract elementsOf(input: Tensor, target: Tensor | IntTensor): Elements;
  /** Gradient wrt the last input from d(loss)/d(element i) = up[i]. */
  protected abstract inputGrad(up: Float64Array): Tensor;

  forward(input: Tensor, target: Tensor | IntTensor): Tensor {
    const el = this.elementsOf(input, target);
    this.elements = el;
    if (this.reduction === 'none') return { shape: [...el.shape], data: Float32Array.from(el.values) };
    let s = 0;
    for (let i = 0; i < el.values.length; i++) s += el.values[i];
    // mean of nothing is 0/0 = NaN, as PyTorch
    return { shape: [], data: Float32Array.of(this.reduction === 'sum' ? s : (el.mean ?? s / el.denom)) };
  }

  backward(gradLoss?: Tensor): Tensor {
    const el = this.elements;
    if (!el) throw new Error(`${this.type}.backward() called before forward()`);
    const m = el.values.length,
      up = new Float64Array(m);
    if (this.reduction === 'none') {
      if (gradLoss && gradLoss.data.length !== m) {
        throw new Error(
          `${this.type}: gradLoss of shape ${shapeText(gradLoss.shape)} does not match the loss shape ${shapeText(el.shape)}`,
        );
      }
      for (let i = 0; i < m; i++) up[i] = gradLoss ? gradLoss.data[i] : 1;
    } else {
      if (gradLoss && gradLoss.data.length !== 1)
        throw new Error(
          `${this.type}: gradLoss must be a scalar for reduction '${this.reduction}', got shape ${shapeText(gradLoss.shape)}`,
        );
      const g = gradLoss ? gradLoss.data[0] : 1;
      up.fill(this.reduction === 'sum' ? g : g / el.denom);
    }
    return this.inputGrad(up);
  }
}
