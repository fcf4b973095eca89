// The JSON Schema (draft 2020-12) of the model file, generated from the catalogue so the
// two never disagree; docs/model.schema.json is this function's output (a test checks it).
// Rules a schema cannot state (groups divides in_channels, names count = layers count,
// pool padding <= kernel/2) are checked by parseModelDocument and listed in the schema text.
import { CATALOGUE, type ParamSpec } from './catalogue.ts';
import { PYTHON_KEYWORDS, SEQUENTIAL_ATTRIBUTES } from '../python/python-names.ts';
import { LAYER_TYPES } from './types.ts';

type Schema = Record<string, unknown>;

/** PyTorch accepts any eps/momentum; validate.ts only warns about their catalogue bounds. */
const ADVISORY_BOUNDS = new Set(['eps', 'momentum']);
const IDENTIFIER = '^[A-Za-z_][A-Za-z0-9_]*$';

function bounds(p: ParamSpec): Schema {
  if (ADVISORY_BOUNDS.has(p.name)) return {};
  const s: Schema = {};
  if (p.min !== undefined) s.minimum = p.min;
  if (p.max !== undefined) s.maximum = p.max;
  if (p.above !== undefined) s.exclusiveMinimum = p.above;
  return s;
}

function pairSchema(p: ParamSpec): Schema {
  const int = { type: 'integer', ...bounds(p) };
  const item = p.nullableItems ? { anyOf: [int, { type: 'null' }] } : int;
  const options: Schema[] = [int, { type: 'array', prefixItems: [item, item], items: false, minItems: 2 }];
  if (p.strings) options.push({ enum: p.strings });
  if (p.nullable) options.push({ type: 'null' });
  return { anyOf: options };
}

function paramSchema(p: ParamSpec): Schema {
  const nullable = (type: string): Schema => ({ type: p.nullable ? [type, 'null'] : type });
  let s: Schema;
  switch (p.kind) {
    case 'int': s = { ...nullable('integer'), ...bounds(p) }; break;
    case 'float': s = { ...nullable('number'), ...bounds(p) }; break;
    case 'bool': s = { type: 'boolean' }; break;
    case 'choice': s = { enum: p.choices }; break;
    case 'pair': s = pairSchema(p); break;
  }
  return { description: p.doc, ...(p.default !== undefined ? { default: p.default } : {}), ...s };
}

function layerSchema(type: (typeof LAYER_TYPES)[number]): Schema {
  const def = CATALOGUE[type];
  const properties: Schema = { type: { const: type } };
  for (const p of def.params) properties[p.name] = paramSchema(p);
  return {
    description: `${def.doc} ${def.url}`,
    type: 'object',
    required: ['type', ...def.params.filter((p) => p.required).map((p) => p.name)],
    properties,
    additionalProperties: false,
  };
}

const point: Schema = {
  type: 'object', required: ['x', 'y'], additionalProperties: false,
  properties: { x: { type: 'number' }, y: { type: 'number' } },
};

/** JSON with 2-space indents, lists of plain values kept on one line. */
export function schemaJson(value: unknown, indent = ''): string {
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) return JSON.stringify(value).replace(/,/g, ', ');
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const inner = `${indent}  `;
  const items = Array.isArray(value)
    ? value.map((v) => `${inner}${schemaJson(v, inner)}`)
    : Object.entries(value).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${schemaJson(v, inner)}`);
  if (items.length === 0) return Array.isArray(value) ? '[]' : '{}';
  return Array.isArray(value) ? `[\n${items.join(',\n')}\n${indent}]` : `{\n${items.join(',\n')}\n${indent}}`;
}

/** The model file's schema, version 1. */
export function modelJsonSchema(): Schema {
  const defs: Schema = {
    layerName: {
      description: 'An OrderedDict key: an ASCII Python identifier, not a keyword, not a __dunder__, not an attribute of nn.Sequential (forward, training, ...).',
      type: 'string', pattern: '^(?!__\\w*__$)[A-Za-z_][A-Za-z0-9_]*$', not: { enum: [...PYTHON_KEYWORDS, ...SEQUENTIAL_ATTRIBUTES] },
    },
    point,
    layer: {
      description: 'A layer: PyTorch class name plus constructor keywords; an omitted keyword takes PyTorch\'s default.',
      type: 'object', required: ['type'],
      properties: { type: { enum: [...LAYER_TYPES] } },
      allOf: LAYER_TYPES.map((t) => ({ if: { properties: { type: { const: t } } }, then: { $ref: `#/$defs/${t}` } })),
    },
  };
  for (const t of LAYER_TYPES) defs[t] = layerSchema(t);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://layerboard.invalid/model.schema.json',
    title: 'Layerboard model file, version 1',
    description: 'An nn.Sequential model (docs/model-format.md). Also checked by the app, beyond this schema: names has one entry per layer and no duplicates; editor.positions has one per layer; Conv2d groups divides in_channels and out_channels; padding=\'same\' needs stride 1; pool padding is at most half the kernel; MaxPool2d return_indices is false; className does not shadow torch, nn, OrderedDict, print, tuple or super.',
    type: 'object',
    required: ['format', 'version', 'input', 'layers'],
    additionalProperties: false,
    properties: {
      format: { const: 'layerboard-model' },
      version: { const: 1 },
      className: { description: 'Python class of the exported module (default "Model").', type: 'string', pattern: IDENTIFIER, not: { enum: [...PYTHON_KEYWORDS] } },
      input: {
        description: 'Input shape without the batch dimension: [C, H, W] or [F].',
        type: 'array', minItems: 1, maxItems: 3, items: { type: 'integer', minimum: 1, maximum: 1_000_000 },
      },
      names: {
        description: 'OrderedDict names, one per layer; null or absent for 0, 1, 2, ...',
        anyOf: [{ type: 'null' }, { type: 'array', items: { $ref: '#/$defs/layerName' }, uniqueItems: true }],
      },
      layers: { type: 'array', items: { $ref: '#/$defs/layer' } },
      editor: {
        description: 'Editor-only layout: the Input node and each layer node, by layer index.',
        type: 'object', additionalProperties: false,
        properties: { input: { $ref: '#/$defs/point' }, positions: { type: 'array', items: { $ref: '#/$defs/point' } } },
      },
      training: { description: 'Training configuration (dataset, loss, optimizer, ...), read by the trainer.', type: 'object' },
      metadata: {
        type: 'object',
        properties: { name: { type: 'string' }, description: { type: 'string' }, created: { type: 'string', description: 'ISO 8601 time' } },
      },
    },
    $defs: defs,
  };
}
