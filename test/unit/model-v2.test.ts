// Model format v2: named modules, block classes, forward graphs; v1 migration; flattening.
import { describe, expect, test } from 'vitest';
import { chainLayers } from '../../src/core/model/chain.ts';
import { flattenModel } from '../../src/core/model/flat-graph.ts';
import { parseModelDocument, serializeModelDocument, type DocError } from '../../src/core/model/model-json.ts';
import type { ModelDocument } from '../../src/core/model/types.ts';
import { defaultTrainingConfig } from '../../src/core/run/training-config.ts';
import { modelFromDocument } from '../../src/engine/model.ts';
import { randn } from './helpers/gradcheck.ts';

const conv = (i: unknown, o: unknown, stride: unknown = 1) => ({
  type: 'Conv2d',
  in_channels: i,
  out_channels: o,
  kernel_size: 3,
  stride,
  padding: 1,
  bias: false,
});

/** torchvision's BasicBlock with a downsampling shortcut, and a small ResNet of them. */
function resnet(): Record<string, unknown> & {
  blocks: Record<string, unknown>[];
  modules: Record<string, unknown>[];
  forward: { nodes: Record<string, unknown>[]; output: string };
} {
  return {
    format: 'layerboard-model',
    version: 2,
    className: 'ResNet',
    input: [3, 8, 8],
    blocks: [
      {
        name: 'Shortcut',
        params: [{ name: 'cin' }, { name: 'cout' }],
        modules: [
          {
            name: 'conv',
            layer: {
              type: 'Conv2d',
              in_channels: { arg: 'cin' },
              out_channels: { arg: 'cout' },
              kernel_size: 1,
              stride: 2,
              bias: false,
            },
          },
          { name: 'bn', layer: { type: 'BatchNorm2d', num_features: { arg: 'cout' } } },
        ],
        forward: null,
      },
      {
        name: 'BasicBlock',
        params: [{ name: 'in_planes' }, { name: 'planes' }, { name: 'stride', default: 1 }],
        modules: [
          { name: 'conv1', layer: conv({ arg: 'in_planes' }, { arg: 'planes' }, { arg: 'stride' }) },
          { name: 'bn1', layer: { type: 'BatchNorm2d', num_features: { arg: 'planes' } } },
          { name: 'conv2', layer: conv({ arg: 'planes' }, { arg: 'planes' }) },
          { name: 'bn2', layer: { type: 'BatchNorm2d', num_features: { arg: 'planes' } } },
        ],
        forward: {
          nodes: [
            { name: 'conv1', call: 'conv1', inputs: ['input'] },
            { name: 'bn1', call: 'bn1', inputs: ['conv1'] },
            { name: 'relu1', apply: { type: 'ReLU' }, inputs: ['bn1'] },
            { name: 'conv2', call: 'conv2', inputs: ['relu1'] },
            { name: 'bn2', call: 'bn2', inputs: ['conv2'] },
            { name: 'add', op: 'add', inputs: ['bn2', 'input'] },
            { name: 'out', apply: { type: 'ReLU' }, inputs: ['add'] },
          ],
          output: 'out',
        },
      },
    ],
    modules: [
      { name: 'stem', layer: conv(3, 4) },
      {
        name: 'layer1',
        sequential: [
          { name: '0', block: 'BasicBlock', args: { in_planes: 4, planes: 4 } },
          { name: '1', block: 'BasicBlock', args: { in_planes: 4, planes: 4 } },
        ],
      },
      { name: 'pool', layer: { type: 'AdaptiveAvgPool2d', output_size: 1 } },
      { name: 'fc', layer: { type: 'Linear', in_features: 4, out_features: 10 } },
    ],
    forward: {
      nodes: [
        { name: 'stem', call: 'stem', inputs: ['input'] },
        { name: 'layer1', call: 'layer1', inputs: ['stem'] },
        { name: 'pool', call: 'pool', inputs: ['layer1'] },
        { name: 'flat', apply: { type: 'Flatten' }, inputs: ['pool'] },
        { name: 'fc', call: 'fc', inputs: ['flat'] },
      ],
      output: 'fc',
    },
  };
}

function errorsOf(input: unknown): DocError[] {
  const r = parseModelDocument(input);
  if (r.ok) throw new Error('expected the document to be refused');
  return r.errors;
}
function ok(input: unknown): ModelDocument {
  const r = parseModelDocument(input);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.doc;
}

describe('version 1 migrates on read', () => {
  test('layers and names become modules, positions are keyed by name, forward is null', () => {
    const doc = ok({
      format: 'layerboard-model',
      version: 1,
      input: [4],
      names: ['fc', 'act'],
      className: 'Net',
      layers: [{ type: 'Linear', in_features: 4, out_features: 2 }, { type: 'ReLU' }],
      editor: {
        input: { x: 0, y: 0 },
        positions: [
          { x: 1, y: 2 },
          { x: 3, y: 4 },
        ],
      },
      training: { ...defaultTrainingConfig(), epochs: 2 },
    });
    expect(doc).toEqual({
      format: 'layerboard-model',
      version: 2,
      className: 'Net',
      input: [4],
      modules: [
        { name: 'fc', layer: { type: 'Linear', in_features: 4, out_features: 2 } },
        { name: 'act', layer: { type: 'ReLU' } },
      ],
      forward: null,
      editor: { input: { x: 0, y: 0 }, positions: { fc: { x: 1, y: 2 }, act: { x: 3, y: 4 } } },
      training: { ...defaultTrainingConfig(), epochs: 2 },
    });
    expect(chainLayers(doc)).toEqual({
      layers: [{ type: 'Linear', in_features: 4, out_features: 2 }, { type: 'ReLU' }],
      names: ['fc', 'act'],
    });
    expect(serializeModelDocument(doc)).toContain('"version": 2');
  });
  test('unnamed layers are 0, 1, 2 and chainLayers gives names null', () => {
    const doc = ok({
      format: 'layerboard-model',
      version: 1,
      input: [4],
      layers: [{ type: 'ReLU' }, { type: 'Tanh' }],
    });
    expect(doc.modules.map((m) => m.name)).toEqual(['0', '1']);
    expect(chainLayers(doc)?.names).toBeNull();
  });
});

describe('graphs and blocks', () => {
  test('a ResNet with blocks round-trips through text unchanged', () => {
    const doc = ok(resnet());
    const text = serializeModelDocument(doc);
    expect(ok(text)).toEqual(doc);
    expect(serializeModelDocument(ok(text))).toBe(text);
    expect(chainLayers(doc)).toBeNull();
  });
  test('flattenModel: registration order, dotted paths, args substituted, nodes inlined', () => {
    const flat = flattenModel(ok(resnet()));
    expect(flat.modules.map((m) => m.path)).toEqual([
      'stem',
      'layer1.0.conv1',
      'layer1.0.bn1',
      'layer1.0.conv2',
      'layer1.0.bn2',
      'layer1.1.conv1',
      'layer1.1.bn1',
      'layer1.1.conv2',
      'layer1.1.bn2',
      'pool',
      'fc',
    ]);
    expect(flat.modules[1].layer).toEqual(conv(4, 4, 1));
    expect(flat.nodes.map((n) => n.id)).toEqual([
      'stem',
      'layer1.0.conv1',
      'layer1.0.bn1',
      'layer1.0.relu1',
      'layer1.0.conv2',
      'layer1.0.bn2',
      'layer1.0.add',
      'layer1.0.out',
      'layer1.1.conv1',
      'layer1.1.bn1',
      'layer1.1.relu1',
      'layer1.1.conv2',
      'layer1.1.bn2',
      'layer1.1.add',
      'layer1.1.out',
      'pool',
      'flat',
      'fc',
    ]);
    expect(flat.nodes[6]).toEqual({ id: 'layer1.0.add', op: 'add', inputs: ['layer1.0.bn2', 'stem'] });
    expect(flat.nodes[8]).toEqual({ id: 'layer1.1.conv1', module: 'layer1.1.conv1', inputs: ['layer1.0.out'] });
    expect(flat.output).toBe('fc');
  });
  test('a chain flattens to one node per layer, named by module', () => {
    const flat = flattenModel(
      ok({ format: 'layerboard-model', version: 1, input: [4], layers: [{ type: 'ReLU' }, { type: 'Tanh' }] }),
    );
    expect(flat).toEqual({
      modules: [
        { path: '0', layer: { type: 'ReLU' } },
        { path: '1', layer: { type: 'Tanh' } },
      ],
      nodes: [
        { id: '0', module: '0', inputs: ['input'] },
        { id: '1', module: '1', inputs: ['0'] },
      ],
      output: '1',
    });
  });
  test("a chain module named 'input' (or 'input_1') gets a node id of its own, and the model runs", () => {
    const doc = ok({
      format: 'layerboard-model',
      version: 2,
      input: [4],
      forward: null,
      modules: [
        { name: 'input', layer: { type: 'Linear', in_features: 4, out_features: 3 } },
        { name: 'input_1', layer: { type: 'ReLU' } },
        { name: 'out', layer: { type: 'Linear', in_features: 3, out_features: 2 } },
      ],
    });
    const flat = flattenModel(doc);
    const ids = flat.nodes.map((n) => n.id);
    expect(ids).toEqual(['input_1', 'input_1_1', 'out']);
    expect(flat.nodes.map((n) => n.inputs)).toEqual([['input'], ['input_1'], ['input_1_1']]);
    expect(flat.modules.map((m) => m.path)).toEqual(['input', 'input_1', 'out']);
    const model = modelFromDocument(doc, { seed: 1 });
    expect(model.forward(randn([2, 4])).shape).toEqual([2, 2]);
  });
  test('a parameter-free module called twice, and a shared-weight module, are fine', () => {
    const d = resnet();
    d.forward.nodes.splice(3, 0, { name: 'pool2', call: 'pool', inputs: ['pool'] });
    d.forward.nodes[4].inputs = ['pool2'];
    const flat = flattenModel(ok(d));
    expect(flat.nodes.filter((n) => 'module' in n && n.module === 'pool').map((n) => n.id)).toEqual(['pool', 'pool2']);
  });
});

describe('refused, with the JSON path', () => {
  type Doc = ReturnType<typeof resnet>;
  const block = (d: Doc) =>
    d.blocks[1] as {
      modules: Record<string, unknown>[];
      forward: { nodes: Record<string, unknown>[]; output: string };
      params: Record<string, unknown>[];
    };
  const cases: [string, (d: Doc) => void, { path: string; message: unknown }][] = [
    [
      'unknown block',
      (d) => {
        (d.modules[1].sequential as Record<string, unknown>[])[0].block = 'BasicBlok';
      },
      { path: 'modules[1].sequential[0].block', message: "unknown block 'BasicBlok' (did you mean 'BasicBlock'?)" },
    ],
    [
      'a block using itself',
      (d) => {
        block(d).modules.push({ name: 'inner', block: 'BasicBlock', args: { in_planes: 1, planes: 1 } });
      },
      {
        path: 'blocks[1].modules[4].block',
        message:
          "block 'BasicBlock' is defined after this point (or is this block itself); a block may use only blocks defined before it",
      },
    ],
    [
      'ArgRef to an unknown param',
      (d) => {
        (block(d).modules[1].layer as Record<string, unknown>).num_features = { arg: 'plane' };
      },
      {
        path: 'blocks[1].modules[1].layer.num_features',
        message: "unknown parameter 'plane' (did you mean 'planes'?)",
      },
    ],
    [
      'ArgRef outside a block',
      (d) => {
        (d.modules[0].layer as Record<string, unknown>).out_channels = { arg: 'planes' };
      },
      {
        path: 'modules[0].layer.out_channels',
        message: expect.stringContaining("only a block's modules have arguments"),
      },
    ],
    [
      'unknown argument',
      (d) => {
        (d.modules[1].sequential as Record<string, Record<string, unknown>>[])[0].args.plane = 3;
      },
      {
        path: 'modules[1].sequential[0].args.plane',
        message: "unknown argument 'plane' for BasicBlock (did you mean 'planes'?)",
      },
    ],
    [
      'missing argument',
      (d) => {
        delete (d.modules[1].sequential as Record<string, Record<string, unknown>>[])[0].args.planes;
      },
      { path: 'modules[1].sequential[0].args', message: "BasicBlock needs the argument 'planes'" },
    ],
    [
      'bad value in an instance',
      (d) => {
        (d.modules[1].sequential as Record<string, Record<string, unknown>>[])[1].args.stride = 0;
      },
      {
        path: 'modules[1].sequential[1]',
        message: expect.stringMatching(
          /^BasicBlock\(in_planes=4, planes=4, stride=0\) → layer1\.1\.conv1\.stride: must be a positive integer/,
        ),
      },
    ],
    [
      'duplicate module names',
      (d) => {
        d.modules[2].name = 'stem';
      },
      { path: 'modules[2].name', message: "'stem' is already the name of modules[0]; names must be unique" },
    ],
    [
      'module name not an identifier',
      (d) => {
        d.modules[2].name = 'my pool';
      },
      { path: 'modules[2].name', message: expect.stringContaining('contains a space') },
    ],
    [
      'Sequential names mixed',
      (d) => {
        (d.modules[1].sequential as Record<string, unknown>[])[1].name = 'b';
      },
      { path: 'modules[1].sequential[0].name', message: expect.stringContaining('either 0, 1, 2') },
    ],
    [
      'bad block param name',
      (d) => {
        block(d).params[0].name = 'class';
      },
      { path: 'blocks[1].params[0].name', message: "'class' is a Python keyword" },
    ],
    [
      'non-default after default',
      (d) => {
        block(d).params.push({ name: 'extra' });
      },
      {
        path: 'blocks[1].params[3]',
        message: expect.stringContaining('non-default argument follows default argument'),
      },
    ],
    [
      'call of an unknown module',
      (d) => {
        d.forward.nodes[2].call = 'pol';
      },
      { path: 'forward.nodes[2].call', message: "no module 'pol' (did you mean 'pool'?)" },
    ],
    [
      'undefined input',
      (d) => {
        d.forward.nodes[1].inputs = ['stm'];
      },
      { path: 'forward.nodes[1].inputs[0]', message: "no node 'stm' (did you mean 'stem'?)" },
    ],
    [
      'input defined later',
      (d) => {
        d.forward.nodes[0].inputs = ['fc'];
      },
      {
        path: 'forward.nodes[0].inputs[0]',
        message: expect.stringContaining('cycle: stem → layer1 → pool → flat → fc → stem'),
      },
    ],
    [
      'input later, no cycle',
      (d) => {
        d.forward.nodes[1].inputs = ['flat'];
        d.forward.nodes[3].inputs = ['stem'];
      },
      {
        path: 'forward.nodes[1].inputs[0]',
        message: "node 'flat' comes later (node 3); list nodes so that every input is defined before use",
      },
    ],
    [
      'self loop',
      (d) => {
        d.forward.nodes[1].inputs = ['layer1'];
      },
      { path: 'forward.nodes[1].inputs[0]', message: "node 'layer1' takes its own output: a cycle" },
    ],
    [
      'dangling node',
      (d) => {
        d.forward.nodes.push({ name: 'extra', apply: { type: 'ReLU' }, inputs: ['stem'] });
      },
      {
        path: 'forward.nodes[5]',
        message: "node 'extra' is dangling: its value never reaches the output 'fc'; connect it or remove it",
      },
    ],
    [
      'duplicate node names',
      (d) => {
        d.forward.nodes[3].name = 'pool';
      },
      {
        path: 'forward.nodes[3].name',
        message: "'pool' is already the name of forward.nodes[2]; node names must be unique",
      },
    ],
    [
      'node named input',
      (d) => {
        d.forward.nodes[0].name = 'input';
      },
      { path: 'forward.nodes[0].name', message: expect.stringContaining("'input' names the forward argument") },
    ],
    [
      'add with one input',
      (d) => {
        block(d).forward.nodes[5].inputs = ['bn2'];
      },
      { path: 'blocks[1].forward.nodes[5].inputs', message: 'add needs at least two inputs, got 1' },
    ],
    [
      'cat without dim',
      (d) => {
        block(d).forward.nodes[5] = { name: 'add', op: 'cat', inputs: ['bn2', 'input'] };
      },
      { path: 'blocks[1].forward.nodes[5].dim', message: 'missing; torch.cat needs the dim to join along' },
    ],
    [
      'unknown op',
      (d) => {
        block(d).forward.nodes[5].op = 'mul';
      },
      { path: 'blocks[1].forward.nodes[5].op', message: 'must be "add" or "cat", got string "mul"' },
    ],
    [
      'apply of a layer with parameters',
      (d) => {
        d.forward.nodes[3].apply = { type: 'Linear', in_features: 4, out_features: 4 };
      },
      { path: 'forward.nodes[3].apply.type', message: expect.stringContaining('cannot be applied in functional form') },
    ],
    [
      'call with two inputs',
      (d) => {
        d.forward.nodes[1].inputs = ['stem', 'input'];
      },
      { path: 'forward.nodes[1].inputs', message: 'a call node takes exactly one input, got 2' },
    ],
    [
      'output unknown',
      (d) => {
        d.forward.output = 'fc2';
      },
      { path: 'forward.output', message: "no node 'fc2' (did you mean 'fc'?)" },
    ],
    [
      'forward missing',
      (d) => {
        delete (d as Record<string, unknown>).forward;
      },
      { path: 'forward', message: expect.stringContaining('missing; null for a chain') },
    ],
    [
      'block name is the class name',
      (d) => {
        d.className = 'BasicBlock';
      },
      { path: 'blocks[1].name', message: "'BasicBlock' is the model's class name; give the block another name" },
    ],
    [
      'editor positions by name',
      (d) => {
        d.editor = { positions: { stem: { x: 1 } } };
      },
      { path: 'editor.positions.stem', message: expect.stringContaining('must be a position') },
    ],
    [
      'module with two bodies',
      (d) => {
        d.modules[0].sequential = [];
      },
      { path: 'modules[0]', message: 'has both "layer" and "sequential"; a module is one of them' },
    ],
  ];
  test.each(cases)('%s', (_, edit, expected) => {
    const d = resnet();
    edit(d);
    expect(errorsOf(JSON.parse(JSON.stringify(d)))).toContainEqual(expected);
  });
});
