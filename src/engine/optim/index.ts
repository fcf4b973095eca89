// createOptimizer: torch.optim's classes by name, keywords checked with torch 1.13's
// defaults and its constructor's rules.
import {
  betas,
  boolean,
  nullableBoolean,
  number,
  parseKeywords,
  throwFirst,
  type FieldError,
  type Rule,
  type Rules,
} from '../keywords.ts';
import type { Param } from '../tensor.ts';
import { Adagrad } from './adagrad.ts';
import { Adam, AdamW } from './adam.ts';
import type { Optimizer, OptimizerSpec } from './optimizer.ts';
import { RMSprop } from './rmsprop.ts';
import { SGD } from './sgd.ts';

export type { Optimizer, OptimizerSpec } from './optimizer.ts';
export {
  createScheduler,
  SCHEDULER_KEYWORDS,
  SCHEDULER_TYPES,
  validateSchedulerSpec,
  type Scheduler,
  type SchedulerSpec,
  type SchedulerType,
} from './schedulers.ts';

const nonNegative = (dflt: number) => number({ min: 0 }, dflt);
const foreach = nullableBoolean();

/**
 * torch 1.13's GPU/autograd switches, with their meaning on a CPU: False (the default) is
 * accepted; True fails as it does in PyTorch on CPU parameters, saying why.
 */
function cpuSwitch(why: string): Rule<boolean> {
  return {
    default: false,
    check(v) {
      if (typeof v !== 'boolean') throw new Error(`must be true or false, got ${JSON.stringify(v)}`);
      if (v) throw new Error(why);
      return false;
    },
  };
}
const differentiable = cpuSwitch(
  'True makes the step itself differentiable (autograd through the update), which PyTorch refuses for leaf parameters updated in place ("a leaf Variable that requires grad is being used in an in-place operation"); leave it False',
);
const capturable = cpuSwitch(
  'True is for CUDA graph capture: "If capturable=True, params and state_steps must be CUDA tensors"; the engine runs on the CPU, leave it False',
);
const fused = cpuSwitch(
  'True selects the fused CUDA kernel: "FusedAdam requires all the params to be CUDA, floating point"; the engine runs on the CPU, leave it False',
);
const adamRules = (weightDecay: number) => ({
  lr: nonNegative(1e-3),
  betas: betas([0.9, 0.999]),
  eps: nonNegative(1e-8),
  weight_decay: nonNegative(weightDecay),
  amsgrad: boolean(),
  maximize: boolean(),
  foreach,
  capturable,
});

/** Each optimizer's keywords, torch 1.13's names and defaults (SGD's lr has none: required). */
export const OPTIMIZER_KEYWORDS = {
  SGD: {
    lr: nonNegative(NaN),
    momentum: nonNegative(0),
    dampening: number({}, 0),
    weight_decay: nonNegative(0),
    nesterov: boolean(),
    maximize: boolean(),
    foreach,
    differentiable,
  },
  Adam: { ...adamRules(0), differentiable, fused },
  AdamW: adamRules(1e-2),
  RMSprop: {
    lr: nonNegative(1e-2),
    alpha: nonNegative(0.99),
    eps: nonNegative(1e-8),
    weight_decay: nonNegative(0),
    momentum: nonNegative(0),
    centered: boolean(),
    maximize: boolean(),
    foreach,
    differentiable,
  },
  Adagrad: {
    lr: nonNegative(1e-2),
    lr_decay: nonNegative(0),
    weight_decay: nonNegative(0),
    initial_accumulator_value: nonNegative(0),
    eps: nonNegative(1e-10),
    maximize: boolean(),
    foreach,
  },
} satisfies Record<string, Rules>;

export type OptimizerType = keyof typeof OPTIMIZER_KEYWORDS;
export const OPTIMIZER_TYPES = Object.keys(OPTIMIZER_KEYWORDS) as OptimizerType[];

const isOptimizerType = (t: unknown): t is OptimizerType => typeof t === 'string' && t in OPTIMIZER_KEYWORDS;

/** Every problem with an optimizer spec, each naming its keyword. */
export function validateOptimizerSpec(spec: OptimizerSpec): FieldError[] {
  if (!isOptimizerType(spec.type))
    return [
      { field: 'type', message: `unknown optimizer '${String(spec.type)}' (known: ${OPTIMIZER_TYPES.join(', ')})` },
    ];
  const { values, errors } = parseKeywords(spec, OPTIMIZER_KEYWORDS[spec.type]);
  if (spec.type === 'SGD') {
    const v = values as { momentum: number; dampening: number; nesterov: boolean };
    if (spec.lr === undefined) errors.push({ field: 'lr', message: 'required: SGD has no default learning rate' });
    if (v.nesterov && (v.momentum <= 0 || v.dampening !== 0))
      errors.push({ field: 'nesterov', message: 'Nesterov momentum requires a momentum and zero dampening' });
  }
  return errors;
}

/** Builds the optimizer over `params` (one parameter group); throws `Type.keyword: problem`. */
export function createOptimizer(spec: OptimizerSpec, params: Param[]): Optimizer {
  throwFirst(typeof spec.type === 'string' ? spec.type : 'optimizer', validateOptimizerSpec(spec));
  const type = spec.type as OptimizerType;
  switch (type) {
    case 'SGD':
      return new SGD(params, parseKeywords(spec, OPTIMIZER_KEYWORDS.SGD).values);
    case 'Adam':
      return new Adam(params, parseKeywords(spec, OPTIMIZER_KEYWORDS.Adam).values);
    case 'AdamW':
      return new AdamW(params, parseKeywords(spec, OPTIMIZER_KEYWORDS.AdamW).values);
    case 'RMSprop':
      return new RMSprop(params, parseKeywords(spec, OPTIMIZER_KEYWORDS.RMSprop).values);
    case 'Adagrad':
      return new Adagrad(params, parseKeywords(spec, OPTIMIZER_KEYWORDS.Adagrad).values);
    default:
      return type satisfies never;
  }
}
