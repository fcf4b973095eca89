// Auto-layout: a layered drawing of the DAG, top to bottom (Sugiyama's scheme, small):
// layers by longest path from the Input (then pulled down next to their consumers, so a
// shortcut sits beside the branch it skips), long edges split by dummy slots, a few
// barycentre sweeps to order each layer, each layer centred. A chain stays one column at
// x = CHAIN_X; branches stand side by side. Blocks not reached from the Input go in a
// column to the right.
import {
  CHAIN_X,
  INPUT_ID,
  NODE_GAP,
  NODE_HEIGHT,
  NODE_WIDTH,
  type EditorGraph,
  type HeightOf,
  type XY,
} from './graph-model.ts';

const COLUMN = NODE_WIDTH + 88;
const SWEEPS = 4;
const defaultHeight: HeightOf = () => NODE_HEIGHT;

export function layoutGraph(graph: EditorGraph, heightOf: HeightOf = defaultHeight): EditorGraph {
  const rows = chainRows(graph) ?? dagRows(graph);
  const placed = new Map<string, XY>();
  let y = 0;
  for (const row of rows) {
    const real = row.filter((id) => !id.startsWith(DUMMY));
    row.forEach((id, i) => {
      if (!id.startsWith(DUMMY)) placed.set(id, { x: CHAIN_X + (i - (row.length - 1) / 2) * COLUMN, y });
    });
    y += Math.max(NODE_HEIGHT, ...real.map(heightOf)) + NODE_GAP;
  }
  let right = CHAIN_X;
  for (const p of placed.values()) right = Math.max(right, p.x);
  right += COLUMN + 32;
  let looseY = 0;
  for (const n of graph.nodes) {
    if (placed.has(n.id)) continue;
    placed.set(n.id, { x: right, y: looseY });
    looseY += heightOf(n.id) + NODE_GAP;
  }
  return { ...graph, nodes: graph.nodes.map((n) => ({ ...n, position: placed.get(n.id)! })) };
}

const DUMMY = '\u0000dummy:';

function dagRows(graph: EditorGraph): string[][] {
  const { order, succ, pred } = reachedDag(graph);
  return orderRows(order, assignLayers(order, succ, pred), succ);
}

/**
 * One row per block when what the Input reaches is a plain chain (each block one input,
 * at most one output): what the layered scheme would give, without its work, so a
 * 100,000-layer import is laid out in linear time with small constants. Null otherwise.
 */
function chainRows(graph: EditorGraph): string[][] | null {
  const out = new Map<string, string[]>();
  const inDegree = new Map<string, number>();
  const known = new Set(graph.nodes.map((n) => n.id));
  if (!known.has(INPUT_ID)) return null;
  for (const e of graph.edges) {
    if (!known.has(e.source) || !known.has(e.target)) continue;
    const targets = out.get(e.source);
    if (targets) targets.push(e.target);
    else out.set(e.source, [e.target]);
    inDegree.set(e.target, (inDegree.get(e.target) ?? 0) + 1);
  }
  const rows: string[][] = [[INPUT_ID]];
  const seen = new Set([INPUT_ID]);
  for (let next = out.get(INPUT_ID); next !== undefined; next = out.get(next[0])) {
    if (next.length !== 1 || seen.has(next[0]) || inDegree.get(next[0]) !== 1) return null;
    seen.add(next[0]);
    rows.push([next[0]]);
  }
  return rows;
}

/** The part reached from the Input, as a DAG in topological order (edges closing a cycle dropped). */
function reachedDag(graph: EditorGraph): { order: string[]; succ: Map<string, string[]>; pred: Map<string, string[]> } {
  const out = new Map<string, string[]>();
  for (const e of graph.edges) out.set(e.source, [...(out.get(e.source) ?? []), e.target]);
  const known = new Set(graph.nodes.map((n) => n.id));
  // Depth-first post-order from the Input, iterative; an edge to a node on the stack is a back edge.
  const state = new Map<string, 'open' | 'done'>();
  const post: string[] = [];
  const succ = new Map<string, string[]>();
  if (known.has(INPUT_ID)) {
    const stack: { id: string; next: number }[] = [{ id: INPUT_ID, next: 0 }];
    state.set(INPUT_ID, 'open');
    succ.set(INPUT_ID, []);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const targets = (out.get(top.id) ?? []).filter((t) => known.has(t));
      if (top.next < targets.length) {
        const t = targets[top.next++];
        if (state.get(t) === 'open') continue;
        succ.get(top.id)!.push(t);
        if (!state.has(t)) {
          state.set(t, 'open');
          succ.set(t, []);
          stack.push({ id: t, next: 0 });
        }
        continue;
      }
      state.set(top.id, 'done');
      post.push(top.id);
      stack.pop();
    }
  }
  const order = post.reverse();
  const pred = new Map(order.map((id) => [id, [] as string[]]));
  for (const id of order) for (const t of succ.get(id)!) pred.get(t)!.push(id);
  return { order, succ, pred };
}

/** Longest path from the Input, then every node that is not a sink pulled down to just above its first consumer. */
function assignLayers(order: string[], succ: Map<string, string[]>, pred: Map<string, string[]>): Map<string, number> {
  const layer = new Map<string, number>();
  for (const id of order) layer.set(id, Math.max(-1, ...pred.get(id)!.map((p) => layer.get(p)!)) + 1);
  for (const id of [...order].reverse()) {
    const next = succ.get(id)!;
    if (id === INPUT_ID || next.length === 0) continue;
    layer.set(id, Math.max(layer.get(id)!, Math.min(...next.map((t) => layer.get(t)!)) - 1));
  }
  return layer;
}

/** Rows of ids (dummies for edges spanning several layers), ordered by barycentre sweeps. */
function orderRows(order: string[], layer: Map<string, number>, succ: Map<string, string[]>): string[][] {
  let depth = 0;
  for (const l of layer.values()) depth = Math.max(depth, l + 1);
  const rows: string[][] = Array.from({ length: depth }, () => []);
  const up = new Map<string, string[]>();
  const down = new Map<string, string[]>();
  const link = (a: string, b: string) => {
    down.set(a, [...(down.get(a) ?? []), b]);
    up.set(b, [...(up.get(b) ?? []), a]);
  };
  for (const id of order) rows[layer.get(id)!].push(id);
  let dummies = 0;
  for (const id of order) {
    for (const t of succ.get(id)!) {
      let prev = id;
      for (let l = layer.get(id)! + 1; l < layer.get(t)!; l++) {
        const d = `${DUMMY}${dummies++}`;
        rows[l].push(d);
        link(prev, d);
        prev = d;
      }
      link(prev, t);
    }
  }
  const index = new Map<string, number>();
  const renumber = (row: string[]) => row.forEach((id, i) => index.set(id, i));
  rows.forEach(renumber);
  const sortBy = (row: string[], nbrs: Map<string, string[]>) => {
    const key = new Map(
      row.map((id, i) => {
        const ns = nbrs.get(id) ?? [];
        return [id, ns.length > 0 ? ns.reduce((s, n) => s + index.get(n)!, 0) / ns.length : i] as const;
      }),
    );
    // Stable: ties keep the current order, so a chain's first branch stays on the left.
    row.sort((a, b) => key.get(a)! - key.get(b)! || index.get(a)! - index.get(b)!);
    renumber(row);
  };
  for (let s = 0; s < SWEEPS; s++) {
    for (let l = 1; l < depth; l++) sortBy(rows[l], up);
    for (let l = depth - 2; l >= 0; l--) sortBy(rows[l], down);
  }
  return rows;
}
