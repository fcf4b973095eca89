// "Continue training" against real PyTorch 1.13 (test/unit/torch/resume_reference.py): the
// optimizer's and the scheduler's state_dict() after k steps have PyTorch's keys and values;
// loading them into fresh ones and training m more steps equals k + m steps at once — our
// own saved state bit-exactly, PyTorch's saved state within PyTorch's own trajectory.
import { describe, expect, test } from 'vitest';
import {
  createOptimizer,
  createScheduler,
  type Optimizer,
  type OptimizerSpec,
  type Scheduler,
  type SchedulerSpec,
} from '../../src/engine/optim/index.ts';
import type { Param } from '../../src/engine/tensor.ts';
import { floatTensorFromJson, type TensorJson } from '../../src/engine/tensor-json.ts';
import type { OptimizerStateDict, SchedulerStateDict } from '../../src/core/run/train-state.ts';
import { runTorch, torchVersion } from './torch/run-torch.ts';

interface Case {
  optimizer: OptimizerSpec;
  scheduler?: SchedulerSpec;
  k: number;
  m: number;
  metrics?: number[];
}
type Saved = Record<string, unknown>;
interface Reference {
  params: Record<string, TensorJson>;
  grads: Record<string, TensorJson>[];
  saved: {
    optimizer: { state: Record<string, Record<string, TensorJson | number>>; param_groups: Saved[] };
    scheduler: Saved | null;
  };
  continuous: Record<string, TensorJson>;
  resumed: Record<string, TensorJson>;
  lrs: number[];
}

const LOSSES = [1.0, 0.9, 0.9, 0.9, 0.91, 0.8, 0.8, 0.8, 0.8, 0.7, 0.7, 0.7];
const CASES: Case[] = [
  {
    optimizer: { type: 'SGD', lr: 0.1, momentum: 0.9 },
    scheduler: { type: 'StepLR', step_size: 3, gamma: 0.5 },
    k: 4,
    m: 5,
  },
  { optimizer: { type: 'SGD', lr: 0.05, momentum: 0.8, nesterov: true, weight_decay: 0.01 }, k: 3, m: 4 },
  { optimizer: { type: 'Adam', lr: 0.01 }, scheduler: { type: 'StepLR', step_size: 2 }, k: 5, m: 4 },
  {
    optimizer: { type: 'Adam', lr: 0.01, amsgrad: true },
    scheduler: { type: 'ReduceLROnPlateau', patience: 1, factor: 0.5 },
    k: 6,
    m: 6,
    metrics: LOSSES,
  },
  { optimizer: { type: 'AdamW', lr: 0.02 }, scheduler: { type: 'ExponentialLR', gamma: 0.9 }, k: 3, m: 3 },
  { optimizer: { type: 'RMSprop', lr: 0.01, momentum: 0.5, centered: true }, k: 4, m: 4 },
  {
    optimizer: { type: 'Adagrad', lr: 0.1, lr_decay: 0.01 },
    scheduler: { type: 'LinearLR', total_iters: 6 },
    k: 3,
    m: 5,
  },
];

const torch = torchVersion ? runTorch<{ cases: Reference[] }>('resume_reference.py', { cases: CASES }) : null;

function paramsOf(ref: Record<string, TensorJson>): Param[] {
  return Object.entries(ref).map(([name, t]) => ({ name, value: floatTensorFromJson(t), grad: null }));
}

function build(c: Case, params: Param[]): { opt: Optimizer; sched: Scheduler | null } {
  const opt = createOptimizer(c.optimizer, params);
  return { opt, sched: c.scheduler ? createScheduler(c.scheduler, opt) : null };
}

function train(
  c: Case,
  ref: Reference,
  run: { opt: Optimizer; sched: Scheduler | null },
  from: number,
  to: number,
): number[] {
  const lrs: number[] = [];
  for (let i = from; i < to; i++) {
    for (const p of run.opt.params) p.grad = floatTensorFromJson(ref.grads[i][p.name]);
    run.opt.step();
    run.sched?.step(c.metrics?.[i]);
    lrs.push(run.opt.lr);
  }
  return lrs;
}

const clone = (params: Param[]): Param[] =>
  params.map((p) => ({ name: p.name, value: { shape: [...p.value.shape], data: p.value.data.slice() }, grad: null }));

/** PyTorch's saved optimizer state as the engine holds it (tensors as Float32Array). */
function fromTorch(saved: Reference['saved']['optimizer']): OptimizerStateDict {
  const state: OptimizerStateDict['state'] = {};
  for (const [i, s] of Object.entries(saved.state))
    state[i] = Object.fromEntries(
      Object.entries(s).map(([k, v]) => [k, typeof v === 'number' || v === null ? v : floatTensorFromJson(v)]),
    );
  return { state, param_groups: saved.param_groups as OptimizerStateDict['param_groups'] };
}

const unInf = (v: unknown) => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);

function maxUlps(got: Float32Array, want: Float32Array): number {
  const gi = new Int32Array(got.buffer, got.byteOffset, got.length),
    wi = new Int32Array(want.buffer, want.byteOffset, want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(gi[i] - wi[i]));
  return worst;
}

describe.skipIf(!torch)(
  `continue training restores optimizer and scheduler state as PyTorch ${torchVersion ?? ''}`,
  () => {
    CASES.forEach((c, n) => {
      const name = `${c.optimizer.type} ${JSON.stringify(c.optimizer)}${c.scheduler ? ` + ${c.scheduler.type}` : ''}: ${c.k} + ${c.m} steps`;
      test(name, () => {
        const ref = torch!.cases[n];
        // k + m steps at once
        const whole = build(c, paramsOf(ref.params));
        const wholeLrs = train(c, ref, whole, 0, c.k + c.m);
        // k steps, save, fresh optimizer and scheduler over the weights, load, m steps
        const first = build(c, paramsOf(ref.params));
        train(c, ref, first, 0, c.k);
        const saved = { optimizer: first.opt.stateDict(), scheduler: first.sched?.stateDict() ?? null };

        // the saved state has PyTorch's keys and values
        const torchOpt = ref.saved.optimizer;
        expect(Object.keys(saved.optimizer.state)).toEqual(Object.keys(torchOpt.state));
        for (const [i, s] of Object.entries(saved.optimizer.state)) {
          expect(Object.keys(s).sort(), `state of parameter ${i}`).toEqual(
            Object.keys(torchOpt.state[i])
              .filter((k) => torchOpt.state[i][k] !== null || k in s)
              .sort(),
          );
          for (const [k, v] of Object.entries(s)) {
            const want = torchOpt.state[i][k];
            if (v === null || typeof v === 'number') expect(v, `${i}.${k}`).toBe(want);
            else
              expect(maxUlps(v.data, floatTensorFromJson(want as TensorJson).data), `${i}.${k}`).toBeLessThanOrEqual(1);
          }
        }
        const group = saved.optimizer.param_groups[0],
          torchGroup = torchOpt.param_groups[0];
        for (const [k, v] of Object.entries(group))
          if (k in torchGroup) expect(v, `param_groups[0].${k}`).toEqual(torchGroup[k]);
        expect(group.lr).toBe(torchGroup.lr);
        if (saved.scheduler) {
          const keys = [
            'last_epoch',
            '_step_count',
            'base_lrs',
            '_last_lr',
            'best',
            'num_bad_epochs',
            'cooldown_counter',
          ];
          for (const k of keys)
            if (k in saved.scheduler)
              expect(saved.scheduler[k], `scheduler.${k}`).toEqual(unInf(ref.saved.scheduler![k]));
        }

        const again = build(c, clone(first.opt.params));
        again.opt.loadStateDict(saved.optimizer);
        if (saved.scheduler) again.sched!.loadStateDict(saved.scheduler);
        const resumedLrs = train(c, ref, again, c.k, c.k + c.m);
        // bit-exact with the run that never stopped, lr sequence included
        again.opt.params.forEach((p, i) => expect(p.value.data, p.name).toEqual(whole.opt.params[i].value.data));
        expect(resumedLrs).toEqual(wholeLrs.slice(c.k));
        expect(wholeLrs).toEqual(ref.lrs.map((lr) => expect.closeTo(lr, 15)));
        // and PyTorch's own k + m and saved-then-resumed runs
        for (const p of again.opt.params) {
          expect(maxUlps(p.value.data, floatTensorFromJson(ref.continuous[p.name]).data), p.name).toBeLessThanOrEqual(
            2,
          );
          expect(maxUlps(p.value.data, floatTensorFromJson(ref.resumed[p.name]).data), p.name).toBeLessThanOrEqual(2);
        }

        // PyTorch's saved state_dict loads too, and continues to PyTorch's result
        const fromPyTorch = build(c, clone(first.opt.params));
        fromPyTorch.opt.loadStateDict(fromTorch(torchOpt));
        if (ref.saved.scheduler)
          fromPyTorch.sched!.loadStateDict(
            Object.fromEntries(
              Object.entries(ref.saved.scheduler).map(([k, v]) => [k, unInf(v)]),
            ) as SchedulerStateDict,
          );
        train(c, ref, fromPyTorch, c.k, c.k + c.m);
        for (const p of fromPyTorch.opt.params)
          expect(maxUlps(p.value.data, floatTensorFromJson(ref.resumed[p.name]).data), p.name).toBeLessThanOrEqual(2);
      });
    });

    test('a state that does not fit the parameters is refused, naming the parameter', () => {
      const params: Param[] = [{ name: 'fc.weight', value: { shape: [2], data: new Float32Array(2) }, grad: null }];
      const opt = createOptimizer({ type: 'Adam', lr: 0.01 }, params);
      const bad: OptimizerStateDict = {
        state: {
          '0': {
            step: 1,
            exp_avg: { shape: [3], data: new Float32Array(3) },
            exp_avg_sq: { shape: [2], data: new Float32Array(2) },
          },
        },
        param_groups: [{ params: [0], lr: 0.01 }],
      };
      expect(() => opt.loadStateDict(bad)).toThrow(
        "parameter 0 ('fc.weight')'s 'exp_avg' has 3 values, the parameter 2",
      );
      expect(() => opt.loadStateDict({ ...bad, param_groups: [{ params: [0, 1], lr: 0.01 }] })).toThrow(
        'saved for 2 parameters, this Adam has 1',
      );
    });
  },
);
