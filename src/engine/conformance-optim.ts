// Answers `optimizer` conformance cases (../shared/conformance/README.md): a fresh optimizer
// over the given parameters (one group, in the order given), one step per gradient map;
// the parameters after each step. A parameter missing from a step's map has no gradient
// (grad None) and is skipped, as PyTorch does.
import { createOptimizer, type OptimizerSpec } from './optim/index.ts';
import type { Param } from './tensor.ts';
import { floatTensorFromJson, tensorToJson, type TensorJson } from './tensor-json.ts';

export interface OptimizerCase {
  id: string;
  optimizer: OptimizerSpec;
  params: Record<string, unknown>;
  grads: Record<string, unknown>[];
}

export function answerOptimizerCase(c: OptimizerCase): { id: string; params: Record<string, TensorJson>[] } {
  const params: Param[] = Object.entries(c.params).map(([name, t]) => ({
    name,
    value: floatTensorFromJson(t, `params.${name}`),
    grad: null,
  }));
  const opt = createOptimizer(c.optimizer, params);
  const after: Record<string, TensorJson>[] = [];
  c.grads.forEach((step, i) => {
    for (const name of Object.keys(step)) {
      if (!(name in c.params)) throw new Error(`grads[${i}].${name}: no such parameter`);
    }
    for (const p of params) {
      const g = step[p.name];
      p.grad = g === undefined || g === null ? null : floatTensorFromJson(g, `grads[${i}].${p.name}`);
    }
    opt.step();
    after.push(Object.fromEntries(params.map((p) => [p.name, tensorToJson(p.value)])));
  });
  return { id: c.id, params: after };
}
