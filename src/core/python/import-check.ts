// Checks of an imported model that need its shapes: `x.view(-1, K)` is read as a flatten of
// each sample only when each sample then holds exactly K values (otherwise view would
// reshape across the batch, which no layer does): refused with its line when not. And the
// numbers an import gave (layers, parameters, output shape), for the CLI.
import { flattenModel, type FlatGraph } from '../model/flat-graph.ts';
import type { ModelDocument } from '../model/module-types.ts';
import { inferGraphShapes } from '../model/graph-shapes.ts';
import { countParams } from '../model/summary.ts';
import type { Shape } from '../model/types.ts';
import type { LineError } from './import-result.ts';
import type { ViewCheck } from './python-functional.ts';

/** Output shape of every flat node for a batched input (eval mode, core's graph rules), up to the first node that cannot run. */
export function flatShapes(
  graph: FlatGraph,
  input: Shape,
): { shapes: Map<string, Shape>; error: { node: string; message: string } | null } {
  const report = inferGraphShapes(graph, input, { training: false });
  const shapes = new Map<string, Shape>([['input', input]]);
  report.shapes.forEach((s, i) => {
    if (s) shapes.set(report.ids[i], s);
  });
  return { shapes, error: report.error ? { node: report.error.node, message: report.error.message } : null };
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
      errors.push({
        line: c.line,
        message: `${c.text} cannot be checked: the shapes fail before it for input ${input.join('×')} (${error?.node}: ${error?.message})`,
      });
      continue;
    }
    const per = before.slice(1).reduce((a, b) => a * b, 1);
    if (per !== c.features) {
      errors.push({
        line: c.line,
        message: `${c.text} is a flatten only if each sample holds ${c.features} values, but here it holds ${fmt(before)} = ${per} (input ${input.join('×')}): PyTorch would mix samples across the batch. Write x.flatten(1), or check the input shape`,
      });
    }
  }
  return errors;
}

export interface ImportSummary {
  /** Leaf layers registered (state_dict modules), functional layers applied in forward, add and cat ops. */
  layers: number;
  applied: number;
  adds: number;
  cats: number;
  blocks: number;
  params: number;
  /** Output shape without the batch for the document's input, or why the shapes fail. */
  output: Shape | { error: string };
}

/** What an import gave, in numbers: for the CLI's line and the lead's notes. */
export function importSummary(doc: ModelDocument): ImportSummary {
  const graph = flattenModel(doc);
  const { shapes, error } = flatShapes(graph, [2, ...doc.input]);
  const count = (pred: (n: FlatGraph['nodes'][number]) => boolean) => graph.nodes.filter(pred).length;
  return {
    layers: graph.modules.length,
    applied: count((n) => 'apply' in n),
    adds: count((n) => 'op' in n && n.op === 'add'),
    cats: count((n) => 'op' in n && n.op === 'cat'),
    blocks: doc.blocks?.length ?? 0,
    params: graph.modules.reduce((s, m) => s + countParams(m.layer).total, 0),
    output: error ? { error: `${error.node}: ${error.message}` } : shapes.get(graph.output)!.slice(1),
  };
}

/** `6 layers (+ 6 functional), 62,006 parameters, 3×32×32 → 10`. */
export function formatImportSummary(doc: ModelDocument, s: ImportSummary): string {
  const extra = [s.applied && `${s.applied} functional`, s.adds && `${s.adds} add`, s.cats && `${s.cats} cat`]
    .filter(Boolean)
    .join(', ');
  const blocks = s.blocks ? ` in ${s.blocks} block class${s.blocks === 1 ? '' : 'es'}` : '';
  const out = Array.isArray(s.output)
    ? `${doc.input.join('×')} → ${s.output.join('×')}`
    : `shapes fail for ${doc.input.join('×')}: ${s.output.error}`;
  return `${s.layers} layers${extra ? ` (+ ${extra})` : ''}${blocks}, ${s.params.toLocaleString('en-US')} parameters, ${out}`;
}
