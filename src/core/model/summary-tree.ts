// torchinfo 1.8's summary for nested modules (the default depth 3): one row per module
// call in forward order — containers (Sequential, blocks) before what they call — with
// depth-indexed names (`├─Sequential: 1-3`, `│    └─BasicBlock: 2-1`, `│    │    └─Conv2d: 3-1`;
// the index counts calls per depth across the whole model). A container shows `--` unless
// the depth limit hides its children, then the totals under it. Functional calls (F.relu,
// +, torch.cat) are not modules and have no row. Chains keep summary.ts's table.
import { pyInt } from '../python/py-format.ts';
import { flattenWithCalls } from './flat-graph.ts';
import { inferGraphShapes } from './graph-shapes.ts';
import type { ModelDocument } from './module-types.ts';
import { resolveLayer } from './resolve.ts';
import { countParams, formatTable, multAdds, SummaryShapeError, type SummaryTotals, type TableRow } from './summary.ts';
import type { Shape } from './types.ts';

export interface NestedSummaryRow {
  depth: number;
  index: number;
  path: string;
  type: string;
  leaf: boolean;
  outputShape: Shape;
  params: number;
  multAdds: number;
}
export interface NestedSummary extends SummaryTotals {
  title: string;
  depth: number;
  rows: NestedSummaryRow[];
  inputShape: Shape;
}

const prod = (xs: number[]): number => xs.reduce((a, b) => a * b, 1);

/** The summary of a (valid) document for `inputShape` (batch included), eval mode as torchinfo runs it. */
export function summarizeModel(doc: ModelDocument, inputShape: Shape, depth = 3): NestedSummary {
  const { graph, calls } = flattenWithCalls(doc);
  const report = inferGraphShapes(graph, inputShape, { training: false });
  if (report.error) throw new SummaryShapeError({ index: report.error.index, message: report.error.message });
  const shapeOf = new Map(report.ids.map((id, i) => [id, report.shapes[i] as Shape]));
  shapeOf.set('input', inputShape);
  const layers = new Map(graph.modules.map((m) => [m.path, m.layer]));
  const counters = new Map<number, number>();
  const rows = calls.map((c): NestedSummaryRow => {
    const index = (counters.get(c.depth) ?? 0) + 1;
    counters.set(c.depth, index);
    const outputShape = shapeOf.get(c.output)!;
    if (!c.leaf)
      return { depth: c.depth, index, path: c.path, type: c.type, leaf: false, outputShape, params: 0, multAdds: 0 };
    const layer = layers.get(c.path)!;
    return {
      depth: c.depth,
      index,
      path: c.path,
      type: c.type,
      leaf: true,
      outputShape,
      params: countParams(layer).total,
      multAdds: multAdds(resolveLayer(layer), outputShape),
    };
  });
  // A container's totals: its leaves' calls (each module's parameters once).
  for (const row of rows.filter((r) => !r.leaf)) {
    const inside = (p: string) => p.startsWith(`${row.path}.`);
    row.params = graph.modules.filter((m) => inside(m.path)).reduce((n, m) => n + countParams(m.layer).total, 0);
    row.multAdds = rows.filter((r) => r.leaf && inside(r.path)).reduce((n, r) => n + r.multAdds, 0);
  }
  const totalParams = graph.modules.reduce((n, m) => n + countParams(m.layer).total, 0);
  const leaves = rows.filter((r) => r.leaf);
  const inputBytes = prod(inputShape) * 4;
  const forwardBackwardBytes = leaves.reduce((n, r) => n + (r.params > 0 ? prod(r.outputShape) * 4 * 2 : 0), 0);
  const paramsBytes = totalParams * 4;
  return {
    title: doc.className ?? 'Model',
    depth,
    rows,
    inputShape: [...inputShape],
    outputShape: shapeOf.get(graph.output)!,
    totalParams,
    trainableParams: totalParams,
    nonTrainableParams: 0,
    totalMultAdds: leaves.reduce((n, r) => n + r.multAdds, 0),
    inputBytes,
    forwardBackwardBytes,
    paramsBytes,
    totalBytes: inputBytes + forwardBackwardBytes + paramsBytes,
  };
}

/** The text torchinfo prints for the summary. */
export function formatModelSummary(s: NestedSummary): string {
  const shown = s.rows.filter((r) => r.depth <= s.depth);
  const table = shown.map((r): TableRow => {
    const counted = r.leaf || r.depth === s.depth;
    return {
      depth: r.depth,
      label: `${r.type}: ${r.depth}-${r.index}`,
      outputShape: r.outputShape,
      params: counted && r.params > 0 ? pyInt(r.params) : '--',
      multAdds: counted && r.multAdds > 0 ? pyInt(r.multAdds) : '--',
    };
  });
  return formatTable(s.title, table, s);
}
