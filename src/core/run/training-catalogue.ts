// The catalogue of losses, optimizers and learning-rate schedulers as data: PyTorch 1.13's
// class names, keywords, defaults, ranges and docs, and the checks a choice must pass.
import type { Choice, KeywordValue } from './training-config.ts';

export interface OptionSpec {
  name: string;
  kind: 'float' | 'int' | 'bool' | 'choice' | 'floats' | 'floatPair';
  default?: KeywordValue;
  required?: boolean;
  nullable?: boolean;
  min?: number;
  max?: number;
  choices?: string[];
  doc: string;
}

export interface OptionTypeDef {
  type: string;
  doc: string;
  url: string;
  options: OptionSpec[];
}

const reduction: OptionSpec = {
  name: 'reduction',
  kind: 'choice',
  default: 'mean',
  choices: ['mean', 'sum', 'none'],
  doc: 'How per-element losses are combined.',
};
const weight: OptionSpec = {
  name: 'weight',
  kind: 'floats',
  default: null,
  nullable: true,
  doc: 'Rescaling weight per class.',
};
const maximize: OptionSpec = {
  name: 'maximize',
  kind: 'bool',
  default: false,
  doc: 'Maximize the objective instead of minimizing.',
};
const weightDecay = (d: number): OptionSpec => ({
  name: 'weight_decay',
  kind: 'float',
  default: d,
  min: 0,
  doc: 'L2 penalty.',
});
/** Adam and AdamW take the same keywords; only weight_decay's default differs (0 vs 0.01). */
const adamOptions = (decay: number): OptionSpec[] => [
  { name: 'lr', kind: 'float', default: 0.001, min: 0, doc: 'Learning rate.' },
  {
    name: 'betas',
    kind: 'floatPair',
    default: [0.9, 0.999],
    min: 0,
    max: 1,
    doc: 'Decay rates of the moment estimates.',
  },
  { name: 'eps', kind: 'float', default: 1e-8, min: 0, doc: 'Added to the denominator.' },
  weightDecay(decay),
  { name: 'amsgrad', kind: 'bool', default: false, doc: 'Use the AMSGrad variant.' },
  maximize,
];
const NN = 'https://pytorch.org/docs/stable/generated/torch.nn.';
const OPTIM = 'https://pytorch.org/docs/stable/generated/torch.optim.';

export const LOSSES: OptionTypeDef[] = [
  {
    type: 'CrossEntropyLoss',
    url: `${NN}CrossEntropyLoss.html`,
    doc: 'Log-softmax + negative log-likelihood over class logits.',
    options: [
      weight,
      { name: 'ignore_index', kind: 'int', default: -100, doc: 'Target value that does not count.' },
      reduction,
      {
        name: 'label_smoothing',
        kind: 'float',
        default: 0,
        min: 0,
        max: 1,
        doc: 'Mix of the target with a uniform distribution.',
      },
    ],
  },
  {
    type: 'NLLLoss',
    url: `${NN}NLLLoss.html`,
    doc: 'Negative log-likelihood of log-probabilities (after LogSoftmax).',
    options: [
      weight,
      { name: 'ignore_index', kind: 'int', default: -100, doc: 'Target value that does not count.' },
      reduction,
    ],
  },
  { type: 'MSELoss', url: `${NN}MSELoss.html`, doc: 'Mean squared error.', options: [reduction] },
  { type: 'L1Loss', url: `${NN}L1Loss.html`, doc: 'Mean absolute error.', options: [reduction] },
  {
    type: 'SmoothL1Loss',
    url: `${NN}SmoothL1Loss.html`,
    doc: 'L2 near zero, L1 beyond beta.',
    options: [reduction, { name: 'beta', kind: 'float', default: 1.0, min: 0, doc: 'Where L2 turns into L1.' }],
  },
  {
    type: 'HuberLoss',
    url: `${NN}HuberLoss.html`,
    doc: 'L2 near zero, delta-scaled L1 beyond delta.',
    options: [reduction, { name: 'delta', kind: 'float', default: 1.0, min: 0, doc: 'Where L2 turns into L1.' }],
  },
  {
    type: 'BCELoss',
    url: `${NN}BCELoss.html`,
    doc: 'Binary cross-entropy of probabilities: end the model with Sigmoid.',
    options: [weight, reduction],
  },
  {
    type: 'KLDivLoss',
    url: `${NN}KLDivLoss.html`,
    doc: 'KL divergence of the target distribution from log-probabilities (end with LogSoftmax).',
    options: [
      {
        name: 'reduction',
        kind: 'choice',
        default: 'mean',
        choices: ['mean', 'batchmean', 'sum', 'none'],
        doc: "How per-element losses are combined; 'batchmean' is the true KL divergence.",
      },
      { name: 'log_target', kind: 'bool', default: false, doc: 'The target holds log-probabilities.' },
    ],
  },
  {
    type: 'BCEWithLogitsLoss',
    url: `${NN}BCEWithLogitsLoss.html`,
    doc: 'Sigmoid + binary cross-entropy, numerically stable.',
    options: [
      weight,
      reduction,
      {
        name: 'pos_weight',
        kind: 'floats',
        default: null,
        nullable: true,
        doc: 'Weight of positive examples per class.',
      },
    ],
  },
];

export const OPTIMIZERS: OptionTypeDef[] = [
  {
    type: 'SGD',
    url: `${OPTIM}SGD.html`,
    doc: 'Stochastic gradient descent, optional momentum.',
    options: [
      { name: 'lr', kind: 'float', required: true, default: 0.01, min: 0, doc: 'Learning rate.' },
      { name: 'momentum', kind: 'float', default: 0, min: 0, doc: 'Momentum factor.' },
      { name: 'dampening', kind: 'float', default: 0, doc: 'Dampening for momentum.' },
      weightDecay(0),
      { name: 'nesterov', kind: 'bool', default: false, doc: 'Nesterov momentum (needs momentum > 0, dampening 0).' },
      maximize,
    ],
  },
  {
    type: 'Adam',
    url: `${OPTIM}Adam.html`,
    doc: 'Adaptive moment estimation.',
    options: adamOptions(0),
  },
  {
    type: 'AdamW',
    url: `${OPTIM}AdamW.html`,
    doc: 'Adam with decoupled weight decay.',
    options: adamOptions(0.01),
  },
  {
    type: 'RMSprop',
    url: `${OPTIM}RMSprop.html`,
    doc: 'Divides by a running average of squared gradients.',
    options: [
      { name: 'lr', kind: 'float', default: 0.01, min: 0, doc: 'Learning rate.' },
      { name: 'alpha', kind: 'float', default: 0.99, min: 0, doc: 'Smoothing constant.' },
      { name: 'eps', kind: 'float', default: 1e-8, min: 0, doc: 'Added to the denominator.' },
      weightDecay(0),
      { name: 'momentum', kind: 'float', default: 0, min: 0, doc: 'Momentum factor.' },
      { name: 'centered', kind: 'bool', default: false, doc: 'Normalize by the estimated variance.' },
      maximize,
    ],
  },
  {
    type: 'Adagrad',
    url: `${OPTIM}Adagrad.html`,
    doc: 'Per-parameter learning rates from accumulated squared gradients.',
    options: [
      { name: 'lr', kind: 'float', default: 0.01, min: 0, doc: 'Learning rate.' },
      { name: 'lr_decay', kind: 'float', default: 0, min: 0, doc: 'Learning-rate decay.' },
      weightDecay(0),
      {
        name: 'initial_accumulator_value',
        kind: 'float',
        default: 0,
        min: 0,
        doc: 'Starting value of the accumulators.',
      },
      { name: 'eps', kind: 'float', default: 1e-10, min: 0, doc: 'Added to the denominator.' },
      maximize,
    ],
  },
];

export const SCHEDULERS: OptionTypeDef[] = [
  {
    type: 'StepLR',
    url: `${OPTIM}lr_scheduler.StepLR.html`,
    doc: 'Multiply lr by gamma every step_size epochs.',
    options: [
      { name: 'step_size', kind: 'int', required: true, default: 10, min: 1, doc: 'Epochs between decays.' },
      { name: 'gamma', kind: 'float', default: 0.1, min: 0, doc: 'Decay factor.' },
    ],
  },
  {
    type: 'MultiStepLR',
    url: `${OPTIM}lr_scheduler.MultiStepLR.html`,
    doc: 'Multiply lr by gamma at each milestone epoch.',
    options: [
      {
        name: 'milestones',
        kind: 'floats',
        required: true,
        default: [30, 80],
        doc: 'Epochs at which to decay (increasing).',
      },
      { name: 'gamma', kind: 'float', default: 0.1, min: 0, doc: 'Decay factor.' },
    ],
  },
  {
    type: 'LinearLR',
    url: `${OPTIM}lr_scheduler.LinearLR.html`,
    doc: 'Linear warm-up: lr × start_factor rising to lr × end_factor over total_iters epochs.',
    options: [
      {
        name: 'start_factor',
        kind: 'float',
        default: 1 / 3,
        min: 0,
        max: 1,
        doc: 'Factor of lr in the first epoch (> 0).',
      },
      {
        name: 'end_factor',
        kind: 'float',
        default: 1.0,
        min: 0,
        max: 1,
        doc: 'Factor of lr after total_iters epochs.',
      },
      { name: 'total_iters', kind: 'int', default: 5, min: 0, doc: 'Epochs of the ramp.' },
    ],
  },
  {
    type: 'ReduceLROnPlateau',
    url: `${OPTIM}lr_scheduler.ReduceLROnPlateau.html`,
    doc: 'Multiply lr by factor when the validation loss stops improving for patience epochs.',
    options: [
      {
        name: 'mode',
        kind: 'choice',
        default: 'min',
        choices: ['min', 'max'],
        doc: 'min: the monitored value should fall.',
      },
      { name: 'factor', kind: 'float', default: 0.1, min: 0, max: 0.999999, doc: 'Decay factor (< 1).' },
      { name: 'patience', kind: 'int', default: 10, min: 0, doc: 'Epochs without improvement before a decay.' },
      {
        name: 'threshold',
        kind: 'float',
        default: 1e-4,
        min: 0,
        doc: 'Smallest change that counts as an improvement.',
      },
      {
        name: 'threshold_mode',
        kind: 'choice',
        default: 'rel',
        choices: ['rel', 'abs'],
        doc: 'threshold relative to the best value, or absolute.',
      },
      { name: 'cooldown', kind: 'int', default: 0, min: 0, doc: 'Epochs to wait after a decay.' },
      { name: 'min_lr', kind: 'float', default: 0, min: 0, doc: 'Lowest lr.' },
      { name: 'eps', kind: 'float', default: 1e-8, min: 0, doc: 'Smaller decays are skipped.' },
    ],
  },
  {
    type: 'ExponentialLR',
    url: `${OPTIM}lr_scheduler.ExponentialLR.html`,
    doc: 'Multiply lr by gamma every epoch.',
    options: [{ name: 'gamma', kind: 'float', required: true, default: 0.95, min: 0, doc: 'Decay factor.' }],
  },
  {
    type: 'CosineAnnealingLR',
    url: `${OPTIM}lr_scheduler.CosineAnnealingLR.html`,
    doc: 'Cosine decay from lr to eta_min over T_max epochs.',
    options: [
      { name: 'T_max', kind: 'int', required: true, default: 10, min: 1, doc: 'Epochs of a half cosine period.' },
      { name: 'eta_min', kind: 'float', default: 0, min: 0, doc: 'Lowest lr.' },
    ],
  },
  {
    type: 'OneCycleLR',
    url: `${OPTIM}lr_scheduler.OneCycleLR.html`,
    doc: 'Warm up to max_lr then anneal, stepped every batch.',
    options: [
      { name: 'max_lr', kind: 'float', required: true, default: 0.1, min: 0, doc: 'Peak learning rate.' },
      {
        name: 'pct_start',
        kind: 'float',
        default: 0.3,
        min: 0,
        max: 1,
        doc: 'Fraction of the cycle spent increasing lr.',
      },
      { name: 'anneal_strategy', kind: 'choice', default: 'cos', choices: ['cos', 'linear'], doc: 'Annealing shape.' },
      { name: 'cycle_momentum', kind: 'bool', default: true, doc: 'Cycle momentum (or Adam β1) inversely to lr.' },
      { name: 'base_momentum', kind: 'float', default: 0.85, doc: 'Lowest momentum.' },
      { name: 'max_momentum', kind: 'float', default: 0.95, doc: 'Highest momentum.' },
      { name: 'div_factor', kind: 'float', default: 25, min: 0, doc: 'Initial lr = max_lr / div_factor.' },
      {
        name: 'final_div_factor',
        kind: 'float',
        default: 1e4,
        min: 0,
        doc: 'Final lr = initial lr / final_div_factor.',
      },
      { name: 'three_phase', kind: 'bool', default: false, doc: 'Use a third, annihilation phase.' },
    ],
  },
];

/** OneCycleLR steps after every batch (total_steps = epochs × batches); the others after every epoch. */
export const PER_BATCH_SCHEDULERS = new Set(['OneCycleLR']);

export function findOptionType(list: OptionTypeDef[], type: string): OptionTypeDef | undefined {
  return list.find((d) => d.type === type);
}

/** Problems with a loss, optimizer or scheduler choice: an unknown type, keyword or value. */
export function choiceProblems(field: string, list: OptionTypeDef[], value: Choice): string[] {
  const def = findOptionType(list, value.type);
  if (!def) return [`${field}.type: unknown ${field} '${value.type}' (one of ${list.map((d) => d.type).join(', ')})`];
  const errors: string[] = [];
  for (const key of Object.keys(value)) {
    if (key !== 'type' && !def.options.some((o) => o.name === key))
      errors.push(`${field}.${key}: ${def.type} has no keyword '${key}'`);
  }
  for (const o of def.options) {
    const v = value[o.name];
    if (v === undefined) continue;
    const problem = checkOption(o, v);
    if (problem) errors.push(`${field}.${o.name}: ${problem}`);
  }
  return errors;
}

function checkOption(o: OptionSpec, v: unknown): string | null {
  if (v === null) return o.nullable ? null : 'must not be None';
  const inRange = (x: number) => (o.min === undefined || x >= o.min) && (o.max === undefined || x <= o.max);
  const range = `${o.min !== undefined ? ` ≥ ${o.min}` : ''}${o.max !== undefined ? ` and ≤ ${o.max}` : ''}`;
  switch (o.kind) {
    case 'bool':
      return typeof v === 'boolean' ? null : 'must be true or false';
    case 'int':
      return typeof v === 'number' && Number.isSafeInteger(v) && inRange(v) ? null : `must be a whole number${range}`;
    case 'float':
      return typeof v === 'number' && Number.isFinite(v) && inRange(v) ? null : `must be a number${range}`;
    case 'choice':
      return o.choices!.includes(v as string) ? null : `must be one of ${o.choices!.map((c) => `'${c}'`).join(', ')}`;
    case 'floats':
      return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x))
        ? null
        : 'must be a list of numbers';
    case 'floatPair':
      return Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && inRange(x))
        ? null
        : `must be two numbers${range}`;
  }
}
