// The editor's graph as immutable data, and the pure edits on it. Every edit returns a
// new graph (so an undo snapshot is just the old reference). The graph is any DAG from
// the Input: layers, tensor ops (add, cat) and collapsed modules (block instances,
// nn.Sequential); it may also hold blocks not yet connected. The ModelDocument is what
// converts from it (document.ts).
import type { BlockDef, ModuleBody } from '../model/module-types.ts';
import type { LayerSpec, ModelDocument } from '../model/types.ts';

export interface XY {
  x: number;
  y: number;
}

/** What a node of the editor is; one kind per thing a forward() can do with a tensor. */
export type EditorNodeBody =
  | { kind: 'input' }
  /** A catalogue layer; `functional` when forward writes it as F.relu(x) (not registered). */
  | { kind: 'layer'; layer: LayerSpec; functional?: boolean }
  /** `a + b + …`. */
  | { kind: 'add' }
  /** `torch.cat([...], dim)`. */
  | { kind: 'cat'; dim: number }
  /** A collapsed module: a block class instance (`BasicBlock(64, 64)`) or an nn.Sequential. */
  | { kind: 'module'; module: ModuleBody };

/** A node: its body, where it sits, and its attribute / forward name (`conv1`), if set. */
export type EditorNode = EditorNodeBody & { id: string; name?: string; position: XY };
export type EditorNodeKind = EditorNode['kind'];
export type EditorLayerNode = Extract<EditorNode, { kind: 'layer' }>;
export interface EditorEdge {
  id: string;
  source: string;
  target: string;
}

export interface EditorGraph {
  /** Input shape without the batch: [C, H, W] or [F]. */
  input: number[];
  nodes: EditorNode[];
  edges: EditorEdge[];
  /** The document's own block classes (`class BasicBlock(nn.Module)`), in definition order. */
  blocks?: BlockDef[];
  /** Document fields the editor carries through unchanged. */
  className?: string;
  metadata?: ModelDocument['metadata'];
  training?: ModelDocument['training'];
}

export const INPUT_ID = 'input';
/** Layout metrics, in flow units. */
export const NODE_WIDTH = 232;
export const NODE_HEIGHT = 58;
export const NODE_GAP = 38;
export const CHAIN_X = 0;

export const edgeId = (source: string, target: string): string => `e-${source}-${target}`;

/** The layer of a layer node. */
export const layerOf = (n: EditorNode | undefined): LayerSpec | undefined =>
  n?.kind === 'layer' ? n.layer : undefined;

/** How many inputs a node takes: the Input none, add and cat several, everything else one. */
export function takesMany(n: EditorNode): boolean {
  return n.kind === 'add' || n.kind === 'cat';
}

/** The next free `n<k>` id. */
export function newNodeId(graph: EditorGraph): string {
  let max = 0;
  for (const n of graph.nodes) {
    const m = /^n(\d+)$/.exec(n.id);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return `n${max + 1}`;
}

/** The ids from the Input along first out-edges, Input excluded (stops at a cycle). */
export function chainFrom(graph: EditorGraph, start = INPUT_ID): string[] {
  const out = outMap(graph);
  const order: string[] = [];
  const seen = new Set([start]);
  let next = out.get(start)?.[0];
  while (next !== undefined && !seen.has(next)) {
    order.push(next);
    seen.add(next);
    next = out.get(next)?.[0];
  }
  return order;
}

export function outMap(graph: EditorGraph): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of graph.edges) out.set(e.source, [...(out.get(e.source) ?? []), e.target]);
  return out;
}

export function inMap(graph: EditorGraph): Map<string, string[]> {
  const into = new Map<string, string[]>();
  for (const e of graph.edges) into.set(e.target, [...(into.get(e.target) ?? []), e.source]);
  return into;
}

/**
 * Where an appended block connects: the last node reached from the Input that feeds
 * nothing (the model's output), else the end of the first-edge chain.
 */
export function chainTail(graph: EditorGraph): string {
  const out = outMap(graph);
  const reached = new Set([INPUT_ID]);
  const queue = [INPUT_ID];
  let sink: string | null = out.has(INPUT_ID) ? null : INPUT_ID;
  for (let head = 0; head < queue.length; head++) {
    for (const next of out.get(queue[head]) ?? []) {
      if (reached.has(next)) continue;
      reached.add(next);
      queue.push(next);
      if (!out.has(next)) sink = next;
    }
  }
  if (sink !== null) return sink;
  const chain = chainFrom(graph);
  return chain.length > 0 ? chain[chain.length - 1] : INPUT_ID;
}

export type HeightOf = (id: string) => number;

/** A new node, optionally wired after `after` and before `before` (replacing that edge). */
export function addNode(
  graph: EditorGraph,
  body: EditorNodeBody,
  position: XY,
  wire: { after?: string; before?: string } = {},
): { graph: EditorGraph; id: string } {
  const id = newNodeId(graph);
  let edges = graph.edges;
  if (wire.after && wire.before) edges = edges.filter((e) => !(e.source === wire.after && e.target === wire.before));
  if (wire.after) edges = [...edges, { id: edgeId(wire.after, id), source: wire.after, target: id }];
  if (wire.before) edges = [...edges, { id: edgeId(id, wire.before), source: id, target: wire.before }];
  const node = { ...structuredClone(body), id, position } as EditorNode;
  return { graph: { ...graph, nodes: [...graph.nodes, node], edges }, id };
}

/**
 * Inserts a run of layers on the edge source → target (a Fix's shortcut, a dropped
 * block): source → first → … → last → target, placed on the line between them.
 */
export function insertOnEdge(
  graph: EditorGraph,
  source: string,
  target: string,
  layers: LayerSpec[],
  at: XY,
  step: number,
): { graph: EditorGraph; ids: string[] } {
  let g = graph;
  const ids: string[] = [];
  let prev = source;
  layers.forEach((layer, i) => {
    const r = addNode(g, { kind: 'layer', layer }, { x: at.x, y: at.y + i * step }, { after: prev, before: target });
    g = r.graph;
    ids.push(r.id);
    prev = r.id;
  });
  return { graph: g, ids };
}

/** Moves the given nodes down by `dy` (to make room for an inserted block). */
export function shiftDown(graph: EditorGraph, ids: Set<string>, dy: number): EditorGraph {
  return {
    ...graph,
    nodes: graph.nodes.map((n) => (ids.has(n.id) ? { ...n, position: { x: n.position.x, y: n.position.y + dy } } : n)),
  };
}

/**
 * Removes nodes (never the Input) and edges; a removed run of one-input nodes is bridged
 * so its predecessor feeds its successors, as deleting a layer from nn.Sequential does.
 */
export function removeElements(
  graph: EditorGraph,
  nodeIds: Iterable<string>,
  edgeIds: Iterable<string> = [],
): EditorGraph {
  const gone = new Set([...nodeIds].filter((id) => id !== INPUT_ID));
  const cut = new Set(edgeIds);
  const out = outMap(graph);
  const into = inMap(graph);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const bridges: EditorEdge[] = [];
  for (const e of graph.edges) {
    if (gone.has(e.source) || !gone.has(e.target) || cut.has(e.id)) continue;
    // Only a single-input removed node hands its input on; an add or cat has no one input.
    if (takesMany(byId.get(e.target)!) || (into.get(e.target)?.length ?? 0) > 1) continue;
    for (const end of survivorsAfter(e.target, gone, out))
      bridges.push({ id: edgeId(e.source, end), source: e.source, target: end });
  }
  const kept = graph.edges.filter((e) => !cut.has(e.id) && !gone.has(e.source) && !gone.has(e.target));
  const edges = [...kept];
  const ids = new Set(kept.map((e) => e.id));
  for (const b of bridges) {
    if (!ids.has(b.id)) edges.push(b);
    ids.add(b.id);
  }
  return { ...graph, nodes: graph.nodes.filter((n) => !gone.has(n.id)), edges };
}

function survivorsAfter(start: string, gone: Set<string>, out: Map<string, string[]>): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const next of out.get(id) ?? []) {
      if (gone.has(next)) stack.push(next);
      else found.push(next);
    }
  }
  return found;
}

/**
 * A new edge source → target. A node taking one input has its old input edge replaced
 * (re-wiring, as a user dragging onto a taken handle means); add and cat gain an input.
 * An output may feed any number of inputs. Edges into the Input and self-loops are refused.
 */
export function connect(graph: EditorGraph, source: string, target: string): EditorGraph {
  const t = graph.nodes.find((n) => n.id === target);
  if (
    !t ||
    t.kind === 'input' ||
    source === target ||
    graph.edges.some((e) => e.source === source && e.target === target)
  )
    return graph;
  const edges = takesMany(t) ? graph.edges : graph.edges.filter((e) => e.target !== target);
  return { ...graph, edges: [...edges, { id: edgeId(source, target), source, target }] };
}

/** Re-attaches an edge's ends (xyflow's reconnect): the old edge goes, the new one follows connect's rules. */
export function reconnect(graph: EditorGraph, id: string, source: string, target: string): EditorGraph {
  const old = graph.edges.find((e) => e.id === id);
  if (!old || (old.source === source && old.target === target)) return graph;
  const next = connect({ ...graph, edges: graph.edges.filter((e) => e.id !== id) }, source, target);
  return next.edges.some((e) => e.source === source && e.target === target) ? next : graph;
}

export function updateNode(graph: EditorGraph, id: string, change: (n: EditorNode) => EditorNode): EditorGraph {
  return { ...graph, nodes: graph.nodes.map((n) => (n.id === id ? change(n) : n)) };
}

/** Sets a keyword of a layer (or a cat's `dim`); `undefined` removes it so PyTorch's default applies. */
export function setKeyword(graph: EditorGraph, id: string, field: string, value: unknown): EditorGraph {
  return updateNode(graph, id, (n) => {
    if (n.kind === 'cat' && field === 'dim' && typeof value === 'number') return { ...n, dim: value };
    if (n.kind !== 'layer') return n;
    const layer: LayerSpec = { ...n.layer };
    if (value === undefined) delete layer[field];
    else layer[field] = value;
    return { ...n, layer };
  });
}

export function setName(graph: EditorGraph, id: string, name: string | undefined): EditorGraph {
  return updateNode(graph, id, (n) => {
    const { name: _old, ...rest } = n;
    return (name === undefined || name === '' ? rest : { ...rest, name }) as EditorNode;
  });
}

export function movePositions(graph: EditorGraph, moved: Map<string, XY>): EditorGraph {
  return { ...graph, nodes: graph.nodes.map((n) => (moved.has(n.id) ? { ...n, position: moved.get(n.id)! } : n)) };
}
