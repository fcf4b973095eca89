// "Group as block": selected blocks become a block class of the document (BlockDef, a
// `class Block1(nn.Module)` in the export) and, on the canvas, one collapsed instance of it.
// The same class can then be dropped again from the palette: a new instance, its own weights.
import type { ArgRef, BlockArgValue, BlockDef, ModuleBody } from '../model/module-types.ts';
import type { LayerSpec } from '../model/types.ts';
import { countParams } from '../model/summary.ts';
import { documentFromGraph } from './document.ts';
import { edgeId, INPUT_ID, newNodeId, type EditorEdge, type EditorGraph, type EditorNode } from './graph-model.ts';
import { analyzeStructure, blockLabel } from './structure.ts';

export type GroupResult =
  { ok: true; graph: EditorGraph; id: string; block: BlockDef } | { ok: false; message: string };

/** A class name not yet used by the document's blocks: Block1, Block2, … */
export function freeBlockName(graph: EditorGraph, stem = 'Block'): string {
  const taken = new Set((graph.blocks ?? []).map((b) => b.name));
  let k = 1;
  while (taken.has(`${stem}${k}`)) k++;
  return `${stem}${k}`;
}

/**
 * Groups the nodes `ids` (the Input excluded) into a new block class `name`. The selection
 * must take one tensor in (from one block, possibly into several of its nodes: a branch
 * and its shortcut) and hand one tensor out (from one of its nodes), as a module does.
 */
export function groupAsBlock(graph: EditorGraph, ids: Iterable<string>, name = freeBlockName(graph)): GroupResult {
  const inside = new Set([...ids].filter((id) => id !== INPUT_ID));
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  if (inside.size === 0) return { ok: false, message: 'select the blocks to group first' };
  if ((graph.blocks ?? []).some((b) => b.name === name))
    return { ok: false, message: `a block class named ${name} already exists` };
  const entering = graph.edges.filter((e) => inside.has(e.target) && !inside.has(e.source));
  const leaving = graph.edges.filter((e) => inside.has(e.source) && !inside.has(e.target));
  const sources = [...new Set(entering.map((e) => e.source))];
  const exits = [...new Set(leaving.map((e) => e.source))];
  const label = (id: string) => blockLabel(byId.get(id)!);
  if (sources.length !== 1) {
    return {
      ok: false,
      message:
        sources.length === 0
          ? 'the selection receives no input: include the edge into it'
          : `a block takes one input, but the selection receives from ${sources.map(label).join(' and ')}`,
    };
  }
  if (exits.length > 1)
    return {
      ok: false,
      message: `a block returns one output, but ${exits.map(label).join(' and ')} both feed blocks outside the selection`,
    };

  // The selection as a graph of its own, its one input tensor as the Input.
  const innerEdges: EditorEdge[] = graph.edges
    .filter((e) => inside.has(e.target) && (inside.has(e.source) || e.source === sources[0]))
    .map((e) => (inside.has(e.source) ? e : { id: edgeId(INPUT_ID, e.target), source: INPUT_ID, target: e.target }));
  const members = graph.nodes.filter((n) => inside.has(n.id));
  const inner: EditorGraph = {
    input: [],
    nodes: [{ id: INPUT_ID, kind: 'input', position: { x: 0, y: 0 } }, ...members],
    edges: innerEdges,
    blocks: graph.blocks,
  };
  const structure = analyzeStructure(inner);
  if (structure.errors.length > 0) return { ok: false, message: `cannot group: ${structure.errors[0].message}` };
  if (structure.loose.length > 0)
    return { ok: false, message: `cannot group: ${label(structure.loose[0])} is not fed from the selection's input` };
  const { doc } = documentFromGraph(inner, structure);
  const block: BlockDef = { name, params: [], modules: doc.modules, forward: doc.forward };

  const id = newNodeId(graph);
  const top = members.reduce((a, b) => (b.position.y < a.position.y ? b : a));
  const instance: EditorNode = { id, kind: 'module', module: { block: name }, position: { ...top.position } };
  const outer = graph.edges.filter((e) => !inside.has(e.source) && !inside.has(e.target));
  const edges: EditorEdge[] = [
    ...outer,
    { id: edgeId(sources[0], id), source: sources[0], target: id },
    ...leaving.map((e) => ({ id: edgeId(id, e.target), source: id, target: e.target })),
  ];
  const nodes = [...graph.nodes.filter((n) => !inside.has(n.id)), instance];
  return { ok: true, graph: { ...graph, nodes, edges, blocks: [...(graph.blocks ?? []), block] }, id, block };
}

/** Renames a block class and every instance of it. */
export function renameBlock(graph: EditorGraph, from: string, to: string): EditorGraph {
  const rename = (m: ModuleBody): ModuleBody => {
    if ('block' in m) return m.block === from ? { ...m, block: to } : m;
    if ('sequential' in m) return { sequential: m.sequential.map((c) => ({ ...rename(c), name: c.name })) };
    return m;
  };
  const blocks = (graph.blocks ?? []).map((b) => ({
    ...b,
    name: b.name === from ? to : b.name,
    modules: b.modules.map((m) => ({ ...rename(m), name: m.name })),
  }));
  const nodes = graph.nodes.map((n) => (n.kind === 'module' ? { ...n, module: rename(n.module) } : n));
  return { ...graph, blocks, nodes };
}

/** One line per submodule of a collapsed module, for its expanded view: 'conv1: Conv2d(16, 32, 3)'. */
export function moduleContents(body: ModuleBody, blocks: BlockDef[] = []): { name: string; text: string }[] {
  const describe = (m: ModuleBody): string => {
    if ('layer' in m) {
      const { type, ...kw } = m.layer;
      return `${type}(${Object.entries(kw)
        .map(
          ([k, v]) =>
            `${k}=${typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as { arg: string }).arg : JSON.stringify(v)}`,
        )
        .join(', ')})`;
    }
    if ('sequential' in m) return `Sequential(${m.sequential.length})`;
    return `${m.block}(${Object.entries(m.args ?? {})
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(', ')})`;
  };
  if ('layer' in body) return [{ name: '', text: describe(body) }];
  if ('sequential' in body) return body.sequential.map((m) => ({ name: m.name, text: describe(m) }));
  const def = blocks.find((b) => b.name === body.block);
  if (!def) return [];
  const rows = def.modules.map((m) => ({ name: m.name, text: describe(m) }));
  for (const f of def.forward?.nodes ?? []) {
    if ('op' in f)
      rows.push({
        name: f.name,
        text: f.op === 'add' ? f.inputs.join(' + ') : `cat([${f.inputs.join(', ')}], dim=${f.dim})`,
      });
  }
  return rows;
}

/** Parameters of a collapsed module, its block arguments substituted (null when one cannot be counted). */
export function moduleParams(
  body: ModuleBody,
  blocks: BlockDef[] = [],
  args: Record<string, BlockArgValue> = {},
  depth = 0,
): number | null {
  if (depth > 32) return null;
  if ('layer' in body) {
    const layer: LayerSpec = { type: body.layer.type };
    for (const [k, v] of Object.entries(body.layer)) if (k !== 'type') layer[k] = isArgRef(v) ? args[v.arg] : v;
    try {
      return countParams(layer).total;
    } catch {
      return null;
    }
  }
  if ('sequential' in body) return sum(body.sequential.map((m) => moduleParams(m, blocks, args, depth + 1)));
  const def = blocks.find((b) => b.name === body.block);
  if (!def) return null;
  const own: Record<string, BlockArgValue> = {};
  for (const p of def.params) {
    const given = body.args?.[p.name];
    const value = given === undefined ? p.default : isArgRef(given) ? args[given.arg] : given;
    if (value !== undefined) own[p.name] = value;
  }
  return sum(def.modules.map((m) => moduleParams(m, blocks, own, depth + 1)));
}

const isArgRef = (v: unknown): v is ArgRef =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as ArgRef).arg === 'string';
const sum = (parts: (number | null)[]): number | null =>
  parts.some((p) => p === null) ? null : (parts as number[]).reduce((a, b) => a + b, 0);
