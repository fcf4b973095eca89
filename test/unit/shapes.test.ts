// Shape inference: every layer's rule, the error index, messages with arithmetic and
// fixes, against PyTorch 1.13 (probed with /usr/bin/python3; 1200 recorded stacks in
// fixtures/shape-cases.json, and fresh ones live when torch is importable).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { resolveLayer } from '../../src/core/model/resolve.ts';
import { formatShape, inferShapes, layerOutputShape, ShapeRuleError } from '../../src/core/model/shapes.ts';
import type { LayerSpec, Shape } from '../../src/core/model/types.ts';
import { runTorch, torchVersion } from './torch/run-torch.ts';
import { SEED } from './helpers/seed-model.ts';

/** Output of one layer on `input` (train mode), or the error message. */
function one(layer: LayerSpec, input: Shape, training = true): Shape | string {
  const r = inferShapes([layer], input, { training });
  return r.error ? r.error.message : (r.shapes[0] as Shape);
}

describe('the seed CIFAR-10 model', () => {
  test('64×3×32×32 flows to 64×10 with Flatten giving 64×1024', () => {
    const r = inferShapes(SEED, [64, 3, 32, 32]);
    expect(r.error).toBeNull();
    expect(r.input).toEqual([64, 3, 32, 32]);
    expect(r.shapes).toEqual([
      [64, 32, 32, 32],
      [64, 32, 16, 16],
      [64, 32, 16, 16],
      [64, 32, 8, 8],
      [64, 64, 8, 8],
      [64, 64, 4, 4],
      [64, 1024],
      [64, 64],
      [64, 10],
    ]);
  });
  test('a Linear right after a conv: the fix inserts the missing Flatten (and sets in_features), not in_features = W', () => {
    const layers = SEED.filter((l) => l.type !== 'Flatten');
    const r = inferShapes(layers, [2, 3, 32, 32]);
    expect(r.error).toEqual({
      index: 6,
      field: 'in_features',
      message:
        'Linear(in_features=1024) receives a 4-D 2×64×4×4 tensor from MaxPool2d (layer 5): it would use only the last dim (4); flatten first (64×4×4 = 1024 features)',
      fix: { field: 'in_features', value: 1024, insert: [{ type: 'Flatten' }], label: 'insert Flatten' },
    });
    const wrong = inferShapes(
      layers.map((l, i) => (i === 6 ? { ...l, in_features: 10 } : l)),
      [2, 3, 32, 32],
    );
    expect(wrong.error?.fix).toEqual({
      field: 'in_features',
      value: 1024,
      insert: [{ type: 'Flatten' }],
      label: 'insert Flatten and set in_features = 1024',
    });
  });
  test('in_features=1000 fails at layer 7 showing 1024 = 64×4×4 from the Flatten, fix 1024', () => {
    const layers = SEED.map((l, i) => (i === 7 ? { ...l, in_features: 1000 } : l));
    const r = inferShapes(layers, [64, 3, 32, 32]);
    expect(r.error).toEqual({
      index: 7,
      field: 'in_features',
      message: 'Linear(in_features=1000) receives 1024 = 64×4×4 features from Flatten (layer 6)',
      fix: { field: 'in_features', value: 1024, label: 'set in_features = 1024' },
    });
    expect(r.shapes.slice(0, 7).every((s) => s !== null)).toBe(true);
    expect(r.shapes.slice(7)).toEqual([null, null]);
  });
  test('a wrong in_channels names the producing layer and fixes to its channels', () => {
    const layers = SEED.map((l, i) => (i === 2 ? { ...l, in_channels: 16 } : l));
    const r = inferShapes(layers, [64, 3, 32, 32]);
    expect(r.error?.index).toBe(2);
    expect(r.error?.message).toBe(
      'Conv2d(in_channels=16) receives 32 channels (input 64×32×16×16) from Conv2d (layer 0)',
    );
    expect(r.error?.fix).toEqual({ field: 'in_channels', value: 32, label: 'set in_channels = 32' });
  });
  test('applying the fix makes the model run', () => {
    const layers = SEED.map((l, i) => (i === 7 ? { ...l, in_features: 1000 } : l));
    const { fix, index } = inferShapes(layers, [8, 3, 32, 32]).error!;
    layers[index] = { ...layers[index], [fix!.field]: fix!.value };
    expect(inferShapes(layers, [8, 3, 32, 32]).error).toBeNull();
  });
});

describe('Conv2d', () => {
  const conv = (kw: Partial<LayerSpec>): LayerSpec => ({
    type: 'Conv2d',
    in_channels: 3,
    out_channels: 8,
    kernel_size: 3,
    ...kw,
  });
  test.each([
    [{}, [2, 3, 10, 12], [2, 8, 8, 10]],
    [{ padding: 1 }, [2, 3, 10, 12], [2, 8, 10, 12]],
    [{ stride: 2 }, [2, 3, 10, 12], [2, 8, 4, 5]],
    [{ kernel_size: [3, 5], stride: 2, padding: [1, 2], dilation: 2 }, [2, 3, 17, 23], [2, 8, 8, 10]],
    [{ padding: 'same', kernel_size: 4 }, [1, 3, 5, 5], [1, 8, 5, 5]],
    [{ padding: 'same', dilation: 2 }, [1, 3, 3, 3], [1, 8, 3, 3]],
    [{ padding: 'valid' }, [1, 3, 5, 5], [1, 8, 3, 3]],
    [{ padding: 5 }, [1, 3, 2, 2], [1, 8, 10, 10]],
    [{ stride: 5 }, [1, 3, 3, 3], [1, 8, 1, 1]],
    [{ padding: 1, padding_mode: 'reflect' }, [1, 3, 4, 4], [1, 8, 4, 4]],
    [{ kernel_size: 9, padding: 4, padding_mode: 'circular' }, [1, 3, 4, 4], [1, 8, 4, 4]],
    [{ kernel_size: 11, padding: 5, padding_mode: 'replicate' }, [1, 3, 4, 4], [1, 8, 4, 4]],
    [{ in_channels: 4, groups: 4 }, [2, 4, 5, 5], [2, 8, 3, 3]],
  ] as [Partial<LayerSpec>, Shape, Shape][])('%j on %j gives %j', (kw, input, out) => {
    expect(one(conv(kw), input)).toEqual(out);
  });
  test('an unbatched 3-D input gives a 3-D output', () => {
    expect(one(conv({}), [3, 8, 8])).toEqual([8, 6, 6]);
  });
  test('needs 3-D or 4-D input', () => {
    expect(one(conv({}), [2, 27])).toBe(
      'Conv2d needs a 3-D [C, H, W] or 4-D [N, C, H, W] input, got 2-D 2×27 from the input',
    );
    expect(one(conv({}), [1, 1, 3, 8, 8])).toMatch(/got 5-D 1×1×3×8×8/);
  });
  test('a kernel larger than the padded input shows the sum', () => {
    expect(one(conv({ kernel_size: 5 }), [1, 3, 4, 4])).toBe(
      'Conv2d kernel 5×5 is larger than the padded input: height 4 + 0 + 0 = 4 < kernel 5',
    );
    expect(one(conv({ kernel_size: 3, dilation: 3 }), [1, 3, 6, 9])).toBe(
      'Conv2d kernel 3×3 is larger than the padded input: height 6 + 0 + 0 = 6 < kernel 7 = 3×(3−1)+1 (dilation 3)',
    );
  });
  test('kernel exactly the padded size fits', () => {
    expect(one(conv({ kernel_size: 5, padding: 1 }), [1, 3, 3, 3])).toEqual([1, 8, 1, 1]);
  });
  test('reflect padding must be smaller than the input, circular at most the input', () => {
    expect(one(conv({ kernel_size: 9, padding: 4, padding_mode: 'reflect' }), [1, 3, 4, 4])).toBe(
      "Conv2d padding_mode='reflect' needs padding smaller than the input: padding 4 ≥ height 4",
    );
    expect(one(conv({ kernel_size: 7, padding: 3, padding_mode: 'reflect' }), [1, 3, 4, 4])).toEqual([1, 8, 4, 4]);
    expect(one(conv({ kernel_size: 11, padding: 5, padding_mode: 'circular' }), [1, 3, 4, 4])).toMatch(
      /wraps around more than once: padding 5 > height 4/,
    );
  });
  test('circular padding on an unbatched input fails in PyTorch 1.13, reflect does not', () => {
    expect(one(conv({ padding: 1, padding_mode: 'circular' }), [3, 4, 4])).toMatch(/circular' needs a batched 4-D/);
    expect(one(conv({ padding: 1, padding_mode: 'reflect' }), [3, 4, 4])).toEqual([8, 4, 4]);
  });
  test('channel mismatch: fix only when the channels suit groups', () => {
    const r = inferShapes([conv({ in_channels: 4, out_channels: 4, groups: 4 })], [1, 6, 5, 5]);
    expect(r.error?.message).toBe('Conv2d(in_channels=4) receives 6 channels (input 1×6×5×5) from the input');
    expect(r.error?.fix).toBeUndefined();
    expect(inferShapes([conv({ in_channels: 1 })], [1, 3, 5, 5]).error?.fix?.value).toBe(3);
    expect(one(conv({ in_channels: 2 }), [1, 1, 5, 5])).toMatch(/receives 1 channel \(/);
  });
});

describe('MaxPool2d and AvgPool2d', () => {
  test.each([
    [{ type: 'MaxPool2d', kernel_size: 2 }, [1, 3, 5, 7], [1, 3, 2, 3]],
    [{ type: 'MaxPool2d', kernel_size: 2, ceil_mode: true }, [1, 3, 5, 5], [1, 3, 3, 3]],
    [{ type: 'MaxPool2d', kernel_size: 3, stride: 2, padding: 1, ceil_mode: true }, [2, 3, 13, 11], [2, 3, 7, 6]],
    [{ type: 'MaxPool2d', kernel_size: [2, 3] }, [1, 1, 8, 9], [1, 1, 4, 3]],
    [{ type: 'MaxPool2d', kernel_size: 2, stride: null }, [1, 1, 8, 8], [1, 1, 4, 4]],
    [{ type: 'MaxPool2d', kernel_size: 2, stride: 1 }, [1, 1, 8, 8], [1, 1, 7, 7]],
    [{ type: 'MaxPool2d', kernel_size: 2, padding: 1, dilation: 3 }, [1, 1, 8, 8], [1, 1, 4, 4]],
    [{ type: 'MaxPool2d', kernel_size: 4, padding: 2 }, [1, 1, 1, 1], [1, 1, 1, 1]],
    [{ type: 'MaxPool2d', kernel_size: 2 }, [3, 4, 4], [3, 2, 2]],
    [{ type: 'AvgPool2d', kernel_size: 2, ceil_mode: true }, [2, 3, 7, 6], [2, 3, 4, 3]],
    [{ type: 'AvgPool2d', kernel_size: 3, padding: 1 }, [1, 1, 8, 8], [1, 1, 3, 3]],
    [{ type: 'AvgPool2d', kernel_size: 3, stride: 2, ceil_mode: true }, [1, 1, 2, 2], [1, 1, 1, 1]],
    [{ type: 'AvgPool2d', kernel_size: 2, divisor_override: 3, count_include_pad: false }, [1, 4, 4], [1, 2, 2]],
  ] as [LayerSpec, Shape, Shape][])('%j on %j gives %j', (layer, input, out) => {
    expect(one(layer, input)).toEqual(out);
  });
  test('output below 1 is too small, with the formula', () => {
    expect(one({ type: 'MaxPool2d', kernel_size: 4 }, [1, 1, 3, 3])).toBe(
      'MaxPool2d output size is too small for input 1×1×3×3: height floor((3 + 2×0 − 4) / 4) + 1 = 0',
    );
    expect(one({ type: 'MaxPool2d', kernel_size: 2, dilation: 4 }, [1, 1, 4, 4])).toMatch(
      /too small.*− 5\) \/ 2\) \+ 1 = 0/,
    );
    expect(one({ type: 'MaxPool2d', kernel_size: 3, stride: 1, ceil_mode: true }, [1, 1, 2, 2])).toMatch(
      /ceil\(\(2 \+ 2×0 − 3\) \/ 1\) \+ 1 = 0/,
    );
    expect(one({ type: 'AvgPool2d', kernel_size: [1, 4] }, [1, 1, 3, 3])).toMatch(/width floor/);
    expect(one({ type: 'MaxPool2d', kernel_size: 2 }, [3, 1, 1])).toMatch(/too small for input 3×1×1/);
  });
  test('padding over half the kernel is refused when the layer is built', () => {
    const r = inferShapes([{ type: 'MaxPool2d', kernel_size: 2, padding: 2 }], [1, 1, 8, 8]);
    expect(r.error).toMatchObject({ index: 0, field: 'padding', fix: { field: 'padding', value: 1 } });
    expect(r.error?.message).toBe('MaxPool2d: padding must be at most half of kernel_size: 2 > 2 // 2 = 1');
  });
  test('need 3-D or 4-D input', () => {
    expect(one({ type: 'MaxPool2d', kernel_size: 2 }, [4, 4])).toMatch(/MaxPool2d needs a 3-D \[C, H, W\] or 4-D/);
    expect(one({ type: 'AvgPool2d', kernel_size: 2 }, [1, 1, 1, 4, 4])).toMatch(/AvgPool2d needs a 3-D/);
  });
});

describe('AdaptiveAvgPool2d', () => {
  test.each([
    [
      [3, 2],
      [2, 3, 13, 11],
      [2, 3, 3, 2],
    ],
    [3, [1, 1, 5, 4], [1, 1, 3, 3]],
    [7, [1, 1, 5, 4], [1, 1, 7, 7]],
    [
      [null, 2],
      [1, 1, 5, 4],
      [1, 1, 5, 2],
    ],
    [
      [null, null],
      [1, 1, 1],
      [1, 1, 1],
    ],
    [2, [1, 5, 4], [1, 2, 2]],
  ] as [unknown, Shape, Shape][])('output_size %j on %j gives %j', (output_size, input, out) => {
    expect(one({ type: 'AdaptiveAvgPool2d', output_size }, input)).toEqual(out);
  });
  test('output 1 (an int) is a mean over the last two dims at any rank >= 2, as ATen computes it', () => {
    expect(one({ type: 'AdaptiveAvgPool2d', output_size: 1 }, [3, 8])).toEqual([1, 1]);
    expect(one({ type: 'AdaptiveAvgPool2d', output_size: 1 }, [1, 2, 3, 3, 8])).toEqual([1, 2, 3, 1, 1]);
    expect(one({ type: 'AdaptiveAvgPool2d', output_size: [1, 1] }, [1, 2, 3, 3, 8])).toEqual([1, 2, 3, 1, 1]);
    expect(typeof one({ type: 'AdaptiveAvgPool2d', output_size: 1 }, [8])).toBe('string');
  });
  test('a pair needs at least 3 dims (Python fills None from input.size()[-2:])', () => {
    expect(one({ type: 'AdaptiveAvgPool2d', output_size: [1, 1] }, [1, 8])).toBe(
      'AdaptiveAvgPool2d(output_size=[h, w]) needs an input of at least 3 dims, got 2-D 1×8 from the input',
    );
    expect(typeof one({ type: 'AdaptiveAvgPool2d', output_size: [null, 1] }, [3, 8])).toBe('string');
  });
  test('other sizes need 3-D or 4-D', () => {
    expect(one({ type: 'AdaptiveAvgPool2d', output_size: 2 }, [5, 4])).toMatch(/needs a 3-D/);
    expect(one({ type: 'AdaptiveAvgPool2d', output_size: 2 }, [1, 1, 1, 4, 4])).toMatch(/needs a 3-D.*got 5-D/);
  });
});

describe('Flatten', () => {
  test.each([
    [{}, [2, 3, 4, 5], [2, 60]],
    [{ start_dim: 0 }, [3, 4, 4], [48]],
    [{ start_dim: 0 }, [48], [48]],
    [{ start_dim: -3, end_dim: -2 }, [2, 3, 4, 5], [2, 12, 5]],
    [{ start_dim: 2, end_dim: 2 }, [2, 3, 4, 5], [2, 3, 4, 5]],
    [{}, [2, 3], [2, 3]],
    [{ start_dim: 1, end_dim: 2 }, [2, 3, 4, 5], [2, 12, 5]],
  ] as [Partial<LayerSpec>, Shape, Shape][])('%j on %j gives %j', (kw, input, out) => {
    expect(one({ type: 'Flatten', ...kw }, input)).toEqual(out);
  });
  test('start_dim out of range (a 1-D input), with the valid range and a fix', () => {
    const r = inferShapes([{ type: 'Flatten' }, { type: 'Flatten' }], [2, 3]);
    expect(r.shapes[0]).toEqual([2, 3]);
    const r1 = inferShapes([{ type: 'Flatten', start_dim: 0 }, { type: 'Flatten' }], [2, 3]);
    expect(r1.error).toEqual({
      index: 1,
      field: 'start_dim',
      message: 'Flatten start_dim=1 is out of range for a 1-D input 6 (valid: -1 to 0)',
      fix: { field: 'start_dim', value: 0, label: 'set start_dim = 0' },
    });
  });
  test('end_dim out of range, and start after end', () => {
    expect(one({ type: 'Flatten', start_dim: 1, end_dim: 4 }, [2, 3, 4, 5])).toBe(
      'Flatten end_dim=4 is out of range for a 4-D input 2×3×4×5 (valid: -4 to 3)',
    );
    expect(one({ type: 'Flatten', start_dim: -5 }, [2, 3, 4, 5])).toMatch(/start_dim=-5 is out of range/);
    expect(one({ type: 'Flatten', start_dim: 2, end_dim: 1 }, [2, 3, 4, 5])).toBe(
      'Flatten(start_dim=2, end_dim=1) on a 4-D input 2×3×4×5: start_dim (dim 2) comes after end_dim (dim 1)',
    );
    expect(one({ type: 'Flatten', start_dim: -1, end_dim: 1 }, [2, 3, 4, 5])).toMatch(
      /start_dim \(dim 3\) comes after end_dim \(dim 1\)/,
    );
  });
});

describe('Linear', () => {
  test('acts on the last dim of any rank', () => {
    expect(one({ type: 'Linear', in_features: 48, out_features: 4 }, [48])).toEqual([4]);
    expect(one({ type: 'Linear', in_features: 6, out_features: 3 }, [2, 2, 6, 6])).toEqual([2, 2, 6, 3]);
    expect(one({ type: 'Linear', in_features: 6, out_features: 3 }, [5, 6])).toEqual([5, 3]);
  });
  test('a mismatch names the last dim of a many-dim input', () => {
    expect(one({ type: 'Linear', in_features: 5, out_features: 3 }, [2, 2, 6, 6])).toBe(
      'Linear(in_features=5) receives a 4-D 2×2×6×6 tensor from the input: it would use only the last dim (6); flatten first (2×6×6 = 72 features)',
    );
    expect(one({ type: 'Linear', in_features: 5, out_features: 3 }, [1])).toBe(
      'Linear(in_features=5) receives 1 feature from the input',
    );
  });
  test('features passed through activations keep their origin', () => {
    const r = inferShapes(
      [
        { type: 'Flatten' },
        { type: 'ReLU' },
        { type: 'Dropout' },
        { type: 'Linear', in_features: 100, out_features: 10 },
      ],
      [1, 1, 28, 28],
    );
    expect(r.error?.message).toBe('Linear(in_features=100) receives 784 = 1×28×28 features from Flatten (layer 0)');
  });
  test('a feature size set by a Linear names that Linear', () => {
    const r = inferShapes(
      [
        { type: 'Linear', in_features: 4, out_features: 8 },
        { type: 'Tanh' },
        { type: 'Linear', in_features: 4, out_features: 2 },
      ],
      [3, 4],
    );
    expect(r.error).toMatchObject({
      index: 2,
      message: 'Linear(in_features=4) receives 8 features from Linear (layer 0)',
    });
  });
  test('after a pool, the public error case fails at the Linear', () => {
    const r = inferShapes(
      [
        { type: 'Conv2d', in_channels: 1, out_channels: 4, kernel_size: 3, padding: 1 },
        { type: 'MaxPool2d', kernel_size: 2 },
        { type: 'Flatten' },
        { type: 'Linear', in_features: 256, out_features: 10 },
      ],
      [1, 1, 28, 28],
    );
    expect(r.error?.message).toBe('Linear(in_features=256) receives 784 = 4×14×14 features from Flatten (layer 2)');
    expect(r.error?.fix?.value).toBe(784);
  });
});

describe('BatchNorm1d and BatchNorm2d', () => {
  test('keep the shape', () => {
    expect(one({ type: 'BatchNorm1d', num_features: 3 }, [2, 3])).toEqual([2, 3]);
    expect(one({ type: 'BatchNorm1d', num_features: 3 }, [1, 3, 2])).toEqual([1, 3, 2]);
    expect(one({ type: 'BatchNorm2d', num_features: 3 }, [1, 3, 2, 1])).toEqual([1, 3, 2, 1]);
  });
  test('rank rules with a switch-type fix', () => {
    const r = inferShapes([{ type: 'BatchNorm1d', num_features: 3 }], [2, 3, 4, 4]);
    expect(r.error?.message).toBe(
      'BatchNorm1d needs a 2-D [N, C] or 3-D [N, C, L] input, got 4-D 2×3×4×4 from the input',
    );
    expect(r.error?.fix).toEqual({ field: 'type', value: 'BatchNorm2d', label: 'use BatchNorm2d' });
    const r2 = inferShapes([{ type: 'BatchNorm2d', num_features: 3 }], [3, 4, 4]);
    expect(r2.error?.message).toBe('BatchNorm2d needs a 4-D [N, C, H, W] input, got 3-D 3×4×4 from the input');
    expect(r2.error?.fix?.value).toBe('BatchNorm1d');
    expect(one({ type: 'BatchNorm1d', num_features: 3 }, [3])).toMatch(/got 1-D/);
  });
  test('channel mismatch unless there is neither weight nor running stats', () => {
    const r = inferShapes(
      [
        { type: 'Conv2d', in_channels: 3, out_channels: 4, kernel_size: 3 },
        { type: 'BatchNorm2d', num_features: 8 },
      ],
      [2, 3, 8, 8],
    );
    expect(r.error).toEqual({
      index: 1,
      field: 'num_features',
      message: 'BatchNorm2d(num_features=8) receives 4 channels (input 2×4×6×6) from Conv2d (layer 0)',
      fix: { field: 'num_features', value: 4, label: 'set num_features = 4' },
    });
    expect(typeof one({ type: 'BatchNorm1d', num_features: 4, affine: false }, [2, 3])).toBe('string');
    expect(typeof one({ type: 'BatchNorm1d', num_features: 4, track_running_stats: false }, [2, 3])).toBe('string');
    expect(one({ type: 'BatchNorm1d', num_features: 4, affine: false, track_running_stats: false }, [2, 3])).toEqual([
      2, 3,
    ]);
  });
  test('train mode needs more than one value per channel', () => {
    expect(one({ type: 'BatchNorm2d', num_features: 3 }, [1, 3, 1, 1])).toBe(
      'BatchNorm2d needs more than 1 value per channel when training: input 1×3×1×1 gives each channel 1×1×1 = 1 value (use a batch of 2 or more)',
    );
    expect(one({ type: 'BatchNorm1d', num_features: 3 }, [1, 3])).toBe(
      'BatchNorm1d needs more than 1 value per channel when training: input 1×3 gives each channel 1 value (use a batch of 2 or more)',
    );
    expect(typeof one({ type: 'BatchNorm1d', num_features: 3 }, [1, 3, 1])).toBe('string');
  });
  test('eval mode uses running stats, unless there are none', () => {
    expect(one({ type: 'BatchNorm2d', num_features: 3 }, [1, 3, 1, 1], false)).toEqual([1, 3, 1, 1]);
    expect(typeof one({ type: 'BatchNorm2d', num_features: 3, track_running_stats: false }, [1, 3, 1, 1], false)).toBe(
      'string',
    );
  });
});

describe('Softmax, LogSoftmax, activations and Dropout', () => {
  test('keep the shape', () => {
    for (const type of ['ReLU', 'LeakyReLU', 'Sigmoid', 'Tanh', 'GELU', 'ELU', 'Dropout', 'Softmax', 'LogSoftmax']) {
      expect(one({ type }, [2, 3, 4])).toEqual([2, 3, 4]);
      expect(one({ type }, [7])).toEqual([7]);
    }
  });
  test('dim must be in range', () => {
    expect(one({ type: 'Softmax', dim: -2 }, [2, 3])).toEqual([2, 3]);
    const r = inferShapes([{ type: 'LogSoftmax', dim: 2 }], [2, 3]);
    expect(r.error).toEqual({
      index: 0,
      field: 'dim',
      message: 'LogSoftmax dim=2 is out of range for a 2-D input 2×3 (valid: -2 to 1)',
      fix: { field: 'dim', value: -1, label: 'set dim = -1' },
    });
    expect(typeof one({ type: 'Softmax', dim: -3 }, [2, 3])).toBe('string');
    expect(typeof one({ type: 'Softmax', dim: 1 }, [3])).toBe('string');
  });
});

describe('invalid layers and inputs', () => {
  test('an invalid layer fails at its index with its first keyword error', () => {
    const r = inferShapes([{ type: 'ReLU' }, { type: 'Dropout', p: 1.5 }, { type: 'ReLU' }], [2, 3]);
    expect(r.error).toEqual({ index: 1, field: 'p', message: 'Dropout: p must be between 0 and 1, got 1.5' });
    expect(r.shapes).toEqual([[2, 3], null, null]);
  });
  test('an unknown type names the type and suggests one', () => {
    const r = inferShapes([{ type: 'Conv2D', in_channels: 1, out_channels: 1, kernel_size: 1 }], [1, 1, 2, 2]);
    expect(r.error?.message).toBe("unknown layer type 'Conv2D' (did you mean 'Conv2d'?)");
    expect(r.error?.fix?.value).toBe('Conv2d');
  });
  test('cross-field rules count: groups, padding=same with stride', () => {
    expect(
      inferShapes([{ type: 'Conv2d', in_channels: 3, out_channels: 4, kernel_size: 3, groups: 2 }], [1, 3, 5, 5]).error
        ?.message,
    ).toBe('Conv2d: groups must divide in_channels (3 % 2 != 0)');
    expect(
      inferShapes(
        [{ type: 'Conv2d', in_channels: 4, out_channels: 4, kernel_size: 3, stride: 2, padding: 'same' }],
        [1, 4, 5, 5],
      ).error?.fix,
    ).toEqual({ field: 'stride', value: 1, label: 'set stride = 1' });
  });
  test('a layer that is not an object fails at its index', () => {
    const r = inferShapes([{ type: 'ReLU' }, null as unknown as LayerSpec], [2, 3]);
    expect(r.error).toMatchObject({ index: 1, message: expect.stringMatching(/a layer must be an object/) });
  });
  test('a bad input shape is reported at index -1', () => {
    for (const input of [[], [0, 3], [2, -1], [2.5]]) {
      const r = inferShapes([{ type: 'ReLU' }], input);
      expect(r.error?.index).toBe(-1);
      expect(r.shapes).toEqual([null]);
    }
  });
  test('no layers: no shapes, no error', () => {
    expect(inferShapes([], [1, 3])).toEqual({ input: [1, 3], shapes: [], error: null });
  });
});

describe('layerOutputShape and formatShape', () => {
  test('layerOutputShape takes a resolved layer and throws ShapeRuleError with the fix', () => {
    const layer = resolveLayer({ type: 'Linear', in_features: 10, out_features: 2 });
    expect(layerOutputShape(layer, [4, 10])).toEqual([4, 2]);
    let err: unknown;
    try {
      layerOutputShape(layer, [4, 12]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ShapeRuleError);
    expect((err as ShapeRuleError).message).toBe('Linear(in_features=10) receives 12 features from the input');
    expect((err as ShapeRuleError).fix?.value).toBe(12);
  });
  test('layerOutputShape honours eval mode for BatchNorm', () => {
    const bn = resolveLayer({ type: 'BatchNorm1d', num_features: 3 });
    expect(() => layerOutputShape(bn, [1, 3])).toThrow(/more than 1 value per channel/);
    expect(layerOutputShape(bn, [1, 3], { training: false })).toEqual([1, 3]);
  });
  test('formatShape writes × and N for a free batch', () => {
    expect(formatShape([64, 32, 32, 32])).toBe('64×32×32×32');
    expect(formatShape([64, 1024], true)).toBe('N×1024');
    expect(formatShape([10])).toBe('10');
  });
});

interface RecordedCase {
  id: string;
  layers: LayerSpec[];
  input_shape: Shape;
  expect: { shapes?: Shape[]; error_at?: number };
}

function mismatches(cases: RecordedCase[]): string[] {
  const bad: string[] = [];
  for (const c of cases) {
    const r = inferShapes(c.layers, c.input_shape);
    const got = r.error ? { error_at: r.error.index } : { shapes: r.shapes };
    if (JSON.stringify(got) !== JSON.stringify(c.expect))
      bad.push(
        `${c.id} ${JSON.stringify(c.layers)} on ${JSON.stringify(c.input_shape)}: got ${JSON.stringify(got)} (${r.error?.message ?? ''}), PyTorch ${JSON.stringify(c.expect)}`,
      );
  }
  return bad;
}

describe('against PyTorch 1.13', () => {
  test('1200 recorded random stacks (fixtures/shape-cases.json) agree', () => {
    const fixture = JSON.parse(readFileSync(new URL('./fixtures/shape-cases.json', import.meta.url), 'utf8')) as {
      cases: RecordedCase[];
    };
    expect(fixture.cases.length).toBe(1200);
    expect(mismatches(fixture.cases)).toEqual([]);
  });
  // Fixed seeds keep CI deterministic; LAYERBOARD_SHAPE_SEED=<n> explores others. Known,
  // deliberate difference: negative padding with a non-'zeros' padding_mode is refused here,
  // while PyTorch crops through F.pad.
  test.skipIf(!torchVersion)(
    'random stacks run live agree',
    () => {
      const seed = Number(process.env.LAYERBOARD_SHAPE_SEED ?? 20261126);
      const cases = runTorch<RecordedCase[]>('shape_reference.py', { seed, count: 300 });
      expect(mismatches(cases)).toEqual([]);
    },
    60_000,
  );
});
