// The degraded view of a huge model: drawing 100,000 blocks would hang or crash the page,
// so a graph with more than RANGE_LIMIT blocks is drawn as collapsed ranges of its blocks
// in forward order ("blocks 1–5,000 (5,000: Conv2d×1,667, …)"). Opening a range splits it
// into sub-ranges, or draws its blocks when it has at most RANGE_LIMIT; one range is open
// at a time (with its enclosing ranges), so the canvas never holds more than about
// RANGE_LIMIT blocks. Ranges are fixed index windows of a fixed size for a given length,
// so an edit inside an open range keeps it open. Pure: the model itself is untouched.
import {
  CHAIN_X,
  INPUT_ID,
  NODE_GAP,
  NODE_HEIGHT,
  type EditorGraph,
  type EditorNode,
  type HeightOf,
  type XY,
} from './graph-model.ts';

/** Above this many blocks (Input excluded) the canvas shows ranges; also the most blocks an open range draws. */
export const RANGE_LIMIT = 500;
/** At most this many ranges side by side at one level. */
const MAX_RANGES = 20;
export const RANGE_HEIGHT = 76;
const RANGE_PREFIX = 'range:';

/** A run of consecutive blocks (in forward order) drawn as one node. */
export interface BlockRange {
  /** Also its node id on the canvas: `range:<start>-<end of its full window>`. */
  key: string;
  /** Index of its first block in forward order (0-based). */
  start: number;
  /** One past its last block. */
  end: number;
  /** Block types by count, most first: [['Conv2d', 3267], ['ReLU', 3266], …]. */
  types: [string, number][];
}

/** One drawn item: a block at its shown position, or a collapsed range. */
export type RangeItem = { kind: 'node'; id: string; position: XY } | { kind: 'range'; range: BlockRange; position: XY };

export interface RangeEdge {
  source: string;
  target: string;
  /** The model's own edge when both ends are drawn blocks; else a drawn link between ranges. */
  edgeId: string | null;
}

export interface RangeView {
  /** Blocks in the model, Input excluded. */
  total: number;
  items: RangeItem[];
  edges: RangeEdge[];
  /** How far down each drawn block is shown from where it sits in the graph (its offset in y). */
  shift: Map<string, number>;
}

export const isRangeId = (id: string): boolean => id.startsWith(RANGE_PREFIX);
export const rangeKey = (start: number, end: number): string => `${RANGE_PREFIX}${start}-${end}`;

/** True when the graph is too big to draw block by block. */
export function needsRanges(graph: EditorGraph): boolean {
  return graph.nodes.length - 1 > RANGE_LIMIT;
}

/** The window size one level of a run of `length` blocks is split into (RANGE_LIMIT·10^k, at most MAX_RANGES windows). */
export function windowSize(length: number): number {
  let size = RANGE_LIMIT;
  while (Math.ceil(length / size) > MAX_RANGES) size *= 10;
  return size;
}

/**
 * The windows one level below the run [start, end): [start, end, key]. A window's key
 * names its full size even where the run cuts it short, so it survives an edit that
 * changes the number of blocks.
 */
export function subRanges(start: number, end: number): [number, number, string][] {
  const size = windowSize(end - start);
  const out: [number, number, string][] = [];
  for (let s = start; s < end; s += size) out.push([s, Math.min(end, s + size), rangeKey(s, s + size)]);
  return out;
}

/** The open path after opening `key`: the ranges that enclose it stay open, the others close. */
export function openRange(open: readonly string[], key: string): string[] {
  const [s, e] = bounds(key);
  return [...open.filter((k) => k !== key && bounds(k)[0] <= s && bounds(k)[1] >= e), key];
}

/** The open path that shows block index `index` of a sequence of `length`. */
export function pathTo(index: number, length: number): string[] {
  const path: string[] = [];
  let [start, end] = [0, length];
  while (end - start > RANGE_LIMIT) {
    const [s, e, key] = subRanges(start, end).find(([s, e]) => index >= s && index < e)!;
    [start, end] = [s, e];
    path.push(key);
  }
  return path;
}

function bounds(key: string): [number, number] {
  const [s, e] = key.slice(RANGE_PREFIX.length).split('-').map(Number);
  return [s, e];
}

/** A short type name for counting: the layer type, the block class, `add`, `cat`. */
function typeOf(n: EditorNode): string {
  switch (n.kind) {
    case 'layer':
      return n.layer.type;
    case 'module':
      return 'block' in n.module ? n.module.block : 'Sequential';
    default:
      return n.kind;
  }
}

/**
 * The drawn view of `graph`: `sequence` is every block but the Input in forward order
 * (blocks the Input does not reach last), `open` the open ranges. Items stack top to
 * bottom; an open run of blocks keeps its own layout, moved down to its place.
 */
export function rangeView(
  graph: EditorGraph,
  sequence: readonly string[],
  open: readonly string[],
  heightOf: HeightOf = () => NODE_HEIGHT,
): RangeView {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const isOpen = new Set(open);
  const items: RangeItem[] = [];
  const shift = new Map<string, number>();
  /** Graph node id → the drawn item it belongs to (itself, or its range's key). */
  const drawnAs = new Map<string, string>([[INPUT_ID, INPUT_ID]]);
  const input = byId.get(INPUT_ID);
  if (input) {
    items.push({ kind: 'node', id: INPUT_ID, position: { x: input.position.x, y: 0 } });
    shift.set(INPUT_ID, -input.position.y);
  }
  let y = (input ? heightOf(INPUT_ID) : 0) + NODE_GAP;
  const drawBlocks = (start: number, end: number) => {
    const ids = sequence.slice(start, end);
    let top = Infinity;
    let bottom = -Infinity;
    for (const id of ids) {
      const p = byId.get(id)!.position.y;
      top = Math.min(top, p);
      bottom = Math.max(bottom, p + heightOf(id));
    }
    for (const id of ids) {
      shift.set(id, y - top);
      drawnAs.set(id, id);
      const p = byId.get(id)!.position;
      items.push({ kind: 'node', id, position: { x: p.x, y: p.y + y - top } });
    }
    if (ids.length > 0) y += bottom - top + NODE_GAP;
  };
  const drawRange = (start: number, end: number, key: string) => {
    const counts = new Map<string, number>();
    for (let i = start; i < end; i++) {
      drawnAs.set(sequence[i], key);
      const t = typeOf(byId.get(sequence[i])!);
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    const types = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    items.push({ kind: 'range', range: { key, start, end, types }, position: { x: CHAIN_X, y } });
    y += RANGE_HEIGHT + NODE_GAP;
  };
  const draw = (start: number, end: number) => {
    if (end - start <= RANGE_LIMIT) return drawBlocks(start, end);
    for (const [s, e, key] of subRanges(start, end)) {
      if (isOpen.has(key)) draw(s, e);
      else drawRange(s, e, key);
    }
  };
  draw(0, sequence.length);
  return { total: sequence.length, items, edges: drawnEdges(graph, drawnAs), shift };
}

/** The model's edges between drawn items: kept between two drawn blocks, one link per pair of items otherwise. */
function drawnEdges(graph: EditorGraph, drawnAs: Map<string, string>): RangeEdge[] {
  const edges: RangeEdge[] = [];
  const linked = new Set<string>();
  for (const e of graph.edges) {
    const source = drawnAs.get(e.source);
    const target = drawnAs.get(e.target);
    if (source === undefined || target === undefined || source === target) continue;
    if (source === e.source && target === e.target) {
      edges.push({ source, target, edgeId: e.id });
      continue;
    }
    const pair = `${source}\u0000${target}`;
    if (linked.has(pair)) continue;
    linked.add(pair);
    edges.push({ source, target, edgeId: null });
  }
  return edges;
}

/** "blocks 5,001–10,000", 1-based as a user counts. */
export function rangeTitle(r: BlockRange): string {
  return `blocks ${(r.start + 1).toLocaleString('en-US')}–${r.end.toLocaleString('en-US')}`;
}

/** "5,000 blocks: Conv2d×1,667, BatchNorm2d×1,667, ReLU×1,666" (the first few types, then "…"). */
export function rangeContents(r: BlockRange, shown = 3): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const types = r.types.slice(0, shown).map(([t, k]) => `${t}×${n(k)}`);
  if (r.types.length > shown) types.push('…');
  return `${n(r.end - r.start)} blocks: ${types.join(', ')}`;
}
