import { expect, test } from 'vitest';
import { adaptToInput } from './adapt-input.ts';
import { analyze } from './analysis.ts';
import { graphFromDocument } from './document.ts';
import { layerOf } from './graph-model.ts';
import { TEMPLATES } from '../model/templates.ts';

const template = (id: string) => graphFromDocument(structuredClone(TEMPLATES.find((t) => t.id === id)!.doc));
const problems = (g: ReturnType<typeof template>) => [...analyze(g).nodes.values()].filter((n) => n.shapeError);

test("the seed's CIFAR-10 BS onto 1×28×28: in_channels 3 → 1 and the Linear's 1024 → 576 (64×3×3), nothing else", () => {
  const bs = template('cifar10-bs');
  const { graph, changes } = adaptToInput(bs, [1, 28, 28]);
  expect(problems(graph)).toEqual([]);
  expect(changes).toEqual(['Conv2d.in_channels 3 → 1', 'Linear.in_features 1024 → 576']);
  expect(analyze(graph).outShape).toEqual([1, 10]);
  // every other keyword as it was
  const changed = graph.nodes.filter((n, i) => JSON.stringify(layerOf(n)) !== JSON.stringify(layerOf(bs.nodes[i])));
  expect(changed.map((n) => layerOf(n)?.type)).toEqual(['Conv2d', 'Linear']);
});

test('BatchNorm sizes follow; a shape that cannot work is left to the user', () => {
  const mnist = template('mnist-convnet');
  const rgb = adaptToInput(mnist, [3, 28, 28]);
  expect(rgb.changes).toEqual(['conv1.in_channels 1 → 3']);
  expect(problems(rgb.graph)).toEqual([]);
  // 2×2 images cannot pass BS's three 2×2 max-pools: the input is set, the sizes fixed as far
  // as they go, and the failure that is not a size is left to the user
  const tiny = adaptToInput(template('cifar10-bs'), [3, 2, 2]);
  expect(tiny.graph.input).toEqual([3, 2, 2]);
  expect(problems(tiny.graph).length).toBe(1);
});
