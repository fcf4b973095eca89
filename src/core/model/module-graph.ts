// What add_graph records for a run: the module hierarchy (`BS` → `Sequential[model]`
// → `Conv2d[0]` …) with every tensor shape, parameter count and Mult-Adds.
// Written with each run (db graphs table), drawn by the board's Graph view.
import { withDefaults } from './resolve.ts';
import { chainLayers } from './chain.ts';
import { buildGraphModuleGraph } from './module-graph-tree.ts';
import { summarize } from './summary.ts';
import type { LayerSpec, ModelDocument, Shape } from './types.ts';

export interface ModuleNode {
  /** Scope path as PyTorch's tracer names it: 'BS/Sequential[model]/Conv2d[0]'. */
  id: string;
  /** Attribute name in the parent ('model', '0', 'conv1'). */
  name: string;
  /** Class name ('BS', 'Sequential', 'Conv2d'). */
  type: string;
  /** Constructor keywords of a leaf layer, with defaults filled. */
  keywords?: Record<string, unknown>;
  inputShape: Shape;
  outputShape: Shape;
  /** NaN where unknown (graphs imported from a TensorBoard GraphDef). */
  params: number;
  multAdds: number;
  children: ModuleNode[];
}

export interface ModuleEdge {
  from: string;
  to: string;
  shape: Shape;
}

export interface ModuleGraph {
  version: 1;
  input: Shape;
  root: ModuleNode;
  /** Data flow between leaves (and from 'input' / to 'output'), each with its tensor shape. */
  edges: ModuleEdge[];
}

/**
 * The add_graph record of a model document for one input (batch included, e.g.
 * [64, 3, 32, 32]): root `doc.className ?? 'Model'` holding the Sequential `model`
 * (the seed's `self.model = nn.Sequential(...)`), whose leaves are named by doc.names
 * or by index. Shapes, params and Mult-Adds come from summarize() (torchinfo's rules).
 * Throws SummaryShapeError when the model cannot run on the input. Graphs: module-graph-tree.ts.
 */
export function buildModuleGraph(doc: ModelDocument, inputShape: Shape): ModuleGraph {
  const chain = chainLayers(doc);
  if (!chain) return buildGraphModuleGraph(doc, inputShape);
  const { layers, names } = chain;
  const summary = summarize(layers, inputShape, names);
  const rootType = doc.className ?? 'Model';
  const seqId = `${rootType}/Sequential[model]`;
  let shape = [...inputShape];
  const leaves = summary.rows.map((row, i): ModuleNode => {
    const node: ModuleNode = {
      id: `${seqId}/${row.type}[${row.name}]`,
      name: row.name,
      type: row.type,
      keywords: keywordsOf(layers[i]),
      inputShape: shape,
      outputShape: [...row.outputShape],
      params: row.params,
      multAdds: row.multAdds,
      children: [],
    };
    shape = node.outputShape;
    return node;
  });
  const group = (id: string, name: string, type: string, children: ModuleNode[]): ModuleNode => ({
    id,
    name,
    type,
    inputShape: [...inputShape],
    outputShape: [...summary.outputShape],
    params: summary.totalParams,
    multAdds: summary.totalMultAdds,
    children,
  });
  const root = group(rootType, '', rootType, [group(seqId, 'model', 'Sequential', leaves)]);
  const ids = ['input', ...leaves.map((l) => l.id), 'output'];
  const shapes = [inputShape, ...leaves.map((l) => l.outputShape)];
  const edges = ids.slice(1).map((to, i): ModuleEdge => ({ from: ids[i], to, shape: [...shapes[i]] }));
  return { version: 1, input: [...inputShape], root, edges };
}

function keywordsOf(spec: LayerSpec): Record<string, unknown> {
  const { type: _type, ...keywords } = withDefaults(spec);
  return keywords;
}
