// The editor's view of the core's shape inference (model/graph-shapes.ts, over the flat
// graph the engine runs): the output shape and the join arithmetic of each top-level
// forward node, and the first node PyTorch refuses, attributed to the top-level node it is
// in ('layer1.0.conv1' is inside 'layer1'). A top-level node's value is its own flat id
// for a layer, op or functional layer, and its block's (or Sequential's) output otherwise.
import { flattenModel } from '../model/flat-graph.ts';
import { inferGraphShapes, type GraphFix as CoreFix } from '../model/graph-shapes.ts';
import type { BlockDef, ModelDocument, ModuleBody } from '../model/module-types.ts';
import type { LayerSpec, Shape } from '../model/types.ts';

/**
 * A one-click repair of the failing node: set a keyword of its layer, and/or insert layers
 * (in order) on the edge into it from its inputs[input] (a missing shortcut, a Flatten).
 */
export interface GraphFix {
  label: string;
  set?: { field: string; value: unknown };
  insert?: { input: number; layers: LayerSpec[] };
}
export interface GraphShapeError {
  node: string;
  message: string;
  fix?: GraphFix;
}
export interface GraphShapes {
  /** Output shape of every top-level forward node that ran, by name ('input' too). */
  shapes: Map<string, Shape>;
  /** The arithmetic of each top-level add and cat that ran: 'cat along channels: 3 + 3 + 2 = 8'. */
  notes: Map<string, string>;
  error: GraphShapeError | null;
}

/** Shapes of the document's forward (eval mode, as the editor's summary) for a batch of `batch`. */
export function inferForwardShapes(doc: ModelDocument, batch: number): GraphShapes {
  const shapes = new Map<string, Shape>([['input', [batch, ...doc.input]]]);
  const notes = new Map<string, string>();
  let flat;
  try {
    flat = flattenModel(doc);
  } catch (err) {
    return { shapes, notes, error: { node: '', message: err instanceof Error ? err.message : String(err) } };
  }
  const report = inferGraphShapes(flat, [batch, ...doc.input], { training: false });
  const index = new Map(report.ids.map((id, i) => [id, i]));
  const blocks = new Map((doc.blocks ?? []).map((b) => [b.name, b]));
  const modules = new Map(doc.modules.map((m) => [m.name, m]));
  const top: [string, ModuleBody | null][] = doc.forward
    ? doc.forward.nodes.map((f) => [f.name, 'call' in f ? (modules.get(f.call) ?? null) : null])
    : doc.modules.map((m) => [m.name, m]);
  for (const [name, body] of top) {
    const value = body ? outputId(body, name, blocks) : name;
    const i = value === null ? undefined : index.get(value);
    const shape = i === undefined ? null : report.shapes[i];
    if (shape) shapes.set(name, shape);
    const note = index.has(name) ? report.notes[index.get(name)!] : null;
    if (note) notes.set(name, note);
  }
  const e = report.error;
  if (!e) return { shapes, notes, error: null };
  const node = e.node.split('.')[0];
  // A fix is applied on the canvas, so only one on a top-level node is offered.
  const fix = e.fix && e.fix.node === node ? editorFix(e.fix) : undefined;
  return { shapes, notes, error: { node, message: e.message, ...(fix ? { fix } : {}) } };
}

function editorFix(fix: CoreFix): GraphFix {
  return { label: fix.label, ...(fix.set ? { set: fix.set } : {}), ...(fix.insert ? { insert: fix.insert } : {}) };
}

/** The flat id of a module's output when it is called as `id` (null for an empty Sequential). */
function outputId(body: ModuleBody, id: string, blocks: Map<string, BlockDef>, depth = 0): string | null {
  if (depth > 64) return null;
  if ('layer' in body) return id;
  const cls = 'sequential' in body ? { modules: body.sequential, forward: null } : blocks.get(body.block);
  if (!cls) return null;
  if (cls.forward === null) {
    const last = cls.modules.at(-1);
    return last ? outputId(last, `${id}.${last.name}`, blocks, depth + 1) : null;
  }
  const out = cls.forward.nodes.find((n) => n.name === cls.forward!.output);
  if (out && 'call' in out) {
    const m = cls.modules.find((x) => x.name === out.call);
    return m ? outputId(m, `${id}.${out.name}`, blocks, depth + 1) : null;
  }
  return `${id}.${cls.forward.output}`;
}

/** A layer rule's fix (a keyword, maybe after inserting layers on the input edge) as a graph fix. */
export function fromShapeFix(fix: { field: string; value: unknown; label: string; insert?: LayerSpec[] }): GraphFix {
  return {
    label: fix.label,
    set: { field: fix.field, value: fix.value },
    ...(fix.insert?.length ? { insert: { input: 0, layers: fix.insert } } : {}),
  };
}
