import { describe, expect, test } from 'vitest';
import { convOutSize, poolOutSize, adaptiveBin, samePadding } from '../../src/core/shape-math.ts';

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
