// PyTorch's default initialization (torch/nn/modules/conv.py and linear.py reset_parameters):
// weight ~ kaiming_uniform_(a=√5), bias ~ U(−1/√fan_in, 1/√fan_in).
import type { Rng } from './rng.ts';

/**
 * kaiming_uniform_(w, a, mode='fan_in', nonlinearity='leaky_relu'):
 * gain = √(2 / (1 + a²)), std = gain / √fan_in, bound = √3 · std. With a = √5 the bound is 1/√fan_in.
 */
export function kaimingUniformBound(fanIn: number, a = Math.sqrt(5)): number {
  const gain = Math.sqrt(2 / (1 + a * a));
  return Math.sqrt(3) * (gain / Math.sqrt(fanIn));
}

export function kaimingUniform(out: Float32Array, fanIn: number, rng: Rng, a = Math.sqrt(5)): void {
  const bound = kaimingUniformBound(fanIn, a);
  rng.fillUniform(out, -bound, bound);
}

/** Bias init: U(−1/√fan_in, 1/√fan_in) (left at zero when fan_in is 0, as PyTorch). */
export function biasUniform(out: Float32Array, fanIn: number, rng: Rng): void {
  if (fanIn <= 0) return;
  const bound = 1 / Math.sqrt(fanIn);
  rng.fillUniform(out, -bound, bound);
}
