import { describe, expect, test } from 'vitest';
import { chainLayers, type ChainLayers } from '../../../core/model/chain.ts';
import { newModelDocument } from '../../../core/model/model-json.ts';
import { templateDocument } from '../../../core/model/templates.ts';
import type { ModelDocument } from '../../../core/model/types.ts';
import { diffModels, pyValue } from './model-diff.ts';
import { columns, flatten, hparamRow, sortRows } from './hparams-table.ts';

/** The chain document with its layer list edited. */
function edited(doc: ModelDocument, edit: (c: ChainLayers) => void): ModelDocument {
  const c = structuredClone(chainLayers(doc)!);
  edit(c);
  return { ...doc, ...newModelDocument(doc.input, c.layers, c.names) };
}

describe('model diff', () => {
  test('identical models have no differences; 5 and (5, 5) are the same keyword', () => {
    const a = templateDocument('cifar10-bs');
    const b = edited(templateDocument('cifar10-bs'), (c) => {
      c.layers[0] = { ...c.layers[0], kernel_size: [5, 5], stride: 1 };
    });
    const d = diffModels(a, b);
    expect(d.count).toBe(0);
    expect(d.layers.every((l) => l.kind === 'same')).toBe(true);
  });

  test('an inserted layer is one addition; changed keywords are listed with both values', () => {
    const a = templateDocument('cifar10-bs');
    const b = edited(templateDocument('cifar10-bs'), (c) => {
      c.layers.splice(1, 0, { type: 'ReLU' });
      c.layers[8] = { ...c.layers[8], out_features: 128 };
      c.layers[9] = { ...c.layers[9], in_features: 128 };
    });
    const d = diffModels(a, b);
    expect(d.layers.filter((l) => l.kind !== 'same')).toEqual([
      { kind: 'added', other: 1, type: 'ReLU', name: '1' },
      {
        kind: 'changed',
        base: 7,
        other: 8,
        type: 'Linear',
        name: '7',
        keywords: [{ field: 'out_features', base: 64, other: 128 }],
      },
      {
        kind: 'changed',
        base: 8,
        other: 9,
        type: 'Linear',
        name: '8',
        keywords: [{ field: 'in_features', base: 64, other: 128 }],
      },
    ]);
    expect(d.count).toBe(3);
  });

  test('removed layers, input and class name', () => {
    const a = templateDocument('mnist-convnet');
    const b = edited(a, (c) => {
      c.layers.splice(11, 1); // dropout
      c.names = c.names!.filter((_, i) => i !== 11);
    });
    b.input = [1, 32, 32];
    b.className = 'Net';
    const d = diffModels(a, b);
    expect(d.input).toEqual({ base: [1, 28, 28], other: [1, 32, 32] });
    expect(d.className).toEqual({ base: 'MnistConvNet', other: 'Net' });
    expect(d.layers.filter((l) => l.kind !== 'same')).toEqual([
      { kind: 'removed', base: 11, type: 'Dropout', name: 'dropout' },
    ]);
    expect(d.count).toBe(3);
  });

  test('values print as PyTorch writes them', () => {
    expect([pyValue([2, 2]), pyValue(true), pyValue(null), pyValue('same'), pyValue(0.5)]).toEqual([
      '(2, 2)',
      'True',
      'None',
      "'same'",
      '0.5',
    ]);
  });
});

describe('hparams table', () => {
  const rows = [
    hparamRow(
      'a',
      'run a',
      { lr: 0.1, optimizer: { name: 'SGD', momentum: 0.9 }, epochs: 2 },
      { 'accuracy/test': 0.91 },
    ),
    hparamRow('b', 'run b', { lr: 0.01, optimizer: { name: 'Adam' }, epochs: 2 }, { 'accuracy/test': 0.95 }),
    hparamRow('c', 'run c', { lr: 0.001, epochs: 2 }, {}),
  ];

  test('nested config is flattened; columns list hparams then metrics and mark which differ', () => {
    expect(flatten({ a: { b: 1, c: [1, 2] }, d: 'x' })).toEqual({ 'a.b': 1, 'a.c': '[1,2]', d: 'x' });
    expect(columns(rows).map((c) => `${c.group}:${c.label}:${c.differs}`)).toEqual([
      'hparam:epochs:false',
      'hparam:lr:true',
      'hparam:optimizer.momentum:true',
      'hparam:optimizer.name:true',
      'metric:accuracy/test:true',
    ]);
  });

  test('sorting by a column, both ways, empty cells last', () => {
    expect(sortRows(rows, 'hparam:lr', 'asc').map((r) => r.runId)).toEqual(['c', 'b', 'a']);
    expect(sortRows(rows, 'metric:accuracy/test', 'desc').map((r) => r.runId)).toEqual(['b', 'a', 'c']);
    expect(sortRows(rows, 'metric:accuracy/test', 'asc').map((r) => r.runId)).toEqual(['a', 'b', 'c']);
    expect(sortRows(rows, 'name', 'desc').map((r) => r.runId)).toEqual(['c', 'b', 'a']);
  });
});
