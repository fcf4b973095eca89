import { describe, expect, test } from 'vitest';
import {
  compileGraph,
  documentNames,
  type CompileError,
  type GraphEdge,
  type GraphNode,
} from '../../src/core/model/graph.ts';

const input = (id = 'in'): GraphNode => ({ id, kind: 'input' });
const layer = (id: string, type = 'ReLU', name?: string): GraphNode => ({ id, kind: 'layer', layer: { type }, name });
const e = (source: string, target: string): GraphEdge => ({ source, target });

function errorsOf(nodes: GraphNode[], edges: GraphEdge[]): CompileError[] {
  const r = compileGraph(nodes, edges);
  if (r.ok) throw new Error('expected errors');
  return r.errors;
}

describe('compileGraph: valid chains', () => {
  test('a chain compiles in edge order, not node order', () => {
    const nodes = [layer('c', 'Linear'), input(), layer('a', 'Conv2d', 'conv1'), layer('b', 'Flatten')];
    const r = compileGraph(nodes, [e('b', 'c'), e('in', 'a'), e('a', 'b')]);
    expect(r).toEqual({
      ok: true,
      order: ['a', 'b', 'c'],
      layers: [{ type: 'Conv2d' }, { type: 'Flatten' }, { type: 'Linear' }],
      names: ['conv1', undefined, undefined],
    });
  });
  test('an Input alone is an empty model', () => {
    expect(compileGraph([input()], [])).toEqual({ ok: true, order: [], layers: [], names: [] });
  });
  test('a repeated edge counts once; edges to unknown nodes are ignored', () => {
    const r = compileGraph([input(), layer('a')], [e('in', 'a'), e('in', 'a'), e('a', 'ghost')]);
    expect(r.ok && r.order).toEqual(['a']);
  });
});

describe('compileGraph: errors', () => {
  test('no input', () => {
    const errs = errorsOf([layer('a')], []);
    expect(errs).toEqual([{ code: 'no-input', message: expect.stringContaining('no Input node') }]);
  });
  test('several inputs are named', () => {
    const errs = errorsOf([input('i1'), input('i2'), layer('a')], [e('i1', 'a')]);
    expect(errs[0]).toMatchObject({ code: 'many-inputs', nodeIds: ['i1', 'i2'] });
    expect(errs[0].message).toContain('2 Input nodes (i1, i2)');
  });
  test('a disconnected node is named by its layer name, type and id', () => {
    const errs = errorsOf([input(), layer('a'), layer('x', 'Conv2d', 'conv9')], [e('in', 'a')]);
    expect(errs).toEqual([
      {
        code: 'disconnected',
        nodeId: 'x',
        message: 'Conv2d "conv9" (node x) is not connected to the Input: no path leads to it from the Input',
      },
    ]);
  });
  test('a node with two inputs', () => {
    const errs = errorsOf(
      [input(), layer('a'), layer('b'), layer('y', 'Linear')],
      [e('in', 'a'), e('a', 'b'), e('a', 'y'), e('b', 'y')],
    );
    expect(errs.map((x) => x.code)).toEqual(['two-outputs', 'two-inputs']);
    const two = errs.find((x) => x.code === 'two-inputs')!;
    expect(two).toMatchObject({ nodeId: 'y' });
    expect(two.message).toBe(
      'Linear (node y) has 2 inputs (from ReLU (node a) and ReLU (node b)); a layer of nn.Sequential takes exactly one',
    );
  });
  test('a node with two outputs (a branch)', () => {
    const errs = errorsOf([input(), layer('a'), layer('b'), layer('c')], [e('in', 'a'), e('a', 'b'), e('a', 'c')]);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ code: 'two-outputs', nodeId: 'a' });
    expect(errs[0].message).toContain('nn.Sequential is a chain');
  });
  test('the Input with two outputs', () => {
    const errs = errorsOf([input(), layer('a'), layer('b')], [e('in', 'a'), e('in', 'b')]);
    expect(errs).toEqual([expect.objectContaining({ code: 'two-outputs', nodeId: 'in' })]);
  });
  test('a cycle names its path A→B→A', () => {
    const nodes = [input(), layer('a', 'Conv2d', 'A'), layer('b', 'ReLU', 'B')];
    const errs = errorsOf(nodes, [e('in', 'a'), e('a', 'b'), e('b', 'a')]);
    const cycle = errs.find((x) => x.code === 'cycle')!;
    expect(cycle).toMatchObject({ nodeIds: ['a', 'b'] });
    expect(cycle.message).toContain('cycle through Conv2d "A" (node a)→ReLU "B" (node b)→Conv2d "A" (node a)');
    expect(errs.find((x) => x.code === 'two-inputs')).toMatchObject({ nodeId: 'a' });
  });
  test('a self loop is a cycle', () => {
    const errs = errorsOf([input(), layer('a')], [e('in', 'a'), e('a', 'a')]);
    expect(errs.find((x) => x.code === 'cycle')).toMatchObject({
      nodeIds: ['a'],
      message: expect.stringContaining('ReLU (node a)→ReLU (node a)'),
    });
  });
  test('a detached cycle is reported as a cycle and as disconnected', () => {
    const errs = errorsOf([input(), layer('a'), layer('b')], [e('a', 'b'), e('b', 'a')]);
    expect(errs.map((x) => x.code).sort()).toEqual(['cycle', 'disconnected', 'disconnected']);
  });
  test('an edge into the Input', () => {
    const errs = errorsOf([input(), layer('a'), layer('z')], [e('in', 'a'), e('z', 'in')]);
    expect(errs).toEqual([
      {
        code: 'two-inputs',
        nodeId: 'in',
        message: 'the Input node receives an edge from ReLU (node z); nothing can feed the Input',
      },
      {
        code: 'disconnected',
        nodeId: 'z',
        message: 'ReLU (node z) is not connected to the Input: it feeds the Input instead of being fed by it',
      },
    ]);
  });
  test('all errors are reported, not only the first', () => {
    const nodes = [input('i1'), input('i2'), layer('a'), layer('b'), layer('c'), layer('d')];
    const edges = [e('i1', 'a'), e('a', 'b'), e('a', 'c'), e('c', 'a')];
    const codes = errorsOf(nodes, edges).map((x) => x.code);
    expect(codes).toEqual(
      expect.arrayContaining(['many-inputs', 'two-inputs', 'two-outputs', 'cycle', 'disconnected']),
    );
    expect(
      errorsOf(nodes, edges)
        .filter((x) => x.code === 'disconnected')
        .map((x) => (x as { nodeId: string }).nodeId),
    ).toEqual(['d']);
  });
  test('a long chain compiles', () => {
    const nodes: GraphNode[] = [input()];
    const edges: GraphEdge[] = [];
    for (let i = 0; i < 500; i++) {
      nodes.push(layer(`n${i}`));
      edges.push(e(i === 0 ? 'in' : `n${i - 1}`, `n${i}`));
    }
    const r = compileGraph(nodes.reverse(), edges);
    expect(r.ok && r.order.length).toBe(500);
  });
});

describe('documentNames', () => {
  const layers = [{ type: 'Conv2d' }, { type: 'ReLU' }, { type: 'Linear' }];
  test('no names: null (index keys)', () => {
    expect(documentNames(layers, [undefined, undefined, ''])).toBeNull();
  });
  test('some names: the rest get unique generated names', () => {
    expect(documentNames(layers, ['conv', undefined, 'linear_2'])).toEqual(['conv', 'relu_1', 'linear_2']);
    expect(documentNames(layers, ['relu_1', undefined, undefined])).toEqual(['relu_1', 'relu_1_2', 'linear_2']);
  });
});
