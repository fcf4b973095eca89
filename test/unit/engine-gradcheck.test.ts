// Finite-difference gradient checks for every layer, input AND parameter gradients, in
// several configurations each: backward(r) must equal ∂(Σ forward(x)·r)/∂(x, params)
// estimated by central differences of the float32 forward (objective summed in double).
import { describe, test } from 'vitest';
import type { LayerSpec } from '../../src/core/model/types.ts';
import { Sequential } from '../../src/engine/sequential.ts';
import { gradcheckModel, spaced, type GradcheckOptions } from './helpers/gradcheck.ts';

function gradcheck(layers: LayerSpec[], shape: number[], o: GradcheckOptions = {}): void {
  gradcheckModel(new Sequential(layers, { seed: 5 }), shape, o);
}

const conv = (k: Record<string, unknown>): LayerSpec => ({ type: 'Conv2d', ...k });
describe('Conv2d gradients', () => {
  const cases: [string, LayerSpec, number[]][] = [
    ['k3 padding 1', conv({ in_channels: 2, out_channels: 3, kernel_size: 3, padding: 1 }), [2, 2, 5, 5]],
    [
      'pair kernel, stride 2, no bias',
      conv({ in_channels: 2, out_channels: 2, kernel_size: [3, 2], stride: 2, bias: false }),
      [2, 2, 7, 6],
    ],
    [
      'dilation 2 padding 2',
      conv({ in_channels: 1, out_channels: 2, kernel_size: 3, dilation: 2, padding: 2 }),
      [1, 1, 6, 6],
    ],
    ['groups 2', conv({ in_channels: 4, out_channels: 6, kernel_size: 3, groups: 2 }), [2, 4, 5, 5]],
    [
      'depthwise stride 2',
      conv({ in_channels: 3, out_channels: 3, kernel_size: 3, groups: 3, stride: 2, padding: 1 }),
      [1, 3, 6, 6],
    ],
    [
      "padding 'same', even kernel",
      conv({ in_channels: 2, out_channels: 2, kernel_size: 4, padding: 'same' }),
      [1, 2, 5, 6],
    ],
    [
      'reflect',
      conv({ in_channels: 2, out_channels: 2, kernel_size: 3, padding: 2, padding_mode: 'reflect' }),
      [1, 2, 5, 5],
    ],
    [
      'replicate',
      conv({ in_channels: 1, out_channels: 2, kernel_size: 3, padding: [1, 2], padding_mode: 'replicate' }),
      [2, 1, 4, 4],
    ],
    [
      "circular, 'same'",
      conv({ in_channels: 2, out_channels: 2, kernel_size: 2, padding: 'same', padding_mode: 'circular' }),
      [1, 2, 4, 5],
    ],
    ['pointwise 1×1, groups 2', conv({ in_channels: 4, out_channels: 2, kernel_size: 1, groups: 2 }), [2, 4, 3, 3]],
    ['unbatched [C, H, W]', conv({ in_channels: 2, out_channels: 2, kernel_size: 3 }), [2, 4, 4]],
  ];
  for (const [name, layer, shape] of cases) test(name, () => gradcheck([layer], shape));
});

describe('pooling gradients', () => {
  const cases: [string, LayerSpec, number[]][] = [
    ['MaxPool2d k2', { type: 'MaxPool2d', kernel_size: 2 }, [2, 2, 4, 4]],
    ['MaxPool2d k3 s2 p1', { type: 'MaxPool2d', kernel_size: 3, stride: 2, padding: 1 }, [1, 2, 5, 5]],
    ['MaxPool2d ceil_mode', { type: 'MaxPool2d', kernel_size: 2, ceil_mode: true }, [1, 2, 5, 5]],
    [
      'MaxPool2d dilation 2, padding 1, ceil_mode',
      { type: 'MaxPool2d', kernel_size: 3, stride: 2, padding: 1, dilation: 2, ceil_mode: true },
      [1, 1, 8, 9],
    ],
    ['MaxPool2d overlapping stride 1', { type: 'MaxPool2d', kernel_size: 3, stride: 1 }, [1, 2, 5, 5]],
    ['AvgPool2d k2', { type: 'AvgPool2d', kernel_size: 2 }, [2, 2, 4, 4]],
    [
      'AvgPool2d k3 s2 p1 count_include_pad',
      { type: 'AvgPool2d', kernel_size: 3, stride: 2, padding: 1 },
      [1, 2, 5, 5],
    ],
    [
      'AvgPool2d ceil_mode, exclude pad',
      { type: 'AvgPool2d', kernel_size: 3, stride: 2, padding: 1, ceil_mode: true, count_include_pad: false },
      [1, 2, 6, 5],
    ],
    ['AvgPool2d divisor_override', { type: 'AvgPool2d', kernel_size: 2, stride: 1, divisor_override: 3 }, [1, 1, 4, 4]],
    ['AdaptiveAvgPool2d 7×5 → 3×2', { type: 'AdaptiveAvgPool2d', output_size: [3, 2] }, [2, 2, 7, 5]],
    ['AdaptiveAvgPool2d [None, 3]', { type: 'AdaptiveAvgPool2d', output_size: [null, 3] }, [1, 2, 4, 5]],
  ];
  for (const [name, layer, shape] of cases) test(name, () => gradcheck([layer], shape, { input: spaced(shape) }));
});

describe('Linear and Flatten gradients', () => {
  test('Linear 2-D', () => gradcheck([{ type: 'Linear', in_features: 5, out_features: 3 }], [4, 5]));
  test('Linear 3-D input, no bias', () =>
    gradcheck([{ type: 'Linear', in_features: 4, out_features: 3, bias: false }], [2, 3, 4]));
  test('Linear 1-D input', () => gradcheck([{ type: 'Linear', in_features: 6, out_features: 2 }], [6]));
  test('Flatten then Linear', () =>
    gradcheck([{ type: 'Flatten' }, { type: 'Linear', in_features: 12, out_features: 3 }], [2, 3, 2, 2]));
  test('Flatten start_dim 0, end_dim 1', () =>
    gradcheck([{ type: 'Flatten', start_dim: 0, end_dim: 1 }, { type: 'Tanh' }], [2, 3, 2]));
});

describe('activation gradients', () => {
  const cases: [string, LayerSpec][] = [
    ['ReLU', { type: 'ReLU' }],
    ['LeakyReLU 0.2', { type: 'LeakyReLU', negative_slope: 0.2 }],
    ['Sigmoid', { type: 'Sigmoid' }],
    ['Tanh', { type: 'Tanh' }],
    ['GELU exact', { type: 'GELU' }],
    ["GELU approximate='tanh'", { type: 'GELU', approximate: 'tanh' }],
    ['ELU alpha 0.5', { type: 'ELU', alpha: 0.5 }],
    ['ELU default', { type: 'ELU' }],
  ];
  for (const [name, layer] of cases) test(name, () => gradcheck([layer], [3, 20], { input: spaced([3, 20]) }));
});

describe('Softmax / LogSoftmax gradients', () => {
  for (const type of ['Softmax', 'LogSoftmax']) {
    test(`${type} dim 1`, () => gradcheck([{ type, dim: 1 }], [3, 5]));
    test(`${type} dim 1 on 4-D`, () => gradcheck([{ type, dim: 1 }], [2, 3, 2, 2]));
    test(`${type} dim -1 on 3-D`, () => gradcheck([{ type, dim: -1 }], [2, 3, 4]));
    test(`${type} dim None on 3-D (dim 0)`, () => gradcheck([{ type, dim: null }], [3, 2, 2]));
  }
});

describe('BatchNorm gradients', () => {
  const bn1 = (k: Record<string, unknown> = {}): LayerSpec => ({ type: 'BatchNorm1d', num_features: 3, ...k });
  const bn2 = (k: Record<string, unknown> = {}): LayerSpec => ({ type: 'BatchNorm2d', num_features: 2, ...k });
  test('BatchNorm1d 2-D train', () => gradcheck([bn1()], [5, 3]));
  test('BatchNorm1d 3-D train', () => gradcheck([bn1()], [3, 3, 4]));
  test('BatchNorm1d 3-D eval', () => gradcheck([bn1()], [3, 3, 4], { mode: 'eval' }));
  test('BatchNorm1d affine=False train', () => gradcheck([bn1({ affine: false })], [4, 3]));
  test('BatchNorm2d train', () => gradcheck([bn2()], [2, 2, 3, 3]));
  test('BatchNorm2d eval', () => gradcheck([bn2()], [2, 2, 3, 3], { mode: 'eval' }));
  test('BatchNorm2d track_running_stats=False eval (batch stats)', () =>
    gradcheck([bn2({ track_running_stats: false })], [2, 2, 3, 3], { mode: 'eval' }));
  test('BatchNorm2d after Conv2d (weight gradient through batch stats)', () =>
    gradcheck(
      [{ type: 'Conv2d', in_channels: 1, out_channels: 2, kernel_size: 3 }, bn2(), { type: 'Tanh' }],
      [2, 1, 5, 5],
    ));
});

describe('stacks', () => {
  // smooth layers only: a weight step would move conv outputs across ReLU kinks and pool ties
  test('conv → tanh → avgpool → flatten → linear → logsoftmax', () =>
    gradcheck(
      [
        { type: 'Conv2d', in_channels: 2, out_channels: 3, kernel_size: 3, padding: 1 },
        { type: 'Tanh' },
        { type: 'AvgPool2d', kernel_size: 2 },
        { type: 'Flatten' },
        { type: 'Linear', in_features: 12, out_features: 4 },
        { type: 'LogSoftmax', dim: 1 },
      ],
      [2, 2, 4, 4],
    ));
  test('Dropout in eval mode is the identity', () =>
    gradcheck([{ type: 'Dropout', p: 0.5 }, { type: 'Sigmoid' }], [3, 4], { mode: 'eval' }));
});
