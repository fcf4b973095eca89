// Builds an engine layer from a resolved spec: one explicit switch, no registry.
import type { ResolvedLayer } from '../../core/model/resolved.ts';
import type { Rng } from '../rng.ts';
import { ELU, GELU, LeakyReLU, ReLU, Sigmoid, Tanh } from './activations.ts';
import { AdaptiveAvgPool2d, AvgPool2d } from './avg-pool2d.ts';
import { BatchNorm } from './batch-norm.ts';
import { Conv2d } from './conv2d.ts';
import { Dropout } from './dropout.ts';
import { Flatten } from './flatten.ts';
import type { Layer } from './layer.ts';
import { Linear } from './linear.ts';
import { MaxPool2d } from './max-pool2d.ts';
import { Softmax } from './softmax.ts';

export type { Buffer, Layer } from './layer.ts';

/**
 * `prefix` names the layer's parameters and buffers ('3.' gives '3.weight'); `rng` initializes
 * them. With `twin` (a layer built from the same spec), the new layer is another call of that
 * module: it uses the twin's parameters and buffers (no init, no RNG draw) and keeps its own
 * activations, so one module can run at several places in forward.
 */
export function createLayer(r: ResolvedLayer, prefix: string, rng: Rng, twin?: Layer): Layer {
  switch (r.type) {
    case 'Conv2d':
      return new Conv2d(r, prefix, rng, twin);
    case 'MaxPool2d':
      return new MaxPool2d(r);
    case 'AvgPool2d':
      return new AvgPool2d(r);
    case 'AdaptiveAvgPool2d':
      return new AdaptiveAvgPool2d(r);
    case 'Flatten':
      return new Flatten(r);
    case 'Linear':
      return new Linear(r, prefix, rng, twin);
    case 'ReLU':
      return new ReLU();
    case 'LeakyReLU':
      return new LeakyReLU(r);
    case 'Sigmoid':
      return new Sigmoid();
    case 'Tanh':
      return new Tanh();
    case 'GELU':
      return new GELU(r);
    case 'ELU':
      return new ELU(r);
    case 'Softmax':
    case 'LogSoftmax':
      return new Softmax(r);
    case 'Dropout':
      return new Dropout(r, rng);
    case 'BatchNorm1d':
    case 'BatchNorm2d':
      return new BatchNorm(r, prefix, twin);
  }
}
