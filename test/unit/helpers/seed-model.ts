import type { LayerSpec } from '../../../src/core/model/types.ts';

/** The seed tutorial's CIFAR-10 `BS` layers, written as the seed writes them (stride=1 included). */
export const SEED: LayerSpec[] = [
  { type: 'Conv2d', in_channels: 3, out_channels: 32, kernel_size: 5, stride: 1, padding: 2 },
  { type: 'MaxPool2d', kernel_size: 2 },
  { type: 'Conv2d', in_channels: 32, out_channels: 32, kernel_size: 5, stride: 1, padding: 2 },
  { type: 'MaxPool2d', kernel_size: 2 },
  { type: 'Conv2d', in_channels: 32, out_channels: 64, kernel_size: 5, stride: 1, padding: 2 },
  { type: 'MaxPool2d', kernel_size: 2 },
  { type: 'Flatten' },
  { type: 'Linear', in_features: 1024, out_features: 64 },
  { type: 'Linear', in_features: 64, out_features: 10 },
];
