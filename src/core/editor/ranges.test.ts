import { describe, expect, test } from 'vitest';
import { newModelDocument } from '../model/model-json.ts';
import type { LayerSpec } from '../model/types.ts';
import { graphFromDocument } from './document.ts';
import { INPUT_ID } from './graph-model.ts';
import { analyzeStructure } from './structure.ts';
import {
  RANGE_LIMIT,
  needsRanges,
  openRange,
  pathTo,
  rangeContents,
  rangeKey,
  rangeTitle,
  rangeView,
  subRanges,
  windowSize,
} from './ranges.ts';

/** A Linear → ReLU chain of `n` layers. */
function chain(n: number) {
  const layers: LayerSpec[] = Array.from({ length: n }, (_, i) =>
    i % 2 === 0 ? { type: 'Linear', in_features: 8, out_features: 8 } : { type: 'ReLU' },
  );
  const graph = graphFromDocument(newModelDocument([8], layers));
  return { graph, order: analyzeStructure(graph).order };
}

describe('degraded view of a huge model', () => {
  test('windows grow by tens so one level has at most 20 ranges', () => {
    expect(windowSize(1000)).toBe(500);
    expect(windowSize(10_000)).toBe(500);
    expect(windowSize(10_001)).toBe(5000);
    expect(windowSize(100_000)).toBe(5000);
    expect(subRanges(0, 100_000)).toHaveLength(20);
    expect(subRanges(5000, 10_000).map(([s, e]) => [s, e])).toEqual(
      Array.from({ length: 10 }, (_, i) => [5000 + i * 500, 5500 + i * 500]),
    );
    // the last window is cut short; its key names the full window (an edit does not rename it)
    expect(subRanges(0, 1201)).toEqual([
      [0, 500, rangeKey(0, 500)],
      [500, 1000, rangeKey(500, 1000)],
      [1000, 1201, rangeKey(1000, 1500)],
    ]);
  });

  test('a model up to the limit is drawn block by block', () => {
    expect(needsRanges(chain(RANGE_LIMIT).graph)).toBe(false);
    expect(needsRanges(chain(RANGE_LIMIT + 1).graph)).toBe(true);
  });

  test('collapsed, the view is the Input and a few ranges, linked in order, counting their types', () => {
    const { graph, order } = chain(12_000);
    const view = rangeView(graph, order, []);
    expect(view.total).toBe(12_000);
    const ranges = view.items.flatMap((i) => (i.kind === 'range' ? [i.range] : []));
    expect(ranges.map((r) => [r.start, r.end, r.key])).toEqual(subRanges(0, 12_000));
    expect(view.items[0]).toMatchObject({ kind: 'node', id: INPUT_ID });
    expect(ranges[0].types).toEqual([
      ['Linear', 2500],
      ['ReLU', 2500],
    ]);
    expect(rangeTitle(ranges[1])).toBe('blocks 5,001–10,000');
    expect(rangeContents(ranges[1])).toBe('5,000 blocks: Linear×2,500, ReLU×2,500');
    expect(view.edges).toEqual([
      { source: INPUT_ID, target: ranges[0].key, edgeId: null },
      { source: ranges[0].key, target: ranges[1].key, edgeId: null },
      { source: ranges[1].key, target: ranges[2].key, edgeId: null },
    ]);
    const ys = view.items.map((i) => i.position.y);
    expect([...ys].sort((a, b) => a - b)).toEqual(ys);
  });

  test('opening a range of at most the limit draws its blocks with their own edges, below the range before', () => {
    const { graph, order } = chain(12_000);
    const open = openRange(openRange([], rangeKey(5000, 10_000)), rangeKey(5500, 6000));
    expect(open).toEqual([rangeKey(5000, 10_000), rangeKey(5500, 6000)]);
    const view = rangeView(graph, order, open);
    const drawn = view.items.flatMap((i) => (i.kind === 'node' && i.id !== INPUT_ID ? [i.id] : []));
    expect(drawn).toEqual(order.slice(5500, 6000));
    const inner = view.edges.filter((e) => e.edgeId !== null);
    expect(inner).toHaveLength(499);
    expect(view.edges).toContainEqual({ source: rangeKey(5000, 5500), target: order[5500], edgeId: null });
    expect(view.edges).toContainEqual({ source: order[5999], target: rangeKey(6000, 6500), edgeId: null });
    // Drawn where the range stood; the shift maps back to the graph's own positions.
    const first = view.items.find((i) => i.kind === 'node' && i.id === order[5500])!;
    const before = view.items.find((i) => i.kind === 'range' && i.range.end === 5500)!;
    expect(first.position.y).toBeGreaterThan(before.position.y);
    const own = graph.nodes.find((n) => n.id === order[5500])!.position.y;
    expect(first.position.y - view.shift.get(order[5500])!).toBe(own);
    expect(view.items.length).toBeLessThan(RANGE_LIMIT + 40);
  });

  test('opening another range closes the open one but keeps the ranges around it', () => {
    const open = [rangeKey(5000, 10_000), rangeKey(5500, 6000)];
    expect(openRange(open, rangeKey(6000, 6500))).toEqual([rangeKey(5000, 10_000), rangeKey(6000, 6500)]);
    expect(openRange(open, rangeKey(0, 5000))).toEqual([rangeKey(0, 5000)]);
  });

  test('the path to a block opens the ranges around it down to its blocks', () => {
    expect(pathTo(7777, 100_000)).toEqual([rangeKey(5000, 10_000), rangeKey(7500, 8000)]);
    expect(pathTo(10, 400)).toEqual([]);
  });
});
