// Our add_graph record (ModuleGraph) as a GraphDef, so an exported event file of a run
// trained in Layerboard carries its graph as PyTorch's add_graph writes one: an
// 'IO Node' for the input and the output, and one op node per leaf module named in its
// module scope ('Model/Sequential[model]/Linear[0]/out.1'), with `_output_shapes`.
// graph-to-modules.ts reads it back into the same hierarchy and edges.
import type { ModuleGraph, ModuleNode } from '../../model/module-graph.ts';
import type { Shape } from '../../model/types.ts';
import { ProtoWriter } from './protobuf.ts';
import { shapeProto } from './summary-value.ts';

const INPUT = 'input/input.1',
  OUTPUT = 'output/output.1';

function leaves(node: ModuleNode, out: ModuleNode[] = []): ModuleNode[] {
  if (node.children.length === 0) out.push(node);
  for (const c of node.children) leaves(c, out);
  return out;
}

/** AttrValue { list { shape } } holding one shape. */
const outputShapes = (shape: Shape) => new ProtoWriter().message(1, new ProtoWriter().message(7, shapeProto(shape)));
const stringAttr = (s: string) => new ProtoWriter().string(2, s);

function nodeDef(name: string, op: string, inputs: string[], attrs: [string, ProtoWriter][]): ProtoWriter {
  const node = new ProtoWriter().string(1, name).string(2, op);
  for (const i of inputs) node.string(3, i);
  for (const [key, value] of attrs) node.message(5, new ProtoWriter().string(1, key).message(2, value));
  return node;
}

export function moduleGraphToGraphDef(graph: ModuleGraph): Uint8Array {
  const ops = new Map<string, string>();
  leaves(graph.root).forEach((leaf, i) => ops.set(leaf.id, `${leaf.id}/out.${i + 1}`));
  const source = (id: string) => (id === 'input' ? INPUT : ops.get(id));
  const inputsOf = (id: string) =>
    graph.edges
      .filter((e) => e.to === id)
      .map((e) => source(e.from))
      .filter((s): s is string => s !== undefined);
  const def = new ProtoWriter();
  def.message(1, nodeDef(INPUT, 'IO Node', [], [['_output_shapes', outputShapes(graph.input)]]));
  for (const leaf of leaves(graph.root)) {
    const attrs: [string, ProtoWriter][] = [['_output_shapes', outputShapes(leaf.outputShape)]];
    if (leaf.keywords) attrs.push(['attr', stringAttr(JSON.stringify(leaf.keywords))]);
    def.message(1, nodeDef(ops.get(leaf.id)!, `aten::${leaf.type.toLowerCase()}`, inputsOf(leaf.id), attrs));
  }
  const last = graph.edges.find((e) => e.to === 'output');
  def.message(1, nodeDef(OUTPUT, 'IO Node', inputsOf('output'), [['_output_shapes', outputShapes(last?.shape ?? [])]]));
  // VersionDef { producer: 22 }, as PyTorch's add_graph writes it
  def.message(4, new ProtoWriter().int(1, 22));
  return def.finish();
}

/** Whether a stored graph record is a ModuleGraph (runs imported without a graph keep null). */
export function isModuleGraph(g: unknown): g is ModuleGraph {
  if (typeof g !== 'object' || g === null) return false;
  const m = g as Partial<ModuleGraph>;
  return m.version === 1 && Array.isArray(m.input) && Array.isArray(m.edges) && typeof m.root === 'object';
}
