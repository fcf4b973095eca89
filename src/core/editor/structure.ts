// The shape of the editor graph as a forward(): which blocks the Input reaches, in an
// order where every input comes first, and why it cannot be a forward when it cannot
// (a cycle, a layer fed twice, an add with one input, two ends, an input from a block
// the Input does not reach). Messages name blocks as a user sees them (`Conv2d conv2`),
// never by internal id.
import { INPUT_ID, takesMany, type EditorGraph, type EditorNode } from './graph-model.ts';

export interface StructureError {
  nodeIds: string[];
  message: string;
}

export interface Structure {
  /** Reached nodes except the Input, inputs before use (for a graph with a cycle: those outside it). */
  order: string[];
  /** Nodes the Input does not reach: not part of the model, not errors. */
  loose: string[];
  /** Inputs of each reached node, in edge order. */
  inputs: Map<string, string[]>;
  /** The node forward returns (the one reached node feeding nothing), if there is one. */
  output: string | null;
  /** True when the model is one chain of one-input blocks (an nn.Sequential). */
  chain: boolean;
  errors: StructureError[];
}

/** How a block is named in messages: its type and name (`Conv2d conv1`, `add`, `Input`). */
export function blockLabel(n: EditorNode, name: string | undefined = n.name): string {
  switch (n.kind) {
    case 'input':
      return 'the input';
    case 'layer':
      return name ? `${n.layer.type} ${name}` : n.layer.type;
    case 'add':
      return name ?? 'add';
    case 'cat':
      return name ?? 'cat';
    case 'module':
      return `${'block' in n.module ? n.module.block : 'Sequential'}${name ? ` ${name}` : ''}`;
  }
}

export function analyzeStructure(
  graph: EditorGraph,
  nameOf: (id: string) => string | undefined = () => undefined,
): Structure {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const label = (id: string) => blockLabel(byId.get(id)!, nameOf(id) ?? byId.get(id)!.name);
  const out = new Map<string, string[]>();
  const into = new Map<string, string[]>();
  for (const e of graph.edges) {
    if (!byId.has(e.source) || !byId.has(e.target)) continue;
    const targets = out.get(e.source);
    if (targets?.includes(e.target)) continue; // a repeated edge counts once
    if (targets) targets.push(e.target);
    else out.set(e.source, [e.target]);
    const sources = into.get(e.target);
    if (sources) sources.push(e.source);
    else into.set(e.target, [e.source]);
  }
  const reached = reach(out);
  const errors: StructureError[] = [];
  if (!byId.has(INPUT_ID)) errors.push({ nodeIds: [], message: 'the graph has no Input block' });
  const feeders = into.get(INPUT_ID) ?? [];
  if (feeders.length > 0)
    errors.push({
      nodeIds: [INPUT_ID],
      message: `the Input receives an edge from ${feeders.map(label).join(' and ')}; nothing can feed the Input`,
    });

  const order = topoOrder(reached, out, into);
  const ordered = new Set(order);
  const cyclic = [...reached].filter((id) => id !== INPUT_ID && !ordered.has(id));
  if (cyclic.length > 0) {
    const inCycle = graph.nodes.filter((n) => cyclic.includes(n.id)).map((n) => n.id);
    errors.push({
      nodeIds: inCycle,
      message: `cycle through ${inCycle.map(label).join(' → ')}: forward runs each block after its inputs, so a block cannot feed itself`,
    });
  }
  for (const id of order) {
    const n = byId.get(id)!;
    const from = into.get(id) ?? [];
    const outside = from.filter((s) => !reached.has(s));
    if (outside.length > 0) {
      errors.push({
        nodeIds: [id],
        message: `${label(id)} takes an input from ${outside.map(label).join(' and ')}, which the Input does not reach`,
      });
    } else if (n.kind === 'add' && from.length < 2) {
      errors.push({
        nodeIds: [id],
        message: `${label(id)} joins tensors but receives ${from.length === 0 ? 'none' : `only one (from ${label(from[0])})`}: connect a second input`,
      });
    } else if (n.kind === 'cat' && from.length === 0) {
      errors.push({ nodeIds: [id], message: `${label(id)} receives no input: connect the tensors to join` });
    } else if (!takesMany(n) && from.length > 1) {
      errors.push({
        nodeIds: [id],
        message: `${label(id)} receives ${from.length} inputs (from ${from.map(label).join(' and ')}); a layer takes one: join them with Add or Concat first`,
      });
    }
  }
  const sinks = order.filter((id) => (out.get(id) ?? []).length === 0);
  if (sinks.length > 1) {
    errors.push({
      nodeIds: sinks.slice(1),
      message: `the model returns one tensor, but ${sinks.map(label).join(' and ')} all end the graph: connect the extra ends or delete them`,
    });
  }
  const output = sinks.length === 1 ? sinks[0] : order.length === 0 ? null : (sinks[0] ?? null);
  const chain =
    cyclic.length === 0 &&
    order.every((id, i) => {
      const n = byId.get(id)!;
      return (n.kind === 'layer' && !n.functional) || n.kind === 'module'
        ? (into.get(id) ?? []).length === 1 &&
            into.get(id)![0] === (order[i - 1] ?? INPUT_ID) &&
            (out.get(id) ?? []).length <= 1
        : false;
    }) &&
    (out.get(INPUT_ID) ?? []).length <= 1;
  const inputs = new Map(order.map((id) => [id, into.get(id) ?? []]));
  return {
    order,
    loose: graph.nodes.filter((n) => !reached.has(n.id)).map((n) => n.id),
    inputs,
    output,
    chain,
    errors,
  };
}

function reach(out: Map<string, string[]>): Set<string> {
  const reached = new Set([INPUT_ID]);
  const queue = [INPUT_ID];
  for (let head = 0; head < queue.length; head++) {
    for (const w of out.get(queue[head]) ?? [])
      if (!reached.has(w)) {
        reached.add(w);
        queue.push(w);
      }
  }
  return reached;
}

/**
 * Kahn's order of the reached nodes (Input excluded); nodes on a cycle never reach zero
 * in-degree and are left out. Ties go depth-first along the current branch, so a chain
 * keeps its order and a branch is listed whole before the next one.
 */
function topoOrder(reached: Set<string>, out: Map<string, string[]>, into: Map<string, string[]>): string[] {
  const pending = new Map<string, number>();
  for (const id of reached) pending.set(id, (into.get(id) ?? []).filter((s) => reached.has(s)).length);
  const order: string[] = [];
  const stack = [INPUT_ID];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id !== INPUT_ID) order.push(id);
    const next = (out.get(id) ?? []).filter((t) => reached.has(t));
    for (let i = next.length - 1; i >= 0; i--) {
      const t = next[i];
      const left = pending.get(t)! - 1;
      pending.set(t, left);
      if (left === 0) stack.push(t);
    }
  }
  return order;
}
