// Answers `loss` conformance cases (../shared/conformance/README.md): the loss and the
// gradient of its sum wrt the input.
import { createLoss, type LossSpec } from './losses.ts';
import { floatTensorFromJson, tensorFromJson, tensorToJson } from './tensor-json.ts';

export interface LossCase {
  id: string;
  loss: LossSpec;
  input: unknown;
  target: unknown;
}

export function answerLossCase(c: LossCase): { id: string; loss: unknown; grad_input: unknown } {
  const loss = createLoss(c.loss);
  const input = floatTensorFromJson(c.input, 'input');
  const target = tensorFromJson(c.target, 'target');
  const value = loss.forward(input, target);
  const grad = loss.backward();
  return { id: c.id, loss: tensorToJson(value), grad_input: tensorToJson(grad) };
}
