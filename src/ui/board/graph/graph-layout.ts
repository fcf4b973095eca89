// Top-to-bottom layout of an add_graph module hierarchy: expanded groups are boxes
// around their children, collapsed groups and leaves are nodes; children are ranked by
// the data flow between them and each rank centred, so a chain stays on one vertical
// axis and expanding a group only pushes what follows it downward.
import type { ModuleEdge, ModuleGraph, ModuleNode } from '../../../core/model/module-graph.ts';
import type { Shape } from '../../../core/model/types.ts';

export const NODE_W = 232;
export const NODE_H = 44;
export const TERMINAL_W = 150;
export const TERMINAL_H = 30;
const GAP_Y = 36;
const GAP_X = 28;
const PAD = 14;
const HEADER = 26;

export type BoxKind = 'leaf' | 'collapsed' | 'group';

export interface LayoutBox {
  id: string;
  node: ModuleNode;
  kind: BoxKind;
  depth: number;
  x: number;
  y: number;
  w: number;
  h: number;
}
export interface LayoutTerminal {
  id: 'input' | 'output';
  shape: Shape;
  x: number;
  y: number;
  w: number;
  h: number;
}
export interface LayoutEdge {
  id: string;
  from: string;
  to: string;
  shape: Shape;
  points: [number, number][];
}
export interface GraphLayout {
  boxes: LayoutBox[];
  terminals: LayoutTerminal[];
  edges: LayoutEdge[];
  width: number;
  height: number;
}

interface Measured {
  node: ModuleNode;
  kind: BoxKind;
  w: number;
  h: number;
  rows: Measured[][];
}

/** Every group id (the ones that can expand), outermost first. */
export function groupIds(graph: ModuleGraph): string[] {
  const out: string[] = [];
  const walk = (n: ModuleNode) => {
    if (n.children.length) {
      out.push(n.id);
      n.children.forEach(walk);
    }
  };
  walk(graph.root);
  return out;
}

/** Leaf id → ids of the groups around it, outermost first. */
function ancestry(root: ModuleNode): Map<string, string[]> {
  const map = new Map<string, string[]>();
  const walk = (n: ModuleNode, path: string[]) => {
    map.set(n.id, path);
    for (const c of n.children) walk(c, [...path, n.id]);
  };
  walk(root, []);
  return map;
}

/** The child of `group` that holds `id` (or is it), or null. */
function childHolding(group: ModuleNode, id: string, paths: Map<string, string[]>): ModuleNode | null {
  const chain = [...(paths.get(id) ?? []), id];
  const at = chain.indexOf(group.id);
  if (at < 0 || at + 1 >= chain.length) return null;
  return group.children.find((c) => c.id === chain[at + 1]) ?? null;
}

/** Ranks of a group's children by the longest data-flow path among them. */
function rankChildren(group: ModuleNode, edges: ModuleEdge[], paths: Map<string, string[]>): ModuleNode[][] {
  const rank = new Map(group.children.map((c) => [c.id, 0]));
  const links: [string, string][] = [];
  for (const e of edges) {
    const a = childHolding(group, e.from, paths),
      b = childHolding(group, e.to, paths);
    if (a && b && a !== b) links.push([a.id, b.id]);
  }
  // Longest path by relaxation; the cap stops a cyclic import from looping forever.
  for (let round = 0; round < group.children.length; round++) {
    let moved = false;
    for (const [a, b] of links) {
      if (rank.get(b)! < rank.get(a)! + 1) {
        rank.set(b, rank.get(a)! + 1);
        moved = true;
      }
    }
    if (!moved) break;
  }
  const rows: ModuleNode[][] = [];
  for (const c of group.children) (rows[rank.get(c.id)!] ??= []).push(c);
  return rows.filter(Boolean);
}

function measure(node: ModuleNode, expanded: Set<string>, edges: ModuleEdge[], paths: Map<string, string[]>): Measured {
  if (!node.children.length) return { node, kind: 'leaf', w: NODE_W, h: NODE_H, rows: [] };
  if (!expanded.has(node.id)) return { node, kind: 'collapsed', w: NODE_W, h: NODE_H, rows: [] };
  const rows = rankChildren(node, edges, paths).map((row) => row.map((c) => measure(c, expanded, edges, paths)));
  const rowW = (row: Measured[]) => row.reduce((s, m) => s + m.w, 0) + GAP_X * (row.length - 1);
  const w = Math.max(NODE_W, ...rows.map(rowW)) + 2 * PAD;
  const h = HEADER + rows.reduce((s, row) => s + Math.max(...row.map((m) => m.h)), 0) + GAP_Y * (rows.length - 1) + PAD;
  return { node, kind: 'group', w, h, rows };
}

function place(m: Measured, x: number, y: number, depth: number, out: LayoutBox[]): void {
  out.push({ id: m.node.id, node: m.node, kind: m.kind, depth, x, y, w: m.w, h: m.h });
  let top = y + HEADER;
  for (const row of m.rows) {
    const rowW = row.reduce((s, c) => s + c.w, 0) + GAP_X * (row.length - 1);
    const rowH = Math.max(...row.map((c) => c.h));
    let left = x + (m.w - rowW) / 2;
    for (const c of row) {
      place(c, left, top + (rowH - c.h) / 2, depth + 1, out);
      left += c.w + GAP_X;
    }
    top += rowH + GAP_Y;
  }
}

/** The box an endpoint shows up as: itself if drawn as a node, else its outermost collapsed group. */
function visibleEnd(id: string, drawn: Map<string, LayoutBox>, paths: Map<string, string[]>): string | null {
  if (id === 'input' || id === 'output') return id;
  for (const g of paths.get(id) ?? []) if (drawn.get(g)?.kind === 'collapsed') return g;
  return drawn.has(id) ? id : null;
}

function routeEdges(
  graph: ModuleGraph,
  boxes: LayoutBox[],
  terminals: LayoutTerminal[],
  paths: Map<string, string[]>,
): LayoutEdge[] {
  const drawn = new Map(boxes.map((b) => [b.id, b]));
  const frame = (id: string) =>
    id === 'input' || id === 'output' ? terminals.find((t) => t.id === id)! : drawn.get(id)!;
  const seen = new Set<string>();
  const edges: LayoutEdge[] = [];
  for (const e of graph.edges) {
    const from = visibleEnd(e.from, drawn, paths),
      to = visibleEnd(e.to, drawn, paths);
    if (!from || !to || from === to || seen.has(`${from}→${to}`)) continue;
    seen.add(`${from}→${to}`);
    const a = frame(from),
      b = frame(to);
    const start: [number, number] = [a.x + a.w / 2, a.y + a.h];
    const end: [number, number] = [b.x + b.w / 2, b.y];
    edges.push({ id: `${from}→${to}`, from, to, shape: e.shape, points: [start, end] });
  }
  return edges;
}

/** Positions of every box, terminal and edge for the groups in `expanded`. */
export function layoutGraph(graph: ModuleGraph, expanded: Set<string>): GraphLayout {
  const paths = ancestry(graph.root);
  const root = measure(graph.root, expanded, graph.edges, paths);
  const width = Math.max(root.w, TERMINAL_W);
  const boxes: LayoutBox[] = [];
  const inputShape = graph.edges.find((e) => e.from === 'input')?.shape ?? graph.input;
  const outputShape = graph.edges.find((e) => e.to === 'output')?.shape ?? graph.root.outputShape;
  const input: LayoutTerminal = {
    id: 'input',
    shape: inputShape,
    x: (width - TERMINAL_W) / 2,
    y: 0,
    w: TERMINAL_W,
    h: TERMINAL_H,
  };
  place(root, (width - root.w) / 2, TERMINAL_H + GAP_Y, 0, boxes);
  const bottom = TERMINAL_H + GAP_Y + root.h + GAP_Y;
  const output: LayoutTerminal = {
    id: 'output',
    shape: outputShape,
    x: (width - TERMINAL_W) / 2,
    y: bottom,
    w: TERMINAL_W,
    h: TERMINAL_H,
  };
  const terminals = [input, output];
  return { boxes, terminals, edges: routeEdges(graph, boxes, terminals, paths), width, height: bottom + TERMINAL_H };
}

/** Ids of the nodes whose name, type or scope matches the query (case-insensitive). */
export function searchNodes(graph: ModuleGraph, query: string): string[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const out: string[] = [];
  const walk = (n: ModuleNode) => {
    if (n.id.toLowerCase().includes(q) || n.type.toLowerCase().includes(q) || n.name.toLowerCase().includes(q))
      out.push(n.id);
    n.children.forEach(walk);
  };
  walk(graph.root);
  return out;
}

/** The groups to expand so that every id in `ids` is drawn. */
export function groupsToReveal(graph: ModuleGraph, ids: string[]): string[] {
  const paths = ancestry(graph.root);
  return [...new Set(ids.flatMap((id) => paths.get(id) ?? []))];
}
