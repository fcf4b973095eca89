// Shape inference over a model graph (FlatGraph), PyTorch's rules: every node's output
// shape in node order, and the first node PyTorch refuses — a layer (shape-rules.ts, the
// same messages as a chain, naming nodes: `from Flatten 'flat'`), an add or cat whose
// shapes do not fit (graph-ops.ts), or a structural problem (an input that is not
// defined before use, a cycle, a dangling node), each named by node.
import { flattenModel, type FlatGraph, type FlatNode } from './flat-graph.ts';
import { addShape, catShape, GraphOpError, type GraphFix, type OpInput } from './graph-ops.ts';
import type { ModelDocument } from './module-types.ts';
import { resolveLayer } from './resolve.ts';
import { checkLayer, type DimOrigin, type RuleContext, type ShapeFix } from './shape-rules.ts';
import { inputError, layerError, nextOrigins, type ShapeOptions } from './shapes.ts';
import type { LayerSpec, Shape } from './types.ts';

export type { GraphFix } from './graph-ops.ts';

export interface GraphShapeError {
  /** Index of the node in graph.nodes; -1 when the input shape itself is unusable. */
  index: number;
  /** The node's id ('layer1.0.add'); 'input' for the input. */
  node: string;
  message: string;
  fix?: GraphFix;
  /** The layer keyword at fault, when there is one. */
  field?: string;
}

export interface GraphShapeReport {
  /** Full input shape incl. batch. */
  input: Shape;
  /** Node ids in node order. */
  ids: string[];
  /** Output shape of each node; null from the failing node on. */
  shapes: (Shape | null)[];
  /** The arithmetic of add and cat nodes for the canvas ('cat along channels: 3 + 3 + 2 = 8'); null for layers. */
  notes: (string | null)[];
  error: GraphShapeError | null;
}

/** The layer a node runs (its module's, or its functional form's), or null for add/cat. */
function layerOf(node: FlatNode, modules: Map<string, LayerSpec>): LayerSpec | null {
  if ('module' in node) return modules.get(node.module) ?? null;
  return 'apply' in node ? node.apply : null;
}

const label = (node: FlatNode, layer: LayerSpec | null): string =>
  layer ? String(layer.type) : 'op' in node ? node.op : 'node';

/** The first structural problem: an input not defined before use (a cycle when it loops back), an unknown module, a dangling node. */
function structureError(graph: FlatGraph): GraphShapeError | null {
  const index = new Map(graph.nodes.map((n, i) => [n.id, i]));
  const modules = new Set(graph.modules.map((m) => m.path));
  for (const [i, n] of graph.nodes.entries()) {
    if ('module' in n && !modules.has(n.module))
      return { index: i, node: n.id, message: `'${n.id}' calls module '${n.module}', which the model does not have` };
    for (const x of n.inputs) {
      if (x === 'input') continue;
      const k = index.get(x);
      if (k === undefined)
        return { index: i, node: n.id, message: `'${n.id}' takes '${x}', which is not a node: connect its input` };
      if (k >= i) {
        const cycle = cycleThrough(graph, index, n.id, x);
        return {
          index: i,
          node: n.id,
          message: cycle
            ? `cycle: ${cycle.join(' → ')}; a forward graph cannot loop`
            : `'${n.id}' takes '${x}', which comes later; nodes must follow their inputs`,
        };
      }
    }
  }
  if (graph.output !== 'input' && !index.has(graph.output))
    return { index: graph.nodes.length - 1, node: graph.output, message: `the output '${graph.output}' is not a node` };
  const used = reaching(graph, index);
  const dangling = graph.nodes.findIndex((n) => !used.has(n.id));
  if (dangling >= 0) {
    const n = graph.nodes[dangling];
    return {
      index: dangling,
      node: n.id,
      message: `'${n.id}' is dangling: its value never reaches the output '${graph.output}'; connect it or remove it`,
    };
  }
  return null;
}

/** Node ids on a path to the output. */
function reaching(graph: FlatGraph, index: Map<string, number>): Set<string> {
  const used = new Set<string>();
  const stack = [graph.output];
  while (stack.length) {
    const id = stack.pop()!;
    if (used.has(id) || !index.has(id)) continue;
    used.add(id);
    stack.push(...graph.nodes[index.get(id)!].inputs);
  }
  return used;
}

/** [to, …, from, to] when `from` reaches `to` through inputs: the loop, in data-flow order. */
function cycleThrough(graph: FlatGraph, index: Map<string, number>, to: string, from: string): string[] | null {
  const seen = new Set<string>();
  const walk = (id: string): string[] | null => {
    if (id === to) return [id];
    if (seen.has(id) || !index.has(id)) return null;
    seen.add(id);
    for (const x of graph.nodes[index.get(id)!].inputs) {
      const path = walk(x);
      if (path) return [...path, id];
    }
    return null;
  };
  const path = walk(from);
  return path ? [...path, to] : null;
}

/** A chain layer's fix as a graph fix on node `id` (an inserted Flatten goes on its one input). */
function graphFix(id: string, fix: ShapeFix | undefined): GraphFix | undefined {
  if (!fix) return undefined;
  return {
    label: fix.label,
    node: id,
    set: { field: fix.field, value: fix.value },
    ...(fix.insert ? { insert: { input: 0, layers: fix.insert } } : {}),
  };
}

interface Value {
  shape: Shape;
  origins: DimOrigin[];
  from: number;
}

/** Output shape of every node for `inputShape` (batch included), and the first node PyTorch refuses. */
export function inferGraphShapes(graph: FlatGraph, inputShape: Shape, options: ShapeOptions = {}): GraphShapeReport {
  const ids = graph.nodes.map((n) => n.id);
  const report: GraphShapeReport = {
    input: inputShape,
    ids,
    shapes: ids.map(() => null),
    notes: ids.map(() => null),
    error: null,
  };
  const bad = inputError(inputShape);
  if (bad) return { ...report, error: { index: -1, node: 'input', message: bad } };
  const structural = structureError(graph);
  const modules = new Map(graph.modules.map((m) => [m.path, m.layer]));
  const layers = graph.nodes.map((n) => layerOf(n, modules));
  const types = graph.nodes.map((n, i) => label(n, layers[i]));
  const values = new Map<string, Value>([
    ['input', { shape: inputShape, origins: inputShape.map(() => ({ layer: -1 })), from: -1 }],
  ]);
  for (const [i, node] of graph.nodes.entries()) {
    if (structural && structural.index === i) return { ...report, error: structural };
    const ins = node.inputs.map((x) => values.get(x)!);
    try {
      const layer = layers[i];
      if (layer) {
        const resolved = resolveLayer(layer);
        const ctx: RuleContext = {
          input: ins[0].shape,
          origins: ins[0].origins,
          types,
          names: ids,
          training: options.training ?? true,
          index: i,
          inputFrom: ins[0].from,
          scalarOutputSize: typeof layer.output_size === 'number',
        };
        const shape = checkLayer(resolved, ctx);
        values.set(node.id, { shape, origins: nextOrigins(resolved, i, ins[0].shape, ins[0].origins), from: i });
        report.shapes[i] = shape;
        continue;
      }
      const named: OpInput[] = ins.map((v, j) => ({ shape: v.shape, from: node.inputs[j] }));
      const out = 'op' in node && node.op === 'cat' ? catShape(named, node.dim) : addShape(node.id, named);
      values.set(node.id, { shape: out.shape, origins: out.shape.map(() => ({ layer: i })), from: i });
      report.shapes[i] = out.shape;
      report.notes[i] = out.note;
    } catch (err) {
      if (err instanceof GraphOpError)
        return {
          ...report,
          error: { index: i, node: node.id, message: err.message, ...(err.fix ? { fix: err.fix } : {}) },
        };
      const e = layerError(i, types[i], err);
      return {
        ...report,
        error: {
          index: i,
          node: node.id,
          message: e.message,
          ...(e.fix ? { fix: graphFix(node.id, e.fix) } : {}),
          ...(e.field ? { field: e.field } : {}),
        },
      };
    }
  }
  return structural ? { ...report, error: structural } : report;
}

/** A conformance `shape` case on a graph: every node's shape in node order, or the index of the first node PyTorch refuses. */
export function graphShapeCase(graph: FlatGraph, inputShape: Shape): { shapes: Shape[] } | { error_at: number } {
  const r = inferGraphShapes(graph, inputShape, { training: true });
  return r.error ? { error_at: r.error.index } : { shapes: r.shapes as Shape[] };
}

/** The document's graph and its shapes for a batch of `batch` (default 1). The document must be valid. */
export function inferModelShapes(
  doc: ModelDocument,
  options: ShapeOptions & { batch?: number } = {},
): GraphShapeReport & { graph: FlatGraph } {
  const graph = flattenModel(doc);
  return { ...inferGraphShapes(graph, [options.batch ?? 1, ...doc.input], options), graph };
}
