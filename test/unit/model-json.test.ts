import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { CATALOGUE } from '../../src/core/model/catalogue.ts';
import {
  newModelDocument,
  parseModelDocument,
  serializeModelDocument,
  type DocError,
} from '../../src/core/model/model-json.ts';
import { TEMPLATES } from '../../src/core/model/templates.ts';
import { LAYER_TYPES, type LayerSpec, type ModelDocument } from '../../src/core/model/types.ts';
import { defaultTrainingConfig } from '../../src/core/run/training-config.ts';
import { schemaErrors } from './helpers/mini-json-schema.ts';
import { randomDocument } from './helpers/random-docs.ts';
import { SCHEMA_PATH, schemaText } from './helpers/write-model-schema.ts';

const base = () =>
  ({
    format: 'layerboard-model',
    version: 1,
    input: [3, 32, 32],
    layers: [
      { type: 'Conv2d', in_channels: 3, out_channels: 32, kernel_size: 5, padding: 2 },
      { type: 'MaxPool2d', kernel_size: 2 },
      { type: 'Flatten' },
      { type: 'Linear', in_features: 8192, out_features: 10 },
    ] as Record<string, unknown>[],
  }) as Record<string, unknown> & { layers: Record<string, unknown>[] };

function parseOk(input: unknown): ModelDocument {
  const r = parseModelDocument(input);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.doc;
}

function errorsOf(input: unknown): DocError[] {
  const r = parseModelDocument(input);
  if (r.ok) throw new Error('expected the document to be refused');
  return r.errors;
}

/** A base document changed by `edit`, refused with exactly this error among its errors. */
function refused(edit: (d: ReturnType<typeof base>) => void): DocError[] {
  const d = base();
  edit(d);
  return errorsOf(JSON.stringify(d));
}

describe('parseModelDocument accepts', () => {
  test('the minimal document of the issue', () => {
    const r = parseModelDocument(
      '{"format": "layerboard-model", "version": 1, "input": [3, 32, 32], "layers": [{"type": "Conv2d", "in_channels": 3, "out_channels": 32, "kernel_size": 5, "padding": 2}]}',
    );
    // Version 1 is migrated on read: each layer a module named by its index, forward null (a chain).
    expect(r).toEqual({
      ok: true,
      doc: {
        format: 'layerboard-model',
        version: 2,
        input: [3, 32, 32],
        modules: [
          { name: '0', layer: { type: 'Conv2d', in_channels: 3, out_channels: 32, kernel_size: 5, padding: 2 } },
        ],
        forward: null,
      },
    });
  });
  test('an already-parsed object, and returns a copy', () => {
    const d = base();
    const r = parseModelDocument(d);
    expect(r.ok).toBe(true);
    if (r.ok) {
      (r.doc.modules[0] as { layer: LayerSpec }).layer.in_channels = 99;
      expect(d.layers[0].in_channels).toBe(3);
    }
  });
  test('every template', () => {
    for (const t of TEMPLATES)
      expect(parseModelDocument(serializeModelDocument(t.doc))).toEqual({ ok: true, doc: t.doc });
  });
  test('newModelDocument', () => {
    expect(newModelDocument([1, 28, 28])).toEqual({
      format: 'layerboard-model',
      version: 2,
      input: [1, 28, 28],
      modules: [],
      forward: null,
    });
    expect(newModelDocument([4], [{ type: 'ReLU' }], ['act']).modules).toEqual([
      { name: 'act', layer: { type: 'ReLU' } },
    ]);
  });
});

describe('serialize → parse round trip is lossless', () => {
  test('200 random documents', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const doc = randomDocument(seed);
      const text = serializeModelDocument(doc);
      const r = parseModelDocument(text);
      expect(r, `seed ${seed}`).toEqual({ ok: true, doc });
      if (r.ok) expect(serializeModelDocument(r.doc)).toBe(text);
    }
  });
  test('keys are in a stable order: type first, then PyTorch keyword order', () => {
    const text = serializeModelDocument(
      newModelDocument([3, 8, 8], [{ padding: 1, kernel_size: 3, out_channels: 4, in_channels: 3, type: 'Conv2d' }]),
    );
    expect(text).toContain('{"type": "Conv2d", "in_channels": 3, "out_channels": 4, "kernel_size": 3, "padding": 1}');
    expect(text.indexOf('"format"')).toBeLessThan(text.indexOf('"modules"'));
    expect(text.indexOf('"modules"')).toBeLessThan(text.indexOf('"forward"'));
  });
});

describe('parseModelDocument refuses, with the JSON path', () => {
  // Messages of layer keywords come from validateLayer (CORE-1): the path is ours, the wording theirs.
  const cases: [string, (d: ReturnType<typeof base>) => void, { path: string; message: unknown }][] = [
    [
      'kernel_size 0',
      (d) => {
        d.layers[0].kernel_size = 0;
      },
      { path: 'layers[0].kernel_size', message: 'must be a positive integer, got 0' },
    ],
    [
      'kernel_size pair element',
      (d) => {
        d.layers[0].kernel_size = [5, 'x'];
      },
      { path: 'layers[0].kernel_size[1]', message: "must be an integer, got 'x'" },
    ],
    [
      'kernel_size of three',
      (d) => {
        d.layers[0].kernel_size = [1, 2, 3];
      },
      { path: 'layers[0].kernel_size', message: expect.stringContaining('must be an integer or a pair [h, w]') },
    ],
    [
      'float channels',
      (d) => {
        d.layers[0].out_channels = 3.5;
      },
      { path: 'layers[0].out_channels', message: expect.stringContaining('must be an integer') },
    ],
    [
      'missing required keyword',
      (d) => {
        delete d.layers[3].in_features;
      },
      { path: 'layers[3].in_features', message: 'is required' },
    ],
    [
      'unknown layer type',
      (d) => {
        d.layers[1].type = 'Conv3d';
      },
      { path: 'layers[1].type', message: "unknown layer type 'Conv3d' (did you mean 'Conv2d'?)" },
    ],
    [
      'missing type',
      (d) => {
        delete d.layers[2].type;
      },
      { path: 'layers[2].type', message: 'missing; each layer needs a "type" such as "Conv2d"' },
    ],
    [
      'unknown keyword',
      (d) => {
        d.layers[0].kernal_size = 3;
      },
      {
        path: 'layers[0].kernal_size',
        message: "unknown keyword 'kernal_size' for Conv2d (did you mean 'kernel_size'?)",
      },
    ],
    [
      'layer not an object',
      (d) => {
        d.layers[2] = 'Flatten' as never;
      },
      { path: 'layers[2]', message: 'must be an object like {"type": "Conv2d", ...}, got string "Flatten"' },
    ],
    [
      'groups must divide',
      (d) => {
        d.layers[0].groups = 2;
      },
      { path: 'layers[0].groups', message: expect.stringContaining('must divide in_channels (3 % 2 != 0)') },
    ],
    [
      'bool as string',
      (d) => {
        d.layers[3].bias = 'false';
      },
      { path: 'layers[3].bias', message: expect.stringContaining('must be True or False') },
    ],
    [
      'bad padding_mode',
      (d) => {
        d.layers[0].padding_mode = 'zero';
      },
      { path: 'layers[0].padding_mode', message: expect.stringContaining("(did you mean 'zeros'?)") },
    ],
    [
      'pool padding over half the kernel',
      (d) => {
        d.layers[1].padding = 2;
      },
      { path: 'layers[1].padding', message: expect.stringContaining('at most half of kernel_size') },
    ],
    [
      'layers not a list',
      (d) => {
        d.layers = {} as never;
      },
      { path: 'layers', message: 'must be a list of layers, got an object' },
    ],
    [
      'layers missing',
      (d) => {
        delete (d as Record<string, unknown>).layers;
      },
      { path: 'layers', message: 'missing; it must be a list of layers (possibly empty)' },
    ],
    [
      'input missing',
      (d) => {
        delete d.input;
      },
      {
        path: 'input',
        message:
          'missing; it must be the input shape without the batch dimension: [C, H, W] or [F], 1 to 3 positive integers',
      },
    ],
    [
      'input with the batch size',
      (d) => {
        d.input = [64, 3, 32, 32];
      },
      {
        path: 'input',
        message:
          'must be the input shape without the batch dimension: [C, H, W] or [F], 1 to 3 positive integers, got 4 values (leave out the batch size N)',
      },
    ],
    [
      'input zero',
      (d) => {
        d.input = [3, 0, 32];
      },
      { path: 'input[1]', message: 'must be a positive integer, got number 0' },
    ],
    [
      'input a string',
      (d) => {
        d.input = '3,32,32';
      },
      {
        path: 'input',
        message:
          'must be the input shape without the batch dimension: [C, H, W] or [F], 1 to 3 positive integers, got string "3,32,32"',
      },
    ],
    [
      'input huge',
      (d) => {
        d.input = [3, 2_000_000, 1];
      },
      { path: 'input[1]', message: 'must be at most 1000000 (the limit), got 2000000' },
    ],
    [
      'names length mismatch',
      (d) => {
        d.names = ['a', 'b'];
      },
      { path: 'names', message: 'has 2 names for 4 layers; give one name per layer, or null for 0, 1, 2, …' },
    ],
    [
      'name is a keyword',
      (d) => {
        d.names = ['conv', 'pool', 'flat', 'lambda'];
      },
      { path: 'names[3]', message: "'lambda' is a Python keyword" },
    ],
    [
      'name with a dot',
      (d) => {
        d.names = ['conv.1', 'pool', 'flat', 'fc'];
      },
      { path: 'names[0]', message: "'conv.1' contains '.'; use only ASCII letters, digits and _" },
    ],
    [
      'duplicate names',
      (d) => {
        d.names = ['a', 'b', 'a', 'c'];
      },
      { path: 'names[2]', message: "'a' is already the name of layer 0; names must be unique" },
    ],
    [
      'name shadows nn.Sequential',
      (d) => {
        d.names = ['forward', 'b', 'c', 'd'];
      },
      {
        path: 'names[0]',
        message:
          "'forward' is already an attribute of nn.Sequential (PyTorch refuses it: attribute 'forward' already exists)",
      },
    ],
    [
      'name not a string',
      (d) => {
        d.names = ['a', 2, 'c', 'd'];
      },
      { path: 'names[1]', message: 'must be a string, got number 2' },
    ],
    [
      'names not a list',
      (d) => {
        d.names = 'a,b';
      },
      { path: 'names', message: 'must be a list of layer names or null, got string "a,b"' },
    ],
    [
      'className invalid',
      (d) => {
        d.className = 'My Net';
      },
      { path: 'className', message: "'My Net' contains a space; use only ASCII letters, digits and _" },
    ],
    [
      'className shadows torch',
      (d) => {
        d.className = 'torch';
      },
      { path: 'className', message: "'torch' would shadow a name the exported module uses; pick another class name" },
    ],
    [
      'unknown top-level field',
      (d) => {
        d.layer = [];
      },
      {
        path: 'layer',
        message:
          'unknown field; a version 1 model has format, version, className, input, names, layers, editor, training, metadata',
      },
    ],
    [
      'editor positions count',
      (d) => {
        d.editor = { positions: [{ x: 0, y: 0 }] };
      },
      { path: 'editor.positions', message: 'has 1 positions for 4 layers' },
    ],
    [
      'editor position malformed',
      (d) => {
        d.editor = { positions: [{ x: 0, y: 0 }, { x: 0 }, { x: 1, y: 1 }, { x: 2, y: 2 }] };
      },
      { path: 'editor.positions[1]', message: 'must be a position {"x": number, "y": number}, got an object' },
    ],
    [
      'editor unknown field',
      (d) => {
        d.editor = { zoom: 2 };
      },
      { path: 'editor.zoom', message: 'unknown field; editor has input and positions' },
    ],
    [
      'training not an object',
      (d) => {
        d.training = 'sgd';
      },
      { path: 'training', message: 'must be an object, got "sgd"' },
    ],
    [
      'metadata name not a string',
      (d) => {
        d.metadata = { name: 5 };
      },
      { path: 'metadata.name', message: 'must be a string, got number 5' },
    ],
    [
      'BatchNorm momentum type',
      (d) => {
        d.layers.push({ type: 'BatchNorm1d', num_features: 10, momentum: 'fast' });
      },
      { path: 'layers[4].momentum', message: expect.stringContaining("'fast'") },
    ],
    [
      'same padding with stride 2',
      (d) => {
        d.layers[0].padding = 'same';
        d.layers[0].stride = 2;
      },
      { path: 'layers[0].padding', message: expect.stringContaining("padding='same' needs stride 1") },
    ],
  ];
  test.each(cases)('%s', (_, edit, expected) => {
    expect(refused(edit)).toContainEqual(expected);
  });

  test('non-JSON text, with line and column', () => {
    expect(errorsOf('{\n  "format": "layerboard-model",\n  "version": 1,\n}')).toEqual([
      { path: '', message: "not valid JSON: line 4, column 1: trailing comma before '}'" },
    ]);
    expect(errorsOf('Sequential(\n  (0): ReLU()\n)')[0].message).toBe(
      "not valid JSON: line 1, column 1: unexpected 'S', a value was expected",
    );
    expect(errorsOf('')[0].message).toContain('line 1, column 1');
  });
  test('non-objects', () => {
    expect(errorsOf('[1, 2]')).toEqual([
      { path: '', message: 'not a Layerboard model file: expected a JSON object, got a list' },
    ]);
    expect(errorsOf('42')).toEqual([
      { path: '', message: 'not a Layerboard model file: expected a JSON object, got number 42' },
    ]);
    expect(errorsOf(null)).toEqual([
      { path: '', message: 'not a Layerboard model file: expected a JSON object, got null' },
    ]);
  });
  test('wrong or missing format: not a Layerboard model file, and nothing else', () => {
    expect(errorsOf('{"cases": []}')).toEqual([
      {
        path: 'format',
        message: 'not a Layerboard model file (it has no "format" field; expected "layerboard-model")',
      },
    ]);
    expect(errorsOf({ format: 'keras', version: 1 })).toEqual([
      { path: 'format', message: 'not a Layerboard model file ("format" is "keras"; expected "layerboard-model")' },
    ]);
  });
  test('unknown versions', () => {
    expect(errorsOf({ ...base(), version: 3 })).toEqual([
      { path: 'version', message: 'version 3 is newer than this app supports (2); update Layerboard to open it' },
    ]);
    expect(errorsOf({ ...base(), version: '1' })).toEqual([
      { path: 'version', message: 'must be 1 or 2, got string "1"' },
    ]);
    expect(errorsOf({ ...base(), version: 0 })).toEqual([{ path: 'version', message: 'must be 1 or 2, got number 0' }]);
    const { version: _, ...noVersion } = base();
    expect(errorsOf(noVersion)).toEqual([{ path: 'version', message: 'missing; this app reads versions 1 and 2' }]);
  });
  test('all errors are reported, not only the first', () => {
    const errs = refused((d) => {
      d.layers[0].kernel_size = 0;
      d.layers[3].out_features = -1;
      d.names = ['a'];
      d.input = [0];
    });
    expect(errs.map((e) => e.path)).toEqual(['input[0]', 'layers[0].kernel_size', 'layers[3].out_features', 'names']);
  });
  test('values JSON cannot carry are refused in free-form fields', () => {
    expect(errorsOf({ ...base(), metadata: { lr: Number.NaN } })).toEqual([
      { path: 'metadata.lr', message: 'must be a finite number, got NaN' },
    ]);
  });
  test('training is a TrainingConfig: unknown keys, wrong types, missing fields and out-of-range sizes are errors at their JSON path', () => {
    const training = {
      ...defaultTrainingConfig(),
      batch_size: 1e300,
      epochs: 1e21,
      optimizer: { type: 'Adam', lr: Number.NaN },
    };
    const transforms = { normalize: { mean: ['0.5'], std: [0.5] }, horizontalFlip: false, cropPadding: 0 };
    const errors = errorsOf({ ...base(), training: { ...training, transforms, seed: undefined } });
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: 'training.batch_size', message: expect.stringMatching(/^unknown key/) },
        { path: 'training.seed', message: 'missing' },
        { path: 'training.transforms.normalize.mean[0]', message: 'must be a number, got "0.5"' },
        { path: 'training.optimizer.lr', message: 'must be a finite number, got NaN' },
        { path: 'training.epochs', message: 'must be a whole number from 1 to 10000, got 1e+21' },
      ]),
    );
    expect(errorsOf({ ...base(), training: { ...defaultTrainingConfig(), batchSize: 2 ** 53 } })).toEqual([
      { path: 'training.batchSize', message: 'must be a whole number from 1 to 65536, got 9007199254740992' },
    ]);
    expect(errorsOf({ ...base(), training: { ...defaultTrainingConfig(), training: {} } })).toEqual([
      { path: 'training.training', message: expect.stringMatching(/^unknown key/) },
    ]);
    expect(parseModelDocument({ ...base(), training: defaultTrainingConfig('cifar10') }).ok).toBe(true);
  });
  test('never throws, whatever it is given', () => {
    const weird: unknown[] = [
      undefined,
      Symbol('x'),
      () => 1,
      new Date(),
      '\u0000',
      '{"format": "layerboard-model", "version": 1, "input": [1], "layers": [null, [], 3]}',
      '['.repeat(5000),
    ];
    for (const w of weird) expect(parseModelDocument(w).ok).toBe(false);
  });
});

describe('docs/model.schema.json', () => {
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown> & {
    $defs: Record<string, { required: string[]; properties: Record<string, unknown> }>;
  };
  test('is up to date with the catalogue (regenerate: npx tsx test/unit/helpers/write-model-schema.ts)', () => {
    expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(schemaText());
  });
  test('is draft 2020-12 and lists every catalogue layer with its keywords and required fields', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toEqual(['format', 'version', 'input', 'modules', 'forward']);
    for (const type of LAYER_TYPES) {
      const def = schema.$defs[type];
      expect(def.required).toEqual(['type', ...CATALOGUE[type].params.filter((p) => p.required).map((p) => p.name)]);
      expect(Object.keys(def.properties)).toEqual(['type', ...CATALOGUE[type].params.map((p) => p.name)]);
    }
  });
  test('accepts every template and random documents', () => {
    for (const t of TEMPLATES) expect(schemaErrors(schema, t.doc)).toEqual([]);
    for (let seed = 1; seed <= 100; seed++)
      expect(schemaErrors(schema, JSON.parse(serializeModelDocument(randomDocument(seed)))), `seed ${seed}`).toEqual(
        [],
      );
  });
  test('refuses what the parser refuses, where a schema can say it', () => {
    const v2 = () =>
      JSON.parse(serializeModelDocument(parseOk(base()))) as {
        modules: { name: string; layer: Record<string, unknown> }[];
      } & Record<string, unknown>;
    const edits: ((d: ReturnType<typeof v2>) => void)[] = [
      (d) => {
        d.modules[0].layer.kernel_size = 0;
      },
      (d) => {
        d.modules[1].layer.type = 'Conv3d';
      },
      (d) => {
        d.modules[0].layer.kernal_size = 3;
      },
      (d) => {
        delete d.modules[3].layer.in_features;
      },
      (d) => {
        d.input = [64, 3, 32, 32];
      },
      (d) => {
        d.version = 3;
      },
      (d) => {
        d.format = 'x';
      },
      (d) => {
        d.layers = [];
      },
      (d) => {
        d.modules[0].layer.padding_mode = 'zero';
      },
      (d) => {
        delete d.forward;
      },
      (d) => {
        d.forward = { nodes: [{ name: 'input', call: '0', inputs: ['input'] }], output: 'input' };
      },
      (d) => {
        d.forward = { nodes: [{ name: 'a', op: 'cat', inputs: ['input'] }], output: 'a' };
      },
      (d) => {
        d.modules[0] = { name: 'b', block: 'Block', args: { x: { arg: 1 } } } as never;
      },
    ];
    for (const edit of edits) {
      const d = v2();
      expect(schemaErrors(schema, d)).toEqual([]);
      edit(d);
      expect(parseModelDocument(d).ok, JSON.stringify(d)).toBe(false);
      expect(schemaErrors(schema, d), JSON.stringify(d)).not.toEqual([]);
    }
  });
});
