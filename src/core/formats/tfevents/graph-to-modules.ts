// A GraphDef logged by PyTorch's add_graph, turned into our ModuleGraph so that the
// board draws imported TensorBoard graphs like its own. add_graph names op nodes by
// module scope ('BS/Sequential[model]/Conv2d[0]/input.3', 'Type[attribute]' per level)
// and puts each node's output shape in the `_output_shapes` attribute. A GraphDef holds
// no parameter counts or Mult-Adds: they are NaN (unknown), and shapes it lacks are [].
import type { ModuleEdge, ModuleGraph, ModuleNode } from '../../model/module-graph.ts';
import type { Shape } from '../../model/types.ts';
import type { GraphDefNode } from './graph-def.ts';

const SCOPE_PART = /^(.+)\[(.*)\]$/;

function outputShape(node: GraphDefNode): Shape {
  const a = node.attrs._output_shapes;
  if (a?.kind === 'list' && a.shapes[0]) return a.shapes[0];
  if (a?.kind === 'shape' && a.value) return a.value;
  return [];
}

const scopeOf = (name: string) => name.slice(0, Math.max(0, name.lastIndexOf('/')));
const isIo = (n: GraphDefNode) => n.op === 'IO Node';

function emptyNode(id: string): ModuleNode {
  const last = id.slice(id.lastIndexOf('/') + 1);
  const m = SCOPE_PART.exec(last);
  return {
    id,
    name: m ? m[2] : '',
    type: m ? m[1] : last,
    inputShape: [],
    outputShape: [],
    params: NaN,
    multAdds: NaN,
    children: [],
  };
}

export function graphDefToModules(nodes: GraphDefNode[]): ModuleGraph {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const ops = nodes.filter((n) => !isIo(n) && n.op !== 'prim::Constant' && n.op !== 'prim::GetAttr');
  const modules = new Map<string, ModuleNode>();
  const ensure = (id: string): ModuleNode => {
    let m = modules.get(id);
    if (m) return m;
    m = emptyNode(id);
    modules.set(id, m);
    const parent = scopeOf(id);
    if (parent) ensure(parent).children.push(m);
    return m;
  };
  for (const op of ops) ensure(scopeOf(op.name) || op.name);
  // Leaves: modules without child modules. Each op belongs to the leaf of its scope.
  const leafOf = (name: string): string => {
    const node = byName.get(name);
    if (node && isIo(node)) return name.startsWith('output') ? 'output' : 'input';
    return scopeOf(name) || name;
  };
  const edges = new Map<string, ModuleEdge>();
  for (const op of ops) {
    const to = leafOf(op.name);
    for (const input of op.inputs) {
      const from = leafOf(input.split(':')[0]);
      const source = byName.get(input.split(':')[0]);
      if (!source || from === to || source.op === 'prim::Constant' || source.op === 'prim::GetAttr') continue;
      edges.set(`${from}->${to}`, { from, to, shape: outputShape(source) });
    }
  }
  for (const io of nodes.filter((n) => isIo(n) && n.name.startsWith('output'))) {
    for (const input of io.inputs) {
      const source = byName.get(input);
      if (source)
        edges.set(`${leafOf(input)}->output`, { from: leafOf(input), to: 'output', shape: outputShape(source) });
    }
  }
  for (const e of edges.values()) {
    if (modules.has(e.to)) modules.get(e.to)!.inputShape = e.shape;
    if (modules.has(e.from)) modules.get(e.from)!.outputShape = e.shape;
  }
  const roots = [...modules.values()].filter((m) => !scopeOf(m.id));
  const root = roots.length === 1 ? roots[0] : { ...emptyNode('graph'), children: roots };
  const inputNode = nodes.find((n) => isIo(n) && !n.name.startsWith('output'));
  return { version: 1, input: inputNode ? outputShape(inputNode) : [], root, edges: [...edges.values()] };
}
