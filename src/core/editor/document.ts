// The one conversion between the editor graph and the model document, both ways. A chain
// of layers is an nn.Sequential document (forward null, modules in order, named '0', '1', …
// unless the user named them: an OrderedDict); any other graph is a module class with
// modules registered in forward order and a forward graph of calls, adds and cats.
// Positions travel in `editor.positions`, by forward node name (by module name for a chain).
import type { ForwardNode, ModelDocument, NamedModule, Point } from '../model/module-types.ts';
import {
  CHAIN_X,
  INPUT_ID,
  edgeId,
  type EditorEdge,
  type EditorGraph,
  type EditorNode,
  type EditorNodeBody,
  type XY,
} from './graph-model.ts';
import { layoutGraph } from './layout.ts';
import { analyzeStructure, type Structure } from './structure.ts';

const stemOf = (n: EditorNode): string => {
  switch (n.kind) {
    case 'layer':
      return n.layer.type.toLowerCase().replace(/2d$|1d$/, '');
    case 'module':
      return 'block' in n.module ? n.module.block.toLowerCase() : 'layer';
    case 'add':
      return 'add';
    case 'cat':
      return 'cat';
    case 'input':
      return 'x';
  }
};

/**
 * Two nodes are calls of one module (the tutorial's `self.pool` used twice, shared
 * weights) when they carry the same name and the same registered layer or module.
 */
export function sameModule(a: EditorNode, b: EditorNode): boolean {
  if (a.kind === 'layer' && b.kind === 'layer')
    return !a.functional && !b.functional && JSON.stringify(a.layer) === JSON.stringify(b.layer);
  return a.kind === 'module' && b.kind === 'module' && JSON.stringify(a.module) === JSON.stringify(b.module);
}

/**
 * The name each node has in forward() and, for layers and modules, as an attribute: its
 * own name, else `<type><k>` (conv1, add2) avoiding names in use. A second call of a
 * shared module is `<name>_<k>` (pool_1). Unique except where the user gave two different
 * blocks one name (reported as a name problem, and made unique here).
 */
export function forwardNames(graph: EditorGraph, order: string[]): Map<string, string> {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  // The forward argument and the names forward's code uses are never node names.
  const taken = new Set<string>([INPUT_ID, 'self', 'torch', 'nn', 'F']);
  const owner = new Map<string, string>();
  const names = new Map<string, string>();
  for (const id of order) {
    const own = byId.get(id)!.name;
    if (own && !taken.has(own)) {
      names.set(id, own);
      taken.add(own);
      owner.set(own, id);
    }
  }
  for (const id of order) {
    const own = byId.get(id)!.name;
    const first = own !== undefined ? owner.get(own) : undefined;
    if (names.has(id) || first === undefined || !sameModule(byId.get(first)!, byId.get(id)!)) continue;
    let k = 1;
    while (taken.has(`${own}_${k}`)) k++;
    taken.add(`${own}_${k}`);
    names.set(id, `${own}_${k}`);
  }
  const counts = new Map<string, number>();
  for (const id of order) {
    if (names.has(id)) continue;
    const stem = stemOf(byId.get(id)!);
    let k = counts.get(stem) ?? 1;
    while (taken.has(`${stem}${k}`)) k++;
    counts.set(stem, k + 1);
    taken.add(`${stem}${k}`);
    names.set(id, `${stem}${k}`);
  }
  return names;
}

export interface GraphDocument {
  doc: ModelDocument;
  structure: Structure;
  /** Editor node id → its name in the document (module name for a chain, forward node name otherwise). */
  names: Map<string, string>;
}

/** The document of the part of the graph the Input reaches. */
export function documentFromGraph(graph: EditorGraph, structure: Structure = analyzeStructure(graph)): GraphDocument {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const pos = (id: string): XY => ({ ...(byId.get(id)?.position ?? { x: CHAIN_X, y: 0 }) });
  const base = {
    format: 'layerboard-model' as const,
    version: 2 as const,
    input: [...graph.input],
    ...(graph.className !== undefined ? { className: graph.className } : {}),
    ...(graph.blocks && graph.blocks.length > 0 ? { blocks: structuredClone(graph.blocks) } : {}),
    ...(graph.metadata !== undefined ? { metadata: structuredClone(graph.metadata) } : {}),
    ...(graph.training !== undefined ? { training: structuredClone(graph.training) } : {}),
  };
  const editorView = (names: Map<string, string>) => ({
    input: pos(INPUT_ID),
    positions: Object.fromEntries(structure.order.map((id) => [names.get(id)!, pos(id)])),
  });
  if (structure.chain) {
    const named = structure.order.some((id) => byId.get(id)!.name);
    const names = new Map(
      structure.order.map((id, i) => [id, named ? (byId.get(id)!.name ?? `${stemOf(byId.get(id)!)}_${i}`) : String(i)]),
    );
    const modules = structure.order.map((id) => moduleOf(byId.get(id)!, names.get(id)!)!);
    return { doc: { ...base, modules, forward: null, editor: editorView(names) }, structure, names };
  }
  // Every node gets a name (blocks outside the model too, for messages); forward order first.
  const inModel = new Set(structure.order);
  const rest = graph.nodes.filter((n) => n.id !== INPUT_ID && !inModel.has(n.id)).map((n) => n.id);
  const names = forwardNames(graph, [...structure.order, ...rest]);
  const modules: NamedModule[] = [];
  const registered = new Set<string>();
  const nodes: ForwardNode[] = [];
  const ref = (id: string) => (id === INPUT_ID ? INPUT_ID : names.get(id)!);
  for (const id of structure.order) {
    const n = byId.get(id)!;
    const name = names.get(id)!;
    const inputs = (structure.inputs.get(id) ?? []).map(ref);
    if (n.kind === 'add') nodes.push({ name, op: 'add', inputs });
    else if (n.kind === 'cat') nodes.push({ name, op: 'cat', dim: n.dim, inputs });
    else if (n.kind === 'layer' && n.functional)
      nodes.push({ name, apply: structuredClone(n.layer), inputs: [inputs[0]] });
    else {
      // A shared module's later calls name the module by its own name (forward: pool_1 calls pool).
      const call = n.name !== undefined && name !== n.name && registered.has(n.name) ? n.name : name;
      const m = moduleOf(n, call);
      if (m && !registered.has(call)) {
        modules.push(m);
        registered.add(call);
      }
      nodes.push({ name, call, inputs: [inputs[0]] });
    }
  }
  const forward = { nodes, output: structure.output ? ref(structure.output) : INPUT_ID };
  return { doc: { ...base, modules, forward, editor: editorView(names) }, structure, names };
}

function moduleOf(n: EditorNode, name: string): NamedModule | null {
  if (n.kind === 'layer') return { name, layer: structuredClone(n.layer) };
  if (n.kind === 'module') return { ...structuredClone(n.module), name };
  return null;
}

/** The editor graph of a document: positions from its editor view, else laid out. */
export function graphFromDocument(doc: ModelDocument): EditorGraph {
  const modules = new Map(doc.modules.map((m) => [m.name, m]));
  const nodes: EditorNode[] = [{ id: INPUT_ID, kind: 'input', position: doc.editor?.input ?? { x: CHAIN_X, y: 0 } }];
  const edges: EditorEdge[] = [];
  const idOf = new Map<string, string>([[INPUT_ID, INPUT_ID]]);
  const link = (from: string, to: string) => {
    const source = idOf.get(from);
    if (source !== undefined) edges.push({ id: edgeId(source, to), source, target: to });
  };
  const origin = { x: CHAIN_X, y: 0 };
  if (doc.forward === null) {
    doc.modules.forEach((m, i) => {
      const id = `n${i + 1}`;
      nodes.push({ ...nodeBody(m), id, position: origin, ...(m.name !== String(i) ? { name: m.name } : {}) });
      edges.push({ id: edgeId(i === 0 ? INPUT_ID : `n${i}`, id), source: i === 0 ? INPUT_ID : `n${i}`, target: id });
    });
  } else {
    doc.forward.nodes.forEach((f, i) => {
      const id = `n${i + 1}`;
      idOf.set(f.name, id);
      const common = { id, name: f.name, position: origin };
      if ('op' in f) nodes.push(f.op === 'add' ? { ...common, kind: 'add' } : { ...common, kind: 'cat', dim: f.dim });
      else if ('apply' in f)
        nodes.push({ ...common, kind: 'layer', layer: structuredClone(f.apply), functional: true });
      else {
        const m = modules.get(f.call);
        if (!m) throw new Error(`forward node '${f.name}' calls '${f.call}', which is not a module of the model`);
        nodes.push({ ...nodeBody(m), ...common, name: f.call });
      }
      for (const from of f.inputs) link(from, id);
    });
  }
  const graph: EditorGraph = {
    input: [...doc.input],
    nodes,
    edges,
    ...(doc.blocks ? { blocks: structuredClone(doc.blocks) } : {}),
    ...(doc.className !== undefined ? { className: doc.className } : {}),
    ...(doc.metadata !== undefined ? { metadata: structuredClone(doc.metadata) } : {}),
    ...(doc.training !== undefined ? { training: structuredClone(doc.training) } : {}),
  };
  const positions = doc.editor?.positions;
  const placed = (name: string | undefined, i: number): Point | undefined =>
    positions?.[doc.forward === null ? doc.modules[i - 1]?.name : (name ?? '')];
  const all = nodes.every((n, i) => i === 0 || placed(n.name, i) !== undefined);
  if (!positions || !doc.editor?.input || !all) return layoutGraph(graph);
  return { ...graph, nodes: nodes.map((n, i) => (i === 0 ? n : { ...n, position: { ...placed(n.name, i)! } })) };
}

function nodeBody(m: NamedModule): EditorNodeBody {
  if ('layer' in m) return { kind: 'layer', layer: structuredClone(m.layer) };
  const { name: _name, ...module } = structuredClone(m);
  return { kind: 'module', module };
}
