// Learning-rate schedulers with torch 1.13's recursive (chainable) formulas: each step
// computes the next lr from the optimizer's current one, as get_lr() does in PyTorch.
// Construction performs PyTorch's initial step (last_epoch -1 → 0).
import {
  boolean,
  number,
  oneOf,
  parseKeywords,
  throwFirst,
  type FieldError,
  type Rule,
  type Rules,
} from '../keywords.ts';
import { LRScheduler, type Scheduler, type SchedulerSpec, type SchedulerType } from './lr-scheduler.ts';
import { OneCycleLR } from './one-cycle.ts';
import { ReduceLROnPlateau } from './plateau.ts';
import type { Optimizer } from './optimizer.ts';

export type { Scheduler, SchedulerSpec, SchedulerType } from './lr-scheduler.ts';

function nullablePositiveInt(): Rule<number | null> {
  return {
    default: null,
    check(v) {
      if (v === null) return null;
      if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
        throw new Error(`must be a positive integer or null, got ${JSON.stringify(v)}`);
      return v;
    },
  };
}

const lastEpoch: Rule<number> = {
  default: -1,
  check(v) {
    if (v !== -1) throw new Error(`only -1 (a fresh schedule) is supported, got ${JSON.stringify(v)}`);
    return -1;
  },
};
const common = { last_epoch: lastEpoch, verbose: boolean() };

/** MultiStepLR's milestones: epoch numbers (a repeated one decays twice, as PyTorch's Counter). */
const milestones: Rule<number[]> = {
  default: [],
  check(v) {
    if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x) && x >= 0))
      throw new Error(`must be a list of epoch numbers, got ${JSON.stringify(v)}`);
    return [...(v as number[])];
  },
};

export const SCHEDULER_KEYWORDS = {
  StepLR: { step_size: number({ int: true, min: 1 }, NaN), gamma: number({}, 0.1), ...common },
  MultiStepLR: { milestones, gamma: number({}, 0.1), ...common },
  ExponentialLR: { gamma: number({}, NaN), ...common },
  CosineAnnealingLR: { T_max: number({ above: 0 }, NaN), eta_min: number({}, 0), ...common },
  LinearLR: {
    start_factor: number({ above: 0, max: 1 }, 1 / 3),
    end_factor: number({ min: 0, max: 1 }, 1.0),
    total_iters: number({ int: true, min: 0 }, 5),
    ...common,
  },
  ReduceLROnPlateau: {
    mode: oneOf<'min' | 'max'>(['min', 'max'], 'min'),
    factor: number({ below: 1 }, 0.1),
    patience: number({ int: true, min: 0 }, 10),
    threshold: number({}, 1e-4),
    threshold_mode: oneOf<'rel' | 'abs'>(['rel', 'abs'], 'rel'),
    cooldown: number({ int: true, min: 0 }, 0),
    min_lr: number({ min: 0 }, 0),
    eps: number({}, 1e-8),
    verbose: boolean(),
  },
  OneCycleLR: {
    max_lr: number({ min: 0 }, NaN),
    total_steps: nullablePositiveInt(),
    epochs: nullablePositiveInt(),
    steps_per_epoch: nullablePositiveInt(),
    pct_start: number({ min: 0, max: 1 }, 0.3),
    anneal_strategy: oneOf<'cos' | 'linear'>(['cos', 'linear'], 'cos'),
    cycle_momentum: boolean(true),
    base_momentum: number({}, 0.85),
    max_momentum: number({}, 0.95),
    div_factor: number({}, 25),
    final_div_factor: number({}, 1e4),
    three_phase: boolean(),
    ...common,
  },
} satisfies Record<SchedulerType, Rules>;

export const SCHEDULER_TYPES = Object.keys(SCHEDULER_KEYWORDS) as SchedulerType[];
const REQUIRED: Record<SchedulerType, string[]> = {
  StepLR: ['step_size'],
  MultiStepLR: ['milestones'],
  ExponentialLR: ['gamma'],
  CosineAnnealingLR: ['T_max'],
  LinearLR: [],
  OneCycleLR: ['max_lr'],
  ReduceLROnPlateau: [],
};

export function validateSchedulerSpec(spec: SchedulerSpec, optimizer?: Optimizer): FieldError[] {
  const type = spec.type;
  if (!(type in SCHEDULER_KEYWORDS))
    return [{ field: 'type', message: `unknown scheduler '${String(type)}' (known: ${SCHEDULER_TYPES.join(', ')})` }];
  const { values, errors } = parseKeywords(spec, SCHEDULER_KEYWORDS[type] as Rules);
  for (const k of REQUIRED[type]) if (spec[k] === undefined) errors.push({ field: k, message: `required for ${type}` });
  if (type === 'OneCycleLR') {
    const v = values as Record<string, unknown>;
    if (v.total_steps === null && (v.epochs === null || v.steps_per_epoch === null)) {
      errors.push({
        field: 'total_steps',
        message: 'You must define either total_steps OR (epochs AND steps_per_epoch)',
      });
    }
    if (optimizer && v.cycle_momentum && optimizer.momentum === undefined && optimizer.betas === undefined) {
      errors.push({
        field: 'cycle_momentum',
        message: `optimizer ${optimizer.type} must support momentum with \`cycle_momentum\` option enabled`,
      });
    }
  }
  return errors;
}

class StepLR extends LRScheduler {
  constructor(
    opt: Optimizer,
    private readonly stepSize: number,
    private readonly gamma: number,
  ) {
    super('StepLR', opt);
    this.step();
  }

  protected getLr(): number {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.opt.lr;
    return this.opt.lr * this.gamma;
  }
}

class MultiStepLR extends LRScheduler {
  constructor(
    opt: Optimizer,
    private readonly milestones: number[],
    private readonly gamma: number,
  ) {
    super('MultiStepLR', opt);
    this.step();
  }

  protected getLr(): number {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    return hits === 0 ? this.opt.lr : this.opt.lr * this.gamma ** hits;
  }
}

/** Linear warm-up (or decay) of the lr's factor from start_factor to end_factor over total_iters steps. */
class LinearLR extends LRScheduler {
  constructor(
    opt: Optimizer,
    private readonly start: number,
    private readonly end: number,
    private readonly total: number,
  ) {
    super('LinearLR', opt);
    this.step();
  }

  protected getLr(): number {
    const { lastEpoch: e, start, end, total } = this,
      lr = this.opt.lr;
    if (e === 0) return lr * start;
    if (e > total) return lr;
    // the chainable form: the ratio of this step's factor to the last one's
    return lr * (1.0 + (end - start) / (total * start + (e - 1) * (end - start)));
  }
}

class ExponentialLR extends LRScheduler {
  constructor(
    opt: Optimizer,
    private readonly gamma: number,
  ) {
    super('ExponentialLR', opt);
    this.step();
  }

  protected getLr(): number {
    return this.lastEpoch === 0 ? this.opt.lr : this.opt.lr * this.gamma;
  }
}

class CosineAnnealingLR extends LRScheduler {
  constructor(
    opt: Optimizer,
    private readonly tMax: number,
    private readonly etaMin: number,
  ) {
    super('CosineAnnealingLR', opt);
    this.step();
  }

  protected getLr(): number {
    const { lastEpoch: e, tMax: T, etaMin, baseLr } = this,
      lr = this.opt.lr;
    if (e === 0) return lr;
    // restart of the cosine after each half period (the schedule keeps going past T_max)
    if ((((e - 1 - T) % (2 * T)) + 2 * T) % (2 * T) === 0)
      return lr + ((baseLr - etaMin) * (1 - Math.cos(Math.PI / T))) / 2;
    return ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (lr - etaMin) + etaMin;
  }
}

/** Builds the scheduler and performs PyTorch's initial step; throws `Type.keyword: problem`. */
export function createScheduler(spec: SchedulerSpec, opt: Optimizer): Scheduler {
  throwFirst(String(spec.type), validateSchedulerSpec(spec, opt));
  const values = <T extends SchedulerType>(t: T) => parseKeywords(spec, SCHEDULER_KEYWORDS[t]).values;
  switch (spec.type) {
    case 'StepLR': {
      const v = values('StepLR');
      return new StepLR(opt, v.step_size, v.gamma);
    }
    case 'MultiStepLR': {
      const v = values('MultiStepLR');
      return new MultiStepLR(opt, v.milestones, v.gamma);
    }
    case 'LinearLR': {
      const v = values('LinearLR');
      return new LinearLR(opt, v.start_factor, v.end_factor, v.total_iters);
    }
    case 'ReduceLROnPlateau':
      return new ReduceLROnPlateau(opt, values('ReduceLROnPlateau'));
    case 'ExponentialLR':
      return new ExponentialLR(opt, values('ExponentialLR').gamma);
    case 'CosineAnnealingLR': {
      const v = values('CosineAnnealingLR');
      return new CosineAnnealingLR(opt, v.T_max, v.eta_min);
    }
    case 'OneCycleLR':
      return new OneCycleLR(opt, values('OneCycleLR'));
    default:
      return spec.type satisfies never;
  }
}
