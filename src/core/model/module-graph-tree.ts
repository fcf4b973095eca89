// add_graph's record for a model with branches or blocks: the module hierarchy as PyTorch's
// tracer scopes it (`ResNet20/Sequential[layer1]/BasicBlock[0]/Conv2d[conv1]`), nested
// modules as collapsible groups, and every forward step as a leaf — module calls, and the
// functional steps the tracer also records (F.relu, add, cat) — with the data flow between
// them as edges, so branches are drawn as branches.
import { flattenWithCalls, type FlatNode, type ModuleCall } from './flat-graph.ts';
import { inferGraphShapes } from './graph-shapes.ts';
import type { ModuleEdge, ModuleGraph, ModuleNode } from './module-graph.ts';
import type { ModelDocument } from './module-types.ts';
import { resolveLayer, withDefaults } from './resolve.ts';
import { countParams, multAdds, SummaryShapeError } from './summary.ts';
import type { LayerSpec, Shape } from './types.ts';

const last = (id: string): string => id.slice(id.lastIndexOf('.') + 1);

function keywordsOf(spec: LayerSpec): Record<string, unknown> {
  const { type: _type, ...keywords } = withDefaults(spec);
  return keywords;
}

/** The add_graph record of a graph document for one input (batch included). Throws SummaryShapeError when it cannot run. */
export function buildGraphModuleGraph(doc: ModelDocument, inputShape: Shape): ModuleGraph {
  const { graph, calls } = flattenWithCalls(doc);
  const report = inferGraphShapes(graph, inputShape, { training: false });
  if (report.error) throw new SummaryShapeError({ index: report.error.index, message: report.error.message });
  const shapeOf = new Map<string, Shape>([
    ['input', inputShape],
    ...report.ids.map((id, i): [string, Shape] => [id, report.shapes[i]!]),
  ]);
  const layers = new Map(graph.modules.map((m) => [m.path, m.layer]));
  const rootType = doc.className ?? 'Model';
  const root: ModuleNode = {
    id: rootType,
    name: '',
    type: rootType,
    inputShape: [...inputShape],
    outputShape: [...shapeOf.get(graph.output)!],
    params: 0,
    multAdds: 0,
    children: [],
  };
  // A step goes into the deepest container call whose scope prefixes its id; containers are
  // created when their first step is, so children stay in forward order.
  const containers = calls.filter((c) => !c.leaf).sort((a, b) => a.scope.length - b.scope.length);
  const groups = new Map<string, ModuleNode>();
  const parentOf = (id: string): ModuleNode =>
    containers
      .filter((c) => id.startsWith(`${c.scope}.`))
      .reduce((parent, c) => {
        let node = groups.get(c.scope);
        if (!node) {
          node = {
            id: `${parent.id}/${c.type}[${last(c.scope)}]`,
            name: last(c.scope),
            type: c.type,
            inputShape: [...shapeOf.get(c.input)!],
            outputShape: [...shapeOf.get(c.output)!],
            params: 0,
            multAdds: 0,
            children: [],
          };
          parent.children.push(node);
          groups.set(c.scope, node);
        }
        return node;
      }, root);
  const leafIds = new Map<string, string>();
  const callOf = new Map<string, ModuleCall>(calls.filter((c) => c.leaf).map((c) => [c.output, c]));
  for (const n of graph.nodes) leafIds.set(n.id, addLeaf(n, parentOf(n.id), callOf.get(n.id), layers, shapeOf));
  sumUp(root);
  root.params = graph.modules.reduce((n, m) => n + countParams(m.layer).total, 0); // a shared module counts once
  const edges: ModuleEdge[] = graph.nodes.flatMap((n) =>
    n.inputs.map((x) => ({ from: leafIds.get(x) ?? 'input', to: leafIds.get(n.id)!, shape: [...shapeOf.get(x)!] })),
  );
  edges.push({ from: leafIds.get(graph.output) ?? 'input', to: 'output', shape: [...shapeOf.get(graph.output)!] });
  return { version: 1, input: [...inputShape], root, edges };
}

function addLeaf(
  n: FlatNode,
  parent: ModuleNode,
  call: ModuleCall | undefined,
  layers: Map<string, LayerSpec>,
  shapeOf: Map<string, Shape>,
): string {
  const layer = 'module' in n ? layers.get(n.module)! : 'apply' in n ? n.apply : null;
  const out = shapeOf.get(n.id)!;
  const type = layer ? String(layer.type) : 'op' in n ? n.op : 'node';
  const params = 'module' in n && layer ? countParams(layer).total : 0;
  const node: ModuleNode = {
    id: `${parent.id}/${type}[${last(n.id)}]`,
    name: last(call?.path ?? n.id),
    type,
    ...(layer ? { keywords: keywordsOf(layer) } : 'op' in n && n.op === 'cat' ? { keywords: { dim: n.dim } } : {}),
    inputShape: [...shapeOf.get(n.inputs[0])!],
    outputShape: [...out],
    params,
    multAdds: 'module' in n && layer ? multAdds(resolveLayer(layer), out) : 0,
    children: [],
  };
  parent.children.push(node);
  return node.id;
}

/** Containers carry the totals of what they hold. */
function sumUp(node: ModuleNode): void {
  if (node.children.length === 0) return;
  node.children.forEach(sumUp);
  node.params = node.children.reduce((a, c) => a + c.params, 0);
  node.multAdds = node.children.reduce((a, c) => a + c.multAdds, 0);
}
