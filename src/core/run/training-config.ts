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

export interface OptionTypeDef { type: string; doc: string; url: string; options: OptionSpec[] }

const reduction: OptionSpec = { name: 'reduction', kind: 'choice', default: 'mean', choices: ['mean', 'sum', 'none'], doc: 'How per-element losses are combined.' };
const weight: OptionSpec = { name: 'weight', kind: 'floats', default: null, nullable: true, doc: 'Rescaling weight per class.' };
const maximize: OptionSpec = { name: 'maximize', kind: 'bool', default: false, doc: 'Maximize the objective instead of minimizing.' };
const weightDecay = (d: number): OptionSpec => ({ name: 'weight_decay', kind: 'float', default: d, min: 0, doc: 'L2 penalty.' });
const NN = 'https://pytorch.org/docs/stable/generated/torch.nn.';
const OPTIM = 'https://pytorch.org/docs/stable/generated/torch.optim.';

export const LOSSES: OptionTypeDef[] = [
  { type: 'CrossEntropyLoss', url: `${NN}CrossEntropyLoss.html`, doc: 'Log-softmax + negative log-likelihood over class logits.', options: [
    weight, { name: 'ignore_index', kind: 'int', default: -100, doc: 'Target value that does not count.' }, reduction,
    { name: 'label_smoothing', kind: 'float', default: 0, min: 0, max: 1, doc: 'Mix of the target with a uniform distribution.' }] },
  { type: 'NLLLoss', url: `${NN}NLLLoss.html`, doc: 'Negative log-likelihood of log-probabilities (after LogSoftmax).', options: [
    weight, { name: 'ignore_index', kind: 'int', default: -100, doc: 'Target value that does not count.' }, reduction] },
  { type: 'MSELoss', url: `${NN}MSELoss.html`, doc: 'Mean squared error.', options: [reduction] },
  { type: 'L1Loss', url: `${NN}L1Loss.html`, doc: 'Mean absolute error.', options: [reduction] },
  { type: 'SmoothL1Loss', url: `${NN}SmoothL1Loss.html`, doc: 'L2 near zero, L1 beyond beta.', options: [
    reduction, { name: 'beta', kind: 'float', default: 1.0, min: 0, doc: 'Where L2 turns into L1.' }] },
  { type: 'HuberLoss', url: `${NN}HuberLoss.html`, doc: 'L2 near zero, delta-scaled L1 beyond delta.', options: [
    reduction, { name: 'delta', kind: 'float', default: 1.0, min: 0, doc: 'Where L2 turns into L1.' }] },
  { type: 'BCEWithLogitsLoss', url: `${NN}BCEWithLogitsLoss.html`, doc: 'Sigmoid + binary cross-entropy, numerically stable.', options: [
    weight, reduction, { name: 'pos_weight', kind: 'floats', default: null, nullable: true, doc: 'Weight of positive examples per class.' }] },
];

export const OPTIMIZERS: OptionTypeDef[] = [
  { type: 'SGD', url: `${OPTIM}SGD.html`, doc: 'Stochastic gradient descent, optional momentum.', options: [
    { name: 'lr', kind: 'float', required: true, default: 0.01, min: 0, doc: 'Learning rate.' },
    { name: 'momentum', kind: 'float', default: 0, min: 0, doc: 'Momentum factor.' },
    { name: 'dampening', kind: 'float', default: 0, doc: 'Dampening for momentum.' }, weightDecay(0),
    { name: 'nesterov', kind: 'bool', default: false, doc: 'Nesterov momentum (needs momentum > 0, dampening 0).' }, maximize] },
  { type: 'Adam', url: `${OPTIM}Adam.html`, doc: 'Adaptive moment estimation.', options: [
    { name: 'lr', kind: 'float', default: 0.001, min: 0, doc: 'Learning rate.' },
    { name: 'betas', kind: 'floatPair', default: [0.9, 0.999], min: 0, max: 1, doc: 'Decay rates of the moment estimates.' },
    { name: 'eps', kind: 'float', default: 1e-8, min: 0, doc: 'Added to the denominator.' }, weightDecay(0),
    { name: 'amsgrad', kind: 'bool', default: false, doc: 'Use the AMSGrad variant.' }, maximize] },
  { type: 'AdamW', url: `${OPTIM}AdamW.html`, doc: 'Adam with decoupled weight decay.', options: [
    { name: 'lr', kind: 'float', default: 0.001, min: 0, doc: 'Learning rate.' },
    { name: 'betas', kind: 'floatPair', default: [0.9, 0.999], min: 0, max: 1, doc: 'Decay rates of the moment estimates.' },
    { name: 'eps', kind: 'float', default: 1e-8, min: 0, doc: 'Added to the denominator.' }, weightDecay(0.01),
    { name: 'amsgrad', kind: 'bool', default: false, doc: 'Use the AMSGrad variant.' }, maximize] },
  { type: 'RMSprop', url: `${OPTIM}RMSprop.html`, doc: 'Divides by a running average of squared gradients.', options: [
    { name: 'lr', kind: 'float', default: 0.01, min: 0, doc: 'Learning rate.' },
    { name: 'alpha', kind: 'float', default: 0.99, min: 0, doc: 'Smoothing constant.' },
    { name: 'eps', kind: 'float', default: 1e-8, min: 0, doc: 'Added to the denominator.' }, weightDecay(0),
    { name: 'momentum', kind: 'float', default: 0, min: 0, doc: 'Momentum factor.' },
    { name: 'centered', kind: 'bool', default: false, doc: 'Normalize by the estimated variance.' }, maximize] },
  { type: 'Adagrad', url: `${OPTIM}Adagrad.html`, doc: 'Per-parameter learning rates from accumulated squared gradients.', options: [
    { name: 'lr', kind: 'float', default: 0.01, min: 0, doc: 'Learning rate.' },
    { name: 'lr_decay', kind: 'float', default: 0, min: 0, doc: 'Learning-rate decay.' }, weightDecay(0),
    { name: 'initial_accumulator_value', kind: 'float', default: 0, min: 0, doc: 'Starting value of the accumulators.' },
    { name: 'eps', kind: 'float', default: 1e-10, min: 0, doc: 'Added to the denominator.' }, maximize] },
];

export const SCHEDULERS: OptionTypeDef[] = [
  { type: 'StepLR', url: `${OPTIM}lr_scheduler.StepLR.html`, doc: 'Multiply lr by gamma every step_size epochs.', options: [
    { name: 'step_size', kind: 'int', required: true, default: 10, min: 1, doc: 'Epochs between decays.' },
    { name: 'gamma', kind: 'float', default: 0.1, min: 0, doc: 'Decay factor.' }] },
  { type: 'ExponentialLR', url: `${OPTIM}lr_scheduler.ExponentialLR.html`, doc: 'Multiply lr by gamma every epoch.', options: [
    { name: 'gamma', kind: 'float', required: true, default: 0.95, min: 0, doc: 'Decay factor.' }] },
  { type: 'CosineAnnealingLR', url: `${OPTIM}lr_scheduler.CosineAnnealingLR.html`, doc: 'Cosine decay from lr to eta_min over T_max epochs.', options: [
    { name: 'T_max', kind: 'int', required: true, default: 10, min: 1, doc: 'Epochs of a half cosine period.' },
    { name: 'eta_min', kind: 'float', default: 0, min: 0, doc: 'Lowest lr.' }] },
  { type: 'OneCycleLR', url: `${OPTIM}lr_scheduler.OneCycleLR.html`, doc: 'Warm up to max_lr then anneal, stepped every batch.', options: [
    { name: 'max_lr', kind: 'float', required: true, default: 0.1, min: 0, doc: 'Peak learning rate.' },
    { name: 'pct_start', kind: 'float', default: 0.3, min: 0, max: 1, doc: 'Fraction of the cycle spent increasing lr.' },
    { name: 'anneal_strategy', kind: 'choice', default: 'cos', choices: ['cos', 'linear'], doc: 'Annealing shape.' },
    { name: 'cycle_momentum', kind: 'bool', default: true, doc: 'Cycle momentum (or Adam β1) inversely to lr.' },
    { name: 'base_momentum', kind: 'float', default: 0.85, doc: 'Lowest momentum.' },
    { name: 'max_momentum', kind: 'float', default: 0.95, doc: 'Highest momentum.' },
    { name: 'div_factor', kind: 'float', default: 25, min: 0, doc: 'Initial lr = max_lr / div_factor.' },
    { name: 'final_div_factor', kind: 'float', default: 1e4, min: 0, doc: 'Final lr = initial lr / final_div_factor.' },
    { name: 'three_phase', kind: 'bool', default: false, doc: 'Use a third, annihilation phase.' }] },
];

/** OneCycleLR steps after every batch (total_steps = epochs × batches); the others after every epoch. */
export const PER_BATCH_SCHEDULERS = new Set(['OneCycleLR']);

export type DatasetId = 'mnist' | 'cifar10' | 'imagefolder' | 'synthetic';

/** A keyword's value as PyTorch takes it: a number, bool, string, None or a list/tuple of numbers. */
export type KeywordValue = number | boolean | string | null | number[];

/** A loss, optimizer or scheduler: PyTorch's class name and the keywords given (the rest take PyTorch's defaults). */
export interface Choice { type: string; [keyword: string]: KeywordValue }

/** What the model trains on. Synthetic data (seeded class blobs) is sized here; the others are what they are. */
export type DatasetConfig =
  | { id: 'mnist' }
  | { id: 'cifar10' }
  | { id: 'imagefolder'; imageSize?: number; channels?: 1 | 3 }
  | { id: 'synthetic'; classes?: number; trainSize?: number; testSize?: number };

/** torchvision transforms applied to every example (flip and crop to training examples only). */
export interface TransformsConfig { normalize: { mean: number[]; std: number[] } | null; horizontalFlip: boolean; cropPadding: number }

export type BackendName = 'ts' | 'wasm';
/** Which kernels run the model: the TypeScript reference, or WASM SIMD on `threads` threads. */
export interface BackendChoice { backend: BackendName; threads?: number }

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
}

/** Bounds on the run-wide numbers: what a browser tab or a PyTorch process can sensibly hold. */
export const LIMITS = {
  batchSize: 65_536, epochs: 10_000, threads: 64, cropPadding: 64, imageSize: 1024,
  classes: 10_000, examples: 10_000_000,
} as const;

/** torchvision Normalize presets: each dataset's channel means and standard deviations. */
export const NORMALIZE_PRESETS = {
  mnist: { label: 'MNIST', mean: [0.1307], std: [0.3081] },
  cifar10: { label: 'CIFAR-10', mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] },
  imagenet: { label: 'ImageNet', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  half: { label: '0.5 (to −1…1)', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
} as const satisfies Record<string, { label: string; mean: readonly number[]; std: readonly number[] }>;
export type NormalizePreset = keyof typeof NORMALIZE_PRESETS;

export function defaultTrainingConfig(dataset: DatasetId = 'mnist'): TrainingConfig {
  const preset = dataset === 'mnist' || dataset === 'cifar10' ? NORMALIZE_PRESETS[dataset] : null;
  return {
    dataset: { id: dataset },
    transforms: { normalize: preset ? { mean: [...preset.mean], std: [...preset.std] } : null, horizontalFlip: false, cropPadding: 0 },
    loss: { type: 'CrossEntropyLoss' },
    optimizer: { type: 'SGD', lr: 0.01, momentum: 0.9 },
    scheduler: null,
    batchSize: 64, epochs: 1, shuffle: true, seed: 0, valSplit: 0.1, dropLast: false,
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
  if (!int(c.batchSize, 1, LIMITS.batchSize)) errors.push(`batchSize: must be a whole number from 1 to ${LIMITS.batchSize}, got ${c.batchSize}`);
  if (!int(c.epochs, 1, LIMITS.epochs)) errors.push(`epochs: must be a whole number from 1 to ${LIMITS.epochs}, got ${c.epochs}`);
  if (!Number.isSafeInteger(c.seed) || c.seed < 0) errors.push(`seed: must be a whole number ≥ 0 (a safe integer), got ${c.seed}`);
  if (!(c.valSplit >= 0 && c.valSplit < 1)) errors.push(`valSplit: must be in [0, 1), got ${c.valSplit}`);
  errors.push(...checkOptions('loss', LOSSES, c.loss), ...checkOptions('optimizer', OPTIMIZERS, c.optimizer));
  if (c.scheduler) errors.push(...checkOptions('scheduler', SCHEDULERS, c.scheduler));
  return errors;
}

function checkOptions(field: string, list: OptionTypeDef[], value: Choice): string[] {
  const def = findOptionType(list, value.type);
  if (!def) return [`${field}.type: unknown ${field} '${value.type}' (one of ${list.map((d) => d.type).join(', ')})`];
  const errors: string[] = [];
  for (const key of Object.keys(value)) {
    if (key !== 'type' && !def.options.some((o) => o.name === key)) errors.push(`${field}.${key}: ${def.type} has no keyword '${key}'`);
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
    case 'bool': return typeof v === 'boolean' ? null : 'must be true or false';
    case 'int': return typeof v === 'number' && Number.isSafeInteger(v) && inRange(v) ? null : `must be a whole number${range}`;
    case 'float': return typeof v === 'number' && Number.isFinite(v) && inRange(v) ? null : `must be a number${range}`;
    case 'choice': return o.choices!.includes(v as string) ? null : `must be one of ${o.choices!.map((c) => `'${c}'`).join(', ')}`;
    case 'floats': return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x)) ? null : 'must be a list of numbers';
    case 'floatPair': return Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && inRange(x)) ? null : `must be two numbers${range}`;
  }
}
