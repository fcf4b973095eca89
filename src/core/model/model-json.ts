// The model file (docs/model-format.md, docs/model.schema.json): parse with every problem
// reported at its JSON path (version 1 chains are checked as written, then migrated to
// version 2), and a fresh chain document. Serializing: model-serialize.ts.
import { readJson } from '../formats/json-syntax.ts';
import { CATALOGUE, isLayerType } from './catalogue.ts';
import {
  classNameErrors,
  describe,
  freeFormErrors,
  inputErrors,
  isObject,
  join,
  pointErrors,
  unknownKeys,
  type DocError,
  type Obj,
} from './doc-errors.ts';
import { instanceErrors } from './flat-graph.ts';
import { blocksErrors, classErrors } from './module-check.ts';
import type { BlockDef, ForwardNode, ModelDocument, NamedModule } from './module-types.ts';
import { migrateV1, v1Errors } from './model-v1.ts';
import type { LayerSpec, ModelDocumentV1 } from './types.ts';

export { fieldErrorAt, type DocError } from './doc-errors.ts';
export { serializeModelDocument } from './model-serialize.ts';
export type ParseResult = { ok: true; doc: ModelDocument } | { ok: false; errors: DocError[] };

export const MODEL_FORMAT = 'layerboard-model';
export const MODEL_VERSION = 2;
/** Top-level keys of version 2, in the order serializeModelDocument writes them. */
export const TOP_KEYS = [
  'format',
  'version',
  'className',
  'input',
  'blocks',
  'modules',
  'forward',
  'editor',
  'training',
  'metadata',
] as const;

/** A fresh chain document (nn.Sequential): module names from `names`, or '0', '1', … */
export function newModelDocument(
  input: number[],
  layers: LayerSpec[] = [],
  names: string[] | null = null,
): ModelDocument {
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    input: [...input],
    modules: layers.map((l, i) => ({ name: names?.[i] ?? String(i), layer: { ...l } })),
    forward: null,
  };
}

/** Parses and validates a model file (text or an already-parsed value); version 1 comes back migrated. Never throws. */
export function parseModelDocument(input: string | unknown): ParseResult {
  try {
    let value = input;
    if (typeof input === 'string') {
      const read = readJson(input);
      if (!read.ok) return fail('', read.message);
      value = read.value;
    }
    return validateDocument(value);
  } catch (err) {
    return fail('', `could not read the model: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const fail = (path: string, message: string): ParseResult => ({ ok: false, errors: [{ path, message }] });

function validateDocument(v: unknown): ParseResult {
  if (!isObject(v)) return fail('', `not a Layerboard model file: expected a JSON object, got ${describe(v)}`);
  if (v.format !== MODEL_FORMAT) {
    const got = v.format === undefined ? 'it has no "format" field' : `"format" is ${JSON.stringify(v.format)}`;
    return fail('format', `not a Layerboard model file (${got}; expected "${MODEL_FORMAT}")`);
  }
  const versionError = checkVersion(v.version);
  if (versionError) return fail('version', versionError);
  if (v.version === 1) {
    const errors = v1Errors(v);
    return errors.length > 0
      ? { ok: false, errors }
      : { ok: true, doc: normalizeDocument(migrateV1(v as unknown as ModelDocumentV1)) };
  }
  const errors = v2Errors(v);
  if (errors.length > 0) return { ok: false, errors };
  const doc = normalizeDocument(v as unknown as ModelDocument);
  const instance = instanceErrors(doc);
  return instance.length > 0 ? { ok: false, errors: instance } : { ok: true, doc };
}

function checkVersion(version: unknown): string | null {
  if (version === MODEL_VERSION || version === 1) return null;
  if (version === undefined) return `missing; this app reads versions 1 and ${MODEL_VERSION}`;
  if (typeof version === 'number' && Number.isInteger(version) && version > MODEL_VERSION) {
    return `version ${version} is newer than this app supports (${MODEL_VERSION}); update Layerboard to open it`;
  }
  return `must be 1 or ${MODEL_VERSION}, got ${describe(version)}`;
}

function v2Errors(v: Obj): DocError[] {
  const errors = unknownKeys(v, TOP_KEYS, '', 'a version 2 model');
  errors.push(...inputErrors(v.input), ...classNameErrors(v.className));
  const className = typeof v.className === 'string' ? v.className : 'Model';
  const blocks = blocksErrors(v.blocks, className);
  errors.push(...blocks.errors, ...classErrors(v, '', blocks.scope));
  errors.push(...editorErrors(v.editor), ...freeFormErrors(v));
  return errors;
}

function editorErrors(editor: unknown): DocError[] {
  if (editor === undefined) return [];
  if (!isObject(editor)) return [{ path: 'editor', message: `must be an object, got ${describe(editor)}` }];
  const errors = unknownKeys(editor, ['input', 'positions'], 'editor', 'editor');
  if (editor.input !== undefined) errors.push(...pointErrors('editor.input', editor.input));
  const positions = editor.positions;
  if (positions === undefined) return errors;
  if (!isObject(positions))
    return [
      ...errors,
      { path: 'editor.positions', message: `must be an object of positions by node name, got ${describe(positions)}` },
    ];
  return [...errors, ...Object.entries(positions).flatMap(([k, p]) => pointErrors(join('editor.positions', k), p))];
}

// ---- canonical copies (key order is the file's order) --------------------------------

/** A layer with `type` first, then its keywords in PyTorch's order (ArgRefs kept). */
export function orderedLayer(layer: LayerSpec): LayerSpec {
  const out: LayerSpec = { type: layer.type };
  const params = isLayerType(layer.type) ? CATALOGUE[layer.type].params.map((p) => p.name) : [];
  for (const k of [...params, ...Object.keys(layer).filter((k) => !params.includes(k))]) {
    if (k !== 'type' && layer[k] !== undefined) out[k] = structuredClone(layer[k]);
  }
  return out;
}

function orderedModule(m: NamedModule): NamedModule {
  if ('layer' in m) return { name: m.name, layer: orderedLayer(m.layer) };
  if ('sequential' in m) return { name: m.name, sequential: m.sequential.map(orderedModule) };
  return { name: m.name, block: m.block, ...(m.args !== undefined ? { args: structuredClone(m.args) } : {}) };
}

function orderedNode(n: ForwardNode): ForwardNode {
  if ('call' in n) return { name: n.name, call: n.call, inputs: [n.inputs[0]] };
  if ('apply' in n) return { name: n.name, apply: orderedLayer(n.apply), inputs: [n.inputs[0]] };
  if (n.op === 'cat') return { name: n.name, op: 'cat', dim: n.dim, inputs: [...n.inputs] };
  return { name: n.name, op: 'add', inputs: [...n.inputs] };
}

const orderedForward = (f: ModelDocument['forward']): ModelDocument['forward'] =>
  f === null || f === undefined ? null : { nodes: f.nodes.map(orderedNode), output: f.output };

function orderedBlock(b: BlockDef): BlockDef {
  return {
    name: b.name,
    params: (b.params ?? []).map((p) =>
      'default' in p ? { name: p.name, default: structuredClone(p.default) } : { name: p.name },
    ),
    modules: b.modules.map(orderedModule),
    forward: orderedForward(b.forward),
  };
}

/** A valid document, copied, with keys in the canonical order. */
export function normalizeDocument(v: ModelDocument): ModelDocument {
  const doc = { format: MODEL_FORMAT, version: MODEL_VERSION } as ModelDocument;
  if (v.className !== undefined) doc.className = v.className;
  doc.input = [...v.input];
  if (v.blocks !== undefined) doc.blocks = v.blocks.map(orderedBlock);
  doc.modules = v.modules.map(orderedModule);
  doc.forward = orderedForward(v.forward);
  if (v.editor !== undefined) doc.editor = structuredClone(v.editor);
  if (v.training !== undefined) doc.training = structuredClone(v.training);
  if (v.metadata !== undefined) doc.metadata = structuredClone(v.metadata);
  return doc;
}
