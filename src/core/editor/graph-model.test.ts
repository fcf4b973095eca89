import { describe, expect, test } from 'vitest';
import { TEMPLATES } from '../model/templates.ts';
import * as G from './graph-model.ts';
import { graphFromDocument } from './document.ts';
import { findDropTarget, distanceToSegment } from './drop-target.ts';

const bs = () => graphFromDocument(TEMPLATES.find((t) => t.id === 'cifar10-bs')!.doc);
const types = (g: G.EditorGraph) => G.chainFrom(g).map((id) => G.layerOf(g.nodes.find((n) => n.id === id))!.type);

describe('graph model', () => {
  test('a document becomes a laid-out chain under the Input', () => {
    const g = bs();
    expect(types(g)).toEqual([
      'Conv2d',
      'MaxPool2d',
      'Conv2d',
      'MaxPool2d',
      'Conv2d',
      'MaxPool2d',
      'Flatten',
      'Linear',
      'Linear',
    ]);
    const ys = [G.INPUT_ID, ...G.chainFrom(g)].map((id) => g.nodes.find((n) => n.id === id)!.position.y);
    expect(ys).toEqual([...ys].sort((a, b) => a - b));
    expect(new Set(g.nodes.map((n) => n.position.x))).toEqual(new Set([G.CHAIN_X]));
  });

  test('positions stored in the document are kept', () => {
    const doc = {
      ...TEMPLATES[0].doc,
      editor: {
        input: { x: 5, y: 6 },
        positions: Object.fromEntries(TEMPLATES[0].doc.modules.map((m, i) => [m.name, { x: i, y: 100 * i }])),
      },
    };
    const g = graphFromDocument(doc);
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
    const { graph, id } = G.addNode(
      g,
      { kind: 'layer', layer: { type: 'ReLU' } },
      { x: 0, y: 0 },
      { after: c1, before: p1 },
    );
    expect(G.chainFrom(graph).slice(0, 3)).toEqual([c1, id, p1]);
    expect(graph.edges.some((e) => e.source === c1 && e.target === p1)).toBe(false);
    expect(id).toBe('n10');
  });

  test('setKeyword with undefined removes the keyword (PyTorch default)', () => {
    const g = G.setKeyword(bs(), 'n1', 'stride', undefined);
    expect(G.layerOf(g.nodes.find((n) => n.id === 'n1'))).not.toHaveProperty('stride');
    expect(G.layerOf(G.setKeyword(g, 'n1', 'out_channels', 16).nodes.find((n) => n.id === 'n1'))!.out_channels).toBe(
      16,
    );
  });

  test('connect ignores self loops, duplicates and edges into the Input', () => {
    const g = bs();
    expect(G.connect(g, 'n1', 'n1')).toBe(g);
    expect(G.connect(g, G.INPUT_ID, 'n1')).toBe(g);
    expect(G.connect(g, 'n1', G.INPUT_ID)).toBe(g);
  });

  test('an output feeds several inputs; a layer fed again is re-wired; add and cat gain inputs', () => {
    const g = bs();
    const branched = G.connect(g, G.INPUT_ID, 'n3');
    expect(branched.edges.filter((e) => e.source === G.INPUT_ID).map((e) => e.target)).toEqual(['n1', 'n3']);
    expect(branched.edges.filter((e) => e.target === 'n3').map((e) => e.source)).toEqual([G.INPUT_ID]);
    const { graph, id } = G.addNode(g, { kind: 'add' }, { x: 0, y: 0 }, { after: 'n1' });
    const joined = G.connect(graph, G.INPUT_ID, id);
    expect(joined.edges.filter((e) => e.target === id).map((e) => e.source)).toEqual(['n1', G.INPUT_ID]);
  });

  test('reconnect moves an edge end; a refused target keeps the old edge', () => {
    const g = bs();
    const moved = G.reconnect(g, G.edgeId('n8', 'n9'), 'n7', 'n9');
    expect(moved.edges.some((e) => e.source === 'n7' && e.target === 'n9')).toBe(true);
    expect(moved.edges.some((e) => e.source === 'n8' && e.target === 'n9')).toBe(false);
    expect(G.reconnect(g, G.edgeId('n8', 'n9'), 'n8', G.INPUT_ID)).toBe(g);
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
    expect(findDropTarget(g, { x: tail.position.x + 100, y: tail.position.y + 150 }, h)).toEqual({
      kind: 'tail',
      nodeId: 'n9',
    });
    expect(findDropTarget(g, { x: tail.position.x + 900, y: tail.position.y }, h)).toBeNull();
  });

  test('distance to a segment clamps to its ends', () => {
    expect(distanceToSegment({ x: 0, y: 5 }, { x: 0, y: 0 }, { x: 0, y: 10 })).toBe(0);
    expect(distanceToSegment({ x: 3, y: 14 }, { x: 0, y: 0 }, { x: 0, y: 10 })).toBe(5);
  });
});
