// Where a block dragged from the palette lands: onto an edge (inserted between its two
// nodes), near the end of the chain (appended), or elsewhere (a loose block).
import { chainTail, NODE_WIDTH, type EditorGraph, type HeightOf, type XY } from './graph-model.ts';

export type DropTarget = { kind: 'edge'; edgeId: string } | { kind: 'tail'; nodeId: string };

/** How close (flow units) to an edge's line a drop counts as onto it. */
const EDGE_RADIUS = 30;
/** How far below the last block a drop still connects to it. */
const TAIL_REACH = 240;

export function findDropTarget(graph: EditorGraph, at: XY, heightOf: HeightOf): DropTarget | null {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  let best: { id: string; d: number } | null = null;
  for (const e of graph.edges) {
    const s = byId.get(e.source);
    const t = byId.get(e.target);
    if (!s || !t) continue;
    const from = { x: s.position.x + NODE_WIDTH / 2, y: s.position.y + heightOf(s.id) };
    const to = { x: t.position.x + NODE_WIDTH / 2, y: t.position.y };
    const d = distanceToSegment(at, from, to);
    if (d <= EDGE_RADIUS && (!best || d < best.d)) best = { id: e.id, d };
  }
  if (best) return { kind: 'edge', edgeId: best.id };
  const tail = byId.get(chainTail(graph));
  if (!tail) return null;
  const bottom = { x: tail.position.x + NODE_WIDTH / 2, y: tail.position.y + heightOf(tail.id) };
  const below = at.y >= tail.position.y;
  return below && Math.hypot(at.x - bottom.x, at.y - bottom.y) <= TAIL_REACH ? { kind: 'tail', nodeId: tail.id } : null;
}

export function distanceToSegment(p: XY, a: XY, b: XY): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  // Projection of p onto the segment, clamped to its ends.
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}
