// The editor's graph (one Input node, layer nodes, edges) compiled to an nn.Sequential:
// valid only when it is one chain starting at the Input. Knows nothing of xyflow; the UI
// converts its nodes and edges to these plain shapes.
import type { LayerSpec } from './types.ts';

export interface GraphNode {
  id: string;
  kind: 'input' | 'layer';
  layer?: LayerSpec;
  name?: string;
}
export interface GraphEdge {
  id?: string;
  source: string;
  target: string;
}
export type CompileError =
  | { code: 'no-input'; message: string }
  | { code: 'many-inputs'; nodeIds: string[]; message: string }
  | { code: 'disconnected'; nodeId: string; message: string }
  | { code: 'two-inputs'; nodeId: string; message: string }
  | { code: 'two-outputs'; nodeId: string; message: string }
  | { code: 'cycle'; nodeIds: string[]; message: string };
export type CompileResult =
  | { ok: true; order: string[]; layers: LayerSpec[]; names: (string | undefined)[] }
  | { ok: false; errors: CompileError[] };

interface Adjacency {
  out: Map<string, string[]>;
  in: Map<string, string[]>;
}

/** How a node is named in messages: `Conv2d "conv1" (node n3)`, `Input`. */
export function nodeLabel(node: GraphNode): string {
  if (node.kind === 'input') return 'Input';
  const type = node.layer?.type ?? 'layer';
  return node.name ? `${type} "${node.name}" (node ${node.id})` : `${type} (node ${node.id})`;
}

/**
 * One chain from the Input, in order, or every reason it is not one. Edges to unknown
 * nodes are ignored, and a repeated edge counts once.
 */
export function compileGraph(nodes: GraphNode[], edges: GraphEdge[]): CompileResult {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const n of nodes) {
    if (n.kind === 'layer' && !n.layer) throw new TypeError(`layer node ${n.id} has no layer`);
  }
  const adj = adjacency(nodes, edges, byId);
  const inputs = nodes.filter((n) => n.kind === 'input');
  const errors: CompileError[] = [...inputErrors(inputs), ...degreeErrors(nodes, adj, byId)];
  const cycles = findCycles(nodes, adj);
  for (const cycle of cycles) {
    const path = [...cycle, cycle[0]].map((id) => nodeLabel(byId.get(id)!)).join('→');
    errors.push({
      code: 'cycle',
      nodeIds: cycle,
      message: `cycle through ${path}; nn.Sequential runs each layer once, in order`,
    });
  }
  if (inputs.length > 0) errors.push(...disconnectedErrors(nodes, inputs, adj, byId));
  if (errors.length > 0) return { ok: false, errors };
  return chain(inputs[0], adj, byId);
}

function adjacency(nodes: GraphNode[], edges: GraphEdge[], byId: Map<string, GraphNode>): Adjacency {
  const adj: Adjacency = { out: new Map(), in: new Map() };
  for (const n of nodes) {
    adj.out.set(n.id, []);
    adj.in.set(n.id, []);
  }
  const seen = new Set<string>();
  for (const e of edges) {
    const key = JSON.stringify([e.source, e.target]);
    if (!byId.has(e.source) || !byId.has(e.target) || seen.has(key)) continue;
    seen.add(key);
    adj.out.get(e.source)!.push(e.target);
    adj.in.get(e.target)!.push(e.source);
  }
  return adj;
}

function inputErrors(inputs: GraphNode[]): CompileError[] {
  if (inputs.length === 0) {
    return [{ code: 'no-input', message: 'the graph has no Input node; add one and connect the first layer to it' }];
  }
  if (inputs.length > 1) {
    const ids = inputs.map((n) => n.id);
    return [
      {
        code: 'many-inputs',
        nodeIds: ids,
        message: `the graph has ${ids.length} Input nodes (${ids.join(', ')}); nn.Sequential takes one input`,
      },
    ];
  }
  return [];
}

function degreeErrors(nodes: GraphNode[], adj: Adjacency, byId: Map<string, GraphNode>): CompileError[] {
  const errors: CompileError[] = [];
  const labels = (ids: string[]) => ids.map((id) => nodeLabel(byId.get(id)!)).join(' and ');
  for (const n of nodes) {
    const from = adj.in.get(n.id)!;
    const to = adj.out.get(n.id)!;
    if (n.kind === 'input' && from.length > 0) {
      errors.push({
        code: 'two-inputs',
        nodeId: n.id,
        message: `the Input node receives an edge from ${labels(from)}; nothing can feed the Input`,
      });
    } else if (from.length > 1) {
      errors.push({
        code: 'two-inputs',
        nodeId: n.id,
        message: `${nodeLabel(n)} has ${from.length} inputs (from ${labels(from)}); a layer of nn.Sequential takes exactly one`,
      });
    }
    if (to.length > 1) {
      errors.push({
        code: 'two-outputs',
        nodeId: n.id,
        message: `${nodeLabel(n)} has ${to.length} outputs (to ${labels(to)}); nn.Sequential is a chain, so each layer feeds only the next`,
      });
    }
  }
  return errors;
}

/** One concrete cycle per strongly connected component that has one (Tarjan's SCC). */
function findCycles(nodes: GraphNode[], adj: Adjacency): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  // Iterative strongconnect (explicit call stack), so chains of any length are safe.
  const visit = (root: string): void => {
    const calls: { v: string; next: number }[] = [{ v: root, next: 0 }];
    enter(root);
    while (calls.length > 0) {
      const frame = calls[calls.length - 1];
      const out = adj.out.get(frame.v)!;
      if (frame.next < out.length) {
        const w = out[frame.next++];
        if (!index.has(w)) {
          enter(w);
          calls.push({ v: w, next: 0 });
        } else if (onStack.has(w)) low.set(frame.v, Math.min(low.get(frame.v)!, index.get(w)!));
        continue;
      }
      calls.pop();
      if (calls.length > 0) {
        const up = calls[calls.length - 1].v;
        low.set(up, Math.min(low.get(up)!, low.get(frame.v)!));
      }
      if (low.get(frame.v) === index.get(frame.v)) popComponent(frame.v);
    }
  };
  const enter = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
  };
  const popComponent = (v: string): void => {
    const component = new Set<string>();
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.add(w);
    } while (w !== v);
    if (component.size > 1 || adj.out.get(v)!.includes(v)) cycles.push(cycleIn(component, adj, nodes));
  };
  for (const n of nodes) if (!index.has(n.id)) visit(n.id);
  const order = new Map(nodes.map((n, i) => [n.id, i]));
  return cycles.sort((a, b) => order.get(a[0])! - order.get(b[0])!);
}

/** A cycle inside a strongly connected component, starting at its first node in node order. */
function cycleIn(component: Set<string>, adj: Adjacency, nodes: GraphNode[]): string[] {
  const start = nodes.find((n) => component.has(n.id))!.id;
  // Breadth-first search back to start gives the shortest cycle through it.
  const parent = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head];
    for (const w of adj.out.get(v)!) {
      if (!component.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(parent.get(path[0])!);
        return path;
      }
      if (!parent.has(w)) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

function disconnectedErrors(
  nodes: GraphNode[],
  inputs: GraphNode[],
  adj: Adjacency,
  byId: Map<string, GraphNode>,
): CompileError[] {
  const reached = new Set<string>(inputs.map((n) => n.id));
  const queue = [...reached];
  for (let head = 0; head < queue.length; head++) {
    for (const w of adj.out.get(queue[head])!)
      if (!reached.has(w)) {
        reached.add(w);
        queue.push(w);
      }
  }
  return nodes
    .filter((n) => !reached.has(n.id))
    .map((n) => {
      const feedsInput = adj.out.get(n.id)!.some((w) => byId.get(w)!.kind === 'input');
      const why = feedsInput ? 'it feeds the Input instead of being fed by it' : 'no path leads to it from the Input';
      return {
        code: 'disconnected' as const,
        nodeId: n.id,
        message: `${nodeLabel(n)} is not connected to the Input: ${why}`,
      };
    });
}

function chain(input: GraphNode, adj: Adjacency, byId: Map<string, GraphNode>): CompileResult {
  const order: string[] = [];
  let next = adj.out.get(input.id)![0];
  while (next !== undefined) {
    order.push(next);
    next = adj.out.get(next)![0];
  }
  const layerNodes = order.map((id) => byId.get(id)!);
  return { ok: true, order, layers: layerNodes.map((n) => n.layer!), names: layerNodes.map((n) => n.name) };
}

/**
 * The document's `names` for a compiled chain: null when no layer is named (0, 1, 2, ...),
 * else every layer named, the unnamed ones as `<type>_<index>` (`conv2d_3`), kept unique.
 */
export function documentNames(layers: LayerSpec[], names: (string | undefined)[]): string[] | null {
  if (names.every((n) => n === undefined || n === '')) return null;
  const taken = new Set(names.filter((n): n is string => !!n));
  return layers.map((layer, i) => {
    if (names[i]) return names[i]!;
    let name = `${layer.type.toLowerCase()}_${i}`;
    for (let k = 2; taken.has(name); k++) name = `${layer.type.toLowerCase()}_${i}_${k}`;
    taken.add(name);
    return name;
  });
}
