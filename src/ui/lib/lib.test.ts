import { describe, expect, test } from 'vitest';
import { CATALOGUE } from '../../core/model/catalogue.ts';
import { badgeText } from './badge.ts';
import { formatValue, parseValue } from './param-input.ts';
import { parseShape } from './shape-input.ts';
import { formatCompact, shapeText, featureShapeText } from './format.ts';
import { headLines } from './head-lines.ts';

const spec = (type: keyof typeof CATALOGUE, name: string) => CATALOGUE[type].params.find((p) => p.name === name)!;

describe('badge', () => {
  test('Conv2d shows channels, kernel and non-default padding', () => {
    expect(badgeText({ type: 'Conv2d', in_channels: 3, out_channels: 32, kernel_size: 5, stride: 1, padding: 2 })).toBe(
      '32, 5×5, p=2',
    );
    expect(badgeText({ type: 'Conv2d', in_channels: 3, out_channels: 8, kernel_size: [3, 1], stride: 2 })).toBe(
      '8, 3×1, s=2',
    );
  });
  test('pools, dropout, layers without badge keywords', () => {
    expect(badgeText({ type: 'MaxPool2d', kernel_size: 2 })).toBe('2×2');
    expect(badgeText({ type: 'Dropout' })).toBe('');
    expect(badgeText({ type: 'Dropout', p: 0.25 })).toBe('p=0.25');
    expect(badgeText({ type: 'Flatten' })).toBe('');
    expect(badgeText({ type: 'Linear', in_features: 1024, out_features: 64 })).toBe('64');
  });
});

describe('param input', () => {
  test('ints, floats, None', () => {
    expect(parseValue('12', spec('Linear', 'in_features'))).toEqual({ ok: true, value: 12 });
    expect(parseValue('1.5x', spec('Dropout', 'p'))).toEqual({ ok: false, message: 'p must be a number' });
    expect(parseValue('1e-3', spec('BatchNorm2d', 'eps'))).toEqual({ ok: true, value: 0.001 });
    expect(parseValue('None', spec('Softmax', 'dim'))).toEqual({ ok: true, value: null });
    expect(parseValue('None', spec('Linear', 'in_features')).ok).toBe(false);
    expect(parseValue('', spec('Linear', 'in_features'))).toEqual({ ok: false, message: 'in_features is required' });
    expect(parseValue('', spec('Conv2d', 'stride'))).toEqual({ ok: true, value: undefined });
  });
  test('pairs in Python spelling, strings for padding', () => {
    const k = spec('Conv2d', 'kernel_size');
    expect(parseValue('5', k)).toEqual({ ok: true, value: 5 });
    expect(parseValue('(5, 3)', k)).toEqual({ ok: true, value: [5, 3] });
    expect(parseValue('[5,3]', k)).toEqual({ ok: true, value: [5, 3] });
    expect(parseValue('5, 3', k)).toEqual({ ok: true, value: [5, 3] });
    expect(parseValue('(5, 3, 1)', k).ok).toBe(false);
    expect(parseValue("'same'", spec('Conv2d', 'padding'))).toEqual({ ok: true, value: 'same' });
    expect(parseValue('same', spec('Conv2d', 'padding'))).toEqual({ ok: true, value: 'same' });
    expect(parseValue('(None, 7)', spec('AdaptiveAvgPool2d', 'output_size'))).toEqual({ ok: true, value: [null, 7] });
  });
  test('values format back as typed', () => {
    expect(formatValue([5, 3])).toBe('(5, 3)');
    expect(formatValue(null)).toBe('None');
    expect(formatValue(undefined)).toBe('');
  });
});

describe('formatting', () => {
  test('shapes and counts', () => {
    expect(shapeText([1, 1024])).toBe('N×1024');
    expect(featureShapeText([1, 32, 16, 16])).toBe('32×16×16');
    expect(formatCompact(145578)).toBe('146K');
    expect(formatCompact(12_399_306)).toBe('12.4M');
    expect(formatCompact(2432)).toBe('2.43K');
  });
  test('input shapes', () => {
    expect(parseShape('3, 32, 32')).toEqual({ ok: true, shape: [3, 32, 32] });
    expect(parseShape('1×28×28')).toEqual({ ok: true, shape: [1, 28, 28] });
    expect(parseShape('[784]')).toEqual({ ok: true, shape: [784] });
    expect(parseShape('3, 0').ok).toBe(false);
    expect(parseShape('1,2,3,4').ok).toBe(false);
  });
});

describe('head lines', () => {
  test('long text is cut after its first lines and says how many were left out', () => {
    const text = Array.from({ length: 10 }, (_, i) => `line ${i}`).join('\n');
    expect(headLines(text, 3)).toEqual({ text: 'line 0\nline 1\nline 2\n', more: 7 });
    expect(headLines(`${text}\n`, 3).more).toBe(7);
    expect(headLines(text, 10)).toEqual({ text, more: 0 });
    expect(headLines('a\nb\n', 2)).toEqual({ text: 'a\nb\n', more: 0 });
  });
});
