// Everything the editor shows about a graph, computed in one pure pass from the core:
// structure → document → shapes → summary, plus per-node keyword errors. Runs on every
// edit, so it must stay cheap (a 200-layer chain is measured by `npm run -s cli -- bench-shapes`).
// A chain of layers keeps the Sequential rules' messages (`layer 6`); any other graph is
// checked node by node through its forward.
import { classNameError, layerNamesErrors, pythonNameError } from '../python/python-names.ts';
import { inferShapes, type ShapeReport } from '../model/shapes.ts';
import { countParams, summarize, type ModelSummary } from '../model/summary.ts';
import { summarizeModel, type NestedSummary } from '../model/summary-tree.ts';
import type { LayerSpec, ModelDocument, Shape } from '../model/types.ts';
import { validateLayer, type FieldError } from '../model/validate.ts';
import { documentFromGraph, sameModule } from './document.ts';
import { INPUT_ID, type EditorGraph } from './graph-model.ts';
import { fromShapeFix, inferForwardShapes, type GraphFix } from './graph-shapes.ts';
import { analyzeStructure, blockLabel } from './structure.ts';
import { moduleParams } from './group.ts';

/** Why a node cannot run, with the arithmetic, and the one-click repair if there is one. */
export interface NodeProblem {
  message: string;
  fix?: GraphFix;
}

export interface NodeInfo {
  /** Position in the model's forward order; null for a block not reached from the Input. */
  index: number | null;
  inShape: Shape | null;
  outShape: Shape | null;
  params: number | null;
  fieldErrors: FieldError[];
  /** Set on the first block that cannot run. */
  shapeError: NodeProblem | null;
  /** The arithmetic of a join that ran: 'cat along channels: 3 + 3 + 2 = 8'. */
  note: string | null;
  nameError: string | null;
  /** Structure errors that name this node (cycle, a layer fed twice, an add with one input, ...). */
  graphErrors: string[];
}

export interface Problem {
  nodeId: string | null;
  message: string;
}

export interface Analysis {
  /** Node ids of the model in forward order (inputs before use), Input excluded. */
  order: string[];
  /** Blocks the Input does not reach. */
  loose: string[];
  /** True when the model is an nn.Sequential (one chain). */
  chain: boolean;
  /** The Sequential rules' report for a chain of layers (null for other graphs). */
  report: ShapeReport | null;
  /** The model's output shape when every block runs. */
  outShape: Shape | null;
  summary: ModelSummary | null;
  /** torchinfo's nested table of a model with branches or blocks (null for chains and when a shape fails). */
  nested: NestedSummary | null;
  /** Mult-Adds of one forward at the batch size (torchinfo's count; graphs included); null when a shape fails. */
  multAdds: number | null;
  nodes: Map<string, NodeInfo>;
  /** The model as its document (what is saved, trained and exported). */
  doc: ModelDocument;
  /** Editor node id → its name in the document. */
  names: Map<string, string>;
  /** Blocking problems, first one first; empty when the model is sound. */
  problems: Problem[];
  /** True when the model document can be exported and read back. */
  exportable: boolean;
}

const emptyInfo = (): NodeInfo => ({
  index: null,
  inShape: null,
  outShape: null,
  params: null,
  fieldErrors: [],
  shapeError: null,
  note: null,
  nameError: null,
  graphErrors: [],
});

export function analyze(graph: EditorGraph, batch = 1): Analysis {
  const nodes = new Map(graph.nodes.map((n) => [n.id, emptyInfo()]));
  const structure = analyzeStructure(graph);
  const { doc, names } = documentFromGraph(graph, structure);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const label = (id: string) => blockLabel(byId.get(id)!, names.get(id));
  // Structure messages name blocks by their forward names, known once the document is made (only redone when there are some).
  const relabelled =
    structure.errors.length === 0
      ? structure
      : analyzeStructure(graph, (id) => (structure.chain ? undefined : names.get(id)));
  for (const e of relabelled.errors) for (const id of e.nodeIds) nodes.get(id)?.graphErrors.push(e.message);
  for (const n of graph.nodes) {
    if (n.kind === 'layer') checkLayerNode(nodes.get(n.id)!, n.layer, n.name);
    if (n.kind === 'module') nodes.get(n.id)!.params = moduleParams(n.module, graph.blocks);
  }
  structure.order.forEach((id, i) => {
    nodes.get(id)!.index = i;
  });
  const problems: Problem[] = relabelled.errors.map((e) => ({ nodeId: e.nodeIds[0] ?? null, message: e.message }));
  const layersOnly = structure.chain && structure.order.every((id) => byId.get(id)!.kind === 'layer');
  const layers = layersOnly ? structure.order.map((id) => (byId.get(id) as { layer: LayerSpec }).layer) : [];
  const userNames = structure.order.map((id) => byId.get(id)!.name);
  let outShape: Shape | null = null;
  let summary: ModelSummary | null = null;
  let report: ShapeReport | null = null;
  if (problems.length === 0 && layersOnly) {
    ({ outShape, summary, report } = chainShapes(
      layers,
      fullNames(userNames),
      graph.input,
      batch,
      structure.order,
      nodes,
      problems,
    ));
  } else if (problems.length === 0) {
    outShape = graphShapes(doc, batch, structure.order, structure.inputs, names, nodes, problems, label);
  }
  // A shared module (one name, one layer, several calls) is one name.
  const firstNamed = new Map<string, string>();
  const distinct = structure.order.map((id, i) => {
    const n = byId.get(id)!;
    if (n.name === undefined || structure.chain) return userNames[i];
    const first = firstNamed.get(n.name);
    if (first === undefined) firstNamed.set(n.name, id);
    return first !== undefined && sameModule(byId.get(first)!, n) ? undefined : userNames[i];
  });
  const nameProblem = namesProblem(structure.order, distinct, structure.chain);
  if (nameProblem) problems.push(nameProblem);
  const classProblem = graph.className !== undefined ? classNameError(graph.className) : null;
  if (classProblem) problems.push({ nodeId: INPUT_ID, message: `class name: ${classProblem}` });
  const fieldsOk = graph.nodes.every((n) => nodes.get(n.id)!.fieldErrors.length === 0);
  const nested = !summary && outShape && problems.length === 0 ? nestedSummary(doc, batch) : null;
  const multAdds = summary ? summary.totalMultAdds : (nested?.totalMultAdds ?? null);
  return {
    order: structure.order,
    loose: structure.loose,
    chain: structure.chain,
    report,
    outShape,
    summary,
    nested,
    multAdds,
    nodes,
    names,
    doc,
    problems,
    exportable: structure.errors.length === 0 && fieldsOk && !nameProblem && !classProblem,
  };
}

/** torchinfo's summary of a model with branches or blocks; null when it cannot be made. */
function nestedSummary(doc: ModelDocument, batch: number): NestedSummary | null {
  try {
    return summarizeModel(doc, [batch, ...doc.input]);
  } catch {
    return null;
  }
}

function checkLayerNode(info: NodeInfo, layer: LayerSpec, name: string | undefined): void {
  info.fieldErrors = validateLayer(layer);
  if (info.fieldErrors.length === 0) info.params = countParams(layer).total;
  if (name !== undefined) info.nameError = pythonNameError(name);
}

/** Shapes of an nn.Sequential with the Sequential rules' messages, and its torchinfo summary. */
function chainShapes(
  layers: LayerSpec[],
  names: string[] | null,
  input: number[],
  batch: number,
  order: string[],
  nodes: Map<string, NodeInfo>,
  problems: Problem[],
): { outShape: Shape | null; summary: ModelSummary | null; report: ShapeReport } {
  // Eval-mode rules, as torchinfo's summary: a train-mode BatchNorm refusal of batch 1
  // depends on the batch the model is trained with, not on the architecture.
  const report = inferShapes(layers, [batch, ...input], { training: false });
  let prev: Shape | null = report.input;
  order.forEach((id, i) => {
    const info = nodes.get(id)!;
    info.inShape = prev;
    info.outShape = report.shapes[i] ?? null;
    prev = info.outShape;
  });
  if (report.error) {
    const { index, message, fix } = report.error;
    const id = index < 0 ? INPUT_ID : order[index];
    if (id !== undefined && index >= 0)
      nodes.get(id)!.shapeError = { message, ...(fix ? { fix: fromShapeFix(fix) } : {}) };
    problems.push({ nodeId: id ?? null, message });
    return { outShape: null, summary: null, report };
  }
  const outShape = report.shapes.at(-1) ?? report.input;
  try {
    return { outShape, summary: summarize(layers, [batch, ...input], names), report };
  } catch {
    return { outShape, summary: null, report };
  }
}

/** Shapes through the forward graph; the first block that cannot run carries the problem. */
function graphShapes(
  document: ModelDocument,
  batch: number,
  order: string[],
  inputs: Map<string, string[]>,
  names: Map<string, string>,
  nodes: Map<string, NodeInfo>,
  problems: Problem[],
  label: (id: string) => string,
): Shape | null {
  const result = inferForwardShapes(document, batch);
  const shapeOf = (id: string) => result.shapes.get(id === INPUT_ID ? 'input' : names.get(id)!) ?? null;
  for (const id of order) {
    const info = nodes.get(id)!;
    info.inShape = shapeOf(inputs.get(id)?.[0] ?? INPUT_ID);
    info.outShape = shapeOf(id);
    info.note = result.notes.get(names.get(id)!) ?? null;
  }
  if (result.error) {
    const id = order.find((x) => names.get(x) === result.error!.node) ?? null;
    const message =
      result.error.message.startsWith(`${result.error.node}:`) && id
        ? `${label(id)}${result.error.message.slice(result.error.node.length)}`
        : result.error.message;
    if (id) nodes.get(id)!.shapeError = { message, ...(result.error.fix ? { fix: result.error.fix } : {}) };
    problems.push({ nodeId: id, message });
    return null;
  }
  const last = order.at(-1);
  return last ? shapeOf(last) : [batch, ...document.input];
}

/** A chain's OrderedDict names: every layer named (valid, unique) or none; a graph's names: valid and unique. */
function namesProblem(order: string[], names: (string | undefined)[], chain: boolean): Problem | null {
  const named = names.filter((n) => n !== undefined).length;
  if (named === 0) return null;
  const first = layerNamesErrors(names.filter((n): n is string => n !== undefined))[0];
  if (first) {
    const id = order.filter((_, i) => names[i] !== undefined)[first.index];
    return { nodeId: id ?? null, message: `name: ${first.message}` };
  }
  if (chain && named < names.length) {
    const id = order[names.findIndex((n) => n === undefined)];
    return {
      nodeId: id,
      message: `${named} of ${names.length} layers have names: name every layer (an OrderedDict) or none`,
    };
  }
  return null;
}

function fullNames(names: (string | undefined)[]): string[] | null {
  return names.length > 0 && names.every((n) => n !== undefined) ? (names as string[]) : null;
}
