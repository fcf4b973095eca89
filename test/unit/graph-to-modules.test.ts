import { describe, expect, test } from 'vitest';
import { graphDefToModules } from '../../src/core/formats/tfevents/graph-to-modules.ts';
import type { GraphDefNode } from '../../src/core/formats/tfevents/index.ts';

const shapes = (...s: number[][]) => ({ _output_shapes: { kind: 'list' as const, shapes: s, strings: [], ints: [] } });
const node = (name: string, op: string, inputs: string[], shape: number[]): GraphDefNode => ({
  name,
  op,
  inputs,
  device: '',
  attrs: shapes(shape),
});

// The shape of what add_graph logs for the first layers of the seed's BS model.
const seq = 'BS/Sequential[model]';
const nodes: GraphDefNode[] = [
  node('input/input.1', 'IO Node', [], [64, 3, 32, 32]),
  node(`${seq}/Conv2d[0]/weight/weight.1`, 'prim::GetAttr', [], [32, 3, 5, 5]),
  node(
    `${seq}/Conv2d[0]/input.3`,
    'aten::_convolution',
    ['input/input.1', `${seq}/Conv2d[0]/weight/weight.1`],
    [64, 32, 32, 32],
  ),
  node(`${seq}/MaxPool2d[1]/input.5`, 'aten::max_pool2d', [`${seq}/Conv2d[0]/input.3`], [64, 32, 16, 16]),
  node(`${seq}/Flatten[2]/input.7`, 'aten::flatten', [`${seq}/MaxPool2d[1]/input.5`], [64, 8192]),
  node('output/output.1', 'IO Node', [`${seq}/Flatten[2]/input.7`], [64, 8192]),
];

describe('GraphDef → module hierarchy', () => {
  test('scopes become the BS → Sequential[model] → layer tree with shapes on the edges', () => {
    const g = graphDefToModules(nodes);
    expect(g.input).toEqual([64, 3, 32, 32]);
    expect(g.root).toMatchObject({ id: 'BS', type: 'BS' });
    expect(g.root.children.map((c) => [c.type, c.name])).toEqual([['Sequential', 'model']]);
    expect(g.root.children[0].children.map((c) => `${c.type}[${c.name}]`)).toEqual([
      'Conv2d[0]',
      'MaxPool2d[1]',
      'Flatten[2]',
    ]);
    expect(g.edges).toEqual([
      { from: 'input', to: `${seq}/Conv2d[0]`, shape: [64, 3, 32, 32] },
      { from: `${seq}/Conv2d[0]`, to: `${seq}/MaxPool2d[1]`, shape: [64, 32, 32, 32] },
      { from: `${seq}/MaxPool2d[1]`, to: `${seq}/Flatten[2]`, shape: [64, 32, 16, 16] },
      { from: `${seq}/Flatten[2]`, to: 'output', shape: [64, 8192] },
    ]);
    expect(g.root.children[0].children[2].outputShape).toEqual([64, 8192]);
  });

  test('a GraphDef carries no params or Mult-Adds: they are unknown (NaN), shown as "unknown", never 0', async () => {
    const { countText, graphShapeText } = await import('../../src/ui/lib/format.ts');
    const g = graphDefToModules(nodes);
    const conv = g.root.children[0].children[0];
    expect(conv.params).toBeNaN();
    expect(conv.multAdds).toBeNaN();
    expect(countText(conv.params)).toBe('unknown');
    // after a run file's JSON round trip NaN is null: still unknown
    expect(countText(JSON.parse(JSON.stringify(conv)).params)).toBe('unknown');
    expect(countText(145578)).toBe('146K');
    expect(graphShapeText([])).toBe('unknown');
    expect(graphShapeText([64, 10])).toBe('64×10');
  });
});
