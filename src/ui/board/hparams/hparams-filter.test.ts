import { describe, expect, test } from 'vitest';
import { hparamRow } from '../compare/hparams-table.ts';
import { activeFilters, columnDomain, passes, valueLabel } from './hparams-filter.ts';

const rows = [
  hparamRow('a', 'a', { lr: 0.01, optimizer: 'SGD' }, { acc: 0.9 }),
  hparamRow('b', 'b', { lr: 0.1, optimizer: 'Adam' }, { acc: 0.7 }),
  hparamRow('c', 'c', { lr: 1, optimizer: 'SGD' }, {}),
];
const kept = (f: Parameters<typeof passes>[1]) => rows.filter((r) => passes(r, f)).map((r) => r.runId);

describe('hparams filters', () => {
  test('a numeric column has a range; other columns their distinct values, a missing one as (none)', () => {
    expect(columnDomain(rows, 'hparam:lr')).toEqual({ kind: 'numeric', min: 0.01, max: 1 });
    expect(columnDomain(rows, 'hparam:optimizer')).toEqual({ kind: 'discrete', values: ['Adam', 'SGD'] });
    expect(columnDomain(rows, 'metric:acc')).toEqual({ kind: 'numeric', min: 0.7, max: 0.9 });
    expect(valueLabel(undefined)).toBe('(none)');
  });

  test('ranges are inclusive, either end open; runs without a number fail a bounded range', () => {
    expect(kept({ 'hparam:lr': { kind: 'range', min: 0.05, max: null } })).toEqual(['b', 'c']);
    expect(kept({ 'hparam:lr': { kind: 'range', min: null, max: 0.1 } })).toEqual(['a', 'b']);
    expect(kept({ 'metric:acc': { kind: 'range', min: 0.5, max: 0.9 } })).toEqual(['a', 'b']);
    expect(kept({ 'metric:acc': { kind: 'range', min: null, max: null } })).toEqual(['a', 'b', 'c']);
  });

  test('unticked values hide their runs; every filter must pass', () => {
    expect(kept({ 'hparam:optimizer': { kind: 'values', hidden: ['SGD'] } })).toEqual(['b']);
    expect(
      kept({
        'hparam:optimizer': { kind: 'values', hidden: ['Adam'] },
        'hparam:lr': { kind: 'range', min: 0.5, max: null },
      }),
    ).toEqual(['c']);
    expect(
      Object.keys(
        activeFilters({
          x: { kind: 'range', min: null, max: null },
          y: { kind: 'values', hidden: [] },
          z: { kind: 'range', min: 1, max: null },
        }),
      ),
    ).toEqual(['z']);
  });
});
