// The Build mode's state: the editor graph (source of truth, immutable, replaced on each
// edit), its undo/redo history, and the xyflow node/edge arrays derived from it. Every
// edit is a named command that pushes an undo snapshot.
import { createContext } from 'svelte';
import { adaptToInput } from '../../core/editor/adapt-input.ts';
import type { ModelDocument } from '../../core/model/types.ts';
import type { TrainingConfig } from '../../core/run/training-config.ts';
import { analyze, type Analysis } from '../../core/editor/analysis.ts';
import * as G from '../../core/editor/graph-model.ts';
import { newBody, type AddMode, type PaletteId } from '../../core/editor/new-layer.ts';
import { findDropTarget, type DropTarget } from '../../core/editor/drop-target.ts';
import { layoutGraph } from '../../core/editor/layout.ts';
import { groupAsBlock, renameBlock } from '../../core/editor/group.ts';
import { isRangeId, needsRanges, openRange, pathTo, rangeView, type RangeView } from '../../core/editor/ranges.ts';
import { syncEdges, syncNodes, type FlowEdge, type FlowNode } from './flow-sync.ts';

export type { FlowEdge, FlowNode };

const HISTORY_LIMIT = 300;
/** Keystrokes in one field within this window are one undo step. */
const COALESCE_MS = 1500;

export class EditorState {
  #graph = $state.raw<G.EditorGraph>({ input: [3, 32, 32], nodes: [], edges: [] });
  #undo = $state.raw<G.EditorGraph[]>([]);
  #redo = $state.raw<G.EditorGraph[]>([]);
  #coalesce: { key: string; at: number } | null = null;
  #listeners = new Set<(graph: G.EditorGraph) => void>();

  #flowNodes = $state.raw<FlowNode[]>([]);
  flowEdges = $state.raw<FlowEdge[]>([]);
  /** Why the last "Group as block" could not group the selection. */
  groupError = $state<string | null>(null);
  /** Batch size N used for the summary's Mult-Adds and sizes. */
  batch = $state(1);
  /** A huge model's degraded view (collapsed ranges; see core/editor/ranges.ts); null when every block is drawn. */
  ranges = $state.raw<RangeView | null>(null);
  /** The open ranges of the degraded view: one range and the ranges enclosing it. */
  #open: string[] = [];

  readonly analysis: Analysis = $derived(analyze(this.#graph, this.batch));
  readonly nodeById: Map<string, G.EditorNode> = $derived(new Map(this.#graph.nodes.map((n) => [n.id, n])));
  readonly selectedIds: string[] = $derived(
    this.flowNodes.filter((n) => n.selected && n.type !== 'range').map((n) => n.id),
  );
  readonly canUndo = $derived(this.#undo.length > 0);
  readonly canRedo = $derived(this.#redo.length > 0);

  /** Bound to <SvelteFlow bind:nodes>; xyflow writes drag positions, selection and sizes back. */
  get flowNodes(): FlowNode[] {
    return this.#flowNodes;
  }

  set flowNodes(next: FlowNode[]) {
    this.#flowNodes = next;
    this.#adoptKeyboardMoves(next);
  }

  get graph(): G.EditorGraph {
    return this.#graph;
  }

  get document(): ModelDocument {
    return this.analysis.doc;
  }

  /** The one selected node, if exactly one is selected. */
  get selected(): G.EditorNode | null {
    if (this.selectedIds.length !== 1) return null;
    return this.nodeById.get(this.selectedIds[0]) ?? null;
  }

  node(id: string): G.EditorNode | undefined {
    return this.nodeById.get(id);
  }

  /** Called after every change of the graph (edits, undo, redo; not `load`). */
  onChange(listener: (graph: G.EditorGraph) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Replaces the whole graph (opening a project): no undo step, history cleared. */
  load(graph: G.EditorGraph): void {
    this.#graph = graph;
    this.#undo = [];
    this.#redo = [];
    this.#coalesce = null;
    this.#open = [];
    this.#syncFlow(new Set());
  }

  /** Degraded view: opens a range (its blocks, or its sub-ranges); other open ranges close. */
  openRange(key: string): void {
    this.#open = openRange(this.#open, key);
    this.#syncFlow(new Set());
  }

  /** Degraded view: every range collapsed again. */
  collapseRanges(): void {
    this.#open = [];
    this.#syncFlow(new Set());
  }

  undo(): void {
    const prev = this.#undo.at(-1);
    if (!prev) return;
    this.#redo = [...this.#redo, this.#graph];
    this.#undo = this.#undo.slice(0, -1);
    this.#restore(prev);
  }

  redo(): void {
    const next = this.#redo.at(-1);
    if (!next) return;
    this.#undo = [...this.#undo, this.#graph];
    this.#redo = this.#redo.slice(0, -1);
    this.#restore(next);
  }

  /** Palette click / Enter: the block goes at the end of the model (after its output). */
  appendLayer(type: PaletteId): string {
    const tail = G.chainTail(this.#graph);
    return this.#addWired(type, 'append', this.#below(tail), { after: tail });
  }

  /** Palette drop at a flow position: onto an edge inserts, near the chain's end appends. */
  dropLayer(type: PaletteId, at: G.XY): string {
    const target = this.dropTargetAt(at);
    if (target?.kind === 'edge') return this.insertOnEdge(target.edgeId, type);
    if (target?.kind === 'tail')
      return this.#addWired(type, 'append', this.#below(target.nodeId), { after: target.nodeId });
    return this.#addWired(type, 'append', { x: at.x - G.NODE_WIDTH / 2, y: at.y - 20 }, {}, null);
  }

  dropTargetAt(at: G.XY): DropTarget | null {
    if (!this.ranges) return findDropTarget(this.#graph, at, (id) => this.#height(id));
    // Degraded: only onto an edge between two drawn blocks (the chain's end may be in a range).
    const target = findDropTarget(this.#drawnGraph(), at, (id) => this.#height(id));
    return target?.kind === 'edge' ? target : null;
  }

  insertOnEdge(id: string, type: PaletteId): string {
    const edge = this.#graph.edges.find((e) => e.id === id);
    if (!edge) throw new Error(`no edge ${id}`);
    const source = this.node(edge.source)!;
    const target = this.node(edge.target)!;
    const downstream = new Set([edge.target, ...G.chainFrom(this.#graph, edge.target)]);
    const room = G.NODE_HEIGHT + G.NODE_GAP;
    const shifted = G.shiftDown(this.#graph, downstream, room);
    const at = {
      x: source.position.x,
      y: Math.max(target.position.y, source.position.y + this.#height(source.id) + G.NODE_GAP),
    };
    const body = newBody(type, this.#outShape(edge.source), 'insert');
    const { graph, id: added } = G.addNode(shifted, body, at, { after: edge.source, before: edge.target });
    this.#commit(graph, [added]);
    return added;
  }

  deleteSelection(): void {
    const nodes = this.selectedIds;
    const edges = this.flowEdges.filter((e) => e.selected).map((e) => e.id);
    if (nodes.length === 0 && edges.length === 0) return;
    this.deleteElements(nodes, edges);
  }

  deleteElements(nodeIds: string[], edgeIds: string[] = []): void {
    const next = G.removeElements(this.#graph, nodeIds, edgeIds);
    if (next.nodes.length === this.#graph.nodes.length && next.edges.length === this.#graph.edges.length) return;
    this.#commit(next, []);
  }

  /** Sets (or with `undefined` resets) one keyword; typing in one field is one undo step. */
  setKeyword(id: string, field: string, value: unknown): void {
    this.#commit(G.setKeyword(this.#graph, id, field, value), undefined, `kw:${id}:${field}`);
  }

  setName(id: string, name: string): void {
    this.#commit(G.setName(this.#graph, id, name.trim() === '' ? undefined : name.trim()), undefined, `name:${id}`);
  }

  /** Names every unnamed layer of the chain `<type><k>` (conv1, relu1, ...) as PyTorch users do. */
  nameAll(): void {
    let graph = this.#graph;
    const counts = new Map<string, number>();
    const taken = new Set(graph.nodes.flatMap((n) => (n.name ? [n.name] : [])));
    for (const id of this.analysis.order) {
      const n = graph.nodes.find((x) => x.id === id)!;
      if (n.name || n.kind !== 'layer') continue;
      const stem = n.layer.type.toLowerCase().replace(/2d$|1d$/, '');
      let k = counts.get(stem) ?? 1;
      while (taken.has(`${stem}${k}`)) k++;
      counts.set(stem, k + 1);
      taken.add(`${stem}${k}`);
      graph = G.setName(graph, id, `${stem}${k}`);
    }
    this.#commit(graph);
  }

  clearNames(): void {
    let graph = this.#graph;
    for (const n of graph.nodes) if (n.name !== undefined) graph = G.setName(graph, n.id, undefined);
    this.#commit(graph);
  }

  setInput(shape: number[]): void {
    this.#commit({ ...this.#graph, input: [...shape] }, undefined, 'input');
  }

  setClassName(name: string | undefined): void {
    const { className: _old, ...rest } = this.#graph;
    this.#commit(name ? { ...rest, className: name } : rest, undefined, 'className');
  }

  /**
   * The Train form's configuration, kept in the document (what export writes); a burst of
   * edits is one undo step. With `input`, a dataset's Input shape comes in the same step.
   */
  setTraining(config: TrainingConfig, input?: number[]): void {
    // A new Input brings the sizes derived from it (in_channels, in_features, …) along.
    const graph = input ? adaptToInput(this.#graph, input).graph : this.#graph;
    this.#commit({ ...graph, training: structuredClone(config) }, undefined, input ? 'input' : 'training');
  }

  /** Applies the core's suggested fix for the node's shape error: a keyword, or layers inserted on one input. */
  applyFix(id: string): void {
    const fix = this.analysis.nodes.get(id)?.shapeError?.fix;
    if (!fix) return;
    let graph = this.#graph;
    let select = [id];
    if (fix.insert) {
      const source = G.inMap(graph).get(id)?.[fix.insert.input];
      if (source === undefined) return;
      const from = this.node(source)!.position;
      const to = this.node(id)!.position;
      const step = G.NODE_HEIGHT + G.NODE_GAP;
      const count = fix.insert.layers.length;
      // On a chain the layers go in line (what comes after moves down); on a branch, beside the add.
      const inLine = (G.outMap(graph).get(source)?.length ?? 0) <= 1 && (G.inMap(graph).get(id)?.length ?? 0) <= 1;
      if (inLine) graph = G.shiftDown(graph, new Set([id, ...G.chainFrom(graph, id)]), step * count);
      const at = inLine ? { x: from.x, y: to.y } : { x: Math.max(from.x, to.x) + G.NODE_WIDTH + 48, y: from.y + step };
      const inserted = G.insertOnEdge(graph, source, id, fix.insert.layers, at, step);
      graph = inserted.graph;
      select = inserted.ids;
    }
    if (fix.set) graph = G.setKeyword(graph, id, fix.set.field, fix.set.value);
    this.#commit(graph, select);
  }

  /** A new edge from a handle: any output may feed several inputs; add and cat take several. */
  connect(source: string, target: string): void {
    const next = G.connect(this.#graph, source, target);
    if (next !== this.#graph) this.#commit(next);
  }

  /** An edge's end dragged to another handle (xyflow's reconnect). */
  reconnect(edgeId: string, source: string, target: string): void {
    const next = G.reconnect(this.#graph, edgeId, source, target);
    if (next !== this.#graph) this.#commit(next);
  }

  /** The selected blocks become a block class and one instance of it; else `groupError` says why not. */
  groupSelection(): void {
    const result = groupAsBlock(this.#graph, this.selectedIds);
    this.groupError = result.ok ? null : result.message;
    if (result.ok) this.#commit(result.graph, [result.id]);
  }

  renameBlock(from: string, to: string): void {
    if (from !== to) this.#commit(renameBlock(this.#graph, from, to), undefined, `block:${from}`);
  }

  setCatDim(id: string, dim: number): void {
    this.#commit(G.setKeyword(this.#graph, id, 'dim', dim), undefined, `kw:${id}:dim`);
  }

  /** Drag stop: the positions xyflow moved the nodes to. */
  moveNodes(shown: Map<string, G.XY>): void {
    const moved = new Map([...shown].flatMap(([id, p]) => (isRangeId(id) ? [] : [[id, this.#unshifted(id, p)]])));
    const changed = [...moved].some(([id, p]) => {
      const n = this.node(id);
      return n && (n.position.x !== p.x || n.position.y !== p.y);
    });
    if (changed) this.#commit(G.movePositions(this.#graph, moved));
  }

  autoLayout(): void {
    this.#commit(layoutGraph(this.#graph, (id) => this.#height(id)));
  }

  select(ids: string[]): void {
    const want = new Set(ids);
    // Degraded: one block inside a collapsed range (a problem's Show) is shown by opening the ranges around it.
    const hidden = this.ranges && ids.length === 1 && !this.#flowNodes.some((n) => n.id === ids[0]) ? ids[0] : null;
    if (hidden && this.nodeById.has(hidden)) {
      this.#open = pathTo(this.#sequence().indexOf(hidden), this.ranges!.total);
      this.#syncFlow(want);
    }
    this.#flowNodes = this.#flowNodes.map((n) =>
      n.selected === want.has(n.id) ? n : { ...n, selected: want.has(n.id) },
    );
    this.flowEdges = this.flowEdges.map((e) => (e.selected ? { ...e, selected: false } : e));
  }

  /** Ends a run of coalesced keystrokes (the field lost focus). */
  endTyping(): void {
    this.#coalesce = null;
  }

  /**
   * Arrow keys move selected nodes inside xyflow without a drag-stop event: take those
   * positions into the graph (one undo step per run of key presses). Mouse drags are
   * committed on drag stop instead.
   */
  #adoptKeyboardMoves(next: FlowNode[]): void {
    const moved = new Map<string, G.XY>();
    for (const n of next) {
      if (n.dragging) return;
      const p = this.nodeById.get(n.id)?.position;
      const at = this.#unshifted(n.id, n.position);
      if (p && (p.x !== at.x || p.y !== at.y)) moved.set(n.id, at);
    }
    if (moved.size > 0)
      this.#commit(G.movePositions(this.#graph, moved), undefined, `move:${[...moved.keys()].join()}`);
  }

  #addWired(
    type: PaletteId,
    mode: AddMode,
    at: G.XY,
    wire: { after?: string; before?: string },
    from: string | null = wire.after ?? null,
  ): string {
    const body = newBody(type, from ? this.#outShape(from) : null, mode);
    const { graph, id } = G.addNode(this.#graph, body, at, wire);
    this.#commit(graph, [id]);
    return id;
  }

  #outShape(id: string): number[] | null {
    if (id === G.INPUT_ID) return [this.batch, ...this.#graph.input];
    return this.analysis.nodes.get(id)?.outShape ?? null;
  }

  #below(id: string): G.XY {
    const n = this.node(id)!;
    return { x: n.position.x, y: n.position.y + this.#height(id) + G.NODE_GAP };
  }

  #height(id: string): number {
    return this.flowNodes.find((n) => n.id === id)?.measured?.height ?? G.NODE_HEIGHT;
  }

  #commit(next: G.EditorGraph, select?: string[], coalesceKey?: string): void {
    const now = Date.now();
    const same =
      coalesceKey !== undefined && this.#coalesce?.key === coalesceKey && now - this.#coalesce.at < COALESCE_MS;
    if (!same) this.#undo = [...this.#undo.slice(-(HISTORY_LIMIT - 1)), this.#graph];
    this.#coalesce = coalesceKey === undefined ? null : { key: coalesceKey, at: now };
    this.#redo = [];
    this.#graph = next;
    this.#syncFlow(select ? new Set(select) : undefined);
    for (const l of this.#listeners) l(next);
  }

  #restore(graph: G.EditorGraph): void {
    this.#coalesce = null;
    this.#graph = graph;
    this.#syncFlow();
    for (const l of this.#listeners) l(graph);
  }

  /** Rebuilds the xyflow arrays from the graph (or, for a huge model, its degraded view). */
  #syncFlow(select?: Set<string>): void {
    this.ranges = needsRanges(this.#graph)
      ? rangeView(this.#graph, this.#sequence(), this.#open, (id) => this.#height(id))
      : null;
    this.#flowNodes = syncNodes(this.#graph, this.ranges, this.#flowNodes, select);
    this.flowEdges = syncEdges(this.#graph, this.ranges, this.flowEdges, select);
  }

  /** Every block but the Input, in forward order, unconnected blocks last. */
  #sequence(): string[] {
    return [...this.analysis.order, ...this.analysis.loose];
  }

  /** Where a drawn block sits in the graph (the degraded view draws open blocks moved down). */
  #unshifted(id: string, p: G.XY): G.XY {
    const dy = this.ranges?.shift.get(id) ?? 0;
    return dy === 0 ? p : { x: p.x, y: p.y - dy };
  }

  /** The drawn blocks at their drawn places, with the edges between them. */
  #drawnGraph(): G.EditorGraph {
    const drawn = new Map(this.#flowNodes.filter((n) => n.type !== 'range').map((n) => [n.id, n.position]));
    return {
      ...this.#graph,
      nodes: this.#graph.nodes.flatMap((n) => (drawn.has(n.id) ? [{ ...n, position: drawn.get(n.id)! }] : [])),
      edges: this.#graph.edges.filter((e) => drawn.has(e.source) && drawn.has(e.target)),
    };
  }
}

export const [getEditor, setEditor] = createContext<EditorState>();
