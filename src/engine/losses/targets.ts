// Class labels for losses that compare the output element by element (MSELoss, BCELoss,
// KLDivLoss…): one-hot rows of the output's width, as the exported train.py does with
// nn.functional.one_hot. Losses of class indices (CrossEntropyLoss, NLLLoss) get them as they are.
import type { IntTensor, Tensor } from '../tensor.ts';

const INDEX_LOSSES = new Set(['CrossEntropyLoss', 'NLLLoss']);

/** The target `loss` is computed against: `target` itself, or class indices one-hot over [N, C] logits. */
export function lossTarget(lossType: string, out: Tensor, target: Tensor | IntTensor): Tensor | IntTensor {
  if (
    INDEX_LOSSES.has(lossType) ||
    !(target.data instanceof Int32Array) ||
    out.shape.length !== 2 ||
    target.shape.length !== 1
  )
    return target;
  const [n, c] = out.shape,
    hot = new Float32Array(n * c);
  for (let i = 0; i < n; i++) {
    const k = target.data[i];
    if (!(k >= 0 && k < c))
      throw new Error(
        `${lossType}: class ${k} of example ${i} is not below the model's ${c} outputs (targets are one-hot rows for this loss)`,
      );
    hot[i * c + k] = 1;
  }
  return { shape: [n, c], data: hot };
}
