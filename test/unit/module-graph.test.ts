import { describe, expect, test } from 'vitest';
import { buildModuleGraph } from '../../src/core/model/module-graph.ts';
import { templateDocument } from '../../src/core/model/templates.ts';

describe('buildModuleGraph (what add_graph records)', () => {
  test("the seed's BS model: hierarchy, shapes on every edge, params and Mult-Adds", () => {
    const g = buildModuleGraph(templateDocument('cifar10-bs'), [64, 3, 32, 32]);
    expect(g.root.id).toBe('BS');
    expect(g.root.type).toBe('BS');
    const seq = g.root.children[0];
    expect(seq).toMatchObject({ id: 'BS/Sequential[model]', name: 'model', type: 'Sequential' });
    expect(seq.children.map((c) => c.id)).toEqual([
      'BS/Sequential[model]/Conv2d[0]',
      'BS/Sequential[model]/MaxPool2d[1]',
      'BS/Sequential[model]/Conv2d[2]',
      'BS/Sequential[model]/MaxPool2d[3]',
      'BS/Sequential[model]/Conv2d[4]',
      'BS/Sequential[model]/MaxPool2d[5]',
      'BS/Sequential[model]/Flatten[6]',
      'BS/Sequential[model]/Linear[7]',
      'BS/Sequential[model]/Linear[8]',
    ]);
    const conv0 = seq.children[0];
    expect(conv0.outputShape).toEqual([64, 32, 32, 32]);
    // 3·32·5·5 + 32 weights and biases
    expect(conv0.params).toBe(2432);
    // torchinfo: every weight/bias element times every output position of the batch
    expect(conv0.multAdds).toBe(2432 * 64 * 32 * 32);
    expect(conv0.keywords).toMatchObject({ in_channels: 3, out_channels: 32, kernel_size: 5, padding: 2, stride: 1 });
    const afterFlatten = g.edges.find((e) => e.from === 'BS/Sequential[model]/Flatten[6]');
    expect(afterFlatten).toEqual({
      from: 'BS/Sequential[model]/Flatten[6]',
      to: 'BS/Sequential[model]/Linear[7]',
      shape: [64, 1024],
    });
    expect(g.edges[0]).toEqual({ from: 'input', to: 'BS/Sequential[model]/Conv2d[0]', shape: [64, 3, 32, 32] });
    expect(g.edges.at(-1)).toEqual({ from: 'BS/Sequential[model]/Linear[8]', to: 'output', shape: [64, 10] });
    expect(g.root.params).toBe(145578);
    expect(seq.params).toBe(145578);
    expect(g.root.outputShape).toEqual([64, 10]);
  });

  test('named layers use their names in the scope, and a model without class is Model', () => {
    const doc = templateDocument('seed-conv-relu');
    delete doc.className;
    const g = buildModuleGraph(doc, [1, 1, 28, 28]);
    expect(g.root.children[0].children.map((c) => c.id)).toEqual([
      'Model/Sequential[model]/Conv2d[conv1]',
      'Model/Sequential[model]/ReLU[relu1]',
      'Model/Sequential[model]/Conv2d[conv2]',
      'Model/Sequential[model]/ReLU[relu2]',
    ]);
    expect(g.edges.map((e) => e.shape)).toEqual([
      [1, 1, 28, 28],
      [1, 20, 24, 24],
      [1, 20, 24, 24],
      [1, 64, 20, 20],
      [1, 64, 20, 20],
    ]);
  });

  test('a model that cannot run on the input throws with the layer named', () => {
    const doc = templateDocument('cifar10-bs');
    expect(() => buildModuleGraph(doc, [64, 1, 28, 28])).toThrow(/layer 0/);
  });
});

describe('add_graph of a model with branches and blocks', () => {
  test('nested modules are groups in forward order; the skip connection is an edge into the add', () => {
    const g = buildModuleGraph(templateDocument('mnist-resnet'), [2, 1, 28, 28]);
    expect(g.root.children.map((c) => c.id).slice(0, 5)).toEqual([
      'MnistResNet/Conv2d[conv1]',
      'MnistResNet/BatchNorm2d[bn1]',
      'MnistResNet/ReLU[relu1]',
      'MnistResNet/BasicBlock[res1]',
      'MnistResNet/MaxPool2d[pool1]',
    ]);
    const block = g.root.children[3];
    expect(block.params).toBe(2304 + 32 + 2304 + 32);
    expect(block.children.map((c) => c.type)).toEqual([
      'Conv2d',
      'BatchNorm2d',
      'ReLU',
      'Conv2d',
      'BatchNorm2d',
      'add',
      'ReLU',
    ]);
    const into = g.edges.filter((e) => e.to === 'MnistResNet/BasicBlock[res1]/add[add]').map((e) => e.from);
    expect(into).toEqual(['MnistResNet/BasicBlock[res1]/BatchNorm2d[bn2]', 'MnistResNet/ReLU[relu1]']);
    expect(g.root.params).toBe(28_410);
    expect(g.edges.at(-1)).toEqual({ from: 'MnistResNet/Linear[fc]', to: 'output', shape: [2, 10] });
  });
  test('a Sequential of blocks nests two levels; a module called twice is two steps', () => {
    const g = buildModuleGraph(templateDocument('cifar10-inception'), [1, 3, 32, 32]);
    expect(g.root.children.filter((c) => c.type === 'MaxPool2d').map((c) => c.id)).toEqual([
      'InceptionNet/MaxPool2d[pool1]',
      'InceptionNet/MaxPool2d[pool2]',
    ]);
    const cat = g.root.children.find((c) => c.type === 'Inception')!.children.find((c) => c.type === 'cat')!;
    expect(cat).toMatchObject({ keywords: { dim: 1 }, outputShape: [1, 48, 16, 16] });
    expect(g.edges.filter((e) => e.to === cat.id)).toHaveLength(3);
    const resnet = buildModuleGraph(templateDocument('cifar10-resnet20'), [1, 3, 32, 32]);
    const layer2 = resnet.root.children.find((c) => c.name === 'layer2')!;
    expect(layer2.children[0].id).toBe('ResNet20/Sequential[layer2]/DownBlock[0]');
    expect(layer2.children[0].children.find((c) => c.type === 'Sequential')!.children.map((c) => c.type)).toEqual([
      'Conv2d',
      'BatchNorm2d',
    ]);
  });
});
