// Python source → version-2 model document, read and never executed: the official
// tutorials' models exactly, block classes with arguments, and every statement that is not
// understood refused with its line.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { ForwardNode, ModelDocument } from '../../src/core/model/module-types.ts';
import { chainLayers } from '../../src/core/model/chain.ts';
import { TEMPLATES } from '../../src/core/model/templates.ts';
import { parseModelText } from '../../src/core/python/model-text.ts';
import { pythonSource } from '../../src/core/python/pytorch-export.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/pytorch-source/${name}`, import.meta.url), 'utf8');

function ok(src: string): { doc: ModelDocument; notes: string[] } {
  const r = parseModelText(src);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return { doc: r.doc, notes: r.notes.map((n) => n.message) };
}
function errors(src: string): { line: number; message: string }[] {
  const r = parseModelText(src);
  if (r.ok) throw new Error(`expected errors, got ${JSON.stringify(r.doc)}`);
  return r.errors;
}
/** `name=what(inputs)` per node: call → module name, apply → layer type, op → add/cat. */
const nodes = (ns: ForwardNode[]) =>
  ns.map((n) => `${n.name}=${'call' in n ? n.call : 'apply' in n ? n.apply.type : n.op}(${n.inputs.join(',')})`);

/** A class Net(nn.Module) around the given forward body (8-space indented lines). */
const net = (init: string[], forward: string[]) =>
  [
    'import torch',
    'import torch.nn as nn',
    'import torch.nn.functional as F',
    '',
    'class Net(nn.Module):',
    '    def __init__(self):',
    '        super().__init__()',
    ...init.map((l) => `        ${l}`),
    '',
    '    def forward(self, x):',
    ...forward.map((l) => `        ${l}`),
    '',
  ].join('\n');
/** Line of the first forward statement in net(init, forward). */
const forwardLine = (init: string[]) => 10 + init.length;

describe('the official tutorials import exactly', () => {
  test('CIFAR-10 tutorial Net: six modules, self.pool used twice, F.relu and torch.flatten as apply nodes', () => {
    const { doc, notes } = ok(fixture('cifar10-tutorial-net.py'));
    expect(doc.className).toBe('Net');
    expect(doc.input).toEqual([3, 32, 32]);
    expect(doc.modules).toEqual([
      { name: 'conv1', layer: { type: 'Conv2d', in_channels: 3, out_channels: 6, kernel_size: 5 } },
      { name: 'pool', layer: { type: 'MaxPool2d', kernel_size: 2, stride: 2 } },
      { name: 'conv2', layer: { type: 'Conv2d', in_channels: 6, out_channels: 16, kernel_size: 5 } },
      { name: 'fc1', layer: { type: 'Linear', in_features: 400, out_features: 120 } },
      { name: 'fc2', layer: { type: 'Linear', in_features: 120, out_features: 84 } },
      { name: 'fc3', layer: { type: 'Linear', in_features: 84, out_features: 10 } },
    ]);
    expect(nodes(doc.forward!.nodes)).toEqual([
      'conv1=conv1(input)',
      'relu=ReLU(conv1)',
      'pool=pool(relu)',
      'conv2=conv2(pool)',
      'relu_1=ReLU(conv2)',
      'pool_1=pool(relu_1)',
      'flatten=Flatten(pool_1)',
      'fc1=fc1(flatten)',
      'relu_2=ReLU(fc1)',
      'fc2=fc2(relu_2)',
      'relu_3=ReLU(fc2)',
      'fc3=fc3(relu_3)',
    ]);
    expect(doc.forward!.nodes.find((n) => n.name === 'flatten')).toMatchObject({
      apply: { type: 'Flatten', start_dim: 1 },
    });
    expect(doc.forward!.output).toBe('fc3');
    expect(notes).toContain("line 28 outside the model's classes is not part of the model and was not read");
    expect(notes.some((n) => n.startsWith('input shape guessed as 3×32×32'))).toBe(true);
  });

  test('quickstart NeuralNetwork: a Flatten module and a Sequential stack called in forward', () => {
    const { doc } = ok(fixture('quickstart-neural-network.py'));
    expect(doc.className).toBe('NeuralNetwork');
    expect(doc.input).toEqual([1, 28, 28]);
    expect(doc.modules).toEqual([
      { name: 'flatten', layer: { type: 'Flatten' } },
      {
        name: 'linear_relu_stack',
        sequential: [
          { name: '0', layer: { type: 'Linear', in_features: 784, out_features: 512 } },
          { name: '1', layer: { type: 'ReLU' } },
          { name: '2', layer: { type: 'Linear', in_features: 512, out_features: 512 } },
          { name: '3', layer: { type: 'ReLU' } },
          { name: '4', layer: { type: 'Linear', in_features: 512, out_features: 10 } },
        ],
      },
    ]);
    expect(doc.forward).toEqual({
      nodes: [
        { name: 'flatten', call: 'flatten', inputs: ['input'] },
        { name: 'linear_relu_stack', call: 'linear_relu_stack', inputs: ['flatten'] },
      ],
      output: 'linear_relu_stack',
    });
  });
});

describe('graphs and block classes', () => {
  test('BasicBlock used with its own arguments: params as ArgRefs, the residual add, cat, view flatten', () => {
    const { doc, notes } = ok(fixture('resnet-basic-block.py'));
    expect(doc.className).toBe('SmallResNet');
    expect(doc.blocks!.map((b) => [b.name, b.params])).toEqual([
      ['BasicBlock', [{ name: 'in_planes' }, { name: 'planes' }, { name: 'stride', default: 1 }]],
      ['DownBlock', [{ name: 'in_planes' }, { name: 'planes' }]],
    ]);
    const basic = doc.blocks![0];
    expect(basic.modules[0]).toEqual({
      name: 'conv1',
      layer: {
        type: 'Conv2d',
        in_channels: { arg: 'in_planes' },
        out_channels: { arg: 'planes' },
        kernel_size: 3,
        stride: { arg: 'stride' },
        padding: 1,
        bias: false,
      },
    });
    expect(nodes(basic.forward!.nodes)).toEqual([
      'conv1=conv1(input)',
      'bn1=bn1(conv1)',
      'relu=ReLU(bn1)',
      'conv2=conv2(relu)',
      'bn2=bn2(conv2)',
      'add=add(bn2,input)',
      'relu_1=ReLU(add)',
    ]);
    expect(nodes(doc.blocks![1].forward!.nodes).slice(5)).toEqual([
      'shortcut=shortcut(input)',
      'add=add(bn2,shortcut)',
      'relu_1=ReLU(add)',
    ]);
    expect(doc.modules[3]).toEqual({
      name: 'layer2',
      sequential: [
        { name: '0', block: 'DownBlock', args: { in_planes: 16, planes: 32 } },
        { name: '1', block: 'BasicBlock', args: { in_planes: 32, planes: 32 } },
      ],
    });
    expect(doc.modules[7]).toEqual({ name: 'linear', layer: { type: 'Linear', in_features: 16, out_features: 10 } });
    expect(nodes(doc.forward!.nodes).slice(5)).toEqual([
      'branch_a=branch_a(layer2)',
      'branch_b=branch_b(layer2)',
      'cat=cat(branch_a,branch_b)',
      'pool=pool(cat)',
      'flatten=Flatten(pool)',
      'linear=linear(flatten)',
    ]);
    expect(notes).toContain('SmallResNet is built with its defaults: num_classes=10');
  });

  test('a + b + c is one add of three; out += y adds; torch.cat((a, b), 1); x.flatten(1) and x.view(x.size(0), -1)', () => {
    const init = ['self.a = nn.Conv2d(3, 4, 1)', 'self.b = nn.Conv2d(3, 4, 1)', 'self.fc = nn.Linear(8 * 32 * 32, 2)'];
    const { doc } = ok(
      net(init, [
        'y = self.a(x)',
        'z = self.b(x)',
        's = y + z + y',
        's += z',
        'c = torch.cat((s, y), 1)',
        'c = c.flatten(1)',
        'return self.fc(c)',
      ]),
    );
    expect(nodes(doc.forward!.nodes)).toEqual([
      'a=a(input)',
      'b=b(input)',
      'add=add(a,b,a)',
      'add_1=add(add,b)',
      'cat=cat(add_1,a)',
      'flatten=Flatten(cat)',
      'fc=fc(flatten)',
    ]);
    const viewed = ok(
      net(init, ['y = torch.cat([self.a(x), self.b(x)], dim=1)', 'y = y.view(y.size(0), -1)', 'return self.fc(y)']),
    );
    expect(nodes(viewed.doc.forward!.nodes)).toEqual([
      'a=a(input)',
      'b=b(input)',
      'cat=cat(a,b)',
      'flatten=Flatten(cat)',
      'fc=fc(flatten)',
    ]);
  });

  test('functional forms with their arguments: F.max_pool2d(x, 2) and (x, 2, 2), torch.flatten(x) flattens the batch too', () => {
    const { doc } = ok(
      net(
        ['self.fc = nn.Linear(2, 2)'],
        [
          'x = F.max_pool2d(x, 2)',
          'x = F.max_pool2d(x, 3, 2, padding=1)',
          'x = F.leaky_relu(x, 0.2)',
          'x = F.softmax(torch.flatten(x), dim=0)',
          'return self.fc(x)',
        ],
      ),
    );
    expect(doc.forward!.nodes.slice(0, 5).map((n) => ('apply' in n ? n.apply : n))).toEqual([
      { type: 'MaxPool2d', kernel_size: 2 },
      { type: 'MaxPool2d', kernel_size: 3, stride: 2, padding: 1 },
      { type: 'LeakyReLU', negative_slope: 0.2 },
      { type: 'Flatten', start_dim: 0 },
      { type: 'Softmax', dim: 0 },
    ]);
  });

  test('the model is the module class no other uses: a weights class after it is noted, not taken', () => {
    const src = `${net(['self.fc = nn.Linear(4, 2)'], ['return self.fc(x)'])}\n\nclass Net_Weights(WeightsEnum):\n    DEFAULT = Weights(url='x')\n`;
    const { doc, notes } = ok(src);
    expect(doc.className).toBe('Net');
    expect(notes).toContain(
      'class Net_Weights is not used by Net and was not imported (the model is Net, the last class with a forward())',
    );
  });

  test("the seed's self.model = nn.Sequential(...) class is a chain, as version 1 read it", () => {
    const { doc } = ok(
      [
        'class BS(nn.Module):',
        '    def __init__(self):',
        '        super().__init__()',
        '        self.model = nn.Sequential(',
        '            nn.Conv2d(3, 32, 5, padding=2),',
        '            nn.MaxPool2d(2),',
        '            nn.Flatten(),',
        '            nn.Linear(8192, 10),',
        '        )',
        '',
        '    def forward(self, x):',
        '        return self.model(x)',
        '',
      ].join('\n'),
    );
    expect(doc.className).toBe('BS');
    expect(doc.forward).toBeNull();
    expect(doc.modules.map((m) => m.name)).toEqual(['0', '1', '2', '3']);
  });

  test('a top-level nn.Sequential (positional or OrderedDict) is a chain', () => {
    const named = ok(
      "from collections import OrderedDict\nmodel = nn.Sequential(OrderedDict([\n  ('conv1', nn.Conv2d(1,20,5)),\n  ('relu1', nn.ReLU()),\n]))\nprint(model)",
    );
    expect(named.doc).toMatchObject({
      forward: null,
      modules: [
        { name: 'conv1', layer: { type: 'Conv2d', in_channels: 1, out_channels: 20, kernel_size: 5 } },
        { name: 'relu1', layer: { type: 'ReLU' } },
      ],
    });
    expect(named.doc.className).toBeUndefined();
  });

  test('x.view(-1, K) is a flatten when each sample then holds K values, refused with its line otherwise', () => {
    const tutorial = fixture('cifar10-tutorial-net.py').replace('torch.flatten(x, 1)', 'x.view(-1, 16 * 5 * 5)');
    const viewed = ok(tutorial);
    expect(viewed.doc.forward!.nodes[6]).toEqual({
      name: 'flatten',
      apply: { type: 'Flatten', start_dim: 1 },
      inputs: ['pool_1'],
    });
    const wrongInput = parseModelText(tutorial, { input: [3, 36, 36] });
    expect(!wrongInput.ok && wrongInput.errors).toEqual([
      {
        line: 21,
        message:
          'x.view(-1, 400) is a flatten only if each sample holds 400 values, but here it holds 16×6×6 = 576 (input 3×36×36): PyTorch would mix samples across the batch. Write x.flatten(1), or check the input shape',
      },
    ]);
    const failsBefore = parseModelText(tutorial, { input: [3, 8, 8] });
    expect(!failsBefore.ok && failsBefore.errors[0]).toMatchObject({
      line: 21,
      message: expect.stringMatching(
        /^x\.view\(-1, 400\) cannot be checked: the shapes fail before it for input 3×8×8 \(conv2: Conv2d kernel 5×5 is larger than the padded input/,
      ),
    });
  });

  test('our own exported source reads back to the same model, for every template', () => {
    for (const t of TEMPLATES) {
      const { doc } = ok(pythonSource(t.doc));
      expect(doc.className).toBe(t.doc.className);
      expect(chainLayers(doc)).toEqual(chainLayers(t.doc));
    }
  });

  test('a registered module forward never calls is kept with a note; a hostile top level is only text', () => {
    const { doc, notes } = ok(net(['self.fc = nn.Linear(4, 2)', 'self.drop = nn.Dropout()'], ['return self.fc(x)']));
    expect(doc.modules.map((m) => m.name)).toEqual(['fc', 'drop']);
    expect(notes).toContain(
      'self.drop is registered in __init__ but forward() never calls it: it is kept (its parameters count, as in PyTorch)',
    );
    const hostile = ok(
      `import os\nos.system('rm -rf /')\n__import__('os').system('echo pwned')\nmodel = nn.Sequential(nn.ReLU())`,
    );
    expect(hostile.notes.some((n) => n.startsWith('lines 2, 3 outside'))).toBe(true);
  });
});

describe('what is not understood is refused with its line, never dropped', () => {
  const init = ['self.conv = nn.Conv2d(3, 4, 3)', 'self.fc = nn.Linear(4, 2)'];
  const L = forwardLine(init);
  test.each([
    ['x = x * 2', "'x * 2': only + is understood between tensors"],
    [
      'x = F.dropout(x, 0.5)',
      'F.dropout is not a function Layerboard understands (F.dropout needs training=self.training',
    ],
    ['x = F.relu6(x)', 'F.relu6 is not a function Layerboard understands'],
    ['x = self.conv2(x)', 'forward() calls self.conv2, which __init__ does not register as a module'],
    ['x = self.conv(y)', 'y is not defined before line'],
    ['x = x.view(-1, x.size(1))', 'is understood only as a flatten of each sample'],
    ['x = x[:, 0]', 'indexing (x[...]) is not understood'],
    ['a, b = x, x', 'unpacking several values is not understood'],
    ['x = self.conv(x, 2)', 'self.conv(...) takes exactly one tensor here, got 2 arguments'],
    ['print(x)', 'not understood in forward()'],
  ])('forward line %s', (stmt, message) => {
    const errs = errors(net(init, [stmt, 'return self.fc(x)']));
    expect(errs[0].line).toBe(L);
    expect(errs[0].message).toContain(message);
  });

  test('control flow, unused values, a missing or trivial return, code after return', () => {
    expect(errors(net(init, ['if x.sum() > 0:', '    x = self.conv(x)', 'return self.fc(x)']))[0]).toMatchObject({
      line: L,
      message: expect.stringContaining('if blocks are not understood in forward()'),
    });
    expect(errors(net(init, ['y = self.conv(x)', 'return self.fc(x)']))[0]).toMatchObject({
      line: L,
      message: 'the value computed here (conv) is never used by what forward() returns',
    });
    expect(errors(net(init, ['x = self.conv(x)']))[0]).toMatchObject({
      line: L,
      message: expect.stringContaining('forward() has no return statement'),
    });
    expect(errors(net(init, ['return x']))[0]).toMatchObject({
      line: L,
      message: 'forward() returns its input unchanged',
    });
    expect(errors(net(init, ['return self.fc(x)', 'x = self.conv(x)']))[0]).toMatchObject({
      line: L + 1,
      message: expect.stringContaining('comes after return on line'),
    });
    expect(errors(net(init, ['return (self.fc(x), x)']))[0].message).toContain('a tuple is not a tensor');
  });

  test('__init__: anything but self.<name> = <module> is refused; _make_layer and ModuleList are named', () => {
    const at = (extra: string) => errors(net([...init, extra], ['return self.fc(self.conv(x))']));
    expect(at('self.inplanes = 64')[0]).toMatchObject({
      line: 10,
      message: expect.stringContaining('self.inplanes = 64: only submodules are read in __init__'),
    });
    expect(at('self.layer1 = self._make_layer(64, 2)')[0].message).toContain(
      'a method call cannot be read without running the code',
    );
    const tip = parseModelText(
      net([...init, 'self.layer1 = self._make_layer(64, 2)'], ['return self.fc(self.conv(x))']),
    ).notes.map((n) => n.message);
    expect(
      tip.some(
        (m) =>
          m.startsWith('code that needs running to know its modules') && m.includes('paste what print(model) shows'),
      ),
    ).toBe(true);
    expect(at('self.blocks = nn.ModuleList([nn.ReLU()])')[0].message).toContain('nn.ModuleList is not supported');
    expect(at('for i in range(3):')[0].message).toContain('expected an indented block');
    expect(at('self.conv = nn.Conv2d(4, 4, 3)')[0].message).toBe('self.conv is assigned twice');
    expect(at('self.c3 = nn.Conv3d(1, 2, 3)')[0].message).toMatch(/^nn\.Conv3d is not a layer Layerboard knows/);
    expect(at('self.c4 = nn.Conv2d(3, 6, 5, groups=4)')[0].message).toMatch(/^Conv2d: groups must divide in_channels/);
    expect(at('self.c5 = nn.Linear(10, 4, bias=maybe)')[0].message).toContain('maybe is not a constant value');
  });

  test('a block instance whose arguments make a layer invalid is named at the line that builds it', () => {
    const bad = errors(fixture('resnet-basic-block.py').replace('BasicBlock(32, 32))', 'BasicBlock(32, 0))'));
    expect(bad[0]).toEqual({
      line: 49,
      message:
        'the imported model is not valid: modules[3].sequential[1]: BasicBlock(in_planes=32, planes=0, stride=1) → layer2.1.conv1.out_channels: must be a positive integer, got 0',
    });
  });

  test('unbalanced brackets and strings name their line', () => {
    expect(errors('model = nn.Sequential(\n  nn.ReLU(),\n  nn.Linear(2, 3\n)\n')[0]).toEqual({
      line: 1,
      message: "'(' opened on line 1 is never closed",
    });
    expect(errors('model = nn.Sequential(nn.ReLU()))\n')[0]).toEqual({
      line: 1,
      message: "unmatched ')': no bracket is open here",
    });
    expect(errors('x = [1, 2)\n')[0]).toEqual({ line: 1, message: "')' does not match '[' opened on line 1" });
    expect(errors("model = nn.Sequential(nn.ReLU(), 'oops)")[0]).toEqual({ line: 1, message: 'unterminated string' });
    expect(errors('x = 1\nprint(x)')[0].message).toMatch(/^no model found/);
  });

  test('100,000 nested parentheses and a 100,000-term sum are errors, not stack overflows', () => {
    const deep = `model = nn.Sequential(${'('.repeat(100_000)}nn.ReLU()${')'.repeat(100_000)})`;
    expect(errors(deep)[0]).toEqual({ line: 1, message: 'brackets or calls are nested more than 100 levels deep' });
    expect(errors(`model = nn.Sequential(${'('.repeat(100_000)}`)[0].message).toContain(
      'is never closed (100001 brackets are still open at the end)',
    );
    const sum = errors(net(init, [`x = ${Array(100_000).fill('x').join(' + ')}`, 'return self.fc(x)']));
    expect(sum[0].message).toContain('more than 1000 operators');
    // 100,001 minus signs are read in a loop: -1, refused as a size (Python reads the same).
    const signs = errors(`model = nn.Sequential(nn.Linear(${'-'.repeat(100_001)}1, 2))`);
    expect(signs[0].message).toMatch(/^Linear: in_features .*-1/);
  });
});
