// Which convolutions must round as the direct convolution does. Winograd (wasm backend) gives
// each output position a slightly different rounding, so two positions that PyTorch computes
// equal — or within its own rounding of each other — can swap order. Where a max pooling
// compares them, that moves the argmax and with it the whole gradient; everywhere else the
// difference stays at float32 rounding. So a Conv2d whose output reaches a max pooling
// through layers that act position by position (normalization, activations, dropout,
// flatten, add, cat) runs its forward on the direct path; its backward may still use Winograd.
import type { LayerType } from '../core/model/types.ts';
import { Conv2d } from './layers/conv2d.ts';
import type { Layer } from './layers/layer.ts';

/** A node as the model runs it: its layer (none for add/cat) and the values it reads (0: the model input, i + 1: node i). */
export interface ExactStep {
  layer: Layer | null;
  inputs: readonly number[];
}

const POSITIONWISE: ReadonlySet<string> = new Set([
  'BatchNorm1d',
  'BatchNorm2d',
  'ReLU',
  'LeakyReLU',
  'Sigmoid',
  'Tanh',
  'GELU',
  'ELU',
  'Dropout',
  'Flatten',
] satisfies LayerType[]);

/** Layer types that compare positions by their values. */
const MAXIMA: ReadonlySet<string> = new Set(['MaxPool2d'] satisfies LayerType[]);

/** Sets exactForward on every Conv2d layer whose output a max pooling compares. */
export function markExactConvs(steps: readonly ExactStep[]): void {
  const readers: number[][] = Array.from({ length: steps.length + 1 }, () => []);
  steps.forEach((s, i) => s.inputs.forEach((v) => readers[v].push(i)));
  const reachesMax = (from: number): boolean => {
    const seen = new Set<number>(),
      todo = [...readers[from]];
    while (todo.length) {
      const i = todo.pop()!;
      if (seen.has(i)) continue;
      seen.add(i);
      const type = steps[i].layer?.type;
      if (type && MAXIMA.has(type)) return true;
      if (!type || POSITIONWISE.has(type)) todo.push(...readers[i + 1]);
    }
    return false;
  };
  steps.forEach((s, i) => {
    if (s.layer instanceof Conv2d) s.layer.exactForward = reachesMax(i + 1);
  });
}
