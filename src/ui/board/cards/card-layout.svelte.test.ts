import { describe, expect, test } from 'vitest';
import { CardLayout, readPins, runCards, splitPinned } from './card-layout.svelte.ts';

/** A Storage backed by a Map (what localStorage offers the layout). */
function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, v),
  };
}

describe('pinned cards', () => {
  test('pins come first in the order they were pinned; the rest keep their order', () => {
    const { pinned, rest } = splitPinned(['a', 'b', 'c', 'd'], (t) => t, ['c', 'gone', 'a']);
    expect(pinned).toEqual(['c', 'a']);
    expect(rest).toEqual(['b', 'd']);
  });

  test('pins persist per dashboard through storage; a damaged entry is ignored', () => {
    const storage = memoryStorage();
    const a = new CardLayout(storage);
    a.togglePin('scalars', 'loss/train');
    a.togglePin('images', 'x');
    a.togglePin('images', 'y');
    a.togglePin('images', 'x');
    const b = new CardLayout(storage);
    expect(b.isPinned('scalars', 'loss/train')).toBe(true);
    expect(b.isPinned('histograms', 'loss/train')).toBe(false);
    expect(b.pins.images).toEqual(['y']);
    expect(readPins('{not json')).toEqual({ scalars: [], histograms: [], distributions: [], images: [] });
    expect(readPins('{"scalars":[1,"t","t"],"images":"x"}').scalars).toEqual(['t']);
  });

  test('one card is enlarged at a time, and toggling restores it', () => {
    const l = new CardLayout(null);
    l.toggleEnlarge('scalars', 'a');
    l.toggleEnlarge('histograms', 'b');
    expect(l.isEnlarged('scalars', 'a')).toBe(false);
    expect(l.isEnlarged('histograms', 'b')).toBe(true);
    l.toggleEnlarge('histograms', 'b');
    expect(l.enlarged).toBeNull();
  });

  test('per-run cards: tags in order, then the given runs that have the tag', () => {
    const tags: [string, Map<string, number>][] = [
      ['w', new Map([['r2', 1]])],
      [
        'b',
        new Map([
          ['r1', 2],
          ['r2', 3],
        ]),
      ],
    ];
    const cards = runCards(tags, [{ id: 'r1' }, { id: 'r2' }]);
    expect(cards.map((c) => [c.tag, c.runId, c.points])).toEqual([
      ['w', 'r2', 1],
      ['b', 'r1', 2],
      ['b', 'r2', 3],
    ]);
    expect(new Set(cards.map((c) => c.key)).size).toBe(3);
  });
});
