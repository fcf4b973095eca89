// resolveLayer / withDefaults: PyTorch's defaults, _pair expansion, None and padding strings.
import { describe, expect, test } from 'vitest';
import { CATALOGUE } from '../../src/core/model/catalogue.ts';
import { LayerSpecError, resolveLayer, toPair, withDefaults } from '../../src/core/model/resolve.ts';
import { LAYER_TYPES } from '../../src/core/model/types.ts';

describe('withDefaults', () => {
  test('fills every keyword in catalogue order, keeping given values raw', () => {
    const spec = withDefaults({ type: 'Conv2d', kernel_size: [3, 5], out_channels: 8, in_channels: 3 });
    expect(spec).toEqual({
      type: 'Conv2d',
      in_channels: 3,
      out_channels: 8,
      kernel_size: [3, 5],
      stride: 1,
      padding: 0,
      dilation: 1,
      groups: 1,
      bias: true,
      padding_mode: 'zeros',
    });
    expect(Object.keys(spec)).toEqual(['type', ...CATALOGUE.Conv2d.params.map((p) => p.name)]);
  });
  test('None defaults stay None; missing required keywords stay missing', () => {
    expect(withDefaults({ type: 'MaxPool2d', kernel_size: 2 })).toEqual({
      type: 'MaxPool2d',
      kernel_size: 2,
      stride: null,
      padding: 0,
      dilation: 1,
      return_indices: false,
      ceil_mode: false,
    });
    expect(withDefaults({ type: 'Linear' })).toEqual({ type: 'Linear', bias: true });
    expect(withDefaults({ type: 'Softmax' })).toEqual({ type: 'Softmax', dim: null });
  });
  test('unknown keywords and unknown types pass through untouched', () => {
    expect(withDefaults({ type: 'ReLU', foo: 1 })).toEqual({ type: 'ReLU', inplace: false, foo: 1 });
    expect(withDefaults({ type: 'Conv3d', k: 1 })).toEqual({ type: 'Conv3d', k: 1 });
  });
  test('every type gets all its keywords', () => {
    for (const type of LAYER_TYPES) {
      const keys = Object.keys(withDefaults({ type }));
      for (const p of CATALOGUE[type].params) if (!p.required) expect(keys).toContain(p.name);
    }
  });
});

describe('resolveLayer', () => {
  test('Conv2d: ints become pairs, padding equal on both sides', () => {
    expect(resolveLayer({ type: 'Conv2d', in_channels: 3, out_channels: 32, kernel_size: 5, padding: 2 })).toEqual({
      type: 'Conv2d',
      in_channels: 3,
      out_channels: 32,
      kernel: [5, 5],
      stride: [1, 1],
      dilation: [1, 1],
      padBegin: [2, 2],
      padEnd: [2, 2],
      groups: 1,
      bias: true,
      padding_mode: 'zeros',
    });
    const r = resolveLayer({
      type: 'Conv2d',
      in_channels: 4,
      out_channels: 4,
      kernel_size: [3, 1],
      stride: [2, 1],
      padding: [1, 0],
      dilation: [1, 2],
      groups: 2,
      bias: false,
      padding_mode: 'reflect',
    });
    expect(r).toMatchObject({
      kernel: [3, 1],
      stride: [2, 1],
      padBegin: [1, 0],
      padEnd: [1, 0],
      dilation: [1, 2],
      groups: 2,
      bias: false,
      padding_mode: 'reflect',
    });
  });
  test("padding='same' puts the odd one after; 'valid' is zero", () => {
    expect(
      resolveLayer({ type: 'Conv2d', in_channels: 1, out_channels: 1, kernel_size: [4, 3], padding: 'same' }),
    ).toMatchObject({ padBegin: [1, 1], padEnd: [2, 1] });
    expect(
      resolveLayer({
        type: 'Conv2d',
        in_channels: 1,
        out_channels: 1,
        kernel_size: 3,
        dilation: [2, 3],
        padding: 'same',
      }),
    ).toMatchObject({ padBegin: [2, 3], padEnd: [2, 3] });
    expect(
      resolveLayer({ type: 'Conv2d', in_channels: 1, out_channels: 1, kernel_size: 3, padding: 'valid' }),
    ).toMatchObject({ padBegin: [0, 0], padEnd: [0, 0] });
  });
  test('pools: stride None means the kernel', () => {
    expect(resolveLayer({ type: 'MaxPool2d', kernel_size: [2, 3] })).toEqual({
      type: 'MaxPool2d',
      kernel: [2, 3],
      stride: [2, 3],
      padding: [0, 0],
      dilation: [1, 1],
      ceil_mode: false,
    });
    expect(
      resolveLayer({ type: 'MaxPool2d', kernel_size: 3, stride: 1, padding: 1, dilation: 2, ceil_mode: true }),
    ).toEqual({
      type: 'MaxPool2d',
      kernel: [3, 3],
      stride: [1, 1],
      padding: [1, 1],
      dilation: [2, 2],
      ceil_mode: true,
    });
    expect(resolveLayer({ type: 'AvgPool2d', kernel_size: 2, stride: null, divisor_override: 3 })).toEqual({
      type: 'AvgPool2d',
      kernel: [2, 2],
      stride: [2, 2],
      padding: [0, 0],
      ceil_mode: false,
      count_include_pad: true,
      divisor_override: 3,
    });
  });
  test('AdaptiveAvgPool2d output_size as a pair with None kept', () => {
    expect(resolveLayer({ type: 'AdaptiveAvgPool2d', output_size: 7 })).toEqual({
      type: 'AdaptiveAvgPool2d',
      output_size: [7, 7],
    });
    expect(resolveLayer({ type: 'AdaptiveAvgPool2d', output_size: [null, 3] })).toEqual({
      type: 'AdaptiveAvgPool2d',
      output_size: [null, 3],
    });
  });
  test('the other layers', () => {
    expect(resolveLayer({ type: 'Flatten' })).toEqual({ type: 'Flatten', start_dim: 1, end_dim: -1 });
    expect(resolveLayer({ type: 'Linear', in_features: 4, out_features: 2 })).toEqual({
      type: 'Linear',
      in_features: 4,
      out_features: 2,
      bias: true,
    });
    expect(resolveLayer({ type: 'ReLU', inplace: true })).toEqual({ type: 'ReLU' });
    expect(resolveLayer({ type: 'Sigmoid' })).toEqual({ type: 'Sigmoid' });
    expect(resolveLayer({ type: 'Tanh' })).toEqual({ type: 'Tanh' });
    expect(resolveLayer({ type: 'LeakyReLU' })).toEqual({ type: 'LeakyReLU', negative_slope: 0.01 });
    expect(resolveLayer({ type: 'GELU' })).toEqual({ type: 'GELU', approximate: 'none' });
    expect(resolveLayer({ type: 'ELU', alpha: 2 })).toEqual({ type: 'ELU', alpha: 2 });
    expect(resolveLayer({ type: 'Softmax' })).toEqual({ type: 'Softmax', dim: null });
    expect(resolveLayer({ type: 'LogSoftmax', dim: 1 })).toEqual({ type: 'LogSoftmax', dim: 1 });
    expect(resolveLayer({ type: 'Dropout' })).toEqual({ type: 'Dropout', p: 0.5 });
    expect(resolveLayer({ type: 'BatchNorm2d', num_features: 8, momentum: null })).toEqual({
      type: 'BatchNorm2d',
      num_features: 8,
      eps: 1e-5,
      momentum: null,
      affine: true,
      track_running_stats: true,
    });
    expect(resolveLayer({ type: 'BatchNorm1d', num_features: 3, affine: false })).toMatchObject({
      type: 'BatchNorm1d',
      momentum: 0.1,
      affine: false,
    });
  });
  test('an invalid spec throws LayerSpecError with the first message and all errors', () => {
    let err: unknown;
    try {
      resolveLayer({ type: 'Conv2d', in_channels: 3, out_channels: 4, kernel_size: 3, groups: 2, bias: 1 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LayerSpecError);
    expect((err as LayerSpecError).message).toBe('bias must be True or False, got 1');
    expect((err as LayerSpecError).errors.map((e) => e.field)).toEqual(['bias', 'groups']);
    expect(() => resolveLayer({ type: 'Nope' })).toThrow("unknown layer type 'Nope'");
  });
  test('toPair is _pair', () => {
    expect(toPair(3)).toEqual([3, 3]);
    expect(toPair([2, 5])).toEqual([2, 5]);
  });
});
