// Dense float32 tensors, row-major (C order), batch first. Kept deliberately plain:
// a shape and a flat buffer, so kernels work on typed arrays with no per-element objects.

export interface Tensor {
  shape: number[];
  data: Float32Array;
}

/** Class-index targets (int64 in PyTorch) travel as Int32Array. */
export interface IntTensor {
  shape: number[];
  data: Int32Array;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function zeros(shape: readonly number[]): Tensor {
  return { shape: [...shape], data: new Float32Array(numel(shape)) };
}

export function fromArray(shape: readonly number[], values: ArrayLike<number>): Tensor {
  const n = numel(shape);
  if (values.length !== n)
    throw new Error(`tensor of shape [${shape.join(', ')}] needs ${n} values, got ${values.length}`);
  return { shape: [...shape], data: Float32Array.from(values) };
}

/** A trainable parameter or buffer with its state_dict name ('0.weight', '3.running_mean'). */
export interface Param {
  name: string;
  value: Tensor;
  /** Gradient accumulated by backward(); null after zero_grad(set_to_none=True). */
  grad: Tensor | null;
}
