// Checks of an imported model that need its shapes: `x.view(-1, K)` is read as a flatten of
// each sample only when each sample then holds exactly K values (otherwise view would
// reshape across the batch, which no layer does): refused with its line when not.
import type { FlatGraph } from '../model/flat-graph.ts';
import { addShape, catShape } from '../model/op-shapes.ts';
import { resolveLayer } from '../model/resolve.ts';
import { layerOutputShape } from '../model/shapes.ts';
import type { Shape } from '../model/types.ts';
import type { LineError } from './import-result.ts';
import type { ViewCheck } from './python-functional.ts';

/** Output shape of every flat node for a batched input, up to the first node that cannot run. */
export function flatShapes(graph: FlatGraph, input: Shape): { shapes: Map<string, Shape>; error: { node: string; message: string } | null } {
  const shapes = new Map<string, Shape>([['input', input]]);
  const layers = new Map(graph.modules.map((m) => [m.path, m.layer]));
  const from = (id: string) => (id === 'input' ? 'the input' : id);
  for (const n of graph.nodes) {
    try {
      const ins = n.inputs.map((i) => shapes.get(i)!);
      let out: Shape;
      if ('module' in n) out = layerOutputShape(resolveLayer(layers.get(n.module)!), ins[0], { training: false });
      else if ('apply' in n) out = layerOutputShape(resolveLayer(n.apply), ins[0], { training: false });
      else if (n.op === 'add') out = addShape(n.inputs.map((i, k) => ({ shape: ins[k], from: from(i) })));
      else out = catShape(n.inputs.map((i, k) => ({ shape: ins[k], from: from(i) })), n.dim);
      shapes.set(n.id, out);
    } catch (err) {
      return { shapes, error: { node: n.id, message: err instanceof Error ? err.message : String(err) } };
    }
  }
  return { shapes, error: null };
}

const fmt = (s: Shape) => s.slice(1).join('×');

/** Each `view(-1, K)` whose input does not hold K values per sample, by line. `node`: the model forward node (its flat id). */
export function viewErrors(graph: FlatGraph, input: number[], checks: (ViewCheck & { node: string })[]): LineError[] {
  if (checks.length === 0) return [];
  const { shapes, error } = flatShapes(graph, [2, ...input]);
  const errors: LineError[] = [];
  for (const c of checks) {
    const node = graph.nodes.find((n) => n.id === c.node);
    const before = node && shapes.get(node.inputs[0]);
    if (!before) {
      errors.push({ line: c.line, message: `${c.text} cannot be checked: the shapes fail before it for input ${input.join('×')} (${error?.node}: ${error?.message})` });
      continue;
    }
    const per = before.slice(1).reduce((a, b) => a * b, 1);
    if (per !== c.features) {
      errors.push({ line: c.line, message: `${c.text} is a flatten only if each sample holds ${c.features} values, but here it holds ${fmt(before)} = ${per} (input ${input.join('×')}): PyTorch would mix samples across the batch. Write x.flatten(1), or check the input shape` });
    }
  }
  return errors;
}
