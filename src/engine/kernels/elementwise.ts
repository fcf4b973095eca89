// The elementwise ops a training step runs on whole tensors, in their reference form (the
// TS backend's): ReLU forward and backward, and the same-shape add of graph models (the
// residual add, gradient sums). Backends run them through Backend.elementwise.

/** relu: y = max(a, 0), NaN stays NaN (torch.relu); reluBackward: y = a ≤ 0 ? 0 : b (a the forward input, b the gradient; ATen's 0 at 0); add: y = a + b. */
export type ElementwiseOp = 'relu' | 'reluBackward' | 'add';

/** y[i] = op(a[i], b[i]) for every i of y; y may be a itself (add in place). */
export function elementwise(op: ElementwiseOp, a: Float32Array, b: Float32Array | null, y: Float32Array): void {
  const n = y.length;
  if (op === 'relu') {
    for (let i = 0; i < n; i++) {
      const v = a[i];
      y[i] = v > 0 || v !== v ? v : 0;
    }
    return;
  }
  if (!b) throw new Error(`elementwise ${op} needs a second operand`);
  if (op === 'reluBackward') for (let i = 0; i < n; i++) y[i] = a[i] <= 0 ? 0 : b[i];
  else for (let i = 0; i < n; i++) y[i] = a[i] + b[i];
}
