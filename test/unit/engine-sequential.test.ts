// Sequential: PyTorch's default init (bounds and statistics), state_dict names, layouts,
// round trip and load errors, train/eval, zero_grad, gradient accumulation, dropout masks.
import { describe, expect, test } from 'vitest';
import type { LayerSpec } from '../../src/core/model/types.ts';
import { kaimingUniformBound } from '../../src/engine/init.ts';
import { Rng } from '../../src/engine/rng.ts';
import { Sequential } from '../../src/engine/sequential.ts';
import { numel, type Tensor } from '../../src/engine/tensor.ts';

const rng = new Rng(99);
const randn = (shape: number[]): Tensor => ({
  shape,
  data: Float32Array.from({ length: numel(shape) }, () => rng.normal()),
});

const BS: LayerSpec[] = [
  { type: 'Conv2d', in_channels: 3, out_channels: 32, kernel_size: 5, padding: 2 },
  { type: 'MaxPool2d', kernel_size: 2 },
  { type: 'Conv2d', in_channels: 32, out_channels: 32, kernel_size: 5, padding: 2 },
  { type: 'MaxPool2d', kernel_size: 2 },
  { type: 'Conv2d', in_channels: 32, out_channels: 64, kernel_size: 5, padding: 2 },
  { type: 'MaxPool2d', kernel_size: 2 },
  { type: 'Flatten' },
  { type: 'Linear', in_features: 1024, out_features: 64 },
  { type: 'Linear', in_features: 64, out_features: 10 },
];
const CONV_BN: LayerSpec[] = [
  { type: 'Conv2d', in_channels: 3, out_channels: 4, kernel_size: 3, groups: 1, bias: false },
  { type: 'BatchNorm2d', num_features: 4 },
  { type: 'ReLU' },
  { type: 'Flatten' },
  { type: 'Linear', in_features: 64, out_features: 5 },
  { type: 'BatchNorm1d', num_features: 5, affine: false },
];

function stats(a: Float32Array): { min: number; max: number; mean: number; variance: number } {
  let min = Infinity,
    max = -Infinity,
    s = 0,
    s2 = 0;
  for (const v of a) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    s += v;
    s2 += v * v;
  }
  const mean = s / a.length;
  return { min, max, mean, variance: s2 / a.length - mean * mean };
}

describe('default initialization', () => {
  test('kaiming_uniform(a=√5) bound is 1/√fan_in, and the general gain formula', () => {
    expect(kaimingUniformBound(75)).toBeCloseTo(1 / Math.sqrt(75), 12);
    // a = 0 (ReLU gain √2): bound = √(6 / fan_in)
    expect(kaimingUniformBound(50, 0)).toBeCloseTo(Math.sqrt(6 / 50), 12);
  });

  test('Conv2d and Linear weights and biases are U(±1/√fan_in) with the uniform variance', () => {
    const m = new Sequential(BS, { seed: 1 });
    const cases: [string, number][] = [
      ['0', 3 * 25],
      ['2', 32 * 25],
      ['4', 32 * 25],
      ['7', 1024],
      ['8', 64],
    ];
    const params = Object.fromEntries(m.parameters().map((p) => [p.name, p.value.data]));
    for (const [i, fanIn] of cases) {
      const bound = 1 / Math.sqrt(fanIn);
      for (const name of [`${i}.weight`, `${i}.bias`]) {
        const s = stats(params[name]);
        expect(s.min).toBeGreaterThanOrEqual(-bound);
        expect(s.max).toBeLessThanOrEqual(bound);
        if (name.endsWith('weight')) {
          // U(−b, b) has variance b²/3; thousands of samples land within a few percent
          expect(s.variance / ((bound * bound) / 3)).toBeGreaterThan(0.9);
          expect(s.variance / ((bound * bound) / 3)).toBeLessThan(1.1);
          expect(Math.abs(s.mean)).toBeLessThan(0.05 * bound);
        }
      }
    }
  });

  test('grouped conv fan_in counts in_channels / groups', () => {
    const m = new Sequential([{ type: 'Conv2d', in_channels: 8, out_channels: 8, kernel_size: 3, groups: 4 }], {
      seed: 3,
    });
    const w = m.parameters()[0];
    expect(w.value.shape).toEqual([8, 2, 3, 3]);
    expect(stats(w.value.data).max).toBeLessThanOrEqual(1 / Math.sqrt(18));
    expect(stats(w.value.data).max).toBeGreaterThan(0.8 / Math.sqrt(18));
  });

  test('BatchNorm starts at weight 1, bias 0, running_mean 0, running_var 1, num_batches_tracked 0', () => {
    const sd = new Sequential(CONV_BN).stateDict();
    expect(Array.from(sd['1.weight'].data)).toEqual([1, 1, 1, 1]);
    expect(Array.from(sd['1.bias'].data)).toEqual([0, 0, 0, 0]);
    expect(Array.from(sd['1.running_mean'].data)).toEqual([0, 0, 0, 0]);
    expect(Array.from(sd['1.running_var'].data)).toEqual([1, 1, 1, 1]);
    expect(sd['1.num_batches_tracked'].shape).toEqual([]);
    expect(sd['1.num_batches_tracked'].data).toBeInstanceOf(Int32Array);
  });

  test('the same seed gives the same weights, another seed other weights', () => {
    const a = new Sequential(BS, { seed: 7 }).stateDict(),
      b = new Sequential(BS, { seed: 7 }).stateDict();
    const c = new Sequential(BS, { seed: 8 }).stateDict();
    expect(a['0.weight'].data).toEqual(b['0.weight'].data);
    expect(a['0.weight'].data).not.toEqual(c['0.weight'].data);
  });
});

describe('state_dict', () => {
  test("names, order and layouts are PyTorch's", () => {
    const sd = new Sequential(CONV_BN).stateDict();
    expect(Object.keys(sd)).toEqual([
      '0.weight',
      '1.weight',
      '1.bias',
      '1.running_mean',
      '1.running_var',
      '1.num_batches_tracked',
      '4.weight',
      '4.bias',
      '5.running_mean',
      '5.running_var',
      '5.num_batches_tracked',
    ]);
    expect(sd['0.weight'].shape).toEqual([4, 3, 3, 3]);
    expect(sd['4.weight'].shape).toEqual([5, 64]);
    const m = new Sequential(CONV_BN);
    expect(m.parameters().map((p) => p.name)).toEqual(['0.weight', '1.weight', '1.bias', '4.weight', '4.bias']);
  });

  test('OrderedDict names prefix the keys', () => {
    const m = new Sequential([{ type: 'Linear', in_features: 2, out_features: 2 }, { type: 'ReLU' }], {
      names: ['fc', 'act'],
    });
    expect(Object.keys(m.stateDict())).toEqual(['fc.weight', 'fc.bias']);
  });

  test("round trip: a second model with the first one's state computes the same outputs and stats", () => {
    const a = new Sequential(CONV_BN, { seed: 1 }),
      b = new Sequential(CONV_BN, { seed: 2 });
    const x = randn([3, 3, 6, 6]);
    a.forward(x); // moves running stats and num_batches_tracked
    b.loadStateDict(a.stateDict());
    a.eval();
    b.eval();
    expect(b.forward(x).data).toEqual(a.forward(x).data);
    expect(b.stateDict()['1.num_batches_tracked'].data[0]).toBe(1);
    expect(b.stateDict()).toEqual(a.stateDict());
  });

  test('stateDict returns copies', () => {
    const m = new Sequential(CONV_BN);
    const sd = m.stateDict();
    sd['0.weight'].data.fill(42);
    expect(m.stateDict()['0.weight'].data[0]).not.toBe(42);
  });

  test('load errors name missing, unexpected and mis-sized keys, and change nothing', () => {
    const m = new Sequential(CONV_BN, { seed: 1 });
    const before = m.stateDict();
    const sd = new Sequential(CONV_BN, { seed: 2 }).stateDict();
    delete sd['1.running_var'];
    sd['9.weight'] = { shape: [1], data: new Float32Array(1) };
    sd['4.weight'] = { shape: [5, 63], data: new Float32Array(315) };
    let message = '';
    try {
      m.loadStateDict(sd);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("missing key(s) in state_dict: '1.running_var'");
    expect(message).toContain("unexpected key(s) in state_dict: '9.weight'");
    expect(message).toContain(
      'size mismatch for 4.weight: copying a param with shape [5, 63] from checkpoint, the shape in current model is [5, 64]',
    );
    expect(m.stateDict()).toEqual(before);
  });

  test('non-strict loading skips missing and unexpected keys but not size mismatches', () => {
    const m = new Sequential(CONV_BN, { seed: 1 });
    const src = new Sequential(CONV_BN, { seed: 2 }).stateDict();
    m.loadStateDict({ '0.weight': src['0.weight'], extra: src['1.bias'] }, false);
    expect(m.stateDict()['0.weight'].data).toEqual(src['0.weight'].data);
    expect(() => m.loadStateDict({ '0.weight': { shape: [1], data: new Float32Array(1) } }, false)).toThrow(
      /size mismatch for 0.weight/,
    );
  });
});

describe('modes, gradients and errors', () => {
  test('backward accumulates until zeroGrad; zeroGrad(true) sets grads to null', () => {
    const m = new Sequential([{ type: 'Linear', in_features: 3, out_features: 2 }]);
    const x = randn([4, 3]),
      g = randn([4, 2]);
    m.forward(x);
    m.backward(g);
    const once = m.parameters()[0].grad!.data.slice();
    m.forward(x);
    m.backward(g);
    const twice = m.parameters()[0].grad!.data;
    once.forEach((v, i) => expect(twice[i]).toBeCloseTo(2 * v, 5));
    m.zeroGrad();
    expect(Array.from(m.parameters()[0].grad!.data).every((v) => v === 0)).toBe(true);
    m.zeroGrad(true);
    expect(m.parameters()[0].grad).toBeNull();
  });

  test('forward returns a tensor that later forwards do not overwrite', () => {
    const m = new Sequential([{ type: 'Linear', in_features: 3, out_features: 2 }]);
    const y1 = m.forward(randn([2, 3]));
    const kept = y1.data.slice();
    m.forward(randn([2, 3]));
    expect(y1.data).toEqual(kept);
  });

  test('backwardParams gives the same parameter gradients as backward', () => {
    const a = new Sequential(CONV_BN, { seed: 4 }),
      b = new Sequential(CONV_BN, { seed: 4 });
    const x = randn([2, 3, 6, 6]),
      g = randn([2, 5]);
    a.forward(x);
    a.backward(g);
    b.forwardView(x);
    b.backwardParams(g);
    a.parameters().forEach((p, i) => expect(b.parameters()[i].grad!.data).toEqual(p.grad!.data));
  });

  test('a changing batch size reuses the layers correctly', () => {
    const m = new Sequential(BS.slice(0, 2), { seed: 1 });
    const big = randn([3, 3, 8, 8]);
    const small: Tensor = { shape: [1, 3, 8, 8], data: big.data.slice(0, 3 * 64) };
    const yBig = m.forward(big),
      ySmall = m.forward(small);
    expect(ySmall.shape).toEqual([1, 32, 4, 4]);
    expect(ySmall.data).toEqual(yBig.data.slice(0, 32 * 16));
  });

  test('Dropout in training zeroes about p of the elements, scales the rest by 1/(1-p), and backward uses the same mask', () => {
    const m = new Sequential([{ type: 'Dropout', p: 0.25 }], { seed: 3 });
    const x: Tensor = { shape: [100, 100], data: new Float32Array(10000).fill(2) };
    const y = m.forward(x);
    const zeros = y.data.filter((v) => v === 0).length;
    expect(zeros / 10000).toBeGreaterThan(0.22);
    expect(zeros / 10000).toBeLessThan(0.28);
    expect(new Set(y.data)).toEqual(new Set([0, Math.fround(Math.fround(1 / 0.75) * 2)]));
    const g = m.backward({ shape: [100, 100], data: new Float32Array(10000).fill(1) });
    g.data.forEach((v, i) => expect(v === 0).toBe(y.data[i] === 0));
    const again = new Sequential([{ type: 'Dropout', p: 0.25 }], { seed: 3 }).forward(x);
    expect(again.data).toEqual(y.data);
  });

  test('shape errors name the layer and show the arithmetic', () => {
    const bad = [...BS.slice(0, 7), { type: 'Linear', in_features: 1000, out_features: 64 }];
    const m = new Sequential(bad);
    expect(() => m.forward(randn([1, 3, 32, 32]))).toThrow(/^layer 7: Linear\(in_features=1000\) receives 1024/);
    expect(() => new Sequential(BS).forward(randn([2, 4, 32, 32]))).toThrow(
      /^layer 0: Conv2d\(in_channels=3\) receives 4 channels/,
    );
  });

  test('invalid layer specs fail at construction with the layer index', () => {
    expect(
      () =>
        new Sequential([
          { type: 'ReLU' },
          { type: 'Conv2d', in_channels: 3, out_channels: 4, kernel_size: 3, groups: 2 },
        ]),
    ).toThrow(/^layer 1: .*groups/);
    expect(() => new Sequential([{ type: 'Nope' }])).toThrow(/^layer 0:/);
  });

  test('BatchNorm in training refuses one value per channel, as PyTorch', () => {
    const m = new Sequential([{ type: 'BatchNorm1d', num_features: 3 }]);
    expect(() => m.forward(randn([1, 3]))).toThrow(/more than 1 value per channel/);
    m.eval();
    expect(m.forward(randn([1, 3])).shape).toEqual([1, 3]);
  });

  test('backward before forward, or with a gradient of the wrong shape, is an error', () => {
    const m = new Sequential([{ type: 'Linear', in_features: 3, out_features: 2 }]);
    expect(() => m.backward(randn([1, 2]))).toThrow(/before forward/);
    m.forward(randn([4, 3]));
    expect(() => m.backward(randn([4, 3]))).toThrow(
      'backward: gradOutput has shape [4, 3] but the output has shape [4, 2]',
    );
  });
});
