// Layer validation: the catalogue's keyword types, ranges and required keywords, and the
// cross-field rules PyTorch 1.13 enforces when it builds or first runs a layer.
import { describe, expect, test } from 'vitest';
import { CATALOGUE } from '../../src/core/model/catalogue.ts';
import { LAYER_TYPES, type LayerSpec } from '../../src/core/model/types.ts';
import { didYouMean, layerWarnings, pyValue, validateField, validateLayer } from '../../src/core/model/validate.ts';

const messages = (spec: LayerSpec): string[] => validateLayer(spec).map((e) => `${e.field}: ${e.message}`);

/** A minimal valid spec of each type (required keywords only). */
const MINIMAL: Record<string, LayerSpec> = {
  Conv2d: { type: 'Conv2d', in_channels: 3, out_channels: 8, kernel_size: 3 },
  MaxPool2d: { type: 'MaxPool2d', kernel_size: 2 },
  AvgPool2d: { type: 'AvgPool2d', kernel_size: 2 },
  AdaptiveAvgPool2d: { type: 'AdaptiveAvgPool2d', output_size: 1 },
  Linear: { type: 'Linear', in_features: 4, out_features: 2 },
  BatchNorm1d: { type: 'BatchNorm1d', num_features: 4 },
  BatchNorm2d: { type: 'BatchNorm2d', num_features: 4 },
};
const minimal = (type: string): LayerSpec => MINIMAL[type] ?? { type };

describe('valid specs', () => {
  test.each(LAYER_TYPES.map((t) => [t]))('%s with only its required keywords', (type) => {
    expect(validateLayer(minimal(type))).toEqual([]);
  });
  test.each(LAYER_TYPES.map((t) => [t]))('%s with every keyword at its default', (type) => {
    const spec: LayerSpec = { ...minimal(type) };
    for (const p of CATALOGUE[type].params) if (!p.required) spec[p.name] = p.default;
    expect(validateLayer(spec)).toEqual([]);
  });
  test('pairs, strings and None where PyTorch takes them', () => {
    expect(
      validateLayer({
        type: 'Conv2d',
        in_channels: 4,
        out_channels: 8,
        kernel_size: [3, 5],
        stride: [1, 2],
        padding: [0, 2],
        dilation: [2, 1],
        groups: 4,
        bias: false,
        padding_mode: 'circular',
      }),
    ).toEqual([]);
    expect(
      validateLayer({
        type: 'Conv2d',
        in_channels: 4,
        out_channels: 8,
        kernel_size: 3,
        padding: 'same',
        stride: [1, 1],
      }),
    ).toEqual([]);
    expect(
      validateLayer({ type: 'Conv2d', in_channels: 4, out_channels: 8, kernel_size: 3, padding: 'valid', stride: 2 }),
    ).toEqual([]);
    expect(
      validateLayer({
        type: 'MaxPool2d',
        kernel_size: [2, 4],
        stride: null,
        padding: [1, 2],
        dilation: 3,
        ceil_mode: true,
      }),
    ).toEqual([]);
    expect(
      validateLayer({
        type: 'AvgPool2d',
        kernel_size: 3,
        padding: 1,
        divisor_override: null,
        count_include_pad: false,
      }),
    ).toEqual([]);
    expect(validateLayer({ type: 'AdaptiveAvgPool2d', output_size: [null, 7] })).toEqual([]);
    expect(validateLayer({ type: 'AdaptiveAvgPool2d', output_size: [null, null] })).toEqual([]);
    expect(validateLayer({ type: 'BatchNorm2d', num_features: 8, momentum: null, eps: 1e-3, affine: false })).toEqual(
      [],
    );
    expect(validateLayer({ type: 'Softmax', dim: -1 })).toEqual([]);
    expect(validateLayer({ type: 'LogSoftmax', dim: null })).toEqual([]);
    expect(validateLayer({ type: 'Flatten', start_dim: -7, end_dim: 12 })).toEqual([]);
    expect(validateLayer({ type: 'LeakyReLU', negative_slope: -0.5, inplace: true })).toEqual([]);
    expect(validateLayer({ type: 'ELU', alpha: -2 })).toEqual([]);
    expect(validateLayer({ type: 'GELU', approximate: 'tanh' })).toEqual([]);
    expect(validateLayer({ type: 'Dropout', p: 0 })).toEqual([]);
    expect(validateLayer({ type: 'Dropout', p: 1 })).toEqual([]);
  });
});

describe('type, keywords and required keywords', () => {
  test('unknown layer type with a suggestion and a fix', () => {
    expect(validateLayer({ type: 'conv2d' })).toEqual([
      {
        field: 'type',
        message: "unknown layer type 'conv2d' (did you mean 'Conv2d'?)",
        fix: { field: 'type', value: 'Conv2d', label: 'use Conv2d' },
      },
    ]);
    expect(validateLayer({ type: 'BatchNorm3d' })[0].message).toMatch(/did you mean 'BatchNorm[12]d'/);
    expect(validateLayer({ type: 'Transformer' })).toEqual([
      { field: 'type', message: "unknown layer type 'Transformer'" },
    ]);
  });
  test('missing or non-string type, non-object layers', () => {
    expect(messages({} as LayerSpec)).toEqual(["type: type must be a layer class name such as 'Conv2d', got None"]);
    expect(messages({ type: 3 } as unknown as LayerSpec)).toEqual([
      "type: type must be a layer class name such as 'Conv2d', got 3",
    ]);
    expect(validateLayer(null as unknown as LayerSpec)[0]).toMatchObject({
      field: '',
      message: expect.stringMatching(/a layer must be an object/),
    });
    expect(validateLayer([1] as unknown as LayerSpec)[0].field).toBe('');
  });
  test('unknown keywords are named, with did-you-mean or the list of keywords', () => {
    expect(messages({ ...MINIMAL.Conv2d, kernal_size: 3 })).toEqual([
      "kernal_size: unknown keyword 'kernal_size' for Conv2d (did you mean 'kernel_size'?)",
    ]);
    expect(messages({ ...MINIMAL.Linear, in_feature: 4 })).toEqual([
      "in_feature: unknown keyword 'in_feature' for Linear (did you mean 'in_features'?)",
    ]);
    expect(messages({ type: 'ReLU', alpha: 1 })).toEqual([
      "alpha: unknown keyword 'alpha' for ReLU; ReLU takes inplace",
    ]);
    expect(messages({ type: 'Tanh', inplace: true })).toEqual([
      "inplace: unknown keyword 'inplace' for Tanh; Tanh takes no keywords",
    ]);
  });
  test.each([
    ['Conv2d', ['in_channels', 'out_channels', 'kernel_size']],
    ['MaxPool2d', ['kernel_size']],
    ['AvgPool2d', ['kernel_size']],
    ['AdaptiveAvgPool2d', ['output_size']],
    ['Linear', ['in_features', 'out_features']],
    ['BatchNorm1d', ['num_features']],
    ['BatchNorm2d', ['num_features']],
  ])('%s requires %j', (type, fields) => {
    expect(messages({ type })).toEqual((fields as string[]).map((f) => `${f}: ${f} is required`));
  });
});

describe('keyword types (JSON strictness: no bools for ints, no floats for ints)', () => {
  test.each([
    [{ ...MINIMAL.Conv2d, in_channels: 3.5 }, 'in_channels: in_channels must be an integer, got 3.5'],
    [{ ...MINIMAL.Conv2d, in_channels: '3' }, "in_channels: in_channels must be an integer, got '3'"],
    [{ ...MINIMAL.Conv2d, out_channels: true }, 'out_channels: out_channels must be an integer, got True (a boolean)'],
    [
      { ...MINIMAL.Conv2d, kernel_size: [3] },
      'kernel_size: kernel_size must be an integer or a pair [h, w], got [3] (1 value)',
    ],
    [
      { ...MINIMAL.Conv2d, kernel_size: [3, 3, 3] },
      'kernel_size: kernel_size must be an integer or a pair [h, w], got [3, 3, 3] (3 values)',
    ],
    [{ ...MINIMAL.Conv2d, kernel_size: [3, 2.5] }, 'kernel_size: kernel_size[1] must be an integer, got 2.5'],
    [{ ...MINIMAL.Conv2d, kernel_size: null }, 'kernel_size: kernel_size cannot be None'],
    [{ ...MINIMAL.Conv2d, stride: 'same' }, "stride: stride must be an integer or a pair [h, w], got 'same'"],
    [
      { ...MINIMAL.Conv2d, padding: 'full' },
      "padding: padding must be an integer or a pair [h, w], or one of 'valid', 'same', got 'full'",
    ],
    [
      { ...MINIMAL.Conv2d, padding: 'Same' },
      "padding: padding must be an integer or a pair [h, w], or one of 'valid', 'same', got 'Same' (did you mean 'same'?)",
    ],
    [{ ...MINIMAL.Conv2d, bias: 1 }, 'bias: bias must be True or False, got 1'],
    [{ ...MINIMAL.Conv2d, bias: 'false' }, "bias: bias must be True or False, got 'false'"],
    [
      { ...MINIMAL.Conv2d, padding_mode: 'zero' },
      "padding_mode: padding_mode must be one of 'zeros', 'reflect', 'replicate', 'circular', got 'zero' (did you mean 'zeros'?)",
    ],
    [
      { ...MINIMAL.Conv2d, padding_mode: 3 },
      "padding_mode: padding_mode must be one of 'zeros', 'reflect', 'replicate', 'circular', got 3",
    ],
    [{ type: 'MaxPool2d', kernel_size: 2, stride: [2, null] }, 'stride: stride[1] must be an integer, got None'],
    [{ type: 'MaxPool2d', kernel_size: 2, ceil_mode: null }, 'ceil_mode: ceil_mode cannot be None'],
    [{ type: 'AdaptiveAvgPool2d', output_size: null }, 'output_size: output_size cannot be None'],
    [{ type: 'Flatten', start_dim: 1.5 }, 'start_dim: start_dim must be an integer, got 1.5'],
    [{ type: 'Softmax', dim: 1.0001 }, 'dim: dim must be an integer, got 1.0001'],
    [{ type: 'Dropout', p: '0.5' }, "p: p must be a finite number, got '0.5'"],
    [{ type: 'Dropout', p: true }, 'p: p must be a finite number, got True'],
    [
      { type: 'LeakyReLU', negative_slope: Infinity },
      'negative_slope: negative_slope must be a finite number, got inf',
    ],
    [{ type: 'ELU', alpha: Number.NaN }, 'alpha: alpha must be a finite number, got NaN'],
    [
      { type: 'GELU', approximate: 'Tanh' },
      "approximate: approximate must be one of 'none', 'tanh', got 'Tanh' (did you mean 'tanh'?)",
    ],
    [{ type: 'BatchNorm1d', num_features: 4, eps: 'small' }, "eps: eps must be a finite number, got 'small'"],
    [{ type: 'BatchNorm1d', num_features: 4, affine: 0 }, 'affine: affine must be True or False, got 0'],
    [{ type: 'ReLU', inplace: 'yes' }, "inplace: inplace must be True or False, got 'yes'"],
  ] as [LayerSpec, string][])('%j', (spec, message) => {
    expect(messages(spec)).toEqual([message]);
  });
});

describe('ranges', () => {
  test.each([
    [{ ...MINIMAL.Conv2d, in_channels: 0 }, 'in_channels: in_channels must be a positive integer, got 0'],
    [{ ...MINIMAL.Conv2d, out_channels: -4 }, 'out_channels: out_channels must be a positive integer, got -4'],
    [{ ...MINIMAL.Conv2d, kernel_size: 0 }, 'kernel_size: kernel_size must be a positive integer, got 0'],
    [{ ...MINIMAL.Conv2d, kernel_size: [3, 0] }, 'kernel_size: kernel_size[1] must be a positive integer, got 0'],
    [{ ...MINIMAL.Conv2d, stride: 0 }, 'stride: stride must be a positive integer, got 0'],
    [{ ...MINIMAL.Conv2d, padding: -1 }, 'padding: padding must be a non-negative integer, got -1'],
    [{ ...MINIMAL.Conv2d, padding: [0, -2] }, 'padding: padding[1] must be a non-negative integer, got -2'],
    [{ ...MINIMAL.Conv2d, dilation: 0 }, 'dilation: dilation must be a positive integer, got 0'],
    [{ ...MINIMAL.Conv2d, groups: 0 }, 'groups: groups must be a positive integer, got 0'],
    [{ type: 'MaxPool2d', kernel_size: 0 }, 'kernel_size: kernel_size must be a positive integer, got 0'],
    [{ type: 'MaxPool2d', kernel_size: 2, stride: 0 }, 'stride: stride must be a positive integer, got 0'],
    [{ type: 'MaxPool2d', kernel_size: 2, padding: -1 }, 'padding: padding must be a non-negative integer, got -1'],
    [{ type: 'MaxPool2d', kernel_size: 2, dilation: 0 }, 'dilation: dilation must be a positive integer, got 0'],
    [
      { type: 'AvgPool2d', kernel_size: 2, divisor_override: 0 },
      'divisor_override: divisor_override must be a positive integer, got 0',
    ],
    [{ type: 'AdaptiveAvgPool2d', output_size: 0 }, 'output_size: output_size must be a positive integer, got 0'],
    [
      { type: 'AdaptiveAvgPool2d', output_size: [null, -1] },
      'output_size: output_size[1] must be a positive integer, got -1',
    ],
    [{ type: 'Linear', in_features: 0, out_features: 2 }, 'in_features: in_features must be a positive integer, got 0'],
    [{ type: 'BatchNorm2d', num_features: 0 }, 'num_features: num_features must be a positive integer, got 0'],
    [{ type: 'Dropout', p: -0.1 }, 'p: p must be between 0 and 1, got -0.1'],
    [{ type: 'Dropout', p: 1.5 }, 'p: p must be between 0 and 1, got 1.5'],
  ] as [LayerSpec, string][])('%j', (spec, message) => {
    expect(messages(spec)).toEqual([message]);
  });
  test('BatchNorm eps <= 0 and momentum outside [0, 1]: PyTorch accepts them, so warnings only', () => {
    const spec: LayerSpec = { type: 'BatchNorm1d', num_features: 4, eps: 0, momentum: 2 };
    expect(validateLayer(spec)).toEqual([]);
    expect(layerWarnings(spec).map((w) => w.field)).toEqual(['eps', 'momentum']);
    expect(layerWarnings(spec)[0].message).toBe(
      'eps must be greater than 0, got 0 (PyTorch accepts it, but it is almost surely a mistake)',
    );
    expect(layerWarnings({ type: 'BatchNorm2d', num_features: 4, eps: 1e-5, momentum: 0.1 })).toEqual([]);
    expect(layerWarnings({ type: 'BatchNorm2d', num_features: 4, momentum: null })).toEqual([]);
    expect(layerWarnings({ type: 'Nope' })).toEqual([]);
  });
});

describe('cross-field rules', () => {
  test('Conv2d groups must divide in_channels and out_channels', () => {
    expect(validateLayer({ type: 'Conv2d', in_channels: 3, out_channels: 4, kernel_size: 3, groups: 2 })).toEqual([
      {
        field: 'groups',
        message: 'groups must divide in_channels (3 % 2 != 0)',
        fix: { field: 'groups', value: 1, label: 'set groups = 1' },
      },
    ]);
    expect(messages({ type: 'Conv2d', in_channels: 4, out_channels: 3, kernel_size: 3, groups: 2 })).toEqual([
      'groups: groups must divide out_channels (3 % 2 != 0)',
    ]);
    expect(messages({ type: 'Conv2d', in_channels: 3, out_channels: 5, kernel_size: 3, groups: 2 })).toHaveLength(2);
    expect(messages({ type: 'Conv2d', in_channels: 6, out_channels: 9, kernel_size: 3, groups: 3 })).toEqual([]);
  });
  test('no groups rule on top of a bad groups value', () => {
    expect(messages({ type: 'Conv2d', in_channels: 3, out_channels: 4, kernel_size: 3, groups: 0 })).toEqual([
      'groups: groups must be a positive integer, got 0',
    ]);
  });
  test("padding='same' needs stride 1", () => {
    const errors = validateLayer({
      type: 'Conv2d',
      in_channels: 3,
      out_channels: 4,
      kernel_size: 3,
      padding: 'same',
      stride: [1, 2],
    });
    expect(errors).toEqual([
      {
        field: 'padding',
        message:
          "padding='same' needs stride 1 (PyTorch does not support it for strided convolutions), got stride=[1, 2]",
        fix: { field: 'stride', value: 1, label: 'set stride = 1' },
      },
    ]);
  });
  test.each(['MaxPool2d', 'AvgPool2d'])('%s padding at most half the kernel (per dim, floor)', (type) => {
    expect(validateLayer({ type, kernel_size: 2, padding: 1 })).toEqual([]);
    expect(validateLayer({ type, kernel_size: 3, padding: 1 })).toEqual([]);
    expect(validateLayer({ type, kernel_size: 2, padding: 2 })).toEqual([
      {
        field: 'padding',
        message: 'padding must be at most half of kernel_size: 2 > 2 // 2 = 1',
        fix: { field: 'padding', value: 1, label: 'set padding = 1' },
      },
    ]);
    expect(messages({ type, kernel_size: 3, padding: 2 })).toEqual([
      'padding: padding must be at most half of kernel_size: 2 > 3 // 2 = 1',
    ]);
    expect(messages({ type, kernel_size: 1, padding: 1 })).toEqual([
      'padding: padding must be at most half of kernel_size: 1 > 1 // 2 = 0',
    ]);
    expect(validateLayer({ type, kernel_size: [2, 4], padding: [1, 3] })[0]).toMatchObject({
      message: 'padding must be at most half of kernel_size: 3 > 4 // 2 = 2 (width)',
      fix: { value: [1, 2], label: 'set padding = [1, 2]' },
    });
  });
  test('MaxPool2d: the kernel, not the dilated kernel, bounds the padding (as PyTorch 1.13)', () => {
    expect(messages({ type: 'MaxPool2d', kernel_size: 2, padding: 2, dilation: 3 })).toHaveLength(1);
  });
  test('MaxPool2d return_indices=True cannot sit in an nn.Sequential', () => {
    expect(validateLayer({ type: 'MaxPool2d', kernel_size: 2, return_indices: true })).toEqual([
      {
        field: 'return_indices',
        message:
          'return_indices=True makes MaxPool2d return (output, indices), which no layer of an nn.Sequential can take',
        fix: { field: 'return_indices', value: false, label: 'set return_indices = False' },
      },
    ]);
  });
  test('all problems are reported together', () => {
    expect(
      messages({ type: 'Conv2d', in_channels: 0, kernel_size: -1, bias: 'no', foo: 1 }).map((m) => m.split(':')[0]),
    ).toEqual(['foo', 'in_channels', 'out_channels', 'kernel_size', 'bias']);
  });
});

describe('every message names its field', () => {
  const BAD: unknown[] = [0, -1, 1.5, 'x', true, null, [1], [0, 0], [1, 'a'], {}];
  test.each(LAYER_TYPES.map((t) => [t]))('%s with each bad value in each keyword', (type) => {
    for (const p of CATALOGUE[type].params) {
      for (const bad of BAD) {
        for (const e of validateLayer({ ...minimal(type), [p.name]: bad })) {
          expect(e.field).not.toBe('');
          expect(e.message).toContain(e.field);
        }
      }
    }
  });
});

describe('validateField (one raw value typed in the inspector)', () => {
  test('the same messages as validateLayer, without cross-field rules', () => {
    expect(validateField('Conv2d', 'kernel_size', 0)).toBe('kernel_size must be a positive integer, got 0');
    expect(validateField('Conv2d', 'kernel_size', [3, 5])).toBeNull();
    expect(validateField('Conv2d', 'groups', 5)).toBeNull();
    expect(validateField('Conv2d', 'in_channels', undefined)).toBe('in_channels is required');
    expect(validateField('Conv2d', 'stride', undefined)).toBeNull();
    expect(validateField('Conv2d', 'kernal', 3)).toBe(
      "unknown keyword 'kernal' for Conv2d (did you mean 'kernel_size'?)",
    );
    expect(validateField('Conv3d', 'kernel_size', 3)).toBe("unknown layer type 'Conv3d'");
    expect(validateField('MaxPool2d', 'stride', null)).toBeNull();
    expect(validateField('Dropout', 'p', 2)).toBe('p must be between 0 and 1, got 2');
    expect(validateField('BatchNorm1d', 'eps', 0)).toBeNull();
  });
});

describe('helpers', () => {
  test('didYouMean takes case slips and near misses only', () => {
    expect(didYouMean('relu', ['ReLU', 'GELU'])).toBe('ReLU');
    expect(didYouMean('out_channel', ['in_channels', 'out_channels'])).toBe('out_channels');
    expect(didYouMean('stide', ['stride', 'padding'])).toBe('stride');
    expect(didYouMean('momentum', ['kernel_size', 'stride'])).toBeNull();
  });
  test('pyValue prints Python literals', () => {
    expect([null, true, false, 'same', [3, null], 1e-5, Infinity].map(pyValue)).toEqual([
      'None',
      'True',
      'False',
      "'same'",
      '[3, None]',
      '0.00001',
      'inf',
    ]);
  });
});
