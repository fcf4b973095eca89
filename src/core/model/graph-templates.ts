// Starting models beyond a chain: a ResNet-20 for CIFAR-10 (He et al. 2016, §4.2), a small
// Inception-style net, and a residual MNIST net. Each is a version-2 document with its own
// block classes, written as torchvision writes them.
import type { BlockDef, ForwardNode, ModelDocument, NamedModule } from './module-types.ts';
import type { LayerSpec } from './types.ts';

const arg = (name: string) => ({ arg: name });
const conv3 = (cin: unknown, cout: unknown, stride: unknown = 1): LayerSpec => ({
  type: 'Conv2d',
  in_channels: cin,
  out_channels: cout,
  kernel_size: 3,
  ...(stride === 1 ? {} : { stride }),
  padding: 1,
  bias: false,
});
const bn = (n: unknown): LayerSpec => ({ type: 'BatchNorm2d', num_features: n });
const call = (name: string, input: string, module = name): ForwardNode => ({ name, call: module, inputs: [input] });
const relu = (name: string, input: string): ForwardNode => ({ name, apply: { type: 'ReLU' }, inputs: [input] });

/** conv-bn-relu-conv-bn, then `+ shortcut` and ReLU: the residual body both blocks share. */
function residualForward(shortcut: string): ForwardNode[] {
  return [
    call('conv1', 'input'),
    call('bn1', 'conv1'),
    relu('relu1', 'bn1'),
    call('conv2', 'relu1'),
    call('bn2', 'conv2'),
    ...(shortcut === 'input' ? [] : [call('shortcut', 'input')]),
    { name: 'add', op: 'add', inputs: ['bn2', shortcut] },
    relu('out', 'add'),
  ];
}

/** torchvision's BasicBlock with an identity shortcut: planes in, planes out. */
const BASIC_BLOCK: BlockDef = {
  name: 'BasicBlock',
  params: [{ name: 'planes' }],
  modules: [
    { name: 'conv1', layer: conv3(arg('planes'), arg('planes')) },
    { name: 'bn1', layer: bn(arg('planes')) },
    { name: 'conv2', layer: conv3(arg('planes'), arg('planes')) },
    { name: 'bn2', layer: bn(arg('planes')) },
  ],
  forward: { nodes: residualForward('input'), output: 'out' },
};

/** The first block of a stage: stride 2, more channels, and a 1×1 Conv2d(stride=2) + BatchNorm2d shortcut (option B). */
const DOWN_BLOCK: BlockDef = {
  name: 'DownBlock',
  params: [{ name: 'in_planes' }, { name: 'planes' }, { name: 'stride', default: 2 }],
  modules: [
    { name: 'conv1', layer: conv3(arg('in_planes'), arg('planes'), arg('stride')) },
    { name: 'bn1', layer: bn(arg('planes')) },
    { name: 'conv2', layer: conv3(arg('planes'), arg('planes')) },
    { name: 'bn2', layer: bn(arg('planes')) },
    {
      name: 'shortcut',
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
  ],
  forward: { nodes: residualForward('shortcut'), output: 'out' },
};

const stage = (name: string, first: NamedModule | null, planes: number, count: number): NamedModule => ({
  name,
  sequential: [
    ...(first ? [{ ...first, name: '0' }] : []),
    ...Array.from({ length: count - (first ? 1 : 0) }, (_, i) => ({
      name: String(i + (first ? 1 : 0)),
      block: 'BasicBlock',
      args: { planes },
    })),
  ],
});

/** ResNet-20 for CIFAR-10: 16/32/64 channels, 3 BasicBlocks per stage, global average pool, 10 classes; 0.27 M parameters. */
export const RESNET20: ModelDocument = {
  format: 'layerboard-model',
  version: 2,
  className: 'ResNet20',
  input: [3, 32, 32],
  blocks: [BASIC_BLOCK, DOWN_BLOCK],
  modules: [
    { name: 'conv1', layer: conv3(3, 16) },
    { name: 'bn1', layer: bn(16) },
    stage('layer1', null, 16, 3),
    stage('layer2', { name: '0', block: 'DownBlock', args: { in_planes: 16, planes: 32 } }, 32, 3),
    stage('layer3', { name: '0', block: 'DownBlock', args: { in_planes: 32, planes: 64 } }, 64, 3),
    { name: 'avgpool', layer: { type: 'AdaptiveAvgPool2d', output_size: 1 } },
    { name: 'fc', layer: { type: 'Linear', in_features: 64, out_features: 10 } },
  ],
  forward: {
    nodes: [
      call('conv1', 'input'),
      call('bn1', 'conv1'),
      relu('relu', 'bn1'),
      call('layer1', 'relu'),
      call('layer2', 'layer1'),
      call('layer3', 'layer2'),
      call('avgpool', 'layer3'),
      { name: 'flat', apply: { type: 'Flatten' }, inputs: ['avgpool'] },
      call('fc', 'flat'),
    ],
    output: 'fc',
  },
};

/** GoogLeNet's Inception module, small: 1×1, 1×1→3×3 and pool→1×1 branches, concatenated along channels. */
const INCEPTION: BlockDef = {
  name: 'Inception',
  params: [{ name: 'in_channels' }, { name: 'ch1x1' }, { name: 'ch3x3red' }, { name: 'ch3x3' }, { name: 'pool_proj' }],
  modules: [
    {
      name: 'branch1',
      layer: { type: 'Conv2d', in_channels: arg('in_channels'), out_channels: arg('ch1x1'), kernel_size: 1 },
    },
    {
      name: 'branch2_reduce',
      layer: { type: 'Conv2d', in_channels: arg('in_channels'), out_channels: arg('ch3x3red'), kernel_size: 1 },
    },
    {
      name: 'branch2',
      layer: { type: 'Conv2d', in_channels: arg('ch3x3red'), out_channels: arg('ch3x3'), kernel_size: 3, padding: 1 },
    },
    { name: 'branch3_pool', layer: { type: 'MaxPool2d', kernel_size: 3, stride: 1, padding: 1 } },
    {
      name: 'branch3',
      layer: { type: 'Conv2d', in_channels: arg('in_channels'), out_channels: arg('pool_proj'), kernel_size: 1 },
    },
  ],
  forward: {
    nodes: [
      call('b1', 'input', 'branch1'),
      relu('r1', 'b1'),
      call('b2_reduce', 'input', 'branch2_reduce'),
      relu('r2_reduce', 'b2_reduce'),
      call('b2', 'r2_reduce', 'branch2'),
      relu('r2', 'b2'),
      call('b3_pool', 'input', 'branch3_pool'),
      call('b3', 'b3_pool', 'branch3'),
      relu('r3', 'b3'),
      { name: 'cat', op: 'cat', dim: 1, inputs: ['r1', 'r2', 'r3'] },
    ],
    output: 'cat',
  },
};

/** A small Inception-style CIFAR-10 net: stem, two Inception modules (48 and 96 channels), global pool, 10 classes. */
export const INCEPTION_NET: ModelDocument = {
  format: 'layerboard-model',
  version: 2,
  className: 'InceptionNet',
  input: [3, 32, 32],
  blocks: [INCEPTION],
  modules: [
    { name: 'stem', layer: { type: 'Conv2d', in_channels: 3, out_channels: 16, kernel_size: 3, padding: 1 } },
    { name: 'pool', layer: { type: 'MaxPool2d', kernel_size: 2 } },
    {
      name: 'inception1',
      block: 'Inception',
      args: { in_channels: 16, ch1x1: 16, ch3x3red: 16, ch3x3: 24, pool_proj: 8 },
    },
    {
      name: 'inception2',
      block: 'Inception',
      args: { in_channels: 48, ch1x1: 32, ch3x3red: 24, ch3x3: 48, pool_proj: 16 },
    },
    { name: 'avgpool', layer: { type: 'AdaptiveAvgPool2d', output_size: 1 } },
    { name: 'fc', layer: { type: 'Linear', in_features: 96, out_features: 10 } },
  ],
  forward: {
    nodes: [
      call('stem', 'input'),
      relu('stem_relu', 'stem'),
      call('pool1', 'stem_relu', 'pool'),
      call('inception1', 'pool1'),
      call('pool2', 'inception1', 'pool'),
      call('inception2', 'pool2'),
      call('avgpool', 'inception2'),
      { name: 'flat', apply: { type: 'Flatten' }, inputs: ['avgpool'] },
      call('fc', 'flat'),
    ],
    output: 'fc',
  },
};

/** A residual MNIST net: conv stages of 16 and 32 channels, each followed by a BasicBlock, then global pool and 10 classes. */
export const MNIST_RESNET: ModelDocument = {
  format: 'layerboard-model',
  version: 2,
  className: 'MnistResNet',
  input: [1, 28, 28],
  blocks: [BASIC_BLOCK],
  modules: [
    { name: 'conv1', layer: conv3(1, 16) },
    { name: 'bn1', layer: bn(16) },
    { name: 'res1', block: 'BasicBlock', args: { planes: 16 } },
    { name: 'pool', layer: { type: 'MaxPool2d', kernel_size: 2 } },
    { name: 'conv2', layer: conv3(16, 32) },
    { name: 'bn2', layer: bn(32) },
    { name: 'res2', block: 'BasicBlock', args: { planes: 32 } },
    { name: 'avgpool', layer: { type: 'AdaptiveAvgPool2d', output_size: 1 } },
    { name: 'fc', layer: { type: 'Linear', in_features: 32, out_features: 10 } },
  ],
  forward: {
    nodes: [
      call('conv1', 'input'),
      call('bn1', 'conv1'),
      relu('relu1', 'bn1'),
      call('res1', 'relu1'),
      call('pool1', 'res1', 'pool'),
      call('conv2', 'pool1'),
      call('bn2', 'conv2'),
      relu('relu2', 'bn2'),
      call('res2', 'relu2'),
      call('pool2', 'res2', 'pool'),
      call('avgpool', 'pool2'),
      { name: 'flat', apply: { type: 'Flatten' }, inputs: ['avgpool'] },
      call('fc', 'flat'),
    ],
    output: 'fc',
  },
};
