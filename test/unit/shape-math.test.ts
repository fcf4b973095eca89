import { describe, expect, test } from 'vitest';
import {
  adaptiveBin,
  convOutSize,
  effectiveKernel,
  flattenShape,
  implicitSoftmaxDim,
  poolOutSize,
  samePadding,
  valuesPerChannel,
  wrapDim,
} from '../../src/core/model/shape-math.ts';

describe('shape math (PyTorch formulas)', () => {
  test('conv output size', () => {
    expect(convOutSize(32, 5, 1, 2, 2, 1)).toBe(32);
    expect(convOutSize(28, 5, 1, 0, 0, 1)).toBe(24);
    expect(convOutSize(7, 3, 2, 1, 1, 2)).toBe(3);
  });
  test('pool output size with ceil_mode never starts a window in the padding only', () => {
    expect(poolOutSize(32, 2, 2, 0, 1, false)).toBe(16);
    expect(poolOutSize(5, 2, 2, 0, 1, false)).toBe(2);
    expect(poolOutSize(5, 2, 2, 0, 1, true)).toBe(3);
    expect(poolOutSize(4, 2, 2, 1, 1, true)).toBe(3);
    expect(poolOutSize(6, 3, 3, 1, 1, true)).toBe(3);
  });
  test('adaptive bins cover the input', () => {
    expect(adaptiveBin(0, 5, 3)).toEqual([0, 2]);
    expect(adaptiveBin(1, 5, 3)).toEqual([1, 4]);
    expect(adaptiveBin(2, 5, 3)).toEqual([3, 5]);
  });
  test("padding='same' puts the odd one at the end", () => {
    expect(samePadding(4, 1)).toEqual([1, 2]);
    expect(samePadding(3, 2)).toEqual([2, 2]);
  });
});

describe('dims and sizes shared by shape inference and the engine', () => {
  test('effective kernel of a dilated kernel', () => {
    expect(effectiveKernel(3, 1)).toBe(3);
    expect(effectiveKernel(3, 2)).toBe(5);
    expect(effectiveKernel(5, 3)).toBe(13);
  });
  test('wrapDim is maybe_wrap_dim: [-rank, rank) or null', () => {
    expect(wrapDim(-1, 4)).toBe(3);
    expect(wrapDim(-4, 4)).toBe(0);
    expect(wrapDim(3, 4)).toBe(3);
    expect(wrapDim(4, 4)).toBeNull();
    expect(wrapDim(-5, 4)).toBeNull();
    expect(wrapDim(0, 0)).toBe(0);
    expect(wrapDim(-1, 0)).toBe(0);
  });
  test('flattenShape multiplies start..end', () => {
    expect(flattenShape([64, 64, 4, 4], 1, 3)).toEqual([64, 1024]);
    expect(flattenShape([2, 3, 4, 5], 1, 2)).toEqual([2, 12, 5]);
    expect(flattenShape([2, 3], 1, 1)).toEqual([2, 3]);
    expect(flattenShape([3, 4, 4], 0, 2)).toEqual([48]);
  });
  test("Softmax(dim=None) picks PyTorch's implicit dim", () => {
    expect([0, 1, 2, 3, 4].map(implicitSoftmaxDim)).toEqual([0, 0, 1, 0, 1]);
  });
  test('values per channel for batch statistics: N × spatial', () => {
    expect(valuesPerChannel([1, 3])).toBe(1);
    expect(valuesPerChannel([2, 3])).toBe(2);
    expect(valuesPerChannel([1, 3, 5])).toBe(5);
    expect(valuesPerChannel([4, 3, 2, 2])).toBe(16);
  });
});
