import { describe, expect, test } from 'vitest';
import { RunColors, type ColorStore } from './run-colors.ts';

const palette = ['red', 'green', 'blue'];
const memory = (): ColorStore & { data: Map<string, string> } => {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
};

describe('run colours', () => {
  test('first assignment goes by age; importing an older run recolours nothing', () => {
    const colors = new RunColors(palette, null);
    const a = { id: 'a', created: 20 },
      b = { id: 'b', created: 30 };
    expect([...colors.assign([b, a])]).toEqual([
      ['b', 'green'],
      ['a', 'red'],
    ]);
    const older = { id: 'old', created: 1 };
    const after = colors.assign([b, a, older]);
    expect(after.get('a')).toBe('red');
    expect(after.get('b')).toBe('green');
    expect(after.get('old')).toBe('blue');
  });

  test('a deleted run frees its colour; colours survive a reload through the store', () => {
    const store = memory();
    const first = new RunColors(palette, store);
    first.assign([
      { id: 'a', created: 1 },
      { id: 'b', created: 2 },
      { id: 'c', created: 3 },
    ]);
    const reloaded = new RunColors(palette, store);
    const now = reloaded.assign([
      { id: 'c', created: 3 },
      { id: 'a', created: 1 },
      { id: 'd', created: 0 },
    ]);
    expect(now.get('a')).toBe('red');
    expect(now.get('c')).toBe('blue');
    expect(now.get('d')).toBe('green');
  });

  test('past the palette colours repeat; a damaged store starts afresh', () => {
    const store = memory();
    store.setItem('layerboard.runColors', '{not json');
    const colors = new RunColors(palette, store);
    const runs = ['a', 'b', 'c', 'd'].map((id, i) => ({ id, created: i }));
    expect([...colors.assign(runs).values()]).toEqual(['red', 'green', 'blue', 'red']);
  });
});
