// A CIFAR-10 ResNet in the model format v2, as the ResNet paper's CIFAR nets and
// torchvision write it: a 3×3 stem, three stages of BasicBlocks (the first of stages 2 and
// 3 downsampling, with a 1×1 Conv2d + BatchNorm2d shortcut registered as `downsample`),
// global average pool, Linear. blocksPerStage 3 and width 16 is ResNet-20 (272,474 parameters).
import { parseModelDocument } from '../../../src/core/model/model-json.ts';
import type { ModelDocument } from '../../../src/core/model/types.ts';

const arg = (name: string) => ({ arg: name });
const conv3 = (i: unknown, o: unknown, stride: unknown = 1) => ({
  type: 'Conv2d',
  in_channels: i,
  out_channels: o,
  kernel_size: 3,
  stride,
  padding: 1,
  bias: false,
});
const bn = (c: unknown) => ({ type: 'BatchNorm2d', num_features: c });

function block(name: string, downsample: boolean): Record<string, unknown> {
  return {
    name,
    params: [{ name: 'in_planes' }, { name: 'planes' }, { name: 'stride', default: 1 }],
    modules: [
      { name: 'conv1', layer: conv3(arg('in_planes'), arg('planes'), arg('stride')) },
      { name: 'bn1', layer: bn(arg('planes')) },
      { name: 'conv2', layer: conv3(arg('planes'), arg('planes')) },
      { name: 'bn2', layer: bn(arg('planes')) },
      ...(downsample
        ? [
            {
              name: 'downsample',
              sequential: [
                {
                  name: '0',
                  layer: {
                    type: 'Conv2d',
                    in_channels: arg('in_planes'),
                    out_channels: arg('planes'),
                    kernel_size: 1,
                    stride: arg('stride'),
                    bias: false,
                  },
                },
                { name: '1', layer: bn(arg('planes')) },
              ],
            },
          ]
        : []),
    ],
    forward: {
      nodes: [
        { name: 'conv1', call: 'conv1', inputs: ['input'] },
        { name: 'bn1', call: 'bn1', inputs: ['conv1'] },
        { name: 'relu1', apply: { type: 'ReLU' }, inputs: ['bn1'] },
        { name: 'conv2', call: 'conv2', inputs: ['relu1'] },
        { name: 'bn2', call: 'bn2', inputs: ['conv2'] },
        ...(downsample ? [{ name: 'shortcut', call: 'downsample', inputs: ['input'] }] : []),
        { name: 'add', op: 'add', inputs: ['bn2', downsample ? 'shortcut' : 'input'] },
        { name: 'relu2', apply: { type: 'ReLU' }, inputs: ['add'] },
      ],
      output: 'relu2',
    },
  };
}

export function resnetDoc(blocksPerStage = 3, width = 16, input: number[] = [3, 32, 32]): ModelDocument {
  const stage = (s: number) => {
    const planes = width << s,
      inPlanes = s === 0 ? width : planes / 2;
    return Array.from({ length: blocksPerStage }, (_, i) =>
      i === 0 && s > 0
        ? { name: '0', block: 'DownBlock', args: { in_planes: inPlanes, planes, stride: 2 } }
        : { name: String(i), block: 'BasicBlock', args: { in_planes: planes, planes } },
    );
  };
  const raw = {
    format: 'layerboard-model',
    version: 2,
    className: 'ResNet',
    input,
    blocks: [block('BasicBlock', false), block('DownBlock', true)],
    modules: [
      { name: 'conv1', layer: conv3(input[0], width) },
      { name: 'bn1', layer: bn(width) },
      { name: 'layer1', sequential: stage(0) },
      { name: 'layer2', sequential: stage(1) },
      { name: 'layer3', sequential: stage(2) },
      { name: 'avgpool', layer: { type: 'AdaptiveAvgPool2d', output_size: 1 } },
      { name: 'fc', layer: { type: 'Linear', in_features: width * 4, out_features: 10 } },
    ],
    forward: {
      nodes: [
        { name: 'conv1', call: 'conv1', inputs: ['input'] },
        { name: 'bn1', call: 'bn1', inputs: ['conv1'] },
        { name: 'relu', apply: { type: 'ReLU' }, inputs: ['bn1'] },
        { name: 'layer1', call: 'layer1', inputs: ['relu'] },
        { name: 'layer2', call: 'layer2', inputs: ['layer1'] },
        { name: 'layer3', call: 'layer3', inputs: ['layer2'] },
        { name: 'avgpool', call: 'avgpool', inputs: ['layer3'] },
        { name: 'flatten', apply: { type: 'Flatten', start_dim: 1 }, inputs: ['avgpool'] },
        { name: 'fc', call: 'fc', inputs: ['flatten'] },
      ],
      output: 'fc',
    },
  };
  const parsed = parseModelDocument(raw);
  if (!parsed.ok) throw new Error(`resnetDoc: ${JSON.stringify(parsed.errors)}`);
  return parsed.doc;
}
