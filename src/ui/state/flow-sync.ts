// The xyflow node and edge arrays drawn for the editor graph: one flow node per block, or
// for a huge model the degraded view's items (drawn blocks and collapsed ranges, see
// core/editor/ranges.ts). Objects that did not change are reused, and an unchanged array
// is not replaced at all, so a keyword edit does not make xyflow re-process every node.
import type { Edge, Node } from '@xyflow/svelte';
import * as G from '../../core/editor/graph-model.ts';
import { rangeContents, rangeTitle, type BlockRange, type RangeView } from '../../core/editor/ranges.ts';
import { blockLabel } from '../../core/editor/structure.ts';

/** A range node carries its range; a block's node carries nothing (it reads the editor). */
export type FlowNode = Node<{ range?: BlockRange }, G.EditorNodeKind | 'range'>;
export type FlowEdge = Edge<Record<string, never>, 'shape'>;

/** Flow nodes for the graph (or its degraded view), keeping selection and measured sizes. */
export function syncNodes(
  graph: G.EditorGraph,
  view: RangeView | null,
  old: readonly FlowNode[],
  select?: Set<string>,
): FlowNode[] {
  const prevById = new Map(old.map((n) => [n.id, n]));
  const byId = view ? new Map(graph.nodes.map((n) => [n.id, n])) : null;
  const blocks: { n: G.EditorNode; position: G.XY }[] = view
    ? view.items.flatMap((item) => (item.kind === 'node' ? [{ n: byId!.get(item.id)!, position: item.position }] : []))
    : graph.nodes.map((n) => ({ n, position: n.position }));
  const nodes = blocks.map(({ n, position }): FlowNode => {
    const prev = prevById.get(n.id);
    const selected = select ? select.has(n.id) : (prev?.selected ?? false);
    const ariaLabel = n.kind === 'input' ? 'Input block' : `${blockLabel(n)} block`;
    if (
      prev &&
      prev.type === n.kind &&
      prev.selected === selected &&
      prev.ariaLabel === ariaLabel &&
      prev.position.x === position.x &&
      prev.position.y === position.y
    )
      return prev;
    return {
      id: n.id,
      type: n.kind,
      position,
      data: {},
      selected,
      ariaLabel,
      deletable: n.kind !== 'input',
      ...(prev?.measured ? { measured: prev.measured } : {}),
    };
  });
  for (const item of view?.items ?? []) {
    if (item.kind !== 'range') continue;
    const prev = prevById.get(item.range.key);
    nodes.push({
      id: item.range.key,
      type: 'range',
      position: item.position,
      data: { range: item.range },
      selected: select ? false : (prev?.selected ?? false),
      ariaLabel: `${rangeTitle(item.range)}, ${rangeContents(item.range)}`,
      deletable: false,
      draggable: false,
      connectable: false,
      ...(prev?.measured ? { measured: prev.measured } : {}),
    });
  }
  return sameItems(nodes, old) ? (old as FlowNode[]) : nodes;
}

/** Flow edges: the graph's own, plus (degraded) one undeletable link per pair of drawn items a range joins. */
export function syncEdges(
  graph: G.EditorGraph,
  view: RangeView | null,
  old: readonly FlowEdge[],
  select?: Set<string>,
): FlowEdge[] {
  const prevById = new Map(old.map((e) => [e.id, e]));
  const wanted = view ? view.edges : graph.edges.map((e) => ({ source: e.source, target: e.target, edgeId: e.id }));
  const edges = wanted.map((e): FlowEdge => {
    const id = e.edgeId ?? `range-link:${e.source}:${e.target}`;
    const prev = prevById.get(id);
    const selected = e.edgeId === null || select ? false : (prev?.selected ?? false);
    if (prev && prev.source === e.source && prev.target === e.target && prev.selected === selected) return prev;
    const link = e.edgeId === null ? { selectable: false, deletable: false, focusable: false } : {};
    return { id, source: e.source, target: e.target, type: 'shape', data: {}, selected, ...link };
  });
  return sameItems(edges, old) ? (old as FlowEdge[]) : edges;
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
