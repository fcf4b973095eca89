// Losses against real PyTorch 1.13 beyond the conformance file: spatial and unbatched
// shapes, probability targets with weights and smoothing, broadcasting, empty batches,
// all-ignored batches, non-finite inputs, and the inputs PyTorch refuses. Values come
// live from test/unit/torch/loss_reference.py (skipped with a note if torch is absent).
import { describe, expect, test } from 'vitest';
import { createLoss, type LossSpec } from '../../src/engine/losses.ts';
import { Rng } from '../../src/engine/rng.ts';
import { numel, type IntTensor, type Tensor } from '../../src/engine/tensor.ts';
import {
  decodeFloat,
  floatTensorFromJson,
  tensorFromJson,
  tensorToJson,
  type TensorJson,
} from '../../src/engine/tensor-json.ts';
import { runTorch, torchVersion } from './torch/run-torch.ts';

const rng = new Rng(11);
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
const t = (shape: number[], data: number[]): Tensor => ({ shape, data: Float32Array.from(data) });
const idx = (shape: number[], data: number[]): IntTensor => ({ shape, data: Int32Array.from(data) });
const w = (data: number[]) => tensorToJson(t([data.length], data));

interface Case {
  name: string;
  loss: LossSpec;
  input: Tensor;
  target: Tensor | IntTensor;
}
const cases: Case[] = [];
const add = (name: string, loss: LossSpec, input: Tensor, target: Tensor | IntTensor) => {
  for (const reduction of ['mean', 'sum', 'none'])
    cases.push({ name: `${name} (${reduction})`, loss: { ...loss, reduction }, input, target });
};

add(
  'CE spatial [2,3,4] with weight, ignore_index, smoothing',
  { type: 'CrossEntropyLoss', weight: w([0.3, 1.2, 2]), ignore_index: 1, label_smoothing: 0.2 },
  randn([2, 3, 4]),
  ints([2, 4], 3),
);
add('CE [2,4,3,2] class indices', { type: 'CrossEntropyLoss' }, randn([2, 4, 3, 2], 2), ints([2, 3, 2], 4));
add(
  'CE unbatched [5] with weight and smoothing',
  { type: 'CrossEntropyLoss', weight: w([1, 2, 3, 4, 5]), label_smoothing: 0.1 },
  randn([5]),
  idx([], [2]),
);
add('CE unbatched [5] ignored target', { type: 'CrossEntropyLoss', ignore_index: 2 }, randn([5]), idx([], [2]));
add(
  'CE unbatched probabilities [4]',
  { type: 'CrossEntropyLoss', weight: w([1, 2, 0.5, 1]) },
  randn([4]),
  uniform([4]),
);
add(
  'CE probabilities spatial [2,3,2,2] weight + smoothing',
  { type: 'CrossEntropyLoss', weight: w([0.7, 1.1, 1.9]), label_smoothing: 0.3 },
  randn([2, 3, 2, 2]),
  uniform([2, 3, 2, 2]),
);
add(
  'CE probabilities with ignore_index -1 (allowed: negative)',
  { type: 'CrossEntropyLoss', ignore_index: -1 },
  randn([3, 3]),
  uniform([3, 3]),
);
add(
  'CE all ignored with smoothing',
  { type: 'CrossEntropyLoss', ignore_index: 0, label_smoothing: 0.1 },
  randn([3, 4]),
  idx([3], [0, 0, 0]),
);
add(
  'CE all ignored, weighted',
  { type: 'CrossEntropyLoss', ignore_index: 0, weight: w([1, 2, 3, 4]) },
  randn([3, 4]),
  idx([3], [0, 0, 0]),
);
add(
  'CE targets of zero weight (0/0)',
  { type: 'CrossEntropyLoss', weight: w([0, 0, 1]), label_smoothing: 0.1 },
  randn([2, 3]),
  idx([2], [0, 1]),
);
add('CE empty batch', { type: 'CrossEntropyLoss' }, randn([0, 3]), idx([0], []));
add('CE empty batch with smoothing', { type: 'CrossEntropyLoss', label_smoothing: 0.1 }, randn([0, 3]), idx([0], []));
add('CE empty batch probabilities', { type: 'CrossEntropyLoss', weight: w([1, 2, 3]) }, randn([0, 3]), uniform([0, 3]));
add(
  'CE with a -inf logit',
  { type: 'CrossEntropyLoss' },
  t([2, 3], [-Infinity, 0, 1, 2, -Infinity, 0]),
  idx([2], [1, 0]),
);
add('CE large logits', { type: 'CrossEntropyLoss', label_smoothing: 0.05 }, randn([4, 6], 300), ints([4], 6));
add(
  'NLL spatial with weight and ignore_index',
  { type: 'NLLLoss', weight: w([2, 1, 0.5]), ignore_index: 2 },
  randn([3, 3, 5]),
  ints([3, 5], 3),
);
add('NLL unbatched', { type: 'NLLLoss', weight: w([2, 1, 0.5]) }, randn([3]), idx([], [1]));
add('NLL all ignored', { type: 'NLLLoss', ignore_index: 1 }, randn([2, 3]), idx([2], [1, 1]));
add('NLL empty batch', { type: 'NLLLoss' }, randn([0, 4]), idx([0], []));
add(
  'BCE pos_weight [3] over [2,4,3], weight [4,1]',
  { type: 'BCEWithLogitsLoss', pos_weight: w([0.5, 2, 4]), weight: tensorToJson(t([4, 1], [1, 0.2, 3, 0.7])) },
  randn([2, 4, 3], 3),
  uniform([2, 4, 3]),
);
add(
  'BCE extreme logits with pos_weight',
  { type: 'BCEWithLogitsLoss', pos_weight: w([3]) },
  t([6], [90, -90, 500, -500, 0, 30]),
  t([6], [0, 1, 1, 0, 0.5, 0.2]),
);
add('BCE scalar input', { type: 'BCEWithLogitsLoss' }, t([], [0.3]), t([], [1]));
add('MSE broadcast target [4] over [3,4]', { type: 'MSELoss' }, randn([3, 4]), randn([4]));
add('L1 broadcast input [3,1] against [1,4]', { type: 'L1Loss' }, randn([3, 1]), randn([1, 4]));
add('SmoothL1 beta 0', { type: 'SmoothL1Loss', beta: 0 }, randn([2, 5]), randn([2, 5]));
add('SmoothL1 beta 2 on [2,3,2]', { type: 'SmoothL1Loss', beta: 2 }, randn([2, 3, 2], 2), randn([2, 3, 2], 2));
add('Huber delta 0.3', { type: 'HuberLoss', delta: 0.3 }, randn([7]), randn([7]));
add('MSE empty', { type: 'MSELoss' }, randn([0, 2]), randn([0, 2]));
add('MSE with inf and nan', { type: 'MSELoss' }, t([3], [Infinity, NaN, 1]), t([3], [0, 0, Infinity]));
add('L1 at zero difference', { type: 'L1Loss' }, t([3], [1, 2, 3]), t([3], [1, 0, 3]));

add(
  'BCELoss probabilities with weight [3] over [4,3]',
  { type: 'BCELoss', weight: w([0.5, 1, 2]) },
  uniform([4, 3]),
  uniform([4, 3]),
);
add(
  'BCELoss at 0 and 1 (logs clamped at -100)',
  { type: 'BCELoss' },
  t([5], [0, 1, 0, 1, 0.5]),
  t([5], [0, 1, 1, 0, 0.3]),
);
add('BCELoss scalar', { type: 'BCELoss' }, t([], [0.8]), t([], [1]));
add('KLDiv log-probabilities against probabilities', { type: 'KLDivLoss' }, randn([3, 4]), uniform([3, 4]));
add('KLDiv zero targets', { type: 'KLDivLoss' }, randn([2, 3]), t([2, 3], [0, 0.5, 0.5, 1, 0, 0]));
add('KLDiv log_target', { type: 'KLDivLoss', log_target: true }, randn([2, 2, 3]), randn([2, 2, 3]));
for (const log_target of [false, true]) {
  cases.push({
    name: `KLDiv batchmean (log_target ${log_target})`,
    loss: { type: 'KLDivLoss', reduction: 'batchmean', log_target },
    input: randn([4, 5]),
    target: log_target ? randn([4, 5]) : uniform([4, 5]),
  });
}

// inputs PyTorch refuses: the engine must refuse them too
add('BCELoss input above 1', { type: 'BCELoss' }, t([2], [0.5, 1.5]), t([2], [0, 1]));
add('BCELoss target of another shape', { type: 'BCELoss' }, uniform([2, 3]), uniform([3]));
add('CE target out of bounds', { type: 'CrossEntropyLoss' }, randn([2, 3]), idx([2], [0, 3]));
add('CE negative target', { type: 'CrossEntropyLoss' }, randn([2, 3]), idx([2], [0, -1]));
add('CE batch mismatch', { type: 'CrossEntropyLoss' }, randn([3, 3]), idx([2], [0, 1]));
add('CE spatial mismatch', { type: 'CrossEntropyLoss' }, randn([2, 3, 4]), idx([2, 3], [0, 1, 1, 0, 1, 1]));
add('CE 2-D target for 2-D input', { type: 'CrossEntropyLoss' }, randn([2, 3]), idx([2, 1], [0, 1]));
add(
  'CE weight of the wrong size',
  { type: 'CrossEntropyLoss', weight: w([1, 1, 1, 1]) },
  randn([2, 3]),
  idx([2], [0, 1]),
);
add('CE int target of the input shape', { type: 'CrossEntropyLoss' }, randn([2, 2]), idx([2, 2], [0, 1, 1, 0]));
add('CE float target of another shape', { type: 'CrossEntropyLoss' }, randn([2, 3]), t([2], [0, 1]));
add(
  'CE probabilities with ignore_index 0',
  { type: 'CrossEntropyLoss', ignore_index: 0 },
  randn([2, 3]),
  uniform([2, 3]),
);
add('NLL float target', { type: 'NLLLoss' }, randn([2, 3]), t([2], [0, 1]));
add('BCE target shape mismatch', { type: 'BCEWithLogitsLoss' }, randn([2, 3]), uniform([3]));
add(
  'BCE pos_weight not broadcastable',
  { type: 'BCEWithLogitsLoss', pos_weight: w([1, 2]) },
  randn([2, 3]),
  uniform([2, 3]),
);
add(
  'BCE weight widening the input',
  { type: 'BCEWithLogitsLoss', weight: tensorToJson(t([3, 2, 3], new Array(18).fill(1))) },
  randn([2, 3]),
  uniform([2, 3]),
);
add('MSE shapes that do not broadcast', { type: 'MSELoss' }, randn([2, 3]), randn([4]));

type Answer = { loss: TensorJson; grad_input: TensorJson } | { error: string };
const torch = torchVersion
  ? runTorch<{ results: Answer[] }>('loss_reference.py', {
      cases: cases.map((c) => ({ loss: c.loss, input: tensorToJson(c.input), target: tensorToJson(c.target) })),
    })
  : null;

function expectClose(got: Tensor, want: TensorJson, what: string): void {
  expect(got.shape, `${what} shape`).toEqual(want.shape);
  want.data.forEach((v, i) => {
    const b = decodeFloat(v),
      a = got.data[i];
    if (!Number.isFinite(b)) expect(a, `${what}[${i}]`).toBe(b);
    else expect(Math.abs(a - b), `${what}[${i}]: ${a} vs ${b}`).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(b));
  });
}

describe.skipIf(!torch)(`losses match PyTorch ${torchVersion ?? '(absent)'}`, () => {
  cases.forEach((c, k) => {
    test(c.name, () => {
      const want = torch!.results[k];
      // the specs travel as tensor JSON, as in conformance cases and saved configs
      const loss = () => createLoss(c.loss);
      if ('error' in want) {
        expect(() => {
          const l = loss();
          l.forward(c.input, c.target);
          l.backward();
        }, `PyTorch: ${want.error}`).toThrow();
        return;
      }
      const l = loss();
      expectClose(l.forward(c.input, c.target), want.loss, 'loss');
      expectClose(l.backward(), want.grad_input, 'grad_input');
    });
  });
});

test('tensor JSON round-trips non-finite floats and int64 targets', () => {
  const x = tensorToJson(t([3], [NaN, Infinity, -Infinity]));
  expect(x.data).toEqual(['NaN', 'Infinity', '-Infinity']);
  expect(Array.from(floatTensorFromJson(x).data)).toEqual([NaN, Infinity, -Infinity]);
  const i = tensorToJson(idx([2], [4, -100]));
  expect(i).toEqual({ shape: [2], dtype: 'int64', data: [4, -100] });
  expect(tensorFromJson(i).data).toBeInstanceOf(Int32Array);
  expect(() => tensorFromJson({ shape: [2], data: [1] }, 'input')).toThrow('input: shape [2] needs 2 values, got 1');
  expect(() => tensorFromJson({ shape: [1], dtype: 'int64', data: [1.5] }, 'target')).toThrow(
    'target.data[0]: expected an integer',
  );
});
