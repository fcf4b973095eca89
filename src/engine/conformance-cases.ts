// Answers `module` and `train` conformance cases (../shared/conformance/README.md).
// module: output, grad_input (∂ Σ output·grad_output / ∂ input), grads by parameter name,
// state_after (every state_dict entry after the forward).
// train: PyTorch's loop per batch — forward, loss, zero_grad, backward, step — giving the
// loss before each step and the state_dict after the last.
import type { LayerSpec } from '../core/model/types.ts';
import { flatGraphOfCase, type CaseGraph } from './conformance-graph.ts';
import { createLoss, type LossSpec } from './losses.ts';
import { createOptimizer, type OptimizerSpec } from './optim/index.ts';
import { Model, type StateDict } from './model.ts';
import { Sequential } from './sequential.ts';
import { floatTensorFromJson, tensorFromJson, tensorToJson, type TensorJson } from './tensor-json.ts';

/** A case's model: `layers` (nn.Sequential) or a `graph` (an nn.Module with branches). */
export interface CaseModel { layers?: LayerSpec[]; graph?: CaseGraph }

export interface ModuleCase extends CaseModel {
  id: string; state?: Record<string, unknown>; mode?: 'train' | 'eval';
  input: unknown; grad_output: unknown;
}
export interface TrainCase extends CaseModel {
  id: string; state?: Record<string, unknown>; loss: LossSpec; optimizer: OptimizerSpec;
  batches: { input: unknown; target: unknown }[];
}

export function stateFromJson(state: Record<string, unknown> | undefined): StateDict {
  const out: StateDict = {};
  for (const [name, t] of Object.entries(state ?? {})) out[name] = tensorFromJson(t, `state.${name}`);
  return out;
}

export function stateToJson(state: StateDict): Record<string, TensorJson> {
  return Object.fromEntries(Object.entries(state).map(([k, v]) => [k, tensorToJson(v)]));
}

/** A model with the case's weights (strict: every state_dict entry must be given). */
function buildModel(c: CaseModel, state: Record<string, unknown> | undefined): Model {
  const model = c.graph ? new Model(flatGraphOfCase(c.graph), { className: c.graph.class }) : new Sequential(c.layers ?? []);
  model.loadStateDict(stateFromJson(state));
  return model;
}

export function answerModuleCase(c: ModuleCase): { id: string; [field: string]: unknown } {
  const model = buildModel(c, c.state);
  if (c.mode === 'eval') model.eval(); else model.train();
  const output = model.forward(floatTensorFromJson(c.input, 'input'));
  const stateAfter = model.stateDict();
  const gradInput = model.backward(floatTensorFromJson(c.grad_output, 'grad_output'));
  const grads: Record<string, TensorJson> = {};
  // a parameter the output does not depend on has a zero gradient
  for (const p of model.parameters()) grads[p.name] = tensorToJson(p.grad ?? { shape: p.value.shape, data: new Float32Array(p.value.data.length) });
  return { id: c.id, output: tensorToJson(output), grad_input: tensorToJson(gradInput), grads, state_after: stateToJson(stateAfter) };
}

export function answerTrainCase(c: TrainCase): { id: string; [field: string]: unknown } {
  const model = buildModel(c, c.state);
  model.train();
  const loss = createLoss(c.loss);
  const opt = createOptimizer(c.optimizer, model.parameters());
  const losses: number[] = [];
  c.batches.forEach((b, i) => {
    const out = model.forwardView(floatTensorFromJson(b.input, `batches[${i}].input`));
    const value = loss.forward(out, tensorFromJson(b.target, `batches[${i}].target`));
    losses.push(value.data[0]);
    opt.zeroGrad();
    model.backwardParams(loss.backward());
    opt.step();
  });
  return { id: c.id, losses, state: stateToJson(model.stateDict()) };
}
