// Optimizers and schedulers against trajectories recorded live from real PyTorch 1.13
// (test/unit/torch/optim_reference.py under /usr/bin/python3; skipped with a note if absent).
import { describe, expect, test } from 'vitest';
import {
  createOptimizer,
  createScheduler,
  type OptimizerSpec,
  type SchedulerSpec,
} from '../../src/engine/optim/index.ts';
import type { Param } from '../../src/engine/tensor.ts';
import { floatTensorFromJson, type TensorJson } from '../../src/engine/tensor-json.ts';
import { runTorch, torchVersion } from './torch/run-torch.ts';

interface OptimizerRun {
  params: Record<string, TensorJson>;
  grads: Record<string, TensorJson>[];
  after: Record<string, TensorJson>[];
}
interface SchedulerRun {
  lrs: number[];
  momenta: (number | null)[];
}

const OPTIMIZERS: { spec: OptimizerSpec; steps: number; skip?: [number, string][] }[] = [
  { spec: { type: 'SGD', lr: 0.1 }, steps: 10 },
  {
    spec: { type: 'SGD', lr: 0.05, momentum: 0.9, dampening: 0.3, weight_decay: 0.01 },
    steps: 12,
    skip: [
      [3, 'bias'],
      [0, 'weight'],
    ],
  },
  { spec: { type: 'SGD', lr: 0.05, momentum: 0.8, nesterov: true, maximize: true }, steps: 12 },
  {
    spec: { type: 'Adam', lr: 0.01, betas: [0.8, 0.95], eps: 1e-6, weight_decay: 0.05 },
    steps: 15,
    skip: [
      [2, 'bias'],
      [3, 'bias'],
    ],
  },
  { spec: { type: 'Adam', lr: 0.003, amsgrad: true, maximize: true }, steps: 15 },
  { spec: { type: 'AdamW', lr: 0.01, weight_decay: 0.3, amsgrad: true }, steps: 15, skip: [[1, 'weight']] },
  { spec: { type: 'AdamW', lr: 0.02, maximize: true }, steps: 10 },
  {
    spec: { type: 'RMSprop', lr: 0.005, alpha: 0.9, eps: 1e-6, weight_decay: 0.1, momentum: 0.7, centered: true },
    steps: 15,
  },
  { spec: { type: 'RMSprop', lr: 0.01, maximize: true, momentum: 0.5 }, steps: 12, skip: [[4, 'weight']] },
  { spec: { type: 'RMSprop', lr: 0.01, centered: true }, steps: 12 },
  {
    spec: { type: 'Adagrad', lr: 0.1, lr_decay: 0.05, weight_decay: 0.1, initial_accumulator_value: 0.2, eps: 1e-8 },
    steps: 15,
    skip: [[2, 'weight']],
  },
  { spec: { type: 'Adagrad', lr: 0.05, maximize: true }, steps: 10 },
];

/** A validation loss that falls, stalls, jumps and wobbles: plateaus of every length. */
const PLATEAU_METRICS = [
  1.0, 0.8, 0.7, 0.7, 0.71, 0.7, 0.69995, 0.72, 0.6, 0.6, 0.6, 0.6, 0.6, 0.59, 0.61, 0.62, 0.58, 0.58, 0.58, 0.58, 0.58,
  0.58, 0.5, 0.5, 0.5,
];

const SCHEDULERS: { optimizer: OptimizerSpec; scheduler: SchedulerSpec; steps: number; metrics?: number[] }[] = [
  { optimizer: { type: 'SGD', lr: 0.1 }, scheduler: { type: 'MultiStepLR', milestones: [2, 5, 5, 9] }, steps: 12 },
  {
    optimizer: { type: 'Adam', lr: 0.01 },
    scheduler: { type: 'MultiStepLR', milestones: [3, 1], gamma: 0.5 },
    steps: 6,
  },
  { optimizer: { type: 'SGD', lr: 0.1 }, scheduler: { type: 'LinearLR' }, steps: 8 },
  {
    optimizer: { type: 'AdamW', lr: 0.003 },
    scheduler: { type: 'LinearLR', start_factor: 0.1, end_factor: 0.9, total_iters: 7 },
    steps: 10,
  },
  {
    optimizer: { type: 'SGD', lr: 0.1 },
    scheduler: { type: 'LinearLR', start_factor: 1.0, end_factor: 0.0, total_iters: 4 },
    steps: 6,
  },
  {
    optimizer: { type: 'SGD', lr: 0.1 },
    scheduler: { type: 'ReduceLROnPlateau', patience: 1 },
    steps: 25,
    metrics: PLATEAU_METRICS,
  },
  {
    optimizer: { type: 'Adam', lr: 0.01 },
    scheduler: {
      type: 'ReduceLROnPlateau',
      patience: 2,
      factor: 0.5,
      cooldown: 2,
      threshold: 0.01,
      threshold_mode: 'abs',
      min_lr: 0.002,
    },
    steps: 25,
    metrics: PLATEAU_METRICS,
  },
  {
    optimizer: { type: 'SGD', lr: 0.1 },
    scheduler: { type: 'ReduceLROnPlateau', mode: 'max', patience: 0, factor: 0.3 },
    steps: 25,
    metrics: PLATEAU_METRICS.map((m) => 1 - m),
  },
  { optimizer: { type: 'SGD', lr: 0.1 }, scheduler: { type: 'StepLR', step_size: 3, gamma: 0.5 }, steps: 20 },
  { optimizer: { type: 'Adam', lr: 0.01 }, scheduler: { type: 'ExponentialLR', gamma: 0.9 }, steps: 20 },
  { optimizer: { type: 'SGD', lr: 0.1 }, scheduler: { type: 'CosineAnnealingLR', T_max: 7 }, steps: 30 },
  {
    optimizer: { type: 'RMSprop', lr: 0.05 },
    scheduler: { type: 'CosineAnnealingLR', T_max: 5, eta_min: 0.001 },
    steps: 25,
  },
  {
    optimizer: { type: 'SGD', lr: 0.1, momentum: 0.9 },
    scheduler: { type: 'OneCycleLR', max_lr: 0.5, total_steps: 20 },
    steps: 20,
  },
  {
    optimizer: { type: 'SGD', lr: 0.1 },
    scheduler: {
      type: 'OneCycleLR',
      max_lr: 1.0,
      epochs: 3,
      steps_per_epoch: 7,
      anneal_strategy: 'linear',
      pct_start: 0.25,
      div_factor: 10,
      final_div_factor: 100,
    },
    steps: 21,
  },
  {
    optimizer: { type: 'Adam', lr: 0.01 },
    scheduler: {
      type: 'OneCycleLR',
      max_lr: 0.01,
      total_steps: 30,
      three_phase: true,
      base_momentum: 0.8,
      max_momentum: 0.9,
    },
    steps: 30,
  },
  {
    optimizer: { type: 'AdamW', lr: 0.01 },
    scheduler: {
      type: 'OneCycleLR',
      max_lr: 0.02,
      total_steps: 16,
      cycle_momentum: false,
      three_phase: true,
      anneal_strategy: 'linear',
    },
    steps: 16,
  },
  {
    optimizer: { type: 'Adagrad', lr: 0.01 },
    scheduler: { type: 'OneCycleLR', max_lr: 0.1, total_steps: 10, cycle_momentum: false },
    steps: 10,
  },
];

const torch = torchVersion
  ? runTorch<{ optimizers: OptimizerRun[]; schedulers: SchedulerRun[] }>('optim_reference.py', {
      optimizers: OPTIMIZERS,
      schedulers: SCHEDULERS,
    })
  : null;

/** Largest difference in float32 ulps between two float32 arrays (both rounded to float32). */
function maxUlps(got: Float32Array, want: Float32Array): number {
  const gi = new Int32Array(got.buffer, got.byteOffset, got.length),
    wi = new Int32Array(want.buffer, want.byteOffset, want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(gi[i] - wi[i]));
  return worst;
}

describe.skipIf(!torch)(`optimizers match PyTorch ${torchVersion ?? '(absent)'} step by step`, () => {
  OPTIMIZERS.forEach((cfg, k) => {
    test(`${JSON.stringify(cfg.spec)} over ${cfg.steps} steps${cfg.skip ? ' with grads set to None' : ''}`, () => {
      const run = torch!.optimizers[k];
      const params: Param[] = Object.entries(run.params).map(([name, t]) => ({
        name,
        value: floatTensorFromJson(t),
        grad: null,
      }));
      const opt = createOptimizer(cfg.spec, params);
      run.grads.forEach((grads, step) => {
        for (const p of params) p.grad = grads[p.name] ? floatTensorFromJson(grads[p.name]) : null;
        opt.step();
        for (const p of params) {
          const want = floatTensorFromJson(run.after[step][p.name]).data;
          // float32 state arithmetic as PyTorch's kernels (fused multiply-adds included): bit-exact
          // against Debian's build; one ulp of slack for a build that does not fuse
          expect(maxUlps(p.value.data, want), `${p.name} after step ${step + 1}`).toBeLessThanOrEqual(1);
        }
      });
    });
  });
});

describe.skipIf(!torch)('schedulers match PyTorch lr (and momentum) sequences', () => {
  SCHEDULERS.forEach((cfg, k) => {
    test(`${cfg.scheduler.type} ${JSON.stringify(cfg.scheduler)} with ${cfg.optimizer.type}`, () => {
      const run = torch!.schedulers[k];
      const opt = createOptimizer(cfg.optimizer, [
        { name: 'p', value: { shape: [1], data: new Float32Array(1) }, grad: null },
      ]);
      const sched = createScheduler(cfg.scheduler, opt);
      const lrs = [opt.lr],
        momenta = [opt.betas ? opt.betas[0] : (opt.momentum ?? null)];
      for (let i = 0; i < cfg.steps; i++) {
        opt.step();
        sched.step(cfg.metrics?.[i]);
        lrs.push(opt.lr);
        momenta.push(opt.betas ? opt.betas[0] : (opt.momentum ?? null));
      }
      expect(sched.lastLr).toBe(opt.lr);
      lrs.forEach((lr, i) => expect(lr, `lr after ${i} steps`).toBeCloseTo(run.lrs[i], 14));
      momenta.forEach((m, i) => {
        if (run.momenta[i] === null) expect(m).toBeNull();
        else expect(m!, `momentum after ${i} steps`).toBeCloseTo(run.momenta[i]!, 14);
      });
    });
  });
});
