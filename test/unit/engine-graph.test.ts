// The engine's Model over forward graphs: finite-difference gradients through add (with
// broadcasting), cat (any dim), values used several times, the same input twice, shared
// modules and functional nodes; chains equal Sequential; registration-order init and
// state_dict names; buffers reused step to step; bad graphs refused by name.
import { describe, expect, test } from 'vitest';
import type { FlatGraph, FlatNode } from '../../src/core/model/flat-graph.ts';
import type { LayerSpec } from '../../src/core/model/types.ts';
import { Model } from '../../src/engine/model.ts';
import { chainGraph, Sequential } from '../../src/engine/sequential.ts';
import { gradcheckModel, randn, spaced } from './helpers/gradcheck.ts';

const lin = (i: number, o: number, bias = true): LayerSpec => ({
  type: 'Linear',
  in_features: i,
  out_features: o,
  bias,
});
const conv = (i: number, o: number, k: number, extra: Record<string, unknown> = {}): LayerSpec => ({
  type: 'Conv2d',
  in_channels: i,
  out_channels: o,
  kernel_size: k,
  ...extra,
});
const call = (id: string, module: string, input: string): FlatNode => ({ id, module, inputs: [input] });
const apply = (id: string, layer: LayerSpec, input: string): FlatNode => ({ id, apply: layer, inputs: [input] });
const add = (id: string, ...inputs: string[]): FlatNode => ({ id, op: 'add', inputs });
const cat = (id: string, dim: number, ...inputs: string[]): FlatNode => ({ id, op: 'cat', dim, inputs });
const graph = (modules: [string, LayerSpec][], nodes: FlatNode[], output = nodes[nodes.length - 1].id): FlatGraph => ({
  modules: modules.map(([path, layer]) => ({ path, layer })),
  nodes,
  output,
});
const check = (g: FlatGraph, shape: number[], o: Parameters<typeof gradcheckModel>[2] = {}) =>
  gradcheckModel(new Model(g, { seed: 3 }), shape, o);

describe('graph gradients (finite differences)', () => {
  test('residual add: conv → tanh → conv, plus the input', () =>
    check(
      graph(
        [
          ['c1', conv(2, 2, 3, { padding: 1 })],
          ['c2', conv(2, 2, 3, { padding: 1 })],
        ],
        [
          call('c1', 'c1', 'input'),
          apply('t', { type: 'Tanh' }, 'c1'),
          call('c2', 'c2', 't'),
          add('sum', 'c2', 'input'),
        ],
      ),
      [2, 2, 4, 4],
    ));
  test('downsampling shortcut: 1×1 stride-2 conv + BatchNorm on the skip path (train mode)', () =>
    check(
      graph(
        [
          ['a', conv(2, 3, 3, { stride: 2, padding: 1 })],
          ['bn', { type: 'BatchNorm2d', num_features: 3 }],
          ['down', conv(2, 3, 1, { stride: 2 })],
        ],
        [
          call('a', 'a', 'input'),
          call('bn', 'bn', 'a'),
          call('down', 'down', 'input'),
          add('sum', 'bn', 'down'),
          apply('out', { type: 'Tanh' }, 'sum'),
        ],
      ),
      [2, 2, 5, 5],
    ));
  test('add broadcasting [N, C, H, W] + [N, C, 1, 1] (a pooled gate)', () =>
    check(
      graph(
        [
          ['c', conv(3, 3, 1)],
          ['g', conv(3, 3, 1)],
        ],
        [
          call('c', 'c', 'input'),
          apply('pool', { type: 'AdaptiveAvgPool2d', output_size: 1 }, 'c'),
          call('g', 'g', 'pool'),
          add('sum', 'c', 'g'),
        ],
      ),
      [2, 3, 3, 4],
    ));
  test('add broadcasting across ranks: [3, 5] + [1, 3, 5]', () =>
    check(
      graph(
        [['fc', lin(5, 5)]],
        [
          apply('flat', { type: 'Flatten', start_dim: 0, end_dim: 1 }, 'input'),
          call('fc', 'fc', 'input'),
          add('sum', 'flat', 'fc'),
        ],
      ),
      [1, 3, 5],
    ));
  test('add of three values, one produced by a stretched [N, 1] Linear', () =>
    check(
      graph(
        [
          ['a', lin(4, 4)],
          ['b', lin(4, 1)],
        ],
        [call('a', 'a', 'input'), call('b', 'b', 'input'), add('sum', 'a', 'b', 'input')],
      ),
      [3, 4],
    ));
  for (const dim of [0, 1, 2, 3, -1, -3]) {
    test(`cat along dim ${dim}`, () =>
      check(
        graph(
          [
            ['a', conv(2, 2, 3, { padding: 1 })],
            ['b', conv(2, 2, 1)],
          ],
          [
            call('a', 'a', 'input'),
            call('b', 'b', 'input'),
            apply('t', { type: 'Tanh' }, 'b'),
            cat('cat', dim, 'a', 't', 'input'),
          ],
        ),
        [2, 2, 3, 3],
      ));
  }
  test('a value used by three nodes gets the sum of their gradients', () =>
    check(
      graph(
        [
          ['l1', lin(4, 4)],
          ['out', lin(4, 2)],
        ],
        [
          call('l1', 'l1', 'input'),
          apply('t', { type: 'Tanh' }, 'l1'),
          apply('s', { type: 'Sigmoid' }, 'l1'),
          add('sum', 'l1', 't', 's'),
          call('out', 'out', 'sum'),
        ],
      ),
      [3, 4],
    ));
  test('the same input twice: add(input, input) and cat([x, x])', () =>
    check(
      graph(
        [['fc', lin(6, 2)]],
        [
          add('double', 'input', 'input'),
          cat('pair', 1, 'double', 'double'),
          apply('t', { type: 'Tanh' }, 'pair'),
          call('fc', 'fc', 't'),
        ],
      ),
      [2, 3],
    ));
  test('a Linear called twice shares its weights and sums their gradients', () =>
    check(
      graph([['fc', lin(4, 4)]], [call('a', 'fc', 'input'), apply('t', { type: 'Tanh' }, 'a'), call('b', 'fc', 't')]),
      [3, 4],
    ));
  test('a Conv2d called on two branches, joined by cat', () =>
    check(
      graph(
        [
          ['c', conv(2, 2, 3, { padding: 1 })],
          ['pre', conv(2, 2, 1)],
        ],
        [call('x1', 'c', 'input'), call('pre', 'pre', 'input'), call('x2', 'c', 'pre'), cat('cat', 1, 'x1', 'x2')],
      ),
      [2, 2, 4, 4],
    ));
  test('a BatchNorm1d called twice in train mode (batch statistics per call)', () =>
    check(
      graph(
        [
          ['fc', lin(3, 3)],
          ['bn', { type: 'BatchNorm1d', num_features: 3 }],
        ],
        [call('a', 'bn', 'input'), call('f', 'fc', 'a'), call('b', 'bn', 'f'), apply('t', { type: 'Tanh' }, 'b')],
      ),
      [5, 3],
    ));
  test('functional nodes: avg pool and flatten between registered layers', () =>
    check(
      graph(
        [
          ['c', conv(1, 2, 3, { padding: 1 })],
          ['fc', lin(8, 3)],
        ],
        [
          call('c', 'c', 'input'),
          apply('p', { type: 'AvgPool2d', kernel_size: 2 }, 'c'),
          apply('f', { type: 'Flatten' }, 'p'),
          call('fc', 'fc', 'f'),
        ],
      ),
      [2, 1, 4, 4],
      { input: spaced([2, 1, 4, 4]) },
    ));
});

describe('one model for chains and graphs', () => {
  const layers: LayerSpec[] = [
    conv(3, 4, 3),
    { type: 'BatchNorm2d', num_features: 4 },
    { type: 'ReLU' },
    { type: 'Flatten' },
    lin(64, 5),
  ];
  test('a chain as a graph initializes, runs and names exactly as Sequential', () => {
    const seq = new Sequential(layers, { seed: 7 }),
      model = new Model(chainGraph(layers), { seed: 7 });
    expect(Object.keys(model.stateDict())).toEqual([
      '0.weight',
      '0.bias',
      '1.weight',
      '1.bias',
      '1.running_mean',
      '1.running_var',
      '1.num_batches_tracked',
      '4.weight',
      '4.bias',
    ]);
    expect(model.stateDict()).toEqual(seq.stateDict());
    const x = randn([2, 3, 6, 6]);
    expect(model.forward(x)).toEqual(seq.forward(x));
    const g = randn([2, 5]);
    expect(model.backward(g)).toEqual(seq.backward(g));
  });
  test('init draws from the RNG in registration order, not call order; nested paths name the state_dict', () => {
    // called in the reverse order of registration: the weights are still those of the registration order
    const g = graph(
      [
        ['layer1.0.conv1', conv(2, 2, 1)],
        ['layer1.0.downsample.0', conv(2, 2, 1)],
      ],
      [call('d', 'layer1.0.downsample.0', 'input'), call('c', 'layer1.0.conv1', 'd')],
    );
    const model = new Model(g, { seed: 4 }),
      seq = new Sequential([conv(2, 2, 1), conv(2, 2, 1)], { seed: 4 });
    expect(Object.keys(model.stateDict())).toEqual([
      'layer1.0.conv1.weight',
      'layer1.0.conv1.bias',
      'layer1.0.downsample.0.weight',
      'layer1.0.downsample.0.bias',
    ]);
    expect(Object.values(model.stateDict())).toEqual(Object.values(seq.stateDict()));
  });
  test('a shared module has one state_dict entry per tensor and a BatchNorm called twice counts two batches', () => {
    const model = new Model(
      graph([['bn', { type: 'BatchNorm1d', num_features: 2 }]], [call('a', 'bn', 'input'), call('b', 'bn', 'a')]),
    );
    expect(model.parameters().map((p) => p.name)).toEqual(['bn.weight', 'bn.bias']);
    model.forward(randn([4, 2]));
    expect(model.stateDict()['bn.num_batches_tracked'].data[0]).toBe(2);
  });
  test('steps reuse their buffers: the same output and gradient buffers every step', () => {
    const model = new Model(
      graph(
        [
          ['a', lin(4, 4)],
          ['b', lin(4, 4)],
        ],
        [call('a', 'a', 'input'), call('b', 'b', 'input'), add('s', 'a', 'b', 'input'), cat('c', 1, 's', 'a')],
      ),
    );
    const x = randn([3, 4]),
      g = randn([3, 8]);
    const y1 = model.forwardView(x);
    model.backwardParams(g);
    const grads1 = model.parameters().map((p) => p.grad!.data);
    const y2 = model.forwardView(x);
    model.backwardParams(g);
    expect(y2).toBe(y1);
    expect(model.parameters().map((p) => p.grad!.data)).toEqual(grads1);
    model.parameters().forEach((p, i) => expect(p.grad!.data).toBe(grads1[i]));
  });
  test('a node off the path to the output runs forward and gets no gradient', () => {
    const model = new Model(
      graph(
        [
          ['fc', lin(2, 2)],
          ['aux', { type: 'BatchNorm1d', num_features: 2 }],
        ],
        [call('fc', 'fc', 'input'), call('aux', 'aux', 'fc')],
        'fc',
      ),
    );
    model.forward(randn([3, 2]));
    model.backward(randn([3, 2]));
    expect(model.stateDict()['aux.num_batches_tracked'].data[0]).toBe(1);
    expect(model.parameters().find((p) => p.name === 'aux.weight')!.grad).toBeNull();
  });
});

describe('bad graphs and inputs are refused by name', () => {
  test('construction', () => {
    expect(() => new Model(graph([], [add('s', 'input', 'nope')]))).toThrow(
      "s: input 'nope' is not defined before this node",
    );
    expect(() => new Model(graph([], [call('a', 'missing', 'input')]))).toThrow(
      "a: calls module 'missing', which is not registered",
    );
    expect(() => new Model(graph([['fc', lin(2, 2)]], [call('fc', 'fc', 'input'), call('fc', 'fc', 'fc')]))).toThrow(
      'fc: node id used twice',
    );
    expect(() => new Model(graph([], [apply('f', lin(2, 2), 'input')]))).toThrow(
      'f: Linear has parameters, so it must be a registered module',
    );
    const badConv: LayerSpec = { type: 'Conv2d', in_channels: 3, out_channels: 4, kernel_size: 3, groups: 2 };
    expect(() => new Model(graph([['bad', badConv]], [call('b', 'bad', 'input'), add('s', 'b', 'b')]))).toThrow(
      /^bad: .*groups/,
    );
    // a chain names its layers by index, as Sequential does
    expect(() => new Model(graph([['bad', badConv]], [call('b', 'bad', 'input')]))).toThrow(/^layer 0: .*groups/);
    expect(() => new Model(graph([['fc', lin(2, 2)]], [call('a', 'fc', 'input')], 'z'))).toThrow(
      "output 'z' is not a node of the graph",
    );
  });
  test('shapes that do not fit, with the nodes that produced them', () => {
    const model = new Model(
      graph([['c', conv(3, 4, 3, { padding: 1 })]], [call('c', 'c', 'input'), add('sum', 'c', 'input')]),
    );
    expect(() => model.forward(randn([2, 3, 5, 5]))).toThrow(
      'sum: add receives 4×5×5 from c and 3×5×5 from the input: channels 4 ≠ 3',
    );
    const catModel = new Model(
      graph([], [apply('p', { type: 'MaxPool2d', kernel_size: 2 }, 'input'), cat('j', 1, 'input', 'p')]),
    );
    expect(() => catModel.forward(randn([1, 2, 4, 4]))).toThrow(
      'j: cat along channels needs equal height and width: the input gives 2×4×4, p gives 2×2×2 (size 4 ≠ 2)',
    );
    const badDim = new Model(graph([], [cat('j', 4, 'input', 'input')]));
    expect(() => badDim.forward(randn([2, 3]))).toThrow(
      'j: cat dim=4 is out of range for 2-D tensors (expected -2 to 1)',
    );
  });
});
