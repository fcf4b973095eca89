// The editor's graph as immutable data, and the pure edits on it. Every edit returns a
// new graph (so an undo snapshot is just the old reference). The graph may hold blocks
// not yet connected to the chain; the ModelDocument is what compiles from it.
import type { GraphEdge, GraphNode } from '../model/graph.ts';
import { requireChain } from '../model/chain.ts';
import type { LayerSpec, ModelDocument } from '../model/types.ts';

export interface XY { x: number; y: number }
export type EditorNode = GraphNode & { position: XY };
export interface EditorEdge extends GraphEdge { id: string }

export interface EditorGraph {
  /** Input shape without the batch: [C, H, W] or [F]. */
  input: number[];
  nodes: EditorNode[];
  edges: EditorEdge[];
  /** Document fields the editor carries through unchanged. */
  className?: string;
  metadata?: ModelDocument['metadata'];
  training?: ModelDocument['training'];
}

export const INPUT_ID = 'input';
/** Layout metrics of the chain, in flow units. */
export const NODE_WIDTH = 232;
export const NODE_HEIGHT = 58;
export const NODE_GAP = 38;
export const CHAIN_X = 0;

export const edgeId = (source: string, target: string): string => `e-${source}-${target}`;

/** The next free `n<k>` id. */
export function newNodeId(graph: EditorGraph): string {
  let max = 0;
  for (const n of graph.nodes) {
    const m = /^n(\d+)$/.exec(n.id);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return `n${max + 1}`;
}

/** A chain graph from a document: positions from its editor view, else laid out. */
export function graphFromDocument(doc: ModelDocument): EditorGraph {
  const positions = doc.editor?.positions;
  const { layers, names } = requireChain(doc, 'The editor');
  const keys = doc.modules.map((m) => m.name);
  const ids = layers.map((_, i) => `n${i + 1}`);
  const nodes: EditorNode[] = [
    { id: INPUT_ID, kind: 'input', position: doc.editor?.input ?? { x: CHAIN_X, y: 0 } },
    ...layers.map((layer, i): EditorNode => ({
      id: ids[i], kind: 'layer', layer: structuredClone(layer),
      ...(names?.[i] !== undefined ? { name: names[i] } : {}),
      position: positions?.[keys[i]] ?? { x: CHAIN_X, y: 0 },
    })),
  ];
  const chainIds = [INPUT_ID, ...ids];
  const edges = chainIds.slice(1).map((id, i) => ({ id: edgeId(chainIds[i], id), source: chainIds[i], target: id }));
  const graph: EditorGraph = { input: [...doc.input], nodes, edges, ...docExtras(doc) };
  return positions && keys.every((k) => positions[k]) && doc.editor?.input ? graph : layoutChain(graph);
}

function docExtras(doc: ModelDocument): Pick<EditorGraph, 'className' | 'metadata' | 'training'> {
  const out: Pick<EditorGraph, 'className' | 'metadata' | 'training'> = {};
  if (doc.className !== undefined) out.className = doc.className;
  if (doc.metadata !== undefined) out.metadata = structuredClone(doc.metadata);
  if (doc.training !== undefined) out.training = structuredClone(doc.training);
  return out;
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

/** The last node of the chain (the Input when the chain is empty). */
export function chainTail(graph: EditorGraph): string {
  const chain = chainFrom(graph);
  return chain.length > 0 ? chain[chain.length - 1] : INPUT_ID;
}

export type HeightOf = (id: string) => number;
const defaultHeight: HeightOf = () => NODE_HEIGHT;

/** Top-to-bottom chain under the Input at x = CHAIN_X; loose blocks in a column to the right. */
export function layoutChain(graph: EditorGraph, heightOf: HeightOf = defaultHeight): EditorGraph {
  const placed = new Map<string, XY>();
  let y = 0;
  for (const id of [INPUT_ID, ...chainFrom(graph)]) {
    placed.set(id, { x: CHAIN_X, y });
    y += heightOf(id) + NODE_GAP;
  }
  let looseY = 0;
  for (const n of graph.nodes) {
    if (placed.has(n.id)) continue;
    placed.set(n.id, { x: CHAIN_X + NODE_WIDTH + 120, y: looseY });
    looseY += heightOf(n.id) + NODE_GAP;
  }
  return { ...graph, nodes: graph.nodes.map((n) => ({ ...n, position: placed.get(n.id)! })) };
}

/** A new layer node, optionally wired after `after` and before `before`. */
export function addNode(graph: EditorGraph, layer: LayerSpec, position: XY, wire: { after?: string; before?: string } = {}): { graph: EditorGraph; id: string } {
  const id = newNodeId(graph);
  let edges = graph.edges;
  if (wire.after && wire.before) edges = edges.filter((e) => !(e.source === wire.after && e.target === wire.before));
  if (wire.after) edges = [...edges, { id: edgeId(wire.after, id), source: wire.after, target: id }];
  if (wire.before) edges = [...edges, { id: edgeId(id, wire.before), source: id, target: wire.before }];
  const node: EditorNode = { id, kind: 'layer', layer, position };
  return { graph: { ...graph, nodes: [...graph.nodes, node], edges }, id };
}

/** Moves the given nodes down by `dy` (to make room for an inserted block). */
export function shiftDown(graph: EditorGraph, ids: Set<string>, dy: number): EditorGraph {
  return { ...graph, nodes: graph.nodes.map((n) => (ids.has(n.id) ? { ...n, position: { x: n.position.x, y: n.position.y + dy } } : n)) };
}

/**
 * Removes nodes (never the Input) and edges; a removed run of chain nodes is bridged so
 * its predecessor feeds its successor, as deleting a layer from nn.Sequential does.
 */
export function removeElements(graph: EditorGraph, nodeIds: Iterable<string>, edgeIds: Iterable<string> = []): EditorGraph {
  const gone = new Set([...nodeIds].filter((id) => id !== INPUT_ID));
  const cut = new Set(edgeIds);
  const out = outMap(graph);
  const bridges: EditorEdge[] = [];
  for (const e of graph.edges) {
    if (gone.has(e.source) || !gone.has(e.target) || cut.has(e.id)) continue;
    for (const end of survivorsAfter(e.target, gone, out)) bridges.push({ id: edgeId(e.source, end), source: e.source, target: end });
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

export function connect(graph: EditorGraph, source: string, target: string): EditorGraph {
  if (source === target || graph.edges.some((e) => e.source === source && e.target === target)) return graph;
  return { ...graph, edges: [...graph.edges, { id: edgeId(source, target), source, target }] };
}

export function updateNode(graph: EditorGraph, id: string, change: (n: EditorNode) => EditorNode): EditorGraph {
  return { ...graph, nodes: graph.nodes.map((n) => (n.id === id ? change(n) : n)) };
}

/** Sets a keyword; `undefined` removes it so PyTorch's default applies. */
export function setKeyword(graph: EditorGraph, id: string, field: string, value: unknown): EditorGraph {
  return updateNode(graph, id, (n) => {
    if (!n.layer) return n;
    const layer: LayerSpec = { ...n.layer };
    if (value === undefined) delete layer[field];
    else layer[field] = value;
    return { ...n, layer };
  });
}

export function setName(graph: EditorGraph, id: string, name: string | undefined): EditorGraph {
  return updateNode(graph, id, (n) => {
    const { name: _old, ...rest } = n;
    return name === undefined || name === '' ? rest : { ...rest, name };
  });
}

export function movePositions(graph: EditorGraph, moved: Map<string, XY>): EditorGraph {
  return { ...graph, nodes: graph.nodes.map((n) => (moved.has(n.id) ? { ...n, position: moved.get(n.id)! } : n)) };
}

/** The graph nodes and edges as the core's compile takes them. */
export function coreGraph(graph: EditorGraph): { nodes: GraphNode[]; edges: GraphEdge[] } {
  return { nodes: graph.nodes, edges: graph.edges };
}
