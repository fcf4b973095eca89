// A conformance case's `graph` (../shared/conformance/README.md, "Graphs"): an nn.Module
// whose layer nodes are submodules registered in node order under their node names, and
// whose op nodes (add, cat) are tensor ops in forward. It maps onto the engine's FlatGraph
// one node to one node.
import type { FlatGraph, FlatNode } from '../core/model/flat-graph.ts';
import type { LayerSpec } from '../core/model/types.ts';

export type CaseGraphNode =
  | { name: string; layer: LayerSpec; inputs: string[] }
  | { name: string; op: 'add'; inputs: string[] }
  | { name: string; op: 'cat'; dim: number; inputs: string[] };

export interface CaseGraph {
  class: string;
  nodes: CaseGraphNode[];
  output: string;
}

/** The case's model as the engine's flat graph (layer node `conv1` → module path `conv1`). */
export function flatGraphOfCase(g: CaseGraph): FlatGraph {
  if (!g || !Array.isArray(g.nodes)) throw new Error('graph: expected {"class", "nodes": [...], "output"}');
  const modules: FlatGraph['modules'] = [];
  const nodes = g.nodes.map((n, i): FlatNode => {
    if (typeof n.name !== 'string' || !Array.isArray(n.inputs))
      throw new Error(`graph.nodes[${i}]: expected a name and a list of inputs`);
    if ('layer' in n) {
      if (n.inputs.length !== 1)
        throw new Error(`graph.nodes[${i}] (${n.name}): a layer takes one input, got ${n.inputs.length}`);
      modules.push({ path: n.name, layer: n.layer });
      return { id: n.name, module: n.name, inputs: [n.inputs[0]] };
    }
    if (n.op === 'add') return { id: n.name, op: 'add', inputs: n.inputs };
    if (n.op === 'cat') return { id: n.name, op: 'cat', dim: n.dim ?? 0, inputs: n.inputs };
    throw new Error(`graph.nodes[${i}] (${(n as { name: string }).name}): expected a layer or op 'add' / 'cat'`);
  });
  return { modules, nodes, output: g.output };
}

/** The layer nodes' (name, spec) pairs in registration order: what print(model) lists. */
export function caseGraphLayers(g: CaseGraph): [string, LayerSpec][] {
  return g.nodes.flatMap((n): [string, LayerSpec][] => ('layer' in n ? [[n.name, n.layer]] : []));
}
