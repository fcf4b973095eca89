// The training configuration, as data: the dataset and transforms, defaults, limits and
// validation. The losses, optimizers and schedulers with their keywords are the catalogue
// (training-catalogue.ts). The training panel's form, the worker, the CLI and the exported
// train.py all read this one description.
import { choiceProblems, LOSSES, OPTIMIZERS, SCHEDULERS } from './training-catalogue.ts';

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
  errors.push(...choiceProblems('loss', LOSSES, c.loss), ...choiceProblems('optimizer', OPTIMIZERS, c.optimizer));
  if (c.scheduler) errors.push(...choiceProblems('scheduler', SCHEDULERS, c.scheduler));
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
