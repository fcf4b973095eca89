// Finite-difference gradient checks for every loss, every reduction and keyword: the
// analytic backward() must equal d(sum(loss · gradLoss))/d input estimated by central
// differences of forward().
import { describe, expect, test } from 'vitest';
import { createLoss, type LossSpec } from '../../src/engine/losses.ts';
import { Rng } from '../../src/engine/rng.ts';
import { numel, type IntTensor, type Tensor } from '../../src/engine/tensor.ts';

const rng = new Rng(7);
const randn = (shape: number[], scale = 1): Tensor => ({
  shape,
  data: Float32Array.from({ length: numel(shape) }, () => rng.normal() * scale),
});
const uniform = (shape: number[]): Tensor => ({
  shape,
  data: Float32Array.from({ length: numel(shape) }, () => rng.next()),
});
const ints = (shape: number[], n: number): IntTensor => ({
  shape,
  data: Int32Array.from({ length: numel(shape) }, () => rng.int(n)),
});
const tensor = (shape: number[], data: number[]): Tensor => ({ shape, data: Float32Array.from(data) });

/** Probability rows along dim 1 (or dim 0 unbatched). */
function probs(shape: number[]): Tensor {
  const t = uniform(shape),
    c = shape.length === 1 ? shape[0] : shape[1];
  const inner = shape.length === 1 ? 1 : numel(shape.slice(2)),
    n = shape.length === 1 ? 1 : shape[0];
  for (let b = 0; b < n; b++)
    for (let k = 0; k < inner; k++) {
      let s = 0;
      for (let j = 0; j < c; j++) s += t.data[b * c * inner + j * inner + k];
      for (let j = 0; j < c; j++) t.data[b * c * inner + j * inner + k] /= s;
    }
  return t;
}

/** Σ loss · gradLoss in double precision from a float32 forward. */
function objective(spec: LossSpec, x: Tensor, target: Tensor | IntTensor, gradLoss: Tensor | undefined): number {
  const out = createLoss(spec).forward(x, target);
  let s = 0;
  for (let i = 0; i < out.data.length; i++) s += out.data[i] * (gradLoss ? gradLoss.data[i] : 1);
  return s;
}

function gradcheck(spec: LossSpec, input: Tensor, target: Tensor | IntTensor, h = 1e-2): void {
  const loss = createLoss(spec);
  const out = loss.forward(input, target);
  // a random upstream gradient for 'none', so that each element's gradient is weighed differently
  const gradLoss = spec.reduction === 'none' ? randn(out.shape) : undefined;
  const analytic = loss.backward(gradLoss);
  expect(analytic.shape).toEqual(input.shape);
  for (let i = 0; i < input.data.length; i++) {
    const x = { shape: input.shape, data: Float32Array.from(input.data) };
    const x0 = x.data[i];
    x.data[i] = x0 + h;
    const hi = x.data[i] - x0;
    const up = objective(spec, x, target, gradLoss);
    x.data[i] = x0 - h;
    const lo = x0 - x.data[i];
    const down = objective(spec, x, target, gradLoss);
    const numeric = (up - down) / (hi + lo);
    expect(analytic.data[i], `${spec.type} d/dx[${i}]`).toBeCloseTo(numeric, 2);
    expect(Math.abs(analytic.data[i] - numeric)).toBeLessThanOrEqual(2e-3 + 2e-3 * Math.abs(numeric));
  }
}

/** A target whose differences from `input` stay clear of the kinks at 0, ±0.4, ±0.5, ±1 (h = 0.01). */
function targetAwayFromKinks(input: Tensor): Tensor {
  const kinks = [0, 0.4, 0.5, 1];
  const t = { shape: input.shape, data: new Float32Array(input.data.length) };
  for (let i = 0; i < t.data.length; i++) {
    let d: number;
    do d = rng.normal() * 1.5;
    while (kinks.some((k) => Math.abs(Math.abs(d) - k) < 0.05));
    t.data[i] = input.data[i] - d;
  }
  return t;
}

const REDUCTIONS = ['mean', 'sum', 'none'] as const;

describe.each(REDUCTIONS)('reduction %s', (reduction) => {
  test.each([
    [{ type: 'L1Loss' }],
    [{ type: 'MSELoss' }],
    [{ type: 'SmoothL1Loss' }],
    [{ type: 'SmoothL1Loss', beta: 0.5 }],
    [{ type: 'SmoothL1Loss', beta: 0 }],
    [{ type: 'HuberLoss' }],
    [{ type: 'HuberLoss', delta: 0.4 }],
  ])('%j', (spec) => {
    const x = randn([3, 4]);
    gradcheck({ ...spec, reduction }, x, targetAwayFromKinks(x));
  });

  test('MSELoss with a broadcast target (PyTorch warns but broadcasts)', () => {
    gradcheck({ type: 'MSELoss', reduction }, randn([3, 4]), randn([4]));
    const x = randn([4]);
    const t = targetAwayFromKinks({ shape: [3, 4], data: Float32Array.from([...x.data, ...x.data, ...x.data]) });
    gradcheck({ type: 'L1Loss', reduction }, x, t);
  });

  test.each([
    [{}],
    [{ weight: [0.5, 2, 1, 0.3] }],
    [{ ignore_index: 2 }],
    [{ label_smoothing: 0.2 }],
    [{ weight: [0.5, 2, 1, 0.3], ignore_index: 1, label_smoothing: 0.15 }],
  ])('CrossEntropyLoss %j with class indices', (kw) => {
    const target = ints([5], 4);
    target.data[0] = 2;
    target.data[1] = 1; // make sure ignored classes occur
    gradcheck({ type: 'CrossEntropyLoss', reduction, ...kw }, randn([5, 4], 2), target);
  });

  test('CrossEntropyLoss on [N, C, d1, d2] with weights, ignore_index and smoothing', () => {
    gradcheck(
      { type: 'CrossEntropyLoss', reduction, weight: [1, 0.2, 3], ignore_index: 0, label_smoothing: 0.1 },
      randn([2, 3, 2, 2]),
      ints([2, 2, 2], 3),
    );
  });

  test('CrossEntropyLoss unbatched [C] with a scalar target', () => {
    gradcheck({ type: 'CrossEntropyLoss', reduction, label_smoothing: 0.3 }, randn([5]), {
      shape: [],
      data: Int32Array.of(3),
    });
  });

  test.each([
    [{}],
    [{ weight: [0.5, 2, 1] }],
    [{ label_smoothing: 0.25 }],
    [{ weight: [0.5, 2, 1], label_smoothing: 0.1 }],
  ])('CrossEntropyLoss %j with probability targets', (kw) => {
    gradcheck({ type: 'CrossEntropyLoss', reduction, ...kw }, randn([4, 3]), probs([4, 3]));
    gradcheck({ type: 'CrossEntropyLoss', reduction, ...kw }, randn([2, 3, 2]), probs([2, 3, 2]));
  });

  test.each([
    [{}],
    [{ weight: [0.5, 2, 1, 0.3] }],
    [{ ignore_index: 3 }],
    [{ weight: [0.5, 2, 1, 0.3], ignore_index: 0 }],
  ])('NLLLoss %j', (kw) => {
    const target = ints([6], 4);
    target.data[0] = 3;
    target.data[1] = 0;
    gradcheck({ type: 'NLLLoss', reduction, ...kw }, randn([6, 4]), target);
    gradcheck({ type: 'NLLLoss', reduction, ...kw }, randn([2, 4, 3]), ints([2, 3], 4));
  });

  test.each([
    [{}],
    [{ weight: [1, 0.5, 2] }],
    [{ pos_weight: [3, 0.5, 1.5] }],
    [{ weight: tensor([2, 1], [1, 3]), pos_weight: [3, 0.5, 1.5] }],
  ])('BCEWithLogitsLoss %j', (kw) => {
    gradcheck({ type: 'BCEWithLogitsLoss', reduction, ...kw }, randn([2, 3], 3), uniform([2, 3]));
  });
});

test('BCEWithLogitsLoss is finite for logits far beyond exp() range', () => {
  const loss = createLoss({ type: 'BCEWithLogitsLoss', reduction: 'none' });
  const out = loss.forward(tensor([4], [200, -200, 1000, -1000]), tensor([4], [0, 1, 1, 0]));
  expect(Array.from(out.data)).toEqual([200, 200, 0, 0]);
  const g = loss.backward();
  expect(Array.from(g.data)).toEqual([1, -1, 0, 0]);
});
