// Output-size formulas, PyTorch's. One source of truth: shape inference and the
// engine's kernels both call these, so the editor's badge and the kernel never disagree.

/** Conv2d: floor((in + padBefore + padAfter - dilation*(k-1) - 1) / stride) + 1. */
export function convOutSize(
  size: number,
  kernel: number,
  stride: number,
  padBefore: number,
  padAfter: number,
  dilation: number,
): number {
  return Math.floor((size + padBefore + padAfter - dilation * (kernel - 1) - 1) / stride) + 1;
}

/**
 * Max/avg pooling, ATen's pooling_output_shape: with ceil_mode the last window may
 * start in the right padding but never past it.
 */
export function poolOutSize(
  size: number,
  kernel: number,
  stride: number,
  padding: number,
  dilation: number,
  ceilMode: boolean,
): number {
  const span = size + 2 * padding - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0);
  let out = Math.floor(span / stride) + 1;
  if (ceilMode && (out - 1) * stride >= size + padding) out--;
  return out;
}

/** AdaptiveAvgPool2d bin i of `outSize` over `inSize`: [floor(i*in/out), ceil((i+1)*in/out)). */
export function adaptiveBin(i: number, inSize: number, outSize: number): [number, number] {
  return [Math.floor((i * inSize) / outSize), Math.ceil(((i + 1) * inSize) / outSize)];
}

/** Padding of Conv2d(padding='same'): total d*(k-1), the extra one on the end side, as PyTorch. */
export function samePadding(kernel: number, dilation: number): [number, number] {
  const total = dilation * (kernel - 1);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Span of a dilated kernel: d*(k-1)+1 input positions. */
export function effectiveKernel(kernel: number, dilation: number): number {
  return dilation * (kernel - 1) + 1;
}

/** A dim in [-rank, rank) as a non-negative index (PyTorch's maybe_wrap_dim), or null when out of range. */
export function wrapDim(dim: number, rank: number): number | null {
  const r = Math.max(rank, 1);
  if (dim < -r || dim >= r) return null;
  return dim < 0 ? dim + r : dim;
}

/** torch.flatten over wrapped dims start..end (start <= end): those sizes multiplied into one. */
export function flattenShape(shape: number[], start: number, end: number): number[] {
  if (shape.length === 0) return [1];
  const merged = shape.slice(start, end + 1).reduce((a, b) => a * b, 1);
  return [...shape.slice(0, start), merged, ...shape.slice(end + 1)];
}

/** Softmax(dim=None): PyTorch's _get_softmax_dim picks 0 for a 0-, 1- or 3-D input, else 1. */
export function implicitSoftmaxDim(rank: number): number {
  return rank === 0 || rank === 1 || rank === 3 ? 0 : 1;
}

/** Values per channel that BatchNorm's batch statistics average over: N × spatial sizes. */
export function valuesPerChannel(shape: number[]): number {
  return shape.reduce((a, b, i) => (i === 1 ? a : a * b), 1);
}
