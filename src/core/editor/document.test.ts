import { describe, expect, test } from 'vitest';
import { TEMPLATES } from '../model/templates.ts';
import { analyze } from './analysis.ts';
import { documentFromGraph, graphFromDocument } from './document.ts';
import * as G from './graph-model.ts';
import { groupAsBlock } from './group.ts';
import { layoutGraph } from './layout.ts';

const template = (id: string) => graphFromDocument(TEMPLATES.find((t) => t.id === id)!.doc);

/** input → conv1(s=2) → bn1 → relu → conv2 → bn2 → add ← bn_s ← conv_s(1×1, s=2) ← input: a BasicBlock with a downsampling shortcut. */
export function basicBlock(shortcut = true): G.EditorGraph {
  let g: G.EditorGraph = {
    input: [32, 16, 16],
    nodes: [{ id: G.INPUT_ID, kind: 'input', position: { x: 0, y: 0 } }],
    edges: [],
  };
  const add = (layer: G.EditorNodeBody, after: string) => {
    const r = G.addNode(g, layer, { x: 0, y: 0 }, { after });
    g = r.graph;
    return r.id;
  };
  const conv1 = add(
    {
      kind: 'layer',
      layer: { type: 'Conv2d', in_channels: 32, out_channels: 64, kernel_size: 3, stride: 2, padding: 1, bias: false },
    },
    G.INPUT_ID,
  );
  const bn1 = add({ kind: 'layer', layer: { type: 'BatchNorm2d', num_features: 64 } }, conv1);
  const relu = add({ kind: 'layer', layer: { type: 'ReLU' } }, bn1);
  const conv2 = add(
    {
      kind: 'layer',
      layer: { type: 'Conv2d', in_channels: 64, out_channels: 64, kernel_size: 3, padding: 1, bias: false },
    },
    relu,
  );
  const bn2 = add({ kind: 'layer', layer: { type: 'BatchNorm2d', num_features: 64 } }, conv2);
  const sum = add({ kind: 'add' }, bn2);
  if (shortcut) {
    const cs = add(
      {
        kind: 'layer',
        layer: { type: 'Conv2d', in_channels: 32, out_channels: 64, kernel_size: 1, stride: 2, bias: false },
      },
      G.INPUT_ID,
    );
    const bs = add({ kind: 'layer', layer: { type: 'BatchNorm2d', num_features: 64 } }, cs);
    g = G.connect(g, bs, sum);
  } else {
    g = G.connect(g, G.INPUT_ID, sum);
  }
  add({ kind: 'layer', layer: { type: 'ReLU' } }, sum);
  return g;
}

describe('editor graph ↔ document', () => {
  test('a chain is an nn.Sequential document (forward null), named 0, 1, … like version 1', () => {
    const { doc } = documentFromGraph(template('cifar10-bs'));
    expect(doc.forward).toBeNull();
    expect(doc.modules.map((m) => m.name)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8']);
    expect(doc.modules).toEqual(TEMPLATES[0].doc.modules);
  });

  test('an OrderedDict chain keeps its names', () => {
    expect(documentFromGraph(template('seed-conv-relu')).doc.modules.map((m) => m.name)).toEqual([
      'conv1',
      'relu1',
      'conv2',
      'relu2',
    ]);
  });

  test('a residual block is a module with forward: modules in forward order, add of both paths', () => {
    const { doc } = documentFromGraph(basicBlock());
    expect(doc.modules.map((m) => m.name)).toEqual([
      'conv1',
      'batchnorm1',
      'relu1',
      'conv2',
      'batchnorm2',
      'conv3',
      'batchnorm3',
      'relu2',
    ]);
    expect(doc.forward!.nodes.find((n) => n.name === 'add1')).toEqual({
      name: 'add1',
      op: 'add',
      inputs: ['batchnorm2', 'batchnorm3'],
    });
    expect(doc.forward!.output).toBe('relu2');
  });

  test('graph → document → graph → document is stable, positions included', () => {
    const g = layoutGraph(basicBlock());
    const first = documentFromGraph(g).doc;
    const again = graphFromDocument(first);
    expect(documentFromGraph(again).doc).toEqual(first);
    expect(again.nodes.find((n) => n.name === 'add1')!.position).toEqual(
      g.nodes.find((n) => n.kind === 'add')!.position,
    );
    const chain = documentFromGraph(template('cifar10-bs')).doc;
    expect(documentFromGraph(graphFromDocument(chain)).doc).toEqual(chain);
  });

  test('a block class and its instances survive the round trip', () => {
    const g = basicBlock();
    const ids = g.nodes
      .filter(
        (n) =>
          n.kind !== 'input' &&
          !(
            n.kind === 'layer' &&
            n.layer.type === 'ReLU' &&
            g.edges.some((e) => e.target === n.id && g.nodes.find((x) => x.id === e.source)?.kind === 'add')
          ),
      )
      .map((n) => n.id);
    const grouped = groupAsBlock(g, ids);
    if (!grouped.ok) throw new Error(grouped.message);
    const doc = documentFromGraph(grouped.graph).doc;
    expect(doc.blocks!.map((b) => b.name)).toEqual(['Block1']);
    expect(documentFromGraph(graphFromDocument(doc)).doc).toEqual(doc);
  });
});

describe('layout', () => {
  test('a chain is one column, top to bottom', () => {
    const g = layoutGraph(template('cifar10-bs'));
    expect(new Set(g.nodes.map((n) => n.position.x))).toEqual(new Set([G.CHAIN_X]));
    const ys = [G.INPUT_ID, ...G.chainFrom(g)].map((id) => g.nodes.find((n) => n.id === id)!.position.y);
    expect(ys).toEqual([...ys].sort((a, b) => a - b));
  });

  test('a residual block draws the shortcut beside the main path, next to the add', () => {
    const g = layoutGraph(basicBlock());
    const at = (pred: (n: G.EditorNode) => boolean) => g.nodes.filter(pred).map((n) => n.position);
    const [conv1, , shortcut] = at((n) => n.kind === 'layer' && n.layer.type === 'Conv2d');
    const add = at((n) => n.kind === 'add')[0];
    const bns = at((n) => n.kind === 'layer' && n.layer.type === 'BatchNorm2d');
    expect(shortcut.x).not.toBe(conv1.x);
    // The shortcut's BatchNorm sits on the row just above the add, like bn2.
    expect(bns[2].y).toBe(bns[1].y);
    expect(add.y).toBeGreaterThan(bns[1].y);
    // Nothing overlaps: distinct (x, y) for every node.
    expect(new Set(g.nodes.map((n) => `${n.position.x},${n.position.y}`)).size).toBe(g.nodes.length);
  });
});

describe('graph shapes', () => {
  test('the add shows both shapes; removing the shortcut gives the arithmetic and a Fix that makes it clean', () => {
    const ok = analyze(basicBlock());
    expect(ok.problems).toEqual([]);
    const addId = basicBlock().nodes.find((n) => n.kind === 'add')!.id;
    expect(ok.nodes.get(addId)!.outShape).toEqual([1, 64, 8, 8]);
    const g = basicBlock(false);
    const broken = analyze(g);
    const info = broken.nodes.get(addId)!;
    expect(info.shapeError!.message).toBe(
      'add receives 64×8×8 from batchnorm2 and 32×16×16 from input: channels 64 ≠ 32 and size 8 ≠ 16',
    );
    expect(info.shapeError!.fix).toMatchObject({ insert: { input: 1 } });
    expect(info.shapeError!.fix!.label).toMatch(/1×1 Conv2d.*stride=2.*BatchNorm2d/);
    const fix = info.shapeError!.fix!;
    const fixed = G.insertOnEdge(g, G.INPUT_ID, addId, fix.insert!.layers, { x: 300, y: 0 }, 100).graph;
    expect(analyze(fixed).problems).toEqual([]);
    expect(analyze(fixed).outShape).toEqual([1, 64, 8, 8]);
  });

  test('cat along channels sums them and says so', () => {
    let g: G.EditorGraph = {
      input: [3, 8, 8],
      nodes: [{ id: G.INPUT_ID, kind: 'input', position: { x: 0, y: 0 } }],
      edges: [],
    };
    const conv = (out: number) => {
      const r = G.addNode(
        g,
        { kind: 'layer', layer: { type: 'Conv2d', in_channels: 3, out_channels: out, kernel_size: 1 } },
        { x: 0, y: 0 },
        { after: G.INPUT_ID },
      );
      g = r.graph;
      return r.id;
    };
    const a = conv(3);
    const b = conv(3);
    const c = conv(2);
    const r = G.addNode(g, { kind: 'cat', dim: 1 }, { x: 0, y: 0 }, { after: a });
    g = G.connect(G.connect(r.graph, b, r.id), c, r.id);
    const info = analyze(g).nodes.get(r.id)!;
    expect(info.note).toBe('cat along channels: 3 + 3 + 2 = 8');
    expect(info.outShape).toEqual([1, 8, 8, 8]);
  });

  test('structure errors name blocks: an add with one input, a cycle', () => {
    const g = G.removeElements(
      basicBlock(),
      [],
      basicBlock()
        .edges.filter((e) => basicBlock().nodes.find((n) => n.id === e.target)?.kind === 'add')
        .slice(1)
        .map((e) => e.id),
    );
    expect(analyze(g).problems[0].message).toBe(
      'add1 joins tensors but receives only one (from BatchNorm2d batchnorm2): connect a second input',
    );
    const base = basicBlock();
    const relus = base.nodes.filter((n) => n.kind === 'layer' && n.layer.type === 'ReLU');
    const looped = analyze(
      G.connect(base, relus[1].id, base.nodes.find((n) => n.kind === 'layer' && n.layer.type === 'Conv2d')!.id),
    );
    expect(looped.problems[0].message).toMatch(
      /^cycle through Conv2d conv2 → BatchNorm2d batchnorm2 → .* → add1 → ReLU relu2: forward runs each block after its inputs/,
    );
  });
});

describe('documents with block classes (torchvision style)', () => {
  const block: import('../model/module-types.ts').BlockDef = {
    name: 'BasicBlock',
    params: [{ name: 'in_planes' }, { name: 'planes' }, { name: 'stride', default: 1 }],
    modules: [
      {
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
      },
      { name: 'bn1', layer: { type: 'BatchNorm2d', num_features: { arg: 'planes' } } },
      {
        name: 'conv2',
        layer: {
          type: 'Conv2d',
          in_channels: { arg: 'planes' },
          out_channels: { arg: 'planes' },
          kernel_size: 3,
          padding: 1,
          bias: false,
        },
      },
      { name: 'bn2', layer: { type: 'BatchNorm2d', num_features: { arg: 'planes' } } },
      {
        name: 'short',
        layer: {
          type: 'Conv2d',
          in_channels: { arg: 'in_planes' },
          out_channels: { arg: 'planes' },
          kernel_size: 1,
          stride: { arg: 'stride' },
          bias: false,
        },
      },
    ],
    forward: {
      nodes: [
        { name: 'conv1', call: 'conv1', inputs: ['input'] },
        { name: 'bn1', call: 'bn1', inputs: ['conv1'] },
        { name: 'relu', apply: { type: 'ReLU' }, inputs: ['bn1'] },
        { name: 'conv2', call: 'conv2', inputs: ['relu'] },
        { name: 'bn2', call: 'bn2', inputs: ['conv2'] },
        { name: 'short', call: 'short', inputs: ['input'] },
        { name: 'add', op: 'add', inputs: ['bn2', 'short'] },
      ],
      output: 'add',
    },
  };
  const doc: import('../model/module-types.ts').ModelDocument = {
    format: 'layerboard-model',
    version: 2,
    input: [3, 32, 32],
    blocks: [block],
    forward: null,
    modules: [
      { name: 'stem', layer: { type: 'Conv2d', in_channels: 3, out_channels: 16, kernel_size: 3, padding: 1 } },
      {
        name: 'layer1',
        sequential: [
          { name: '0', block: 'BasicBlock', args: { in_planes: 16, planes: 32, stride: 2 } },
          { name: '1', block: 'BasicBlock', args: { in_planes: 32, planes: 32 } },
        ],
      },
    ],
  };

  test('a Sequential of blocks is one collapsed node; shapes and parameters come through the arguments', () => {
    const g = graphFromDocument(doc);
    expect(g.nodes.map((n) => n.kind)).toEqual(['input', 'layer', 'module']);
    const a = analyze(g);
    expect(a.problems).toEqual([]);
    expect(a.outShape).toEqual([1, 32, 16, 16]);
    const layer1 = a.nodes.get('n2')!;
    // block 0: 16·32·9 + 64 + 32·32·9 + 64 + 16·32 = 14,464; block 1: 9,216 + 64 + 9,216 + 64 + 1,024 = 19,584.
    expect(layer1.params).toBe(14464 + 19584);
    expect(documentFromGraph(g).doc.modules).toEqual(doc.modules);
  });

  test('a wrong argument names the block and the layer inside it', () => {
    const bad = structuredClone(doc);
    (bad.modules[1] as { sequential: { args: Record<string, number> }[] }).sequential[1].args.in_planes = 16;
    const a = analyze(graphFromDocument(bad));
    // Found inside the Sequential's second block, reported on the layer1 node.
    expect(a.problems[0]).toMatchObject({ nodeId: 'n2' });
    expect(a.problems[0].message).toBe(
      "Conv2d(in_channels=16) receives 32 channels (input 1×32×16×16) from add 'layer1.0.add'",
    );
  });
});

describe('imported models in the editor', () => {
  test('the CIFAR-10 tutorial Net (self.pool used twice, F.relu, torch.flatten) opens, checks and converts back unchanged', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseModelText } = await import('../python/model-text.ts');
    const source = readFileSync(
      new URL('../../../test/fixtures/pytorch-source/cifar10-tutorial-net.py', import.meta.url),
      'utf8',
    );
    const imported = parseModelText(source, { input: [3, 32, 32] });
    if (!imported.ok) throw new Error(JSON.stringify(imported.errors));
    const g = graphFromDocument(imported.doc);
    const a = analyze(g);
    expect(a.problems).toEqual([]);
    expect(a.outShape).toEqual([1, 10]);
    // One pool module, called twice.
    expect(a.doc.modules.map((m) => m.name)).toEqual(imported.doc.modules.map((m) => m.name));
    expect(a.doc.modules).toEqual(imported.doc.modules);
    expect(a.doc.forward!.nodes.filter((n) => 'call' in n && n.call === 'pool')).toHaveLength(2);
  });
});

describe('the graph templates in the editor', () => {
  test.each(['cifar10-resnet20', 'cifar10-inception', 'mnist-resnet'])(
    '%s opens with every shape, no problem, and converts back to the same modules',
    (id) => {
      const t = TEMPLATES.find((x) => x.id === id)!;
      const a = analyze(graphFromDocument(t.doc));
      expect(a.problems).toEqual([]);
      expect(a.outShape).toEqual([1, 10]);
      expect(a.doc.modules).toEqual(t.doc.modules);
      expect(a.doc.blocks).toEqual(t.doc.blocks);
    },
  );

  test('BS stays the first template', () => {
    expect(TEMPLATES[0].id).toBe('cifar10-bs');
  });
});
