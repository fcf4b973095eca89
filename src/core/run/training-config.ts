// The training configuration, as data: every loss, optimizer and scheduler with
// PyTorch 1.13's keywords and defaults, the dataset and transforms. The training panel's
// form, the worker, the CLI and the exported train.py all read this one description.

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

export type DatasetId = 'mnist' | 'fashion-mnist' | 'cifar10' | 'imagefolder' | 'synthetic' | 'table';

/** torch.nn.utils.clip_grad_norm_(max_norm, norm_type) or clip_grad_value_(clip_value), between backward() and step(). */
export type GradClipConfig =
  { type: 'norm'; max_norm: number; norm_type?: number } | { type: 'value'; clip_value: number };

/**
 * Stop after `patience` epochs in a row whose monitored value did not improve on the best
 * by more than min_delta; restore_best_weights: end with the best epoch's weights (what
 * gets saved, downloaded and exported).
 */
export interface EarlyStoppingConfig {
  monitor: 'val_loss' | 'val_accuracy' | 'train_loss';
  patience: number;
  min_delta: number;
  mode: 'min' | 'max' | 'auto';
  restore_best_weights: boolean;
}

/** A keyword's value as PyTorch takes it: a number, bool, string, None or a list/tuple of numbers. */
export type KeywordValue = number | boolean | string | null | number[];

/** A loss, optimizer or scheduler: PyTorch's class name and the keywords given (the rest take PyTorch's defaults). */
export interface Choice {
  type: string;
  [keyword: string]: KeywordValue;
}

/** What the model trains on. Synthetic data (seeded class blobs) is sized here; the others are what they are. */
export type DatasetConfig =
  | { id: 'mnist' }
  | { id: 'fashion-mnist' }
  | { id: 'cifar10' }
  | { id: 'imagefolder'; imageSize?: number; channels?: 1 | 3 }
  | { id: 'synthetic'; classes?: number; trainSize?: number; testSize?: number }
  /** A CSV of numbers for an MLP (core/formats/tabular.ts): its label column, task, and standardization. */
  | { id: 'table'; label?: string; task?: 'classification' | 'regression'; standardize?: boolean };

/** torchvision transforms applied to every example (flip and crop to training examples only). */
export interface TransformsConfig {
  normalize: { mean: number[]; std: number[] } | null;
  horizontalFlip: boolean;
  cropPadding: number;
}

export type BackendName = 'ts' | 'wasm';
/** Which kernels run the model: the TypeScript reference, or WASM SIMD on `threads` threads. */
export interface BackendChoice {
  backend: BackendName;
  threads?: number;
}

/**
 * The training configuration of a model (`ModelDocument.training`) and of a run
 * (`RunRecord.config`). Field names are the stored format (the exported train.py reads them).
 */
export interface TrainingConfig {
  dataset: DatasetConfig;
  transforms: TransformsConfig;
  loss: Choice;
  optimizer: Choice;
  scheduler: Choice | null;
  batchSize: number;
  epochs: number;
  shuffle: boolean;
  seed: number;
  /** Fraction of the training split held out for per-epoch validation. */
  valSplit: number;
  dropLast: boolean;
  /** Kernels to train on; absent: the fastest there is (WASM SIMD, a thread per core). */
  backend?: BackendChoice;
  /** Gradient clipping; absent or null: none. */
  gradClip?: GradClipConfig | null;
  /** Early stopping and best-weights keeping; absent or null: every epoch runs, the last weights are kept. */
  earlyStopping?: EarlyStoppingConfig | null;
}

/** Bounds on the run-wide numbers: what a browser tab or a PyTorch process can sensibly hold. */
export const LIMITS = {
  batchSize: 65_536,
  epochs: 10_000,
  threads: 64,
  cropPadding: 64,
  imageSize: 1024,
  classes: 10_000,
  examples: 10_000_000,
} as const;

/** torchvision Normalize presets: each dataset's channel means and standard deviations. */
export const NORMALIZE_PRESETS = {
  mnist: { label: 'MNIST', mean: [0.1307], std: [0.3081] },
  'fashion-mnist': { label: 'Fashion-MNIST', mean: [0.286], std: [0.353] },
  cifar10: { label: 'CIFAR-10', mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] },
  imagenet: { label: 'ImageNet', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  half: { label: '0.5 (to −1…1)', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
} as const satisfies Record<string, { label: string; mean: readonly number[]; std: readonly number[] }>;
export type NormalizePreset = keyof typeof NORMALIZE_PRESETS;

export function defaultTrainingConfig(dataset: DatasetId = 'mnist'): TrainingConfig {
  const preset =
    dataset === 'mnist' || dataset === 'fashion-mnist' || dataset === 'cifar10' ? NORMALIZE_PRESETS[dataset] : null;
  return {
    dataset: { id: dataset },
    transforms: {
      normalize: preset ? { mean: [...preset.mean], std: [...preset.std] } : null,
      horizontalFlip: false,
      cropPadding: 0,
    },
    loss: { type: 'CrossEntropyLoss' },
    // one epoch of the MNIST ConvNet template on the official MNIST reaches ~98% with this recipe
    optimizer: { type: 'Adam', lr: 0.001 },
    scheduler: null,
    batchSize: 64,
    epochs: 1,
    shuffle: true,
    seed: 0,
    valSplit: 0.1,
    dropLast: false,
  };
}

/** The default configuration for a model input: CIFAR-10 for 3×32×32 images, MNIST otherwise. */
export function defaultTrainingConfigFor(input: readonly number[]): TrainingConfig {
  const [c, h, w] = input;
  return defaultTrainingConfig(c === 3 && h === 32 && w === 32 ? 'cifar10' : 'mnist');
}

export function findOptionType(list: OptionTypeDef[], type: string): OptionTypeDef | undefined {
  return list.find((d) => d.type === type);
}

/** Every problem with a config, each naming its field ('optimizer.lr: must be ≥ 0'). */
export function validateTrainingConfig(c: TrainingConfig): string[] {
  const errors: string[] = [];
  const int = (v: number, min: number, max: number) => Number.isSafeInteger(v) && v >= min && v <= max;
  if (!int(c.batchSize, 1, LIMITS.batchSize))
    errors.push(`batchSize: must be a whole number from 1 to ${LIMITS.batchSize}, got ${c.batchSize}`);
  if (!int(c.epochs, 1, LIMITS.epochs))
    errors.push(`epochs: must be a whole number from 1 to ${LIMITS.epochs}, got ${c.epochs}`);
  if (!Number.isSafeInteger(c.seed) || c.seed < 0)
    errors.push(`seed: must be a whole number ≥ 0 (a safe integer), got ${c.seed}`);
  if (!(c.valSplit >= 0 && c.valSplit < 1)) errors.push(`valSplit: must be in [0, 1), got ${c.valSplit}`);
  errors.push(...checkOptions('loss', LOSSES, c.loss), ...checkOptions('optimizer', OPTIMIZERS, c.optimizer));
  if (c.scheduler) errors.push(...checkOptions('scheduler', SCHEDULERS, c.scheduler));
  if (c.gradClip) errors.push(...gradClipProblems(c.gradClip));
  if (c.earlyStopping) errors.push(...earlyStoppingProblems(c.earlyStopping, c.valSplit));
  return errors;
}

function earlyStoppingProblems(e: EarlyStoppingConfig, valSplit: number): string[] {
  const errors: string[] = [];
  if (!['val_loss', 'val_accuracy', 'train_loss'].includes(e.monitor))
    errors.push(
      `earlyStopping.monitor: must be 'val_loss', 'val_accuracy' or 'train_loss', got ${JSON.stringify(e.monitor)}`,
    );
  else if (e.monitor !== 'train_loss' && !(valSplit > 0))
    errors.push(`earlyStopping.monitor: ${e.monitor} needs a validation split (valSplit > 0), or monitor train_loss`);
  if (!(Number.isInteger(e.patience) && e.patience >= 1))
    errors.push(`earlyStopping.patience: must be a whole number ≥ 1, got ${String(e.patience)}`);
  if (!(typeof e.min_delta === 'number' && e.min_delta >= 0))
    errors.push(`earlyStopping.min_delta: must be a number ≥ 0, got ${String(e.min_delta)}`);
  if (!['min', 'max', 'auto'].includes(e.mode))
    errors.push(`earlyStopping.mode: must be 'min', 'max' or 'auto', got ${JSON.stringify(e.mode)}`);
  if (typeof e.restore_best_weights !== 'boolean')
    errors.push('earlyStopping.restore_best_weights: must be true or false');
  return errors;
}

function gradClipProblems(g: GradClipConfig): string[] {
  const positive = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;
  switch (g.type) {
    case 'norm':
      return [
        ...(positive(g.max_norm) ? [] : [`gradClip.max_norm: must be a number > 0, got ${String(g.max_norm)}`]),
        ...(g.norm_type === undefined || positive(g.norm_type)
          ? []
          : [`gradClip.norm_type: must be a number > 0, got ${String(g.norm_type)}`]),
      ];
    case 'value':
      return positive(g.clip_value) ? [] : [`gradClip.clip_value: must be a number > 0, got ${String(g.clip_value)}`];
    default:
      return [`gradClip.type: must be 'norm' or 'value', got ${JSON.stringify((g as { type: unknown }).type)}`];
  }
}

function checkOptions(field: string, list: OptionTypeDef[], value: Choice): string[] {
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
