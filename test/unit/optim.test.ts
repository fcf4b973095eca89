// Optimizer and scheduler behaviour beyond the numbers: zero_grad, parameters without a
// gradient, keyword validation, scheduler limits. The numbers themselves are held against
// live PyTorch in optim-torch.test.ts and the conformance cases.
import { expect, test } from 'vitest';
import {
  createOptimizer,
  createScheduler,
  OPTIMIZER_TYPES,
  validateOptimizerSpec,
} from '../../src/engine/optim/index.ts';
import type { Param } from '../../src/engine/tensor.ts';

const param = (name: string, values: number[], grad: number[] | null): Param => ({
  name,
  value: { shape: [values.length], data: Float32Array.from(values) },
  grad: grad && { shape: [grad.length], data: Float32Array.from(grad) },
});

test('every optimizer builds with its defaults (SGD needs lr) and steps', () => {
  for (const type of OPTIMIZER_TYPES) {
    const p = param('w', [1, 2], [0.5, -0.5]);
    const opt = createOptimizer({ type, lr: 0.1 }, [p]);
    opt.step();
    expect(opt.stepCount).toBe(1);
    expect(p.value.data[0]).toBeLessThan(1);
    expect(p.value.data[1]).toBeGreaterThan(2);
  }
});

test('zeroGrad fills with zeros by default (torch 1.13) and drops the tensors with setToNone', () => {
  const p = param('w', [1], [3]);
  const opt = createOptimizer({ type: 'SGD', lr: 1 }, [p]);
  const grad = p.grad;
  opt.zeroGrad();
  expect(p.grad).toBe(grad);
  expect(Array.from(p.grad!.data)).toEqual([0]);
  opt.zeroGrad(true);
  expect(p.grad).toBeNull();
});

test('parameters whose grad is null are skipped and keep no state', () => {
  const a = param('a', [1], [1]),
    b = param('b', [1], null);
  const opt = createOptimizer({ type: 'SGD', lr: 0.5, momentum: 0.9 }, [a, b]);
  opt.step();
  expect(b.value.data[0]).toBe(1);
  // b's first real step starts its momentum buffer afresh: buf = grad, no momentum yet
  b.grad = { shape: [1], data: Float32Array.of(1) };
  opt.step();
  expect(b.value.data[0]).toBe(0.5);
  expect(a.value.data[0]).toBeCloseTo(1 - 0.5 - 0.5 * 1.9, 6);
});

test.each([
  [{ type: 'SGD' }, 'lr', 'required'],
  [{ type: 'SGD', lr: -1 }, 'lr', 'must be >= 0'],
  [{ type: 'SGD', lr: 0.1, nesterov: true }, 'nesterov', 'Nesterov momentum requires a momentum and zero dampening'],
  [{ type: 'SGD', lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }, 'nesterov', 'zero dampening'],
  [{ type: 'Adam', betas: [0.9, 1] }, 'betas', 'invalid beta parameter at index 1'],
  [{ type: 'Adam', betas: 0.9 }, 'betas', 'must be a pair'],
  [{ type: 'AdamW', eps: -1 }, 'eps', 'must be >= 0'],
  [{ type: 'RMSprop', centred: true }, 'centred', "unknown keyword 'centred' for RMSprop"],
  [{ type: 'Adagrad', initial_accumulator_value: -0.1 }, 'initial_accumulator_value', 'must be >= 0'],
  [{ type: 'LBFGS' }, 'type', "unknown optimizer 'LBFGS'"],
])('%j is refused: %s', (spec, field, message) => {
  const errors = validateOptimizerSpec(spec);
  expect(errors[0]).toMatchObject({ field });
  expect(errors[0].message).toContain(message);
  expect(() => createOptimizer(spec, [])).toThrow(message);
});

test('a gradient of the wrong size is an error naming the parameter', () => {
  const p = param('0.weight', [1, 2], [1]);
  expect(() => createOptimizer({ type: 'Adam' }, [p]).step()).toThrow(
    "Adam: gradient of '0.weight' has shape [1], the parameter [2]",
  );
});

test('a parameter given twice is refused', () => {
  const p = param('w', [1], [1]);
  expect(() => createOptimizer({ type: 'Adam' }, [p, p])).toThrow("parameter 'w' appears more than once");
});

test('OneCycleLR refuses to step past total_steps, as PyTorch', () => {
  const opt = createOptimizer({ type: 'SGD', lr: 0.1 }, []);
  const s = createScheduler({ type: 'OneCycleLR', max_lr: 1, total_steps: 10 }, opt);
  expect(opt.lr).toBeCloseTo(0.04, 12);
  expect(opt.momentum).toBeCloseTo(0.95, 12);
  for (let i = 0; i < 10; i++) s.step(); // last_epoch 10 = total_steps is still allowed
  expect(() => s.step()).toThrow('Tried to step 12 times. The specified number of total steps is 10');
});

test.each([
  [{ type: 'StepLR' }, 'StepLR.step_size: required'],
  [{ type: 'StepLR', step_size: 0 }, 'StepLR.step_size: must be >= 1'],
  [{ type: 'CosineAnnealingLR', T_max: 0 }, 'CosineAnnealingLR.T_max: must be > 0'],
  [{ type: 'OneCycleLR', max_lr: 1 }, 'You must define either total_steps OR (epochs AND steps_per_epoch)'],
  [
    { type: 'OneCycleLR', max_lr: 1, total_steps: 5, anneal_strategy: 'exp' },
    "OneCycleLR.anneal_strategy: 'exp' is not a valid value",
  ],
  [{ type: 'ExponentialLR', gamma: 0.9, last_epoch: 4 }, 'ExponentialLR.last_epoch: only -1'],
])('scheduler %j is refused', (spec, message) => {
  const opt = createOptimizer({ type: 'SGD', lr: 0.1 }, []);
  expect(() => createScheduler(spec as never, opt)).toThrow(message);
});

test('OneCycleLR with cycle_momentum needs momentum or betas (Adagrad has neither)', () => {
  const opt = createOptimizer({ type: 'Adagrad' }, []);
  expect(() => createScheduler({ type: 'OneCycleLR', max_lr: 1, total_steps: 5 }, opt)).toThrow(
    'must support momentum with `cycle_momentum` option enabled',
  );
  expect(
    createScheduler({ type: 'OneCycleLR', max_lr: 1, total_steps: 5, cycle_momentum: false }, opt).lastLr,
  ).toBeCloseTo(0.04, 12);
});
