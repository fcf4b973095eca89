// Shape inference over graphs: the conformance graph shape cases, and the messages and
// fixes a user sees (add/cat arithmetic, shortcut Fix, missing Flatten, cycles, dangling).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { FlatGraph, FlatNode } from '../../src/core/model/flat-graph.ts';
import { graphShapeCase, inferGraphShapes } from '../../src/core/model/graph-shapes.ts';
import type { LayerSpec } from '../../src/core/model/types.ts';

interface CaseNode {
  name: string;
  layer?: LayerSpec;
  op?: 'add' | 'cat';
  dim?: number;
  inputs: string[];
}
interface Case {
  id: string;
  kind: string;
  input_shape: number[];
  graph?: { nodes: CaseNode[]; output: string };
  expect: { shapes?: number[][]; error_at?: number };
}

/** A conformance graph as the engine runs it: each layer node a module named by the node. */
function flat(g: { nodes: CaseNode[]; output: string }): FlatGraph {
  return {
    modules: g.nodes.flatMap((n) => (n.layer ? [{ path: n.name, layer: n.layer }] : [])),
    nodes: g.nodes.map((n): FlatNode =>
      n.layer
        ? { id: n.name, module: n.name, inputs: [n.inputs[0]] }
        : n.op === 'cat'
          ? { id: n.name, op: 'cat', dim: n.dim!, inputs: n.inputs }
          : { id: n.name, op: 'add', inputs: n.inputs },
    ),
    output: g.output,
  };
}

const GRAPH_CASES = new URL('../../../shared/conformance/graph.json', import.meta.url);
const cases = (JSON.parse(readFileSync(GRAPH_CASES, 'utf8')) as { cases: Case[] }).cases.filter(
  (c) => c.kind === 'shape' && c.graph,
);

describe('conformance graph shape cases (recorded from PyTorch)', () => {
  test.each(cases.map((c) => [c.id, c] as const))('%s', (_, c) => {
    expect(graphShapeCase(flat(c.graph!), c.input_shape)).toEqual(c.expect);
  });
});

const conv = (i: number, o: number, extra: Record<string, unknown> = {}): LayerSpec => ({
  type: 'Conv2d',
  in_channels: i,
  out_channels: o,
  kernel_size: 3,
  padding: 1,
  bias: false,
  ...extra,
});

/** A BasicBlock whose first conv downsamples (32→64, stride 2), with or without its shortcut. */
function block(shortcut: boolean): FlatGraph {
  const modules = [
    { path: 'conv1', layer: conv(32, 64, { stride: 2 }) },
    { path: 'bn1', layer: { type: 'BatchNorm2d', num_features: 64 } },
    { path: 'conv2', layer: conv(64, 64) },
    { path: 'bn2', layer: { type: 'BatchNorm2d', num_features: 64 } },
    ...(shortcut
      ? [
          {
            path: 'sc_conv',
            layer: { type: 'Conv2d', in_channels: 32, out_channels: 64, kernel_size: 1, stride: 2, bias: false },
          },
          { path: 'sc_bn', layer: { type: 'BatchNorm2d', num_features: 64 } },
        ]
      : []),
  ];
  const nodes: FlatNode[] = [
    { id: 'conv1', module: 'conv1', inputs: ['input'] },
    { id: 'bn1', module: 'bn1', inputs: ['conv1'] },
    { id: 'relu1', apply: { type: 'ReLU' }, inputs: ['bn1'] },
    { id: 'conv2', module: 'conv2', inputs: ['relu1'] },
    { id: 'bn2', module: 'bn2', inputs: ['conv2'] },
    ...(shortcut
      ? ([
          { id: 'sc_conv', module: 'sc_conv', inputs: ['input'] },
          { id: 'sc_bn', module: 'sc_bn', inputs: ['sc_conv'] },
        ] as FlatNode[])
      : []),
    { id: 'add', op: 'add', inputs: ['bn2', shortcut ? 'sc_bn' : 'input'] },
    { id: 'relu2', apply: { type: 'ReLU' }, inputs: ['add'] },
  ];
  return { modules, nodes, output: 'relu2' };
}

describe('messages and fixes', () => {
  test('an add whose shortcut is missing: the arithmetic, and a Fix that inserts a 1×1 Conv2d(stride=2) + BatchNorm2d shortcut', () => {
    const r = inferGraphShapes(block(false), [4, 32, 16, 16]);
    expect(r.error).toEqual({
      index: 5,
      node: 'add',
      message: 'add receives 64×8×8 from bn2 and 32×16×16 from input: channels 64 ≠ 32 and size 8 ≠ 16',
      fix: {
        node: 'add',
        label: 'insert a 1×1 Conv2d(32→64, stride=2) + BatchNorm2d shortcut on the input from input',
        insert: {
          input: 1,
          layers: [
            { type: 'Conv2d', in_channels: 32, out_channels: 64, kernel_size: 1, stride: 2, bias: false },
            { type: 'BatchNorm2d', num_features: 64 },
          ],
        },
      },
    });
    expect(r.shapes.slice(0, 5)).toEqual([
      [4, 64, 8, 8],
      [4, 64, 8, 8],
      [4, 64, 8, 8],
      [4, 64, 8, 8],
      [4, 64, 8, 8],
    ]);
  });
  test('with the shortcut every node runs, and the add shows its arithmetic', () => {
    const r = inferGraphShapes(block(true), [4, 32, 16, 16]);
    expect(r.error).toBeNull();
    expect(r.shapes.at(-1)).toEqual([4, 64, 8, 8]);
    expect(r.notes[r.ids.indexOf('add')]).toBe('add: 64×8×8 + 64×8×8 → 64×8×8');
  });
  test('cat shows its sum on the edge; a size mismatch names both inputs', () => {
    const branches: FlatGraph = {
      modules: [
        { path: 'a', layer: { type: 'Conv2d', in_channels: 3, out_channels: 3, kernel_size: 1 } },
        { path: 'b', layer: { type: 'Conv2d', in_channels: 3, out_channels: 2, kernel_size: 1 } },
      ],
      nodes: [
        { id: 'a', module: 'a', inputs: ['input'] },
        { id: 'b', module: 'b', inputs: ['input'] },
        { id: 'cat', op: 'cat', dim: 1, inputs: ['input', 'a', 'b'] },
      ],
      output: 'cat',
    };
    const r = inferGraphShapes(branches, [1, 3, 8, 8]);
    expect(r.notes[2]).toBe('cat along channels: 3 + 3 + 2 = 8');
    expect(r.shapes[2]).toEqual([1, 8, 8, 8]);
    branches.nodes.splice(1, 0, { id: 'pool', apply: { type: 'MaxPool2d', kernel_size: 2 }, inputs: ['input'] });
    (branches.nodes[3] as { inputs: string[] }).inputs = ['a', 'pool', 'b'];
    expect(inferGraphShapes(branches, [1, 3, 8, 8]).error).toMatchObject({
      index: 3,
      node: 'cat',
      message: 'cat along channels needs equal height and width: a gives 3×8×8, pool gives 3×4×4 (size 8 ≠ 4)',
    });
  });
  test('a Linear after a 4-D tensor offers "insert Flatten", named by node', () => {
    const g: FlatGraph = {
      modules: [
        { path: 'conv', layer: conv(3, 4) },
        { path: 'fc', layer: { type: 'Linear', in_features: 4, out_features: 2 } },
      ],
      nodes: [
        { id: 'conv', module: 'conv', inputs: ['input'] },
        { id: 'fc', module: 'fc', inputs: ['conv'] },
      ],
      output: 'fc',
    };
    expect(inferGraphShapes(g, [1, 3, 2, 2]).error).toEqual({
      index: 1,
      node: 'fc',
      field: 'in_features',
      message:
        "Linear(in_features=4) receives a 4-D 1×4×2×2 tensor from Conv2d 'conv': it would use only the last dim (2); flatten first (4×2×2 = 16 features)",
      fix: {
        node: 'fc',
        label: 'insert Flatten and set in_features = 16',
        set: { field: 'in_features', value: 16 },
        insert: { input: 0, layers: [{ type: 'Flatten' }] },
      },
    });
  });
  test('feature vectors that differ get a Linear projection fix', () => {
    const g: FlatGraph = {
      modules: [{ path: 'fc', layer: { type: 'Linear', in_features: 5, out_features: 3 } }],
      nodes: [
        { id: 'fc', module: 'fc', inputs: ['input'] },
        { id: 'sum', op: 'add', inputs: ['fc', 'input'] },
      ],
      output: 'sum',
    };
    expect(inferGraphShapes(g, [2, 5]).error).toMatchObject({
      message: 'add receives 3 from fc and 5 from input: features 3 ≠ 5',
      fix: { insert: { input: 1, layers: [{ type: 'Linear', in_features: 5, out_features: 3 }] } },
    });
  });
  test('broadcasting as PyTorch does it: a size-1 dim stretches', () => {
    const g: FlatGraph = {
      modules: [{ path: 'pool', layer: { type: 'AdaptiveAvgPool2d', output_size: 1 } }],
      nodes: [
        { id: 'pool', module: 'pool', inputs: ['input'] },
        { id: 'scaled', op: 'add', inputs: ['input', 'pool'] },
      ],
      output: 'scaled',
    };
    expect(inferGraphShapes(g, [2, 3, 4, 4]).shapes).toEqual([
      [2, 3, 1, 1],
      [2, 3, 4, 4],
    ]);
  });
  test('cycles, undefined inputs and dangling nodes are named by node', () => {
    const base = (): FlatGraph => ({
      modules: [
        { path: 'a', layer: { type: 'ReLU' } },
        { path: 'b', layer: { type: 'Tanh' } },
      ],
      nodes: [
        { id: 'a', module: 'a', inputs: ['input'] },
        { id: 'b', module: 'b', inputs: ['a'] },
      ],
      output: 'b',
    });
    const loop = base();
    loop.nodes[0] = { id: 'a', module: 'a', inputs: ['b'] };
    expect(inferGraphShapes(loop, [1, 4]).error).toEqual({
      index: 0,
      node: 'a',
      message: 'cycle: a → b → a; a forward graph cannot loop',
    });
    const missing = base();
    missing.nodes[1] = { id: 'b', module: 'b', inputs: ['x'] };
    expect(inferGraphShapes(missing, [1, 4]).error).toMatchObject({
      index: 1,
      node: 'b',
      message: "'b' takes 'x', which is not a node: connect its input",
    });
    const dangling = base();
    dangling.output = 'a';
    const r = inferGraphShapes(dangling, [1, 4]);
    expect(r.error).toEqual({
      index: 1,
      node: 'b',
      message: "'b' is dangling: its value never reaches the output 'a'; connect it or remove it",
    });
    expect(r.shapes[0]).toEqual([1, 4]);
  });
});
