import { describe, expect, test } from 'vitest';
import {
  classNameError,
  layerNamesErrors,
  pythonNameError,
  PYTHON_KEYWORDS,
} from '../../src/core/python/python-names.ts';

describe('pythonNameError: the Python identifier rule for layer names', () => {
  test.each(['conv1', 'relu_1', '_x', 'Linear', 'fc', 'x9', 'model', 'T_max', 'match', 'case', '_'])(
    '%s is valid',
    (name) => {
      expect(pythonNameError(name)).toBeNull();
    },
  );
  test('every hard keyword is refused', () => {
    expect(PYTHON_KEYWORDS.size).toBe(35);
    for (const kw of PYTHON_KEYWORDS) expect(pythonNameError(kw)).toBe(`'${kw}' is a Python keyword`);
  });
  test('soft keywords are legal names', () => {
    for (const soft of ['match', 'case', '_']) expect(pythonNameError(soft)).toBeNull();
  });
  test('digits first', () => {
    expect(pythonNameError('1abc')).toBe("'1abc' starts with a digit; a Python identifier starts with a letter or _");
    expect(pythonNameError('0')).toContain('starts with a digit');
  });
  test('empty', () => {
    expect(pythonNameError('')).toBe('must not be empty');
  });
  test('dots (PyTorch refuses them: they separate state_dict keys)', () => {
    expect(pythonNameError('a.b')).toBe("'a.b' contains '.'; use only ASCII letters, digits and _");
  });
  test('spaces, dashes, quotes and control characters', () => {
    expect(pythonNameError('x y')).toContain('contains a space');
    expect(pythonNameError('conv-1')).toContain("contains '-'");
    expect(pythonNameError("a'); import os #")).toContain("contains '''");
    expect(pythonNameError('a\nb')).toBe(
      "'a\\x0ab' contains a control character; use only ASCII letters, digits and _",
    );
  });
  test('unicode identifiers are refused with a reason', () => {
    expect(pythonNameError('é')).toBe(
      "'é' contains 'é'; use only ASCII letters, digits and _ (Layerboard keeps names ASCII)",
    );
    expect(pythonNameError('ﬁlter')).toContain('Layerboard keeps names ASCII');
  });
  test('attributes of nn.Sequential are refused as PyTorch does', () => {
    for (const name of [
      'forward',
      'training',
      'parameters',
      'state_dict',
      'add_module',
      'append',
      'pop',
      'cuda',
      '_modules',
      'dump_patches',
      'compile',
      'type',
    ]) {
      expect(pythonNameError(name)).toBe(
        `'${name}' is already an attribute of nn.Sequential (PyTorch refuses it: attribute '${name}' already exists)`,
      );
    }
    expect(pythonNameError('__init__')).toContain('already an attribute');
  });
  test('other dunders are reserved', () => {
    expect(pythonNameError('__x__')).toBe("'__x__' is a __dunder__ name, which Python reserves for itself");
  });
});

describe('layerNamesErrors', () => {
  test('duplicates are refused with the first index', () => {
    expect(layerNamesErrors(['conv', 'relu', 'conv'])).toEqual([
      { index: 2, message: "'conv' is already the name of layer 0; names must be unique" },
    ]);
  });
  test('every bad name is reported with its index', () => {
    expect(layerNamesErrors(['ok', 'class', '', 'forward']).map((e) => e.index)).toEqual([1, 2, 3]);
  });
});

describe('classNameError', () => {
  test('identifiers that shadow what the module uses are refused', () => {
    expect(classNameError('BS')).toBeNull();
    expect(classNameError('forward')).toBeNull();
    expect(classNameError('torch')).toContain('would shadow');
    expect(classNameError('nn')).toContain('would shadow');
    expect(classNameError('class')).toBe("'class' is a Python keyword");
    expect(classNameError('My Model')).toContain('contains a space');
  });
});
