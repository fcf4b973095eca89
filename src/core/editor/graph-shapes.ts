// Shapes through a forward graph (a ModelDocument with forward), PyTorch's rules: each
// call's output from the layer rules of shapes.ts, `add` with broadcasting, `cat` summing
// along its dim, block instances and Sequentials evaluated inside with their arguments.
// The first node that cannot run gets a message with the arithmetic and, where one is
// clear, a Fix: a keyword, or layers to insert on one input (the missing shortcut).
import type { ArgRef, BlockArgValue, BlockDef, ForwardNode, ModelDocument, ModuleBody, ModuleClass } from '../model/module-types.ts';
import { LayerSpecError, resolveLayer } from '../model/resolve.ts';
import { layerOutputShape, ShapeRuleError } from '../model/shapes.ts';
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
export interface GraphShapeError { node: string; message: string; fix?: GraphFix }
export interface GraphShapes {
  /** Output shape of every forward node that ran, by name ('input' too). */
  shapes: Map<string, Shape>;
  /** The arithmetic of each cat that ran: 'cat along channels: 3 + 3 + 2 = 8'. */
  notes: Map<string, string>;
  error: GraphShapeError | null;
}

const fmt = (s: Shape) => ['N', ...s.slice(1)].join('×');
const DIM_WORDS: Record<number, string[]> = { 2: ['batch', 'features'], 3: ['batch', 'channels', 'length'], 4: ['batch', 'channels', 'height', 'width'] };
const dimWord = (rank: number, d: number) => DIM_WORDS[rank]?.[d] ?? `dim ${d}`;

/** Shapes of the document's forward (eval mode, as the editor's summary) for a batch of `batch`. */
export function inferForwardShapes(doc: ModelDocument, batch: number): GraphShapes {
  const shapes = new Map<string, Shape>([['input', [batch, ...doc.input]]]);
  const notes = new Map<string, string>();
  const blocks = new Map((doc.blocks ?? []).map((b) => [b.name, b]));
  const modules = new Map(doc.modules.map((m) => [m.name, m]));
  const label = (name: string) => (name === 'input' ? 'the input' : name);
  for (const f of forwardOf(doc)) {
    const ins = f.inputs.map((i) => shapes.get(i));
    if (ins.some((s) => s === undefined)) return { shapes, notes, error: null };
    const inShapes = ins as Shape[];
    try {
      if ('op' in f && f.op === 'add') shapes.set(f.name, addShape(inShapes, f.inputs.map(label), f.inputs, f.name, shapes));
      else if ('op' in f) {
        const { shape, note } = catShape(inShapes, f.dim, f.inputs.map(label), f.name);
        shapes.set(f.name, shape);
        notes.set(f.name, note);
      } else if ('apply' in f) shapes.set(f.name, layerShape(f.apply, inShapes[0], label(f.inputs[0])));
      else {
        const m = modules.get(f.call);
        if (!m) throw new ShapeRuleError(`${f.name} calls '${f.call}', which is not a module of the model`);
        shapes.set(f.name, moduleShape(m, inShapes[0], blocks, {}, label(f.inputs[0])));
      }
    } catch (err) {
      if (err instanceof AddShapeError) return { shapes, notes, error: { node: f.name, message: err.message, fix: err.fix } };
      if (err instanceof LayerSpecError || err instanceof ShapeRuleError) {
        const fix = err instanceof ShapeRuleError ? err.fix : err.errors[0]?.fix;
        const prefix = 'call' in f && !err.message.startsWith(f.name) ? `${f.name}: ` : '';
        return { shapes, notes, error: { node: f.name, message: prefix + err.message, ...(fix ? { fix: fromShapeFix(fix) } : {}) } };
      }
      throw err;
    }
  }
  return { shapes, notes, error: null };
}

/** The forward nodes, a chain's written out as one call per module. */
function forwardOf(doc: ModelDocument): ForwardNode[] {
  if (doc.forward) return doc.forward.nodes;
  return doc.modules.map((m, i) => ({ name: m.name, call: m.name, inputs: [i === 0 ? 'input' : doc.modules[i - 1].name] }));
}

function layerShape(spec: LayerSpec, input: Shape, from: string): Shape {
  try {
    return layerOutputShape(resolveLayer(spec), input, { training: false });
  } catch (err) {
    // Checked alone, a layer's rules say its tensor came "from the input"; in a graph, say from which block.
    if (err instanceof ShapeRuleError && from !== 'the input') throw new ShapeRuleError(err.message.replaceAll('from the input', `from ${from}`), err.fix, err.field);
    throw err;
  }
}

/** A module's output: a layer, a Sequential in order, or a block class's body with its arguments. */
function moduleShape(body: ModuleBody, input: Shape, blocks: Map<string, BlockDef>, args: Record<string, BlockArgValue>, from: string): Shape {
  if ('layer' in body) return layerShape(withArgs(body.layer, args), input, from);
  if ('sequential' in body) return body.sequential.reduce((s, m, i) => inside(m.name, () => moduleShape(m, s, blocks, args, i === 0 ? from : m.name)), input);
  const def = blocks.get(body.block);
  if (!def) throw new ShapeRuleError(`block class '${body.block}' is not defined in the model`);
  const own: Record<string, BlockArgValue> = {};
  for (const p of def.params) {
    const given = body.args?.[p.name];
    const value = given === undefined ? p.default : isArgRef(given) ? args[given.arg] : given;
    if (value !== undefined) own[p.name] = value;
  }
  return classShape(def, input, blocks, own, from);
}

function classShape(cls: ModuleClass, input: Shape, blocks: Map<string, BlockDef>, args: Record<string, BlockArgValue>, from: string): Shape {
  const modules = new Map(cls.modules.map((m) => [m.name, m]));
  if (cls.forward === null) return cls.modules.reduce((s, m, i) => inside(m.name, () => moduleShape(m, s, blocks, args, i === 0 ? from : m.name)), input);
  const shapes = new Map<string, Shape>([['input', input]]);
  for (const f of cls.forward.nodes) {
    const ins = f.inputs.map((i) => shapes.get(i)!);
    const labels = f.inputs.map((i) => (i === 'input' ? from : i));
    const out = inside(f.name, () => {
      if ('op' in f) return f.op === 'add' ? addShape(ins, labels, f.inputs, f.name, shapes) : catShape(ins, f.dim, labels, f.name).shape;
      if ('apply' in f) return layerShape(withArgs(f.apply, args), ins[0], labels[0]);
      return moduleShape(modules.get(f.call)!, ins[0], blocks, args, labels[0]);
    });
    shapes.set(f.name, out);
  }
  return shapes.get(cls.forward.output)!;
}

/** Runs `run`, naming the submodule in any refusal ('conv1: …'). */
function inside<T>(name: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof ShapeRuleError) throw new ShapeRuleError(`${name}: ${err.message}`);
    if (err instanceof LayerSpecError) throw new ShapeRuleError(`${name}: ${err.message}`);
    throw err;
  }
}

const isArgRef = (v: unknown): v is ArgRef => typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as ArgRef).arg === 'string';

function withArgs(layer: LayerSpec, args: Record<string, BlockArgValue>): LayerSpec {
  const out: LayerSpec = { type: layer.type };
  for (const [k, v] of Object.entries(layer)) if (k !== 'type') out[k] = isArgRef(v) ? args[v.arg] : v;
  return out;
}

class AddShapeError extends Error {
  constructor(message: string, readonly fix?: GraphFix) { super(message); }
}

/** Broadcast shape of the inputs, or why they cannot be added (with the shortcut that would fix it). */
function addShape(ins: Shape[], labels: string[], names: string[], self: string, known: Map<string, Shape>): Shape {
  let out = ins[0];
  for (let k = 1; k < ins.length; k++) {
    const b = broadcast(out, ins[k]);
    if (b) { out = b; continue; }
    // The deeper input (listed later in forward) is the main path; the other one gets the shortcut.
    const order = [...known.keys()];
    const [main, side] = order.indexOf(names[0]) >= order.indexOf(names[k]) ? [0, k] : [k, 0];
    const a = ins[main];
    const s = ins[side];
    const diffs = differences(a, s);
    const message = `${self} receives ${fmt(a)} from ${labels[main]} and ${fmt(s)} from ${labels[side]}: ${diffs}`;
    throw new AddShapeError(message, shortcutFix(s, a, side));
  }
  return out;
}

function broadcast(a: Shape, b: Shape): Shape | null {
  const r = Math.max(a.length, b.length);
  const out: Shape = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(Math.max(x, y));
  }
  return out;
}

/** 'channels 64 ≠ 32 and size 8 ≠ 16' — height and width said once as size when both differ alike. */
function differences(a: Shape, b: Shape): string {
  if (a.length !== b.length) return `${a.length}-D and ${b.length}-D tensors cannot be added`;
  const parts: string[] = [];
  for (let d = 1; d < a.length; d++) {
    if (a[d] === b[d]) continue;
    if (a.length === 4 && d === 2 && a[3] !== b[3] && a[2] === a[3] && b[2] === b[3]) {
      parts.push(`size ${a[2]} ≠ ${b[2]}`);
      break;
    }
    parts.push(`${dimWord(a.length, d)} ${a[d]} ≠ ${b[d]}`);
  }
  return parts.join(' and ');
}

/** A projection shortcut turning `from` into `to`: 1×1 Conv2d(stride) + BatchNorm2d, or a Linear. */
function shortcutFix(from: Shape, to: Shape, input: number): GraphFix | undefined {
  if (from.length === 4 && to.length === 4) {
    const stride = from[2] / to[2];
    if (!Number.isInteger(stride) || stride < 1 || from[3] / to[3] !== stride) return undefined;
    const conv: LayerSpec = { type: 'Conv2d', in_channels: from[1], out_channels: to[1], kernel_size: 1, ...(stride > 1 ? { stride } : {}), bias: false };
    return { insert: { input, layers: [conv, { type: 'BatchNorm2d', num_features: to[1] }] }, label: `insert a 1×1 Conv2d(${from[1]}→${to[1]}${stride > 1 ? `, stride=${stride}` : ''}) + BatchNorm2d shortcut` };
  }
  if (from.length === 2 && to.length === 2) {
    return { insert: { input, layers: [{ type: 'Linear', in_features: from[1], out_features: to[1] }] }, label: `insert Linear(${from[1]}→${to[1]}) on the shortcut` };
  }
  return undefined;
}

/** A layer rule's fix (a keyword, maybe after inserting layers on the input edge) as a graph fix. */
export function fromShapeFix(fix: { field: string; value: unknown; label: string; insert?: LayerSpec[] }): GraphFix {
  return { label: fix.label, set: { field: fix.field, value: fix.value }, ...(fix.insert?.length ? { insert: { input: 0, layers: fix.insert } } : {}) };
}

function catShape(ins: Shape[], dim: number, labels: string[], self: string): { shape: Shape; note: string } {
  const rank = ins[0].length;
  const d = dim < 0 ? dim + rank : dim;
  if (d < 0 || d >= rank) throw new ShapeRuleError(`${self}: dim ${dim} is out of range for ${rank}-D inputs (from ${labels[0]})`);
  if (d === 0) throw new ShapeRuleError(`${self}: dim 0 joins along the batch; use dim 1 (channels) or later`);
  for (let k = 1; k < ins.length; k++) {
    const s = ins[k];
    if (s.length !== rank) throw new ShapeRuleError(`${self} joins ${rank}-D ${fmt(ins[0])} from ${labels[0]} and ${s.length}-D ${fmt(s)} from ${labels[k]}: ranks differ`);
    for (let i = 1; i < rank; i++) {
      if (i !== d && s[i] !== ins[0][i]) {
        throw new ShapeRuleError(`${self} along ${dimWord(rank, d)} needs equal ${dimWord(rank, i)}: ${ins[0][i]} from ${labels[0]} ≠ ${s[i]} from ${labels[k]}`);
      }
    }
  }
  const sizes = ins.map((s) => s[d]);
  const total = sizes.reduce((a, b) => a + b, 0);
  const shape = [...ins[0]];
  shape[d] = total;
  return { shape, note: `cat along ${dimWord(rank, d)}: ${sizes.join(' + ')} = ${total}` };
}
