// The JSON Schema (draft 2020-12) of the model file, generated from the catalogue so the
// two never disagree; docs/model.schema.json is this function's output (a test checks it).
// Rules a schema cannot state (groups divides in_channels, names count = layers count,
// pool padding <= kernel/2) are checked by parseModelDocument and listed in the schema text.
import { CATALOGUE, type ParamSpec } from './catalogue.ts';
import { PYTHON_KEYWORDS } from '../python/python-names.ts';
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
    case 'int':
      s = { ...nullable('integer'), ...bounds(p) };
      break;
    case 'float':
      s = { ...nullable('number'), ...bounds(p) };
      break;
    case 'bool':
      s = { type: 'boolean' };
      break;
    case 'choice':
      s = { enum: p.choices };
      break;
    case 'pair':
      s = pairSchema(p);
      break;
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
  type: 'object',
  required: ['x', 'y'],
  additionalProperties: false,
  properties: { x: { type: 'number' }, y: { type: 'number' } },
};

/** JSON with 2-space indents, lists of plain values kept on one line. */
export function schemaJson(value: unknown, indent = ''): string {
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object'))
    return JSON.stringify(value).replace(/,/g, ', ');
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const inner = `${indent}  `;
  const items = Array.isArray(value)
    ? value.map((v) => `${inner}${schemaJson(v, inner)}`)
    : Object.entries(value).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${schemaJson(v, inner)}`);
  if (items.length === 0) return Array.isArray(value) ? '[]' : '{}';
  return Array.isArray(value) ? `[\n${items.join(',\n')}\n${indent}]` : `{\n${items.join(',\n')}\n${indent}}`;
}

const ref = (name: string): Schema => ({ $ref: `#/$defs/${name}` });
const oneLine = (description: string, properties: Schema, required: string[]): Schema => ({
  description,
  type: 'object',
  required,
  additionalProperties: false,
  properties,
});

/** A layer keyword inside a block may be {"arg": name}: the block's constructor parameter. */
function blockLayerSchema(type: (typeof LAYER_TYPES)[number]): Schema {
  const plain = layerSchema(type);
  const properties: Schema = {};
  for (const [k, v] of Object.entries(plain.properties as Schema))
    properties[k] = k === 'type' ? v : { anyOf: [v, ref('argRef')] };
  return { ...plain, properties };
}

const layerUnion = (suffix: string): Schema => ({
  description: "A layer: PyTorch class name plus constructor keywords; an omitted keyword takes PyTorch's default.",
  type: 'object',
  required: ['type'],
  properties: { type: { enum: [...LAYER_TYPES] } },
  allOf: LAYER_TYPES.map((t) => ({ if: { properties: { type: { const: t } } }, then: ref(`${t}${suffix}`) })),
});

/** Definitions of modules, blocks and forward graphs; `inBlock` variants allow ArgRefs. */
function structureDefs(): Schema {
  const argValue = {
    anyOf: [{ type: ['number', 'boolean', 'string', 'null'] }, { type: 'array', items: { type: 'number' } }],
  };
  const moduleDef = (layer: string, self: string): Schema => ({
    description: 'A registered submodule `self.<name> = ...`: a layer, a block instance or an nn.Sequential.',
    anyOf: [
      oneLine('A layer.', { name: { type: 'string' }, layer: ref(layer) }, ['name', 'layer']),
      oneLine(
        'An instance of a block class of the document, with its arguments.',
        {
          name: { type: 'string' },
          block: { type: 'string', pattern: IDENTIFIER },
          args: { type: 'object', additionalProperties: { anyOf: [argValue, ref('argRef')] } },
        },
        ['name', 'block'],
      ),
      oneLine(
        'An nn.Sequential: children named 0, 1, … or all Python identifiers.',
        { name: { type: 'string' }, sequential: { type: 'array', items: ref(self) } },
        ['name', 'sequential'],
      ),
    ],
  });
  const nodeName = {
    type: 'string',
    pattern: IDENTIFIER,
    not: { enum: [...PYTHON_KEYWORDS, 'input', 'self', 'torch', 'nn', 'F'] },
  };
  const inputs = { type: 'array', items: { type: 'string' } };
  return {
    argRef: oneLine(
      'The value of a parameter of the enclosing block (`planes` in `nn.Conv2d(in_planes, planes, 3)`).',
      { arg: { type: 'string', pattern: IDENTIFIER } },
      ['arg'],
    ),
    layer: layerUnion(''),
    blockLayer: layerUnion('InBlock'),
    module: moduleDef('layer', 'module'),
    blockModule: moduleDef('blockLayer', 'blockModule'),
    forwardNode: {
      description: 'One step of forward(); inputs name earlier nodes or "input" (the forward argument).',
      anyOf: [
        oneLine(
          '`self.<call>(x)`',
          { name: nodeName, call: { type: 'string' }, inputs: { ...inputs, minItems: 1, maxItems: 1 } },
          ['name', 'call', 'inputs'],
        ),
        oneLine(
          'A parameter-free layer in functional form (F.relu, torch.flatten(x, 1), F.max_pool2d, ...).',
          { name: nodeName, apply: ref('layer'), inputs: { ...inputs, minItems: 1, maxItems: 1 } },
          ['name', 'apply', 'inputs'],
        ),
        oneLine('`a + b + ...`', { name: nodeName, op: { const: 'add' }, inputs: { ...inputs, minItems: 2 } }, [
          'name',
          'op',
          'inputs',
        ]),
        oneLine(
          '`torch.cat([...], dim)`',
          { name: nodeName, op: { const: 'cat' }, dim: { type: 'integer' }, inputs: { ...inputs, minItems: 1 } },
          ['name', 'op', 'dim', 'inputs'],
        ),
      ],
    },
    forward: {
      description: 'null: the modules in order (an nn.Sequential); else the forward graph.',
      anyOf: [
        { type: 'null' },
        oneLine(
          'The forward graph.',
          { nodes: { type: 'array', items: ref('forwardNode') }, output: { type: 'string' } },
          ['nodes', 'output'],
        ),
      ],
    },
    block: oneLine(
      'A block class defined once (`class BasicBlock(nn.Module)`), used by its name with its own arguments.',
      {
        name: { type: 'string', pattern: IDENTIFIER, not: { enum: [...PYTHON_KEYWORDS] } },
        params: {
          type: 'array',
          items: oneLine(
            'A constructor parameter, with an optional default.',
            { name: { type: 'string', pattern: IDENTIFIER }, default: argValue },
            ['name'],
          ),
        },
        modules: { type: 'array', items: ref('blockModule') },
        forward: ref('forward'),
      },
      ['name', 'modules', 'forward'],
    ),
  };
}

/** The model file's schema, version 2. */
export function modelJsonSchema(): Schema {
  const defs: Schema = { point, ...structureDefs() };
  for (const t of LAYER_TYPES) defs[t] = layerSchema(t);
  for (const t of LAYER_TYPES) defs[`${t}InBlock`] = blockLayerSchema(t);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://layerboard.invalid/model.schema.json',
    title: 'Layerboard model file, version 2',
    description:
      "A model as a PyTorch module class: named submodules plus a forward graph (docs/model-format.md). Version 1 files (a list of layers) are still read and migrated. Also checked by the app, beyond this schema: names are unique and valid Python names (attribute names; a Sequential's are 0, 1, … or all identifiers); a call names a module of its class; inputs name earlier nodes (no cycles) and every node reaches the output; blocks use only blocks defined before them, with arguments matching their parameters; {\"arg\": p} names a parameter of the enclosing block; Conv2d groups divides in_channels and out_channels; padding='same' needs stride 1; pool padding is at most half the kernel; MaxPool2d return_indices is false; className does not shadow torch, nn, OrderedDict, print, tuple or super.",
    type: 'object',
    required: ['format', 'version', 'input', 'modules', 'forward'],
    additionalProperties: false,
    properties: {
      format: { const: 'layerboard-model' },
      version: { const: 2 },
      className: {
        description: 'Python class of the exported module (default "Model").',
        type: 'string',
        pattern: IDENTIFIER,
        not: { enum: [...PYTHON_KEYWORDS] },
      },
      input: {
        description: 'Input shape without the batch dimension: [C, H, W] or [F].',
        type: 'array',
        minItems: 1,
        maxItems: 3,
        items: { type: 'integer', minimum: 1, maximum: 1_000_000 },
      },
      blocks: {
        description: 'Block classes of this document, in definition order.',
        type: 'array',
        items: ref('block'),
      },
      modules: {
        description: 'Submodules in registration order (state_dict and print(model) order).',
        type: 'array',
        items: ref('module'),
      },
      forward: ref('forward'),
      editor: {
        description: 'Editor-only layout: the Input node and each node by name.',
        type: 'object',
        additionalProperties: false,
        properties: { input: ref('point'), positions: { type: 'object', additionalProperties: ref('point') } },
      },
      training: {
        description: 'Training configuration (dataset, loss, optimizer, ...), read by the trainer.',
        type: 'object',
      },
      metadata: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          description: { type: 'string' },
          created: { type: 'string', description: 'ISO 8601 time' },
        },
      },
    },
    $defs: defs,
  };
}
