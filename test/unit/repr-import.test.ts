import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { moduleRepr, sequentialRepr } from '../../src/core/python/pytorch-export.ts';
import type { ForwardNode } from '../../src/core/model/module-types.ts';
import { readModelRepr } from '../../src/core/python/repr-import.ts';
import { chainOf } from './helpers/chain-of.ts';

/** The chain form (layers, names, className) of a print(model) text, as version 1 read it. */
function parseModelRepr(text: string) {
  const r = readModelRepr(text);
  if (!r.ok) return { ok: false as const, errors: r.errors };
  return { ok: true as const, ...chainOf(r.doc), ...(r.doc.className ? { className: r.doc.className } : {}) };
}
import { parseReprArgs, BareWord } from '../../src/core/python/repr-tree.ts';
import { TEMPLATES } from '../../src/core/model/templates.ts';
import { randomLayersOfEveryType } from './helpers/random-layers.ts';
import { chainLayers } from '../../src/core/model/chain.ts';

interface ReprCase {
  id: string;
  kind: string;
  layers: { type: string }[];
  names: string[] | null;
  expect: { text: string };
}
const PUBLIC = JSON.parse(
  readFileSync(new URL('../../../shared/conformance/public.json', import.meta.url), 'utf8'),
) as { cases: ReprCase[] };
const SEED = readFileSync(new URL('../../../shared/seed/pytorch-sequential-tutorial.txt', import.meta.url), 'utf8');

/** The block of `text` that starts with `head` and ends at the first line that is exactly ')'. */
function block(text: string, head: string): string {
  const start = text.indexOf(head);
  return text.slice(start, text.indexOf('\n)\n', start) + 2);
}

function errorsOf(text: string) {
  const r = parseModelRepr(text);
  if (r.ok) throw new Error('expected errors');
  return r.errors;
}

describe('parseModelRepr round trip: sequentialRepr → parse → sequentialRepr', () => {
  test.each(PUBLIC.cases.filter((c) => c.kind === 'repr').map((c) => [c.id, c] as const))('conformance %s', (_, c) => {
    const r = parseModelRepr(c.expect.text);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.names).toEqual(c.names);
      expect(sequentialRepr(r.layers, r.names)).toBe(c.expect.text);
    }
  });
  test('every template, through its wrapper class, gives the template back', () => {
    for (const t of TEMPLATES.filter((x) => chainLayers(x.doc))) {
      const r = parseModelRepr(moduleRepr(t.doc));
      expect(r).toEqual({ ok: true, ...chainLayers(t.doc)!, className: t.doc.className });
    }
  });
  test('random layers of every type', () => {
    const layers = randomLayersOfEveryType(11, 20);
    const text = sequentialRepr(layers);
    const r = parseModelRepr(text);
    expect(r.ok && sequentialRepr(r.layers, r.names)).toBe(text);
  });
});

describe('parseModelRepr reads', () => {
  test("the seed's OrderedDict example", () => {
    const r = parseModelRepr(block(SEED, 'Sequential(\n  (conv1)'));
    expect(r).toEqual({
      ok: true,
      names: ['conv1', 'relu1', 'conv2', 'relu2'],
      layers: [
        { type: 'Conv2d', in_channels: 1, out_channels: 20, kernel_size: 5 },
        { type: 'ReLU' },
        { type: 'Conv2d', in_channels: 20, out_channels: 64, kernel_size: 5 },
        { type: 'ReLU' },
      ],
    });
  });
  test("the seed's nested BS(\\n  (model): Sequential(...)) gives the cifar10-bs template", () => {
    const r = parseModelRepr(block(SEED, 'BS(\n  (model): Sequential('));
    const bs = TEMPLATES.find((t) => t.id === 'cifar10-bs')!.doc;
    expect(r).toEqual({ ok: true, layers: chainLayers(bs)!.layers, names: null, className: 'BS' });
  });
  test("the seed's BS with layers as attributes: modules by their keys, forward assumed in printed order (and said)", () => {
    const r = readModelRepr(block(SEED, 'BS(\n  (conv1)'));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const names = ['conv1', 'maxpool1', 'conv2', 'maxpool2', 'conv3', 'maxpool3', 'flatten', 'linear1', 'linear2'];
    expect(r.doc.modules.map((m) => m.name)).toEqual(names);
    expect(r.doc.className).toBe('BS');
    expect(r.doc.forward!.nodes.map((n) => ('call' in n ? n.call : n.name))).toEqual(names);
    expect(r.notes.map((n) => n.message)).toEqual([
      `BS: forward not shown by print(model): assumed to call ${names.join(' → ')} in printed order`,
    ]);
  });
  test('keywords: tuples, floats, None, booleans, quoted and bare strings', () => {
    const r = parseModelRepr(
      [
        'Sequential(',
        '  (0): Conv2d(3, 8, kernel_size=(3, 5), stride=(1, 1), padding=same, padding_mode=reflect)',
        '  (1): BatchNorm2d(8, eps=1e-05, momentum=None, affine=False, track_running_stats=True)',
        "  (2): GELU(approximate='tanh')",
        '  (3): AdaptiveAvgPool2d(output_size=(5, None))',
        '  (4): MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=0, dilation=1, ceil_mode=True)',
        '  (5): LeakyReLU(negative_slope=1e-10, inplace=True)',
        '  (6): Flatten(start_dim=0, end_dim=-1)',
        '  (7): Softmax(dim=None)',
        ')',
      ].join('\n'),
    );
    expect(r).toEqual({
      ok: true,
      names: null,
      layers: [
        {
          type: 'Conv2d',
          in_channels: 3,
          out_channels: 8,
          kernel_size: [3, 5],
          padding: 'same',
          padding_mode: 'reflect',
        },
        { type: 'BatchNorm2d', num_features: 8, momentum: null, affine: false },
        { type: 'GELU', approximate: 'tanh' },
        { type: 'AdaptiveAvgPool2d', output_size: [5, null] },
        { type: 'MaxPool2d', kernel_size: [2, 2], ceil_mode: true },
        { type: 'LeakyReLU', negative_slope: 1e-10, inplace: true },
        { type: 'Flatten', start_dim: 0 },
        { type: 'Softmax' },
      ],
    });
  });
  test('tolerates lost indentation, CRLF and blank lines', () => {
    const r = parseModelRepr('\r\nSequential(\r\n(fc): Linear(in_features=4, out_features=2, bias=False)\r\n\r\n)\r\n');
    expect(r).toEqual({
      ok: true,
      names: ['fc'],
      layers: [{ type: 'Linear', in_features: 4, out_features: 2, bias: false }],
    });
  });
  test('an empty Sequential and a lone layer', () => {
    expect(parseModelRepr('Sequential()')).toEqual({ ok: true, layers: [], names: null });
    expect(parseModelRepr('ReLU(inplace=True)')).toEqual({
      ok: true,
      layers: [{ type: 'ReLU', inplace: true }],
      names: null,
    });
  });
});

describe('torchvision printouts (test/fixtures/pytorch-text, printed by torchvision 0.14)', () => {
  const read = (name: string) => {
    const r = readModelRepr(readFileSync(new URL(`../fixtures/pytorch-text/${name}.txt`, import.meta.url), 'utf8'));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r;
  };
  const nodes = (g: { nodes: ForwardNode[] } | null) =>
    g!.nodes.map(
      (n) => `${n.name}=${'call' in n ? n.call : 'apply' in n ? n.apply.type : n.op}(${n.inputs.join(',')})`,
    );

  test('resnet18: BasicBlock recognized (+ x), the downsampling variant its own class with channel parameters, flatten before fc', () => {
    const { doc } = read('resnet18');
    expect(doc.className).toBe('ResNet');
    expect(doc.blocks!.map((b) => [b.name, b.params.map((p) => p.name)])).toEqual([
      ['BasicBlock', ['in_channels']],
      ['BasicBlock_downsample', ['in_channels', 'out_channels']],
    ]);
    expect(nodes(doc.blocks![0].forward)).toEqual([
      'conv1=conv1(input)',
      'bn1=bn1(conv1)',
      'relu=relu(bn1)',
      'conv2=conv2(relu)',
      'bn2=bn2(conv2)',
      'add=add(bn2,input)',
      'relu_1=relu(add)',
    ]);
    expect(nodes(doc.blocks![1].forward).slice(5)).toEqual([
      'downsample=downsample(input)',
      'add=add(bn2,downsample)',
      'relu_1=relu(add)',
    ]);
    expect(doc.blocks![1].modules[0]).toEqual({
      name: 'conv1',
      layer: {
        type: 'Conv2d',
        in_channels: { arg: 'in_channels' },
        out_channels: { arg: 'out_channels' },
        kernel_size: 3,
        stride: 2,
        padding: 1,
        bias: false,
      },
    });
    expect(doc.modules[5]).toEqual({
      name: 'layer2',
      sequential: [
        { name: '0', block: 'BasicBlock_downsample', args: { in_channels: 64, out_channels: 128 } },
        { name: '1', block: 'BasicBlock', args: { in_channels: 128 } },
      ],
    });
    expect(nodes(doc.forward).slice(-3)).toEqual([
      'avgpool=avgpool(layer4)',
      'flatten=Flatten(avgpool)',
      'fc=fc(flatten)',
    ]);
  });

  test('resnet50: Bottleneck recognized (relu used three times); alexnet: flatten assumed after avgpool, before a classifier that starts with Dropout', () => {
    const { doc } = read('resnet50');
    expect(doc.blocks!.map((b) => b.name)).toEqual(['Bottleneck', 'Bottleneck_no_downsample']);
    expect(nodes(doc.blocks![1].forward)).toEqual([
      'conv1=conv1(input)',
      'bn1=bn1(conv1)',
      'relu=relu(bn1)',
      'conv2=conv2(relu)',
      'bn2=bn2(conv2)',
      'relu_1=relu(bn2)',
      'conv3=conv3(relu_1)',
      'bn3=bn3(conv3)',
      'add=add(bn3,input)',
      'relu_2=relu(add)',
    ]);
    const alex = read('alexnet');
    expect(nodes(alex.doc.forward)).toEqual([
      'features=features(input)',
      'avgpool=avgpool(features)',
      'flatten=Flatten(avgpool)',
      'classifier=classifier(flatten)',
    ]);
    expect(alex.notes.map((n) => n.message)).toEqual([
      "AlexNet: forward not shown by print(model): assumed to call features → avgpool → classifier in printed order, with torch.flatten(x, 1) before classifier (a Linear after a 4-D output; torchvision's forward does this and print(model) does not show it)",
    ]);
  });

  test("a block that is not torchvision's is assumed sequential, and says so", () => {
    const r = readModelRepr(
      'Net(\n  (b1): Stem(\n    (conv): Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))\n    (act): ReLU()\n  )\n  (b2): Stem(\n    (conv): Conv2d(8, 8, kernel_size=(3, 3), stride=(1, 1))\n    (act): ReLU()\n  )\n)',
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.doc.blocks).toEqual([
      {
        name: 'Stem',
        params: [{ name: 'in_channels' }],
        forward: {
          nodes: [
            { name: 'conv', call: 'conv', inputs: ['input'] },
            { name: 'act', call: 'act', inputs: ['conv'] },
          ],
          output: 'act',
        },
        modules: [
          {
            name: 'conv',
            layer: { type: 'Conv2d', in_channels: { arg: 'in_channels' }, out_channels: 8, kernel_size: 3 },
          },
          { name: 'act', layer: { type: 'ReLU' } },
        ],
      },
    ]);
    expect(r.notes.map((n) => n.message)).toContain(
      'b1, b2 (Stem): forward not shown by print(model): assumed to call conv → act in printed order',
    );
  });
});

describe('parseModelRepr reports problems with their line', () => {
  test('unknown layer', () => {
    expect(
      errorsOf(
        'Sequential(\n  (0): ReLU()\n  (1): Linear(in_features=2, out_features=2, bias=True)\n  (2): Conv3d(1, 2, kernel_size=(3, 3, 3))\n)',
      ),
    ).toEqual([{ line: 4, message: expect.stringMatching(/^unknown layer 'Conv3d'; Layerboard knows Conv2d, /) }]);
  });
  test('every problem, sorted by line', () => {
    const errs: { line: number; message: string }[] = errorsOf(
      'Sequential(\n  (a): Identity()\n  (b): Linear(in_features=0, out_features=2, bias=True)\n  (class): ReLU()\n  (d): ReLU(inplace=True\n)',
    );
    expect(errs.map((e) => e.line)).toEqual([2, 3, 4, 5]);
    expect(errs[1].message).toMatch(/^Linear: in_features must be a positive integer/);
    expect(errs[2].message).toBe("layer name 'class' is a Python keyword");
    expect(errs[3].message).toContain("got 'ReLU(inplace=True'");
  });
  test('blocks nested in blocks, and unknown leaf modules inside containers', () => {
    expect(errorsOf('Net(\n  (a): Outer(\n    (b): Inner(\n      (0): ReLU()\n    )\n  )\n)')).toEqual([
      { line: 3, message: 'a.b (Inner) inside a Outer: blocks nested in blocks are not read from print(model)' },
    ]);
    expect(errorsOf('Net(\n  (features): Sequential(\n    (0): Identity()\n  )\n)')[0]).toMatchObject({
      line: 3,
      message: expect.stringMatching(/^unknown layer 'Identity'/),
    });
  });
  test('modules nested 100,000 deep: an error naming the line, not a stack overflow', () => {
    const text = `${'Sequential(\n(0): '.repeat(100_000)}ReLU()\n${')\n'.repeat(100_000)}`;
    expect(errorsOf(text)).toEqual([{ line: 101, message: 'modules are nested more than 100 levels deep' }]);
  });
  test('unclosed and trailing text', () => {
    expect(errorsOf('Sequential(\n  (0): ReLU()')).toEqual([
      { line: 2, message: "Sequential( opened on line 1 is never closed with ')'" },
    ]);
    expect(errorsOf('Sequential(\n  (0): ReLU()\n)\nextra')).toEqual([
      { line: 4, message: "unexpected text after the end of the model: 'extra'" },
    ]);
  });
  test('not print(model) text at all', () => {
    expect(errorsOf('')).toEqual([{ line: 1, message: 'the text is empty; paste the output of print(model)' }]);
    expect(errorsOf('{"format": "layerboard-model"}')[0].line).toBe(1);
    expect(errorsOf('import os; os.system("x")')[0].message).toContain('expected a module');
  });
  test('unreadable keyword text and wrong positional counts', () => {
    expect(errorsOf('Sequential(\n  (0): Linear(in_features=2, out_features=2, bias=True, bias=False)\n)')[0]).toEqual({
      line: 2,
      message:
        "cannot read Linear(in_features=2, out_features=2, bias=True, bias=False): keyword 'bias' is given twice",
    });
    expect(errorsOf('Sequential(\n  (0): ReLU(1)\n)')[0]).toEqual({
      line: 2,
      message: 'ReLU takes no positional values, got 1',
    });
    expect(errorsOf('Sequential(\n  (0): Dropout(p=0.5, inplace=Flase)\n)')[0].message).toMatch(
      /^Dropout: inplace must be True or False/,
    );
    expect(errorsOf('Sequential(\n  (0): Dropout(p=0.5; inplace=False)\n)')).toEqual([
      { line: 2, message: "cannot read Dropout(p=0.5; inplace=False): cannot read '; inplace=False' at column 6" },
    ]);
  });
  test('names: a mix of index keys and names', () => {
    expect(errorsOf('Sequential(\n  (0): ReLU()\n  (fc): Linear(in_features=2, out_features=2, bias=True)\n)')).toEqual(
      [
        {
          line: 2,
          message:
            "layer name '0' starts with a digit; a Python identifier starts with a letter or _ (the model mixes index keys and names: name every layer)",
        },
      ],
    );
  });
});

describe('parseReprArgs', () => {
  test('values', () => {
    const a = parseReprArgs(
      "3, 32, kernel_size=(5, 5), eps=1e-05, momentum=None, affine=True, approximate='none', padding=same, dim=-1, x=inf",
    );
    expect(a.positional).toEqual([3, 32]);
    expect(Object.fromEntries(a.keywords)).toEqual({
      kernel_size: [5, 5],
      eps: 1e-5,
      momentum: null,
      affine: true,
      approximate: 'none',
      padding: new BareWord('same'),
      dim: -1,
      x: Infinity,
    });
  });
  test('errors name the column', () => {
    expect(() => parseReprArgs('a=1 b=2')).toThrow("expected ',' at column 5");
    expect(() => parseReprArgs('a=1, 2')).toThrow('a positional value follows keywords at column 6');
    expect(() => parseReprArgs('a=(1, 2')).toThrow("expected ',' or ')' in a tuple");
  });
});
