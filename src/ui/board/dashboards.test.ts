import { describe, expect, test } from 'vitest';
import { tagGroups } from './scalars/tag-groups.ts';
import { parseInline, parseMarkdown } from './text/markdown.ts';
import { binsOf, percentiles, rebin } from './histograms/histogram-math.ts';
import { histogramOf } from '../../core/formats/tfevents/histogram.ts';
import { prCurveOf } from '../../core/formats/tfevents/pr-curve.ts';

describe('dashboards: the pure parts', () => {
  test('scalar tags are grouped by their prefix', () => {
    expect(tagGroups(['loss/val', 'accuracy/val', 'lr', 'loss/train'])).toEqual([
      ['accuracy', ['accuracy/val']],
      ['loss', ['loss/val', 'loss/train']],
      ['lr', ['lr']],
    ]);
  });

  test('markdown: headings, lists, code, tables and inline marks; HTML stays text', () => {
    const blocks = parseMarkdown(
      '# Model\n\nA **bold** `code` <script>alert(1)</script>\n\n- one\n- *two*\n\n```\nLinear(4, 2)\n```\n\n| k | v |\n|---|---|\n| lr | 0.1 |',
    );
    expect(blocks.map((b) => b.kind)).toEqual(['heading', 'paragraph', 'list', 'code', 'table']);
    expect(blocks[1]).toEqual({
      kind: 'paragraph',
      inline: [
        { kind: 'text', text: 'A ' },
        { kind: 'strong', text: 'bold' },
        { kind: 'text', text: ' ' },
        { kind: 'code', text: 'code' },
        { kind: 'text', text: ' <script>alert(1)</script>' },
      ],
    });
    expect(blocks[3]).toEqual({ kind: 'code', text: 'Linear(4, 2)' });
    expect(blocks[4]).toMatchObject({
      kind: 'table',
      rows: [[[{ kind: 'text', text: 'lr' }], [{ kind: 'text', text: '0.1' }]]],
    });
    expect(parseInline('a_b_c plain')).toEqual([
      { kind: 'text', text: 'a' },
      { kind: 'em', text: 'b' },
      { kind: 'text', text: 'c plain' },
    ]);
    // print(model) indented by four spaces is a code block
    expect(parseMarkdown('    Sequential(\n      (0): Linear()\n    )')).toEqual([
      { kind: 'code', text: 'Sequential(\n  (0): Linear()\n)' },
    ]);
  });

  test('histograms: counts kept by re-binning, percentiles of a uniform sample', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i / 999);
    const h = histogramOf(values);
    expect(h.num).toBe(1000);
    expect(h.bucket.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(h.min).toBe(0);
    expect(h.max).toBe(1);
    expect(binsOf(h).every((b) => b.left <= b.right)).toBe(true);
    expect(rebin(h, 0, 1, 30).reduce((a, b) => a + b, 0)).toBeCloseTo(1000, 6);
    const q = percentiles(h);
    expect(q[0]).toBe(0);
    expect(q[8]).toBe(1);
    // the median of a uniform sample on [0, 1], within a bucket's width (TF buckets grow 10 % each)
    expect(Math.abs(q[4] - 0.5)).toBeLessThan(0.05);
  });

  test('PR curve: counts at thresholds as PyTorch computes them', () => {
    const c = prCurveOf([true, true, false, false], [0.9, 0.6, 0.4, 0.1], 3);
    // thresholds 0, 0.5, 1: everything, the two above 0.5, nothing
    expect(c.tp).toEqual([2, 2, 0]);
    expect(c.fp).toEqual([2, 0, 0]);
    expect(c.precision[1]).toBe(1);
    expect(c.recall[1]).toBe(1);
  });
});
