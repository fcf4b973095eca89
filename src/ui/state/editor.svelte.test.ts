import { describe, expect, test } from 'vitest';
import { TEMPLATES } from '../../core/model/templates.ts';
import { EditorState } from './editor.svelte.ts';
import * as G from '../../core/editor/graph-model.ts';
import { graphFromDocument } from '../../core/editor/document.ts';
import { newModelDocument } from '../../core/model/model-json.ts';
import { rangeKey } from '../../core/editor/ranges.ts';

function seeded(): EditorState {
  const e = new EditorState();
  e.load(graphFromDocument(TEMPLATES.find((t) => t.id === 'cifar10-bs')!.doc));
  return e;
}
const chainTypes = (e: EditorState) => e.analysis.order.map((id) => G.layerOf(e.node(id))!.type);

describe('EditorState commands', () => {
  test('append fits the new block to the tensor it receives', () => {
    const e = seeded();
    const id = e.appendLayer('Linear');
    expect(G.layerOf(e.node(id))!).toEqual({ type: 'Linear', in_features: 10, out_features: 10 });
    expect(e.analysis.order.at(-1)).toBe(id);
    expect(e.selectedIds).toEqual([id]);
  });

  test('insert on an edge keeps the chain valid downstream', () => {
    const e = seeded();
    const id = e.insertOnEdge(G.edgeId('n1', 'n2'), 'Conv2d');
    expect(chainTypes(e).slice(0, 3)).toEqual(['Conv2d', 'Conv2d', 'MaxPool2d']);
    expect(G.layerOf(e.node(id))!).toMatchObject({ in_channels: 32, out_channels: 32 });
    expect(e.analysis.problems).toEqual([]);
  });

  test('undo and redo walk the history; typing in one field is one step', () => {
    const e = seeded();
    e.setKeyword('n8', 'in_features', 1);
    e.setKeyword('n8', 'in_features', 10);
    e.setKeyword('n8', 'in_features', 100);
    e.setKeyword('n8', 'in_features', 1000);
    e.endTyping();
    expect(e.analysis.nodes.get('n8')!.shapeError).not.toBeNull();
    e.applyFix('n8');
    expect(G.layerOf(e.node('n8'))!.in_features).toBe(1024);
    e.undo();
    expect(G.layerOf(e.node('n8'))!.in_features).toBe(1000);
    e.undo();
    expect(G.layerOf(e.node('n8'))!.in_features).toBe(1024);
    expect(e.canUndo).toBe(false);
    e.redo();
    e.redo();
    expect(G.layerOf(e.node('n8'))!.in_features).toBe(1024);
    expect(e.canRedo).toBe(false);
  });

  test('delete removes the selection and closes the chain', () => {
    const e = seeded();
    e.select(['n2', 'n4']);
    e.deleteSelection();
    expect(chainTypes(e)).toEqual(['Conv2d', 'Conv2d', 'Conv2d', 'MaxPool2d', 'Flatten', 'Linear', 'Linear']);
    expect(e.analysis.nodes.get('n8')!.shapeError!.fix).toMatchObject({ set: { field: 'in_features', value: 16384 } });
    e.undo();
    expect(chainTypes(e).length).toBe(9);
  });

  test('a Linear after a conv: Fix inserts the missing Flatten on its input edge, one undo step', () => {
    const e = seeded();
    e.deleteElements(['n7']); // the Flatten
    expect(e.analysis.nodes.get('n8')!.shapeError!.fix).toMatchObject({
      insert: { input: 0, layers: [{ type: 'Flatten' }] },
      label: 'insert Flatten',
    });
    e.applyFix('n8');
    expect(chainTypes(e)).toEqual([
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
    expect(e.analysis.problems).toEqual([]);
    e.undo();
    expect(chainTypes(e).length).toBe(8);
  });

  test('drop onto an edge inserts, far away adds a loose block', () => {
    const e = seeded();
    const a = e.node('n1')!;
    const mid = { x: a.position.x + G.NODE_WIDTH / 2, y: a.position.y + G.NODE_HEIGHT + G.NODE_GAP / 2 };
    const inserted = e.dropLayer('ReLU', mid);
    expect(e.analysis.order[1]).toBe(inserted);
    const loose = e.dropLayer('Tanh', { x: 2000, y: 2000 });
    expect(e.analysis.loose).toEqual([loose]);
  });

  test('listeners hear every edit, undo and redo', () => {
    const e = seeded();
    let calls = 0;
    e.onChange(() => calls++);
    e.appendLayer('ReLU');
    e.undo();
    e.redo();
    expect(calls).toBe(3);
  });

  test('a model of 1,200 blocks is drawn in ranges; blocks in an open range select, move, edit and take drops', () => {
    const e = new EditorState();
    const layers = Array.from({ length: 1200 }, (_, i) =>
      i % 2 === 0 ? { type: 'Linear', in_features: 4, out_features: 4 } : { type: 'ReLU' },
    );
    e.load(graphFromDocument(newModelDocument([4], layers)));
    const drawn = () => e.flowNodes.map((n) => n.id);
    expect(e.ranges?.total).toBe(1200);
    expect(drawn()).toEqual(['input', rangeKey(0, 500), rangeKey(500, 1000), rangeKey(1000, 1500)]);
    expect(e.flowEdges.map((f) => [f.source, f.target])).toEqual([
      ['input', rangeKey(0, 500)],
      [rangeKey(0, 500), rangeKey(500, 1000)],
      [rangeKey(500, 1000), rangeKey(1000, 1500)],
    ]);
    e.openRange(rangeKey(1000, 1500));
    expect(drawn()).toHaveLength(3 + 200);
    const last = e.analysis.order[1199];
    expect(drawn()).toContain(last);
    // a block drawn moved up to its range's place: a move there moves it in the graph by as much
    const shown = e.flowNodes.find((n) => n.id === last)!.position;
    const own = e.node(last)!.position;
    e.moveNodes(new Map([[last, { x: shown.x + 10, y: shown.y + 20 }]]));
    expect(e.node(last)!.position).toEqual({ x: own.x + 10, y: own.y + 20 });
    e.undo();
    // a drop onto a drawn edge inserts there, in the open range
    const a = e.flowNodes.find((n) => n.id === e.analysis.order[1100])!.position;
    const inserted = e.dropLayer('Tanh', { x: a.x + G.NODE_WIDTH / 2, y: a.y + G.NODE_HEIGHT + G.NODE_GAP / 2 });
    expect(e.analysis.order[1101]).toBe(inserted);
    expect(drawn()).toContain(inserted);
    expect(e.ranges?.total).toBe(1201);
    // selecting a block in a collapsed range (the problems' Show) opens the range around it
    const hidden = e.analysis.order[3];
    e.select([hidden]);
    expect(e.selectedIds).toEqual([hidden]);
    expect(drawn()).toContain(hidden);
    expect(drawn()).not.toContain(inserted);
    e.collapseRanges();
    expect(drawn()).toHaveLength(4);
  }, 60_000);
});
