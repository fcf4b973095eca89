// The model as the engine runs it: every leaf layer with its full state_dict path, and
// forward as one flat list of calls. Block instances and Sequentials are inlined, block
// arguments substituted. Produced from a ModelDocument (v1 chains included) by core;
// a conformance `graph` case maps onto it directly.
import { fieldErrorAt, type DocError } from './doc-errors.ts';
import type { ArgRef, BlockArgValue, BlockDef, ModelDocument, ModuleClass, NamedModule } from './module-types.ts';
import type { LayerSpec } from './types.ts';
import { validateLayer } from './validate.ts';

/** A leaf layer, by its dotted path ('layer1.0.conv1'); array order is registration order (state_dict order). */
export interface FlatModule {
  path: string;
  layer: LayerSpec;
}

/**
 * One step of forward. ids are unique ('conv1', 'layer1.0.add'); 'input' is the model
 * input. A module path may be applied by several nodes (shared weights or a reused pool):
 * gradients from every use add up.
 */
export type FlatNode =
  | { id: string; module: string; inputs: [string] }
  | { id: string; apply: LayerSpec; inputs: [string] }
  | { id: string; op: 'add'; inputs: string[] }
  | { id: string; op: 'cat'; dim: number; inputs: string[] };

export interface FlatGraph {
  modules: FlatModule[];
  /** In an order where every input is defined before use. */
  nodes: FlatNode[];
  /** The node id whose value the model returns. */
  output: string;
}

type Env = Record<string, BlockArgValue>;

/** A registered module with its substituted layers: what a call applies. */
type Instance =
  | { kind: 'leaf'; path: string; type: string }
  | { kind: 'class'; path: string; type: string; cls: ModuleClass; children: Map<string, Instance>; order: string[] };

/**
 * One call of a registered module during forward, in call order (a container before what
 * it calls): what torchinfo lists. depth 1 is a submodule of the model itself.
 */
export interface ModuleCall {
  depth: number;
  path: string;
  type: string;
  leaf: boolean;
  /** The id of the calling node (a leaf's node id; a container's prefix of the node ids inside it). */
  scope: string;
  input: string;
  output: string;
}

const dotted = (prefix: string, name: string): string => (prefix ? `${prefix}.${name}` : name);
const isRef = (v: unknown): v is ArgRef =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as ArgRef).arg === 'string';

/** The layer with every {"arg": p} keyword replaced by the argument's value. */
export function substituteArgs(layer: LayerSpec, env: Env): LayerSpec {
  const out: LayerSpec = { type: layer.type };
  for (const [k, v] of Object.entries(layer))
    if (k !== 'type') out[k] = isRef(v) ? structuredClone(env[v.arg]) : structuredClone(v);
  return out;
}

/** A block's parameters bound to a use's arguments (ArgRefs resolved in the caller's env), defaults filled. */
export function bindBlockArgs(def: BlockDef, args: Record<string, BlockArgValue | ArgRef> | undefined, env: Env): Env {
  const bound: Env = {};
  for (const p of def.params) {
    const given = args?.[p.name];
    bound[p.name] = given === undefined ? (p.default ?? null) : isRef(given) ? env[given.arg] : given;
  }
  return bound;
}

/** `BasicBlock(in_planes=64, planes=128, stride=2)` for messages. */
const callText = (block: string, env: Env): string =>
  `${block}(${Object.entries(env)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')})`;

interface Walk {
  blocks: Map<string, BlockDef>;
  modules: FlatModule[];
  nodes: FlatNode[];
  /** Node ids given so far ('input' is taken by the model input). */
  ids: Set<string>;
  /** When recording: every module call, for summaries. */
  calls?: ModuleCall[];
  /** Instance checks: concrete layers inside blocks, reported at the outermost use. */
  errors?: DocError[];
}

/**
 * Registers a module (recursively), appending its leaves in registration order. `site`:
 * the module's JSON path, or inside a block the outermost use of that block (where
 * instance errors are reported); `inBlock`: that use as text, null outside blocks.
 */
function register(w: Walk, m: NamedModule, path: string, env: Env, site: string, inBlock: string | null): Instance {
  if ('layer' in m) {
    const layer = substituteArgs(m.layer, env);
    if (w.errors && inBlock) {
      for (const e of validateLayer(layer)) {
        const at = fieldErrorAt(path, e);
        w.errors.push({ path: site, message: `${inBlock} → ${at.path}: ${at.message}` });
      }
    }
    w.modules.push({ path, layer });
    return { kind: 'leaf', path, type: layer.type };
  }
  if ('sequential' in m)
    return registerClass(
      w,
      { modules: m.sequential, forward: null },
      'Sequential',
      path,
      env,
      `${site}.sequential`,
      site,
      inBlock,
    );
  const def = w.blocks.get(m.block)!;
  const inner = bindBlockArgs(def, m.args, env);
  return registerClass(w, def, def.name, path, inner, '', site, inBlock ?? callText(m.block, inner));
}

function registerClass(
  w: Walk,
  cls: ModuleClass,
  type: string,
  path: string,
  env: Env,
  listPath: string,
  site: string,
  inBlock: string | null,
): Instance {
  const children = new Map<string, Instance>();
  cls.modules.forEach((m, i) => {
    children.set(m.name, register(w, m, dotted(path, m.name), env, inBlock ? site : `${listPath}[${i}]`, inBlock));
  });
  return { kind: 'class', path, type, cls, children, order: cls.modules.map((m) => m.name) };
}

/**
 * A node id nothing else has: `id`, or `id_1`, `id_2`… when the model input or an earlier
 * node has it (a chain module named 'input' is valid, and so is its node).
 */
function uniqueId(w: Walk, id: string): string {
  let unique = id;
  for (let k = 1; w.ids.has(unique); k++) unique = `${id}_${k}`;
  w.ids.add(unique);
  return unique;
}

/** Emits the nodes of applying `inst` to the value `input`; returns the id of the result. */
function applyInstance(w: Walk, inst: Instance, input: string, id: string, depth = 0): string {
  if (inst.kind === 'leaf') {
    id = uniqueId(w, id);
    w.nodes.push({ id, module: inst.path, inputs: [input] });
    w.calls?.push({ depth, path: inst.path, type: inst.type, leaf: true, scope: id, input, output: id });
    return id;
  }
  const call: ModuleCall | null =
    w.calls && depth > 0
      ? { depth, path: inst.path, type: inst.type, leaf: false, scope: id, input, output: '' }
      : null;
  if (call) w.calls!.push(call);
  const output = applyClass(w, inst, input, id, depth);
  if (call) call.output = output;
  return output;
}

function applyClass(
  w: Walk,
  inst: Extract<Instance, { kind: 'class' }>,
  input: string,
  id: string,
  depth: number,
): string {
  const { cls, children } = inst;
  if (cls.forward === null) {
    return inst.order.reduce((x, name) => applyInstance(w, children.get(name)!, x, dotted(id, name), depth + 1), input);
  }
  const values = new Map<string, string>([['input', input]]);
  const value = (name: string): string => values.get(name)!;
  for (const n of cls.forward.nodes) {
    if ('call' in n)
      values.set(n.name, applyInstance(w, children.get(n.call)!, value(n.inputs[0]), dotted(id, n.name), depth + 1));
    else {
      const nid = uniqueId(w, dotted(id, n.name));
      if ('apply' in n) w.nodes.push({ id: nid, apply: structuredClone(n.apply), inputs: [value(n.inputs[0])] });
      else if (n.op === 'add') w.nodes.push({ id: nid, op: 'add', inputs: n.inputs.map(value) });
      else w.nodes.push({ id: nid, op: 'cat', dim: n.dim, inputs: n.inputs.map(value) });
      values.set(n.name, nid);
    }
  }
  return value(cls.forward.output);
}

function walk(doc: ModelDocument, errors?: DocError[], calls?: ModuleCall[]): FlatGraph {
  const w: Walk = {
    blocks: new Map((doc.blocks ?? []).map((b) => [b.name, b])),
    modules: [],
    nodes: [],
    ids: new Set(['input']),
    errors,
    calls,
  };
  const root = registerClass(w, doc, doc.className ?? 'Model', '', {}, 'modules', '', null);
  const output = applyInstance(w, root, 'input', '');
  return { modules: w.modules, nodes: w.nodes, output };
}

/** flattenModel plus every module call in call order, for torchinfo-style summaries. */
export function flattenWithCalls(doc: ModelDocument): { graph: FlatGraph; calls: ModuleCall[] } {
  const calls: ModuleCall[] = [];
  return { graph: walk(doc, undefined, calls), calls };
}

/**
 * The document as the engine runs it: leaves in registration order with full dotted
 * paths ('layer1.0.conv1'), block arguments substituted, Sequentials and blocks inlined.
 * Node ids: a forward node's name, prefixed by the calling node's id inside blocks and
 * Sequentials ('layer1.0.add'); a chain's nodes are its module names. Ids are unique and
 * never 'input' (a module named 'input' gets node 'input_1'). The document must
 * be valid (parseModelDocument); an empty chain returns output 'input'.
 */
export function flattenModel(doc: ModelDocument): FlatGraph {
  return walk(doc);
}

/** Problems only an instance shows: a block's layer with its arguments substituted (stride=0). */
export function instanceErrors(doc: ModelDocument): DocError[] {
  const errors: DocError[] = [];
  walk(doc, errors);
  return errors;
}
