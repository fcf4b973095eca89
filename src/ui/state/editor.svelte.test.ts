import { describe, expect, test } from 'vitest';
import { TEMPLATES } from '../../core/model/templates.ts';
import { EditorState } from './editor.svelte.ts';
import * as G from '../../core/editor/graph-model.ts';
import { graphFromDocument } from '../../core/editor/document.ts';

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
});
