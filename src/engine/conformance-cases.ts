// Answers `module` and `train` conformance cases (../shared/conformance/README.md).
// module: output, grad_input (∂ Σ output·grad_output / ∂ input), grads by parameter name,
// state_after (every state_dict entry after the forward).
// train: PyTorch's loop per batch — forward, loss, zero_grad, backward, step — giving the
// loss before each step and the state_dict after the last.
import type { LayerSpec } from '../core/model/types.ts';
import { flatGraphOfCase, type CaseGraph } from './conformance-graph.ts';
import { createLoss, type LossSpec } from './losses.ts';
import { createOptimizer, type OptimizerSpec } from './optim/index.ts';
import { Model } from './model.ts';
import type { StateDict } from './state-dict.ts';
import { Sequential } from './sequential.ts';
import { floatTensorFromJson, tensorFromJson, tensorToJson, type TensorJson } from './tensor-json.ts';

/** A case's model: `layers` (nn.Sequential) or a `graph` (an nn.Module with branches). */
export interface CaseModel {
  layers?: LayerSpec[];
  graph?: CaseGraph;
}

export interface ModuleCase extends CaseModel {
  id: string;
  state?: Record<string, unknown>;
  mode?: 'train' | 'eval';
  input: unknown;
  grad_output: unknown;
}
export interface TrainCase extends CaseModel {
  id: string;
  state?: Record<string, unknown>;
  loss: LossSpec;
  optimizer: OptimizerSpec;
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

/** The case's model: its `graph`, or nn.Sequential(*layers). */
function caseModel(c: CaseModel): Model {
  return c.graph ? new Model(flatGraphOfCase(c.graph), { className: c.graph.class }) : new Sequential(c.layers ?? []);
}

type Result = { id: string; [field: string]: unknown };

export function answerModuleCase(c: ModuleCase): Result {
  return runModuleCase(caseModel(c), c);
}

export function answerTrainCase(c: TrainCase): Result {
  return runTrainCase(caseModel(c), c);
}

/** A module case on a given model, which first takes the case's weights (strict: every state_dict entry). */
export function runModuleCase(model: Model, c: Omit<ModuleCase, keyof CaseModel>): Result {
  model.loadStateDict(stateFromJson(c.state));
  if (c.mode === 'eval') model.eval();
  else model.train();
  const output = model.forward(floatTensorFromJson(c.input, 'input'));
  const stateAfter = model.stateDict();
  const gradInput = model.backward(floatTensorFromJson(c.grad_output, 'grad_output'));
  const grads: Record<string, TensorJson> = {};
  // a parameter the output does not depend on has a zero gradient
  for (const p of model.parameters())
    grads[p.name] = tensorToJson(p.grad ?? { shape: p.value.shape, data: new Float32Array(p.value.data.length) });
  return {
    id: c.id,
    output: tensorToJson(output),
    grad_input: tensorToJson(gradInput),
    grads,
    state_after: stateToJson(stateAfter),
  };
}

/** A train case on a given model, which first takes the case's weights. */
export function runTrainCase(model: Model, c: Omit<TrainCase, keyof CaseModel>): Result {
  model.loadStateDict(stateFromJson(c.state));
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
