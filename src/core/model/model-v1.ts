// Version 1 of the model file (an nn.Sequential as a list of layers): checked as it was
// written, then migrated to version 2 — each layer becomes a named module (`names`, or
// '0', '1', … when absent), forward stays null (a chain), editor positions are keyed by
// module name instead of layer index.
import { layerNamesErrors } from '../python/python-names.ts';
import {
  classNameErrors,
  describe,
  fieldErrorAt,
  freeFormErrors,
  inputErrors,
  isObject,
  join,
  pointErrors,
  type DocError,
  type Obj,
} from './doc-errors.ts';
import type { EditorView, ModelDocument } from './module-types.ts';
import type { LayerSpec, ModelDocumentV1 } from './types.ts';
import { validateLayer } from './validate.ts';

const V1_KEYS = [
  'format',
  'version',
  'className',
  'input',
  'names',
  'layers',
  'editor',
  'training',
  'metadata',
] as const;

/** Every problem of a version-1 document, at its v1 JSON path. */
export function v1Errors(v: Obj): DocError[] {
  const errors: DocError[] = [];
  for (const key of Object.keys(v)) {
    if (!(V1_KEYS as readonly string[]).includes(key))
      errors.push({ path: key, message: `unknown field; a version 1 model has ${V1_KEYS.join(', ')}` });
  }
  errors.push(...inputErrors(v.input), ...layersErrors(v.layers), ...namesErrors(v.names, v.layers));
  errors.push(...classNameErrors(v.className), ...editorErrors(v.editor, v.layers), ...freeFormErrors(v));
  return errors;
}

function layersErrors(layers: unknown): DocError[] {
  if (!Array.isArray(layers)) {
    return [
      {
        path: 'layers',
        message:
          layers === undefined
            ? 'missing; it must be a list of layers (possibly empty)'
            : `must be a list of layers, got ${describe(layers)}`,
      },
    ];
  }
  return layers.flatMap((layer, i) => {
    const base = `layers[${i}]`;
    if (!isObject(layer))
      return [{ path: base, message: `must be an object like {"type": "Conv2d", ...}, got ${describe(layer)}` }];
    if (layer.type === undefined)
      return [{ path: `${base}.type`, message: 'missing; each layer needs a "type" such as "Conv2d"' }];
    return validateLayer(layer as LayerSpec).map((e) => fieldErrorAt(base, e));
  });
}

function namesErrors(names: unknown, layers: unknown): DocError[] {
  if (names === undefined || names === null) return [];
  if (!Array.isArray(names))
    return [{ path: 'names', message: `must be a list of layer names or null, got ${describe(names)}` }];
  const errors: DocError[] = [];
  if (Array.isArray(layers) && names.length !== layers.length) {
    errors.push({
      path: 'names',
      message: `has ${names.length} names for ${layers.length} layers; give one name per layer, or null for 0, 1, 2, …`,
    });
  }
  const bad = names.findIndex((n) => typeof n !== 'string');
  if (bad >= 0) return [...errors, { path: `names[${bad}]`, message: `must be a string, got ${describe(names[bad])}` }];
  return [
    ...errors,
    ...layerNamesErrors(names as string[]).map((e) => ({ path: `names[${e.index}]`, message: e.message })),
  ];
}

function editorErrors(editor: unknown, layers: unknown): DocError[] {
  if (editor === undefined) return [];
  if (!isObject(editor)) return [{ path: 'editor', message: `must be an object, got ${describe(editor)}` }];
  const errors: DocError[] = Object.keys(editor)
    .filter((k) => k !== 'input' && k !== 'positions')
    .map((k) => ({ path: join('editor', k), message: 'unknown field; editor has input and positions' }));
  if (editor.input !== undefined) errors.push(...pointErrors('editor.input', editor.input));
  const positions = editor.positions;
  if (positions === undefined) return errors;
  if (!Array.isArray(positions))
    return [
      ...errors,
      { path: 'editor.positions', message: `must be a list of positions, got ${describe(positions)}` },
    ];
  if (Array.isArray(layers) && positions.length !== layers.length) {
    errors.push({ path: 'editor.positions', message: `has ${positions.length} positions for ${layers.length} layers` });
  }
  return [...errors, ...positions.flatMap((p, i) => pointErrors(`editor.positions[${i}]`, p))];
}

/** A checked version-1 document as version 2 (not yet normalized). */
export function migrateV1(v: ModelDocumentV1): ModelDocument {
  const names = v.layers.map((_, i) => v.names?.[i] ?? String(i));
  const doc: ModelDocument = {
    format: 'layerboard-model',
    version: 2,
    input: [...v.input],
    modules: v.layers.map((layer, i) => ({ name: names[i], layer: structuredClone(layer) })),
    forward: null,
  };
  if (v.className !== undefined) doc.className = v.className;
  if (v.editor !== undefined) {
    const editor: EditorView = {};
    if (v.editor.input) editor.input = { ...v.editor.input };
    if (v.editor.positions)
      editor.positions = Object.fromEntries(v.editor.positions.map((p, i) => [names[i], { ...p }]));
    doc.editor = editor;
  }
  if (v.training !== undefined) doc.training = structuredClone(v.training);
  if (v.metadata !== undefined) doc.metadata = structuredClone(v.metadata);
  return doc;
}
