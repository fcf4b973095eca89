// Everything the editor shows about a graph, computed in one pure pass from the core:
// compile → shapes → summary, plus per-node keyword errors. Runs on every edit, so it
// must stay cheap (a 200-layer chain is measured by `npm run -s cli -- bench-shapes`).
import { compileGraph, type CompileError } from '../model/graph.ts';
import { newModelDocument } from '../model/model-json.ts';
import { classNameError, layerNamesErrors, pythonNameError } from '../python/python-names.ts';
import { inferShapes, type ShapeError, type ShapeReport } from '../model/shapes.ts';
import { countParams, summarize, type ModelSummary } from '../model/summary.ts';
import type { LayerSpec, ModelDocument, Shape } from '../model/types.ts';
import { validateLayer, type FieldError } from '../model/validate.ts';
import { INPUT_ID, type EditorGraph } from './graph-model.ts';

export interface NodeInfo {
  /** Position in the compiled chain; null for a block not connected to the Input. */
  index: number | null;
  inShape: Shape | null;
  outShape: Shape | null;
  params: number | null;
  fieldErrors: FieldError[];
  /** Set on the first layer that cannot run. */
  shapeError: ShapeError | null;
  nameError: string | null;
  /** Compile errors that name this node (two outputs, cycle, ...). */
  graphErrors: string[];
}

export interface Problem { nodeId: string | null; message: string }

export interface Analysis {
  /** Layer node ids of the chain from the Input, in order. */
  chain: string[];
  loose: string[];
  graphErrors: CompileError[];
  report: ShapeReport | null;
  summary: ModelSummary | null;
  nodes: Map<string, NodeInfo>;
  /** The model document of the chain (what is saved and exported). */
  doc: ModelDocument;
  /** Blocking problems, first one first; empty when the model is sound. */
  problems: Problem[];
  /** True when the model document can be exported and read back. */
  exportable: boolean;
}

const emptyInfo = (): NodeInfo => ({ index: null, inShape: null, outShape: null, params: null, fieldErrors: [], shapeError: null, nameError: null, graphErrors: [] });

export function analyze(graph: EditorGraph, batch = 1): Analysis {
  const nodes = new Map(graph.nodes.map((n) => [n.id, emptyInfo()]));
  const { chain, loose, graphErrors } = compileConnected(graph);
  for (const e of graphErrors) for (const id of errorNodeIds(e)) nodes.get(id)?.graphErrors.push(e.message);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const layers = chain.map((id) => byId.get(id)!.layer!);
  const names = chain.map((id) => byId.get(id)!.name);
  for (const n of graph.nodes) if (n.layer) checkNode(nodes.get(n.id)!, n.layer, n.name);
  chain.forEach((id, i) => { nodes.get(id)!.index = i; });
  const problems: Problem[] = graphErrors.map((e) => ({ nodeId: errorNodeIds(e)[0] ?? null, message: e.message }));
  const shaped = graphErrors.length === 0 ? shapesOf(layers, fullNames(names), graph.input, batch, chain, nodes) : { report: null, summary: null };
  if (shaped.report?.error) {
    const i = shaped.report.error.index;
    problems.push({ nodeId: i < 0 ? INPUT_ID : (chain[i] ?? null), message: shaped.report.error.message });
  }
  const nameProblem = namesProblem(names, chain);
  if (nameProblem) problems.push(nameProblem);
  const classProblem = graph.className !== undefined ? classNameError(graph.className) : null;
  if (classProblem) problems.push({ nodeId: INPUT_ID, message: `class name: ${classProblem}` });
  const fieldsOk = graph.nodes.every((n) => nodes.get(n.id)!.fieldErrors.length === 0);
  const doc = documentOf(graph, layers, nameProblem ? null : names, chain);
  return { chain, loose, graphErrors, report: shaped.report, summary: shaped.summary, nodes, doc, problems, exportable: graphErrors.length === 0 && fieldsOk && !nameProblem && !classProblem };
}

/** Compiles the part reachable from the Input; blocks not reached are `loose`, not errors. */
function compileConnected(graph: EditorGraph): { chain: string[]; loose: string[]; graphErrors: CompileError[] } {
  const first = compileGraph(graph.nodes, graph.edges);
  if (first.ok) return { chain: first.order, loose: [], graphErrors: [] };
  const loose = first.errors.flatMap((e) => (e.code === 'disconnected' ? [e.nodeId] : []));
  if (loose.length === 0) return { chain: [], loose, graphErrors: first.errors };
  const skip = new Set(loose);
  const second = compileGraph(graph.nodes.filter((n) => !skip.has(n.id)), graph.edges.filter((e) => !skip.has(e.source) && !skip.has(e.target)));
  if (second.ok) return { chain: second.order, loose, graphErrors: [] };
  return { chain: [], loose, graphErrors: second.errors };
}

function errorNodeIds(e: CompileError): string[] {
  if ('nodeId' in e) return [e.nodeId];
  if ('nodeIds' in e) return e.nodeIds;
  return [];
}

function checkNode(info: NodeInfo, layer: LayerSpec, name: string | undefined): void {
  info.fieldErrors = validateLayer(layer);
  if (info.fieldErrors.length === 0) info.params = countParams(layer).total;
  if (name !== undefined) info.nameError = pythonNameError(name);
}

function shapesOf(layers: LayerSpec[], names: string[] | null, input: number[], batch: number, chain: string[], nodes: Map<string, NodeInfo>): { report: ShapeReport | null; summary: ModelSummary | null } {
  // Eval-mode rules, as torchinfo's summary: a train-mode BatchNorm refusal of batch 1
  // depends on the batch the model is trained with, not on the architecture.
  const report = inferShapes(layers, [batch, ...input], { training: false });
  let prev: Shape | null = report.input;
  chain.forEach((id, i) => {
    const info = nodes.get(id)!;
    info.inShape = prev;
    info.outShape = report.shapes[i] ?? null;
    prev = info.outShape;
  });
  if (report.error) {
    const id = chain[report.error.index];
    if (id !== undefined) nodes.get(id)!.shapeError = report.error;
    return { report, summary: null };
  }
  try {
    return { report, summary: summarize(layers, [batch, ...input], names) };
  } catch {
    return { report, summary: null };
  }
}

/** OrderedDict names: every layer named (valid, unique: the core's rules) or none. */
function namesProblem(names: (string | undefined)[], chain: string[]): Problem | null {
  const named = names.filter((n) => n !== undefined).length;
  if (named === 0) return null;
  const first = layerNamesErrors(names.filter((n): n is string => n !== undefined))[0];
  if (first) {
    const id = chain.filter((_, i) => names[i] !== undefined)[first.index];
    return { nodeId: id ?? null, message: `name: ${first.message}` };
  }
  if (named < names.length) {
    const id = chain[names.findIndex((n) => n === undefined)];
    return { nodeId: id, message: `${named} of ${names.length} layers have names: name every layer (an OrderedDict) or none` };
  }
  return null;
}

function fullNames(names: (string | undefined)[]): string[] | null {
  return names.length > 0 && names.every((n) => n !== undefined) ? (names as string[]) : null;
}

function documentOf(graph: EditorGraph, layers: LayerSpec[], names: (string | undefined)[] | null, chain: string[]): ModelDocument {
  const doc = newModelDocument([...graph.input], layers, names ? fullNames(names) : null);
  const pos = new Map(graph.nodes.map((n) => [n.id, n.position]));
  doc.editor = { input: pos.get(INPUT_ID), positions: Object.fromEntries(chain.map((id, i) => [doc.modules[i].name, pos.get(id)!])) };
  if (graph.className !== undefined) doc.className = graph.className;
  if (graph.metadata !== undefined) doc.metadata = structuredClone(graph.metadata);
  if (graph.training !== undefined) doc.training = structuredClone(graph.training);
  return doc;
}
