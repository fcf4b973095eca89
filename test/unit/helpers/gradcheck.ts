// Finite-difference gradient check of an engine Model: backward(r) must equal
// ∂(Σ forward(x)·r)/∂(x, params) estimated by central differences of the float32 forward
// (objective summed in double), at up to 40 sampled entries of the input and each parameter.
import { expect } from 'vitest';
import type { Model } from '../../../src/engine/model.ts';
import { Rng } from '../../../src/engine/rng.ts';
import { numel, type Tensor } from '../../../src/engine/tensor.ts';

const rng = new Rng(2024);
export const randn = (shape: number[]): Tensor => ({
  shape,
  data: Float32Array.from({ length: numel(shape) }, () => rng.normal()),
});
/** Distinct values ≥ 0.05 apart and ≥ 0.0125 from 0, shuffled: no ties or kinks within the step. */
export function spaced(shape: number[]): Tensor {
  const n = numel(shape),
    order = Array.from({ length: n }, (_, i) => i);
  rng.shuffle(order);
  return { shape, data: Float32Array.from(order, (k) => (k - n / 2) * 0.05 + 0.0125) };
}

/** Up to `max` distinct indices of [0, n). */
function sample(n: number, max: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  rng.shuffle(all);
  return all.slice(0, max).sort((a, b) => a - b);
}

export interface GradcheckOptions {
  mode?: 'train' | 'eval';
  input?: Tensor;
  h?: number;
  rtol?: number;
  atol?: number;
}

export function gradcheckModel(model: Model, shape: number[], o: GradcheckOptions = {}): void {
  if (o.mode === 'eval') model.eval();
  const x = o.input ?? randn(shape);
  const y = model.forward(x);
  const r = randn(y.shape);
  model.zeroGrad();
  const gx = model.backward(r);
  const objective = (): number => {
    const out = model.forward(x);
    let s = 0;
    for (let i = 0; i < out.data.length; i++) s += out.data[i] * r.data[i];
    return s;
  };
  const h = o.h ?? 5e-3,
    rtol = o.rtol ?? 1e-2,
    atol = o.atol ?? 2e-3;
  const numeric = (buf: Float32Array, i: number): number => {
    const v = buf[i];
    buf[i] = v + h;
    const up = objective();
    buf[i] = v - h;
    const down = objective();
    buf[i] = v;
    return (up - down) / (2 * h);
  };
  const bad: string[] = [];
  const compare = (what: string, buf: Float32Array, grad: Float32Array) => {
    for (const i of sample(buf.length, 40)) {
      const n = numeric(buf, i),
        a = grad[i];
      if (!(Math.abs(a - n) <= atol + rtol * Math.max(Math.abs(a), Math.abs(n))))
        bad.push(`${what}[${i}]: analytic ${a}, numeric ${n}`);
    }
  };
  compare('input', x.data, gx.data);
  for (const p of model.parameters()) compare(p.name, p.value.data, p.grad!.data);
  expect(bad).toEqual([]);
}
