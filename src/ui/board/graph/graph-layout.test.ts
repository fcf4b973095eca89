import { describe, expect, test } from 'vitest';
import { buildModuleGraph, type ModuleGraph } from '../../../core/model/module-graph.ts';
import { templateDocument } from '../../../core/model/templates.ts';
import { groupIds, groupsToReveal, layoutGraph, searchNodes } from './graph-layout.ts';

const seed = () => buildModuleGraph(templateDocument('cifar10-bs'), [64, 3, 32, 32]);

describe('graph layout', () => {
  test('all groups expanded: leaves stacked top to bottom on one axis, inside their groups, shapes on every edge', () => {
    const g = seed();
    const L = layoutGraph(g, new Set(groupIds(g)));
    expect(L.boxes.map((b) => `${b.kind}:${b.id}`).slice(0, 3)).toEqual([
      'group:BS',
      'group:BS/Sequential[model]',
      'leaf:BS/Sequential[model]/Conv2d[0]',
    ]);
    const leaves = L.boxes.filter((b) => b.kind === 'leaf');
    expect(leaves).toHaveLength(9);
    for (let i = 1; i < leaves.length; i++) {
      expect(leaves[i].y).toBeGreaterThan(leaves[i - 1].y + leaves[i - 1].h);
      expect(leaves[i].x + leaves[i].w / 2).toBeCloseTo(L.width / 2);
    }
    const [root, seq] = L.boxes;
    for (const leaf of leaves) {
      expect(leaf.x).toBeGreaterThan(seq.x);
      expect(leaf.y + leaf.h).toBeLessThan(seq.y + seq.h);
    }
    expect(seq.y + seq.h).toBeLessThan(root.y + root.h);
    expect(L.edges).toHaveLength(10);
    expect(L.edges.find((e) => e.from.endsWith('Flatten[6]'))).toMatchObject({
      to: 'BS/Sequential[model]/Linear[7]',
      shape: [64, 1024],
    });
    for (const e of L.edges) expect(e.points[1][1]).toBeGreaterThan(e.points[0][1]);
  });

  test('collapsing a group draws it as one node; edges inside it disappear, the ones across keep their shapes', () => {
    const g = seed();
    const L = layoutGraph(g, new Set(['BS']));
    expect(L.boxes.map((b) => `${b.kind}:${b.id}`)).toEqual(['group:BS', 'collapsed:BS/Sequential[model]']);
    expect(L.edges.map((e) => [e.from, e.to, e.shape])).toEqual([
      ['input', 'BS/Sequential[model]', [64, 3, 32, 32]],
      ['BS/Sequential[model]', 'output', [64, 10]],
    ]);
    const none = layoutGraph(g, new Set());
    expect(none.boxes.map((b) => b.kind)).toEqual(['collapsed']);
  });

  test('expanding keeps the input where it was and the chain on the same axis (stable)', () => {
    const g = seed();
    const small = layoutGraph(g, new Set(['BS']));
    const big = layoutGraph(g, new Set(['BS', 'BS/Sequential[model]']));
    expect(big.terminals[0].y).toBe(small.terminals[0].y);
    expect(big.terminals[0].x + big.terminals[0].w / 2).toBeCloseTo(big.width / 2);
    expect(big.terminals[1].y).toBeGreaterThan(small.terminals[1].y);
  });

  test('a branching flow puts parallel children side by side', () => {
    const leaf = (id: string) => ({
      id: `M/${id}`,
      name: id,
      type: 'ReLU',
      inputShape: [1],
      outputShape: [1],
      params: 0,
      multAdds: 0,
      children: [],
    });
    const g: ModuleGraph = {
      version: 1,
      input: [1],
      root: {
        id: 'M',
        name: '',
        type: 'M',
        inputShape: [1],
        outputShape: [1],
        params: 0,
        multAdds: 0,
        children: [leaf('a'), leaf('b'), leaf('c'), leaf('d')],
      },
      edges: [
        { from: 'input', to: 'M/a', shape: [1] },
        { from: 'M/a', to: 'M/b', shape: [1] },
        { from: 'M/a', to: 'M/c', shape: [1] },
        { from: 'M/b', to: 'M/d', shape: [1] },
        { from: 'M/c', to: 'M/d', shape: [1] },
        { from: 'M/d', to: 'output', shape: [1] },
      ],
    };
    const L = layoutGraph(g, new Set(['M']));
    const at = (id: string) => L.boxes.find((b) => b.id === `M/${id}`)!;
    expect(at('b').y).toBe(at('c').y);
    expect(at('b').x).toBeLessThan(at('c').x);
    expect(at('d').y).toBeGreaterThan(at('b').y);
  });

  test('search finds by name, type or scope; matches inside collapsed groups are revealed', () => {
    const g = seed();
    expect(searchNodes(g, 'linear')).toEqual(['BS/Sequential[model]/Linear[7]', 'BS/Sequential[model]/Linear[8]']);
    expect(searchNodes(g, 'model')).toEqual(['BS/Sequential[model]', ...g.root.children[0].children.map((c) => c.id)]);
    expect(searchNodes(g, '  ')).toEqual([]);
    expect(groupsToReveal(g, ['BS/Sequential[model]/Flatten[6]'])).toEqual(['BS', 'BS/Sequential[model]']);
  });
});
