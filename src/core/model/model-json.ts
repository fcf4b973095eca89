// The model file, version 1 (docs/model-format.md, docs/model.schema.json): parse with
// every problem reported at its JSON path, serialize with a stable key order.
import { CATALOGUE, isLayerType } from './catalogue.ts';
import { jsonSyntaxError } from '../formats/json-syntax.ts';
import { classNameError, layerNamesErrors } from '../python/python-names.ts';
import type { EditorView, LayerSpec, ModelDocument } from './types.ts';
import { validateLayer, type FieldError } from './validate.ts';
import { parseTrainingConfig } from '../run/config-parse.ts';
import type { TrainingConfig } from '../run/training-config.ts';

export interface DocError { path: string; message: string }
export type ParseResult = { ok: true; doc: ModelDocument } | { ok: false; errors: DocError[] };

export const MODEL_FORMAT = 'layerboard-model';
export const MODEL_VERSION = 1;
/** Input sizes above this are refused: no browser holds such a tensor. */
const MAX_DIM = 1_000_000;
const TOP_KEYS = ['format', 'version', 'className', 'input', 'names', 'layers', 'editor', 'training', 'metadata'] as const;

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const join = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;

/**
 * A layer's FieldError at its JSON path. Messages that start with the field name
 * ('kernel_size[1] must be ...') move that name into the path: `layers[3].kernel_size[1]: must be ...`.
 */
export function fieldErrorAt(base: string, e: FieldError): DocError {
  const m = /^([A-Za-z_]\w*(?:\[\d+\])?) (.*)$/s.exec(e.message);
  if (e.field && m && (m[1] === e.field || m[1].startsWith(`${e.field}[`))) return { path: join(base, m[1]), message: m[2] };
  return { path: e.field ? join(base, e.field) : base, message: e.message };
}

/** A fresh version-1 document. */
export function newModelDocument(input: number[], layers: LayerSpec[] = [], names: string[] | null = null): ModelDocument {
  return { format: MODEL_FORMAT, version: MODEL_VERSION, input: [...input], layers: layers.map((l) => ({ ...l })), names: names ? [...names] : null };
}

/** Parses and validates a model file (text or an already-parsed value). Never throws. */
export function parseModelDocument(input: string | unknown): ParseResult {
  try {
    let value = input;
    if (typeof input === 'string') {
      const syntax = jsonSyntaxError(input);
      if (syntax) return fail('', `not valid JSON: line ${syntax.line}, column ${syntax.column}: ${syntax.message}`);
      value = JSON.parse(input);
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
  const errors: DocError[] = [];
  for (const key of Object.keys(v)) {
    if (!(TOP_KEYS as readonly string[]).includes(key)) errors.push({ path: key, message: `unknown field; a version 1 model has ${TOP_KEYS.join(', ')}` });
  }
  errors.push(...inputErrors(v.input), ...layersErrors(v.layers), ...namesErrors(v.names, v.layers));
  if (v.className !== undefined) {
    const err = typeof v.className === 'string' ? classNameError(v.className) : `must be a string, got ${describe(v.className)}`;
    if (err) errors.push({ path: 'className', message: err });
  }
  errors.push(...editorErrors(v.editor, v.layers), ...freeFormErrors(v));
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, doc: normalize(v) };
}

function checkVersion(version: unknown): string | null {
  if (version === MODEL_VERSION) return null;
  if (version === undefined) return `missing; this app reads version ${MODEL_VERSION}`;
  if (typeof version === 'number' && Number.isInteger(version) && version > MODEL_VERSION) {
    return `version ${version} is newer than this app supports (${MODEL_VERSION}); update Layerboard to open it`;
  }
  return `must be ${MODEL_VERSION}, got ${describe(version)}`;
}

function inputErrors(input: unknown): DocError[] {
  const shape = 'the input shape without the batch dimension: [C, H, W] or [F], 1 to 3 positive integers';
  const what = `must be ${shape}`;
  if (!Array.isArray(input)) return [{ path: 'input', message: input === undefined ? `missing; it must be ${shape}` : `${what}, got ${describe(input)}` }];
  if (input.length < 1 || input.length > 3) {
    const batch = input.length === 4 ? ' (leave out the batch size N)' : '';
    return [{ path: 'input', message: `${what}, got ${input.length} values${batch}` }];
  }
  return input.flatMap((n, i) => {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) return [{ path: `input[${i}]`, message: `must be a positive integer, got ${describe(n)}` }];
    if (n > MAX_DIM) return [{ path: `input[${i}]`, message: `must be at most ${MAX_DIM}, got ${n}` }];
    return [];
  });
}

function layersErrors(layers: unknown): DocError[] {
  if (!Array.isArray(layers)) {
    return [{ path: 'layers', message: layers === undefined ? 'missing; it must be a list of layers (possibly empty)' : `must be a list of layers, got ${describe(layers)}` }];
  }
  return layers.flatMap((layer, i) => {
    const base = `layers[${i}]`;
    if (!isObject(layer)) return [{ path: base, message: `must be an object like {"type": "Conv2d", ...}, got ${describe(layer)}` }];
    if (layer.type === undefined) return [{ path: `${base}.type`, message: 'missing; each layer needs a "type" such as "Conv2d"' }];
    return validateLayer(layer as LayerSpec).map((e) => fieldErrorAt(base, e));
  });
}

function namesErrors(names: unknown, layers: unknown): DocError[] {
  if (names === undefined || names === null) return [];
  if (!Array.isArray(names)) return [{ path: 'names', message: `must be a list of layer names or null, got ${describe(names)}` }];
  const errors: DocError[] = [];
  if (Array.isArray(layers) && names.length !== layers.length) {
    errors.push({ path: 'names', message: `has ${names.length} names for ${layers.length} layers; give one name per layer, or null for 0, 1, 2, …` });
  }
  const bad = names.findIndex((n) => typeof n !== 'string');
  if (bad >= 0) return [...errors, { path: `names[${bad}]`, message: `must be a string, got ${describe(names[bad])}` }];
  return [...errors, ...layerNamesErrors(names as string[]).map((e) => ({ path: `names[${e.index}]`, message: e.message }))];
}

function pointError(path: string, p: unknown): DocError[] {
  if (isObject(p) && Number.isFinite(p.x) && Number.isFinite(p.y) && Object.keys(p).length === 2) return [];
  return [{ path, message: `must be a position {"x": number, "y": number}, got ${describe(p)}` }];
}

function editorErrors(editor: unknown, layers: unknown): DocError[] {
  if (editor === undefined) return [];
  if (!isObject(editor)) return [{ path: 'editor', message: `must be an object, got ${describe(editor)}` }];
  const errors: DocError[] = Object.keys(editor)
    .filter((k) => k !== 'input' && k !== 'positions')
    .map((k) => ({ path: `editor.${k}`, message: 'unknown field; editor has input and positions' }));
  if (editor.input !== undefined) errors.push(...pointError('editor.input', editor.input));
  const positions = editor.positions;
  if (positions === undefined) return errors;
  if (!Array.isArray(positions)) return [...errors, { path: 'editor.positions', message: `must be a list of positions, got ${describe(positions)}` }];
  if (Array.isArray(layers) && positions.length !== layers.length) {
    errors.push({ path: 'editor.positions', message: `has ${positions.length} positions for ${layers.length} layers` });
  }
  return [...errors, ...positions.flatMap((p, i) => pointError(`editor.positions[${i}]`, p))];
}

/** training: a TrainingConfig (core/run), checked field by field; metadata: any JSON object whose known keys are strings. */
function freeFormErrors(v: Obj): DocError[] {
  const errors: DocError[] = [];
  if (v.training !== undefined) {
    const parsed = parseTrainingConfig(v.training, 'training');
    if (!parsed.ok) errors.push(...parsed.errors);
  }
  if (v.metadata !== undefined) {
    if (!isObject(v.metadata)) errors.push({ path: 'metadata', message: `must be an object, got ${describe(v.metadata)}` });
    else errors.push(...jsonValueErrors('metadata', v.metadata));
  }
  if (isObject(v.metadata)) {
    for (const k of ['name', 'description', 'created']) {
      const x = v.metadata[k];
      if (x !== undefined && typeof x !== 'string') errors.push({ path: `metadata.${k}`, message: `must be a string, got ${describe(x)}` });
    }
  }
  return errors;
}

/** Values JSON cannot carry (NaN, undefined, functions) break the lossless round trip. */
function jsonValueErrors(path: string, v: unknown): DocError[] {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return [];
  if (typeof v === 'number') return Number.isFinite(v) ? [] : [{ path, message: `must be a finite number, got ${v}` }];
  if (Array.isArray(v)) return v.flatMap((x, i) => jsonValueErrors(join(path, i), x));
  if (isObject(v) && Object.getPrototypeOf(v) === Object.prototype) return Object.entries(v).flatMap(([k, x]) => jsonValueErrors(join(path, k), x));
  return [{ path, message: `is not a JSON value (${typeof v})` }];
}

/** A layer with `type` first, then its keywords in PyTorch's order. */
function orderedLayer(layer: LayerSpec): LayerSpec {
  const out: LayerSpec = { type: layer.type };
  const params = isLayerType(layer.type) ? CATALOGUE[layer.type].params.map((p) => p.name) : [];
  for (const k of [...params, ...Object.keys(layer).filter((k) => !params.includes(k))]) {
    if (k !== 'type' && layer[k] !== undefined) out[k] = structuredClone(layer[k]);
  }
  return out;
}

/** A validated document, copied, with keys in the canonical order. */
function normalize(v: Obj): ModelDocument {
  const doc: ModelDocument = { format: MODEL_FORMAT, version: MODEL_VERSION, input: [...(v.input as number[])], layers: [] };
  if (v.className !== undefined) doc.className = v.className as string;
  if (v.names !== undefined) doc.names = v.names === null ? null : [...(v.names as string[])];
  doc.layers = (v.layers as LayerSpec[]).map(orderedLayer);
  if (v.editor !== undefined) doc.editor = structuredClone(v.editor) as EditorView;
  if (v.training !== undefined) doc.training = structuredClone(v.training) as TrainingConfig;
  if (v.metadata !== undefined) doc.metadata = structuredClone(v.metadata) as ModelDocument['metadata'];
  return doc;
}

/** Short values on one line: `[3, 32, 32]`, `{"type": "ReLU"}`. */
function inline(v: unknown): string {
  return JSON.stringify(v, null, 1).replace(/\n\s*/g, ' ').replace(/([[{]) /g, '$1').replace(/ ([\]}])/g, '$1');
}

/** Pretty JSON: one layer, name list or position per line; keys in a stable order. */
export function serializeModelDocument(doc: ModelDocument): string {
  const d = normalize(doc as unknown as Obj);
  const lines: string[] = [];
  const entries = TOP_KEYS.filter((k) => d[k] !== undefined).map((k) => {
    const value = d[k];
    if (k === 'layers') return `  "layers": ${list(d.layers.map((l) => inline(l)), '  ')}`;
    if (k === 'editor') return `  "editor": ${editorText(d.editor!)}`;
    if (k === 'training' || k === 'metadata') return `  "${k}": ${JSON.stringify(value, null, 2).replace(/\n/g, '\n  ')}`;
    return `  "${k}": ${inline(value)}`;
  });
  lines.push('{', entries.join(',\n'), '}');
  return `${lines.join('\n')}\n`;
}

function list(items: string[], indent: string): string {
  return items.length === 0 ? '[]' : `[\n${items.map((s) => `${indent}  ${s}`).join(',\n')}\n${indent}]`;
}

function editorText(editor: EditorView): string {
  const parts: string[] = [];
  if (editor.input !== undefined) parts.push(`    "input": ${inline(editor.input)}`);
  if (editor.positions !== undefined) parts.push(`    "positions": ${list(editor.positions.map((p) => inline(p)), '    ')}`);
  return parts.length === 0 ? '{}' : `{\n${parts.join(',\n')}\n  }`;
}

