import { describe, expect, test } from 'vitest';
import { TEMPLATES } from '../model/templates.ts';
import * as G from './graph-model.ts';
import { findDropTarget, distanceToSegment } from './drop-target.ts';

const bs = () => G.graphFromDocument(TEMPLATES.find((t) => t.id === 'cifar10-bs')!.doc);
const types = (g: G.EditorGraph) => G.chainFrom(g).map((id) => g.nodes.find((n) => n.id === id)!.layer!.type);

describe('graph model', () => {
  test('a document becomes a laid-out chain under the Input', () => {
    const g = bs();
    expect(types(g)).toEqual(['Conv2d', 'MaxPool2d', 'Conv2d', 'MaxPool2d', 'Conv2d', 'MaxPool2d', 'Flatten', 'Linear', 'Linear']);
    const ys = [G.INPUT_ID, ...G.chainFrom(g)].map((id) => g.nodes.find((n) => n.id === id)!.position.y);
    expect(ys).toEqual([...ys].sort((a, b) => a - b));
    expect(new Set(g.nodes.map((n) => n.position.x))).toEqual(new Set([G.CHAIN_X]));
  });

  test('positions stored in the document are kept', () => {
    const doc = { ...TEMPLATES[0].doc, editor: { input: { x: 5, y: 6 }, positions: Object.fromEntries(TEMPLATES[0].doc.modules.map((m, i) => [m.name, { x: i, y: 100 * i }])) } };
    const g = G.graphFromDocument(doc);
    expect(g.nodes.find((n) => n.id === 'n3')!.position).toEqual({ x: 2, y: 200 });
    expect(g.nodes[0].position).toEqual({ x: 5, y: 6 });
  });

  test('removing chain nodes bridges their neighbours', () => {
    const g = bs();
    const [c1, p1, c2] = G.chainFrom(g);
    const next = G.removeElements(g, [p1, c2]);
    expect(G.chainFrom(next).slice(0, 2)).toEqual([c1, G.chainFrom(g)[3]]);
    expect(next.nodes.length).toBe(g.nodes.length - 2);
  });

  test('the Input cannot be removed; cut edges are not bridged', () => {
    const g = bs();
    expect(G.removeElements(g, [G.INPUT_ID]).nodes.length).toBe(g.nodes.length);
    const first = g.edges[0];
    const next = G.removeElements(g, [], [first.id]);
    expect(G.chainFrom(next)).toEqual([]);
  });

  test('addNode between two nodes replaces their edge', () => {
    const g = bs();
    const [c1, p1] = G.chainFrom(g);
    const { graph, id } = G.addNode(g, { type: 'ReLU' }, { x: 0, y: 0 }, { after: c1, before: p1 });
    expect(G.chainFrom(graph).slice(0, 3)).toEqual([c1, id, p1]);
    expect(graph.edges.some((e) => e.source === c1 && e.target === p1)).toBe(false);
    expect(id).toBe('n10');
  });

  test('setKeyword with undefined removes the keyword (PyTorch default)', () => {
    const g = G.setKeyword(bs(), 'n1', 'stride', undefined);
    expect(g.nodes.find((n) => n.id === 'n1')!.layer).not.toHaveProperty('stride');
    expect(G.setKeyword(g, 'n1', 'out_channels', 16).nodes.find((n) => n.id === 'n1')!.layer!.out_channels).toBe(16);
  });

  test('connect ignores self loops and duplicates', () => {
    const g = bs();
    expect(G.connect(g, 'n1', 'n1')).toBe(g);
    expect(G.connect(g, G.INPUT_ID, 'n1')).toBe(g);
  });
});

describe('drop target', () => {
  const h = () => G.NODE_HEIGHT;
  test('a drop on the line between two nodes targets that edge', () => {
    const g = bs();
    const a = g.nodes.find((n) => n.id === 'n1')!;
    const at = { x: a.position.x + G.NODE_WIDTH / 2 + 10, y: a.position.y + G.NODE_HEIGHT + G.NODE_GAP / 2 };
    expect(findDropTarget(g, at, h)).toEqual({ kind: 'edge', edgeId: G.edgeId('n1', 'n2') });
  });

  test('a drop below the last block appends; far away is loose', () => {
    const g = bs();
    const tail = g.nodes.find((n) => n.id === 'n9')!;
    expect(findDropTarget(g, { x: tail.position.x + 100, y: tail.position.y + 150 }, h)).toEqual({ kind: 'tail', nodeId: 'n9' });
    expect(findDropTarget(g, { x: tail.position.x + 900, y: tail.position.y }, h)).toBeNull();
  });

  test('distance to a segment clamps to its ends', () => {
    expect(distanceToSegment({ x: 0, y: 5 }, { x: 0, y: 0 }, { x: 0, y: 10 })).toBe(0);
    expect(distanceToSegment({ x: 3, y: 14 }, { x: 0, y: 0 }, { x: 0, y: 10 })).toBe(5);
  });
});
