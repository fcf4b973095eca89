// What a run is and what it produces, for every part that runs, stores or shows one: its
// status, the records the trainer emits, its dataset and its test result.
//
// The step convention (the one everywhere: engine, worker, db, CLI, exported train.py):
// `step` is the 0-based global optimizer step — the `global_step` a PyTorch user passes to
// SummaryWriter.add_scalar — and `epoch` the 0-based epoch index (`for epoch in
// range(epochs)`). People read epochs 1-based: show `epoch + 1`.
import type { DatasetId } from './training-config.ts';

/** A run's state: live ('running', 'paused') or ended. */
export type RunStatus = 'running' | 'paused' | 'finished' | 'stopped' | 'failed' | 'interrupted';
/** How a run ends by itself or on request (a failure or a closed page is the other way). */
export type TrainOutcome = Extract<RunStatus, 'finished' | 'stopped'>;
export type EndStatus = Exclude<RunStatus, 'running' | 'paused'>;

/** One optimizer step. */
export interface StepRecord {
  /** Global step, 0-based. */
  step: number;
  /** Epoch index, 0-based. */
  epoch: number;
  loss: number;
  /** Learning rate the step used. */
  lr: number;
}

/** One epoch, at its end. */
export interface EpochRecord {
  /** Epoch index, 0-based. */
  epoch: number;
  /** Mean training loss over the epoch's examples. */
  trainLoss: number;
  /** Training accuracy (classification), else null. */
  trainAccuracy: number | null;
  valLoss: number | null;
  valAccuracy: number | null;
  /** Learning rate at the end of the epoch. */
  lr: number;
  seconds: number;
  examplesPerSecond: number;
}

/** An evaluation of a model on a split. */
export interface EvalResult {
  /** Mean loss over the split (batch means weighted by batch size). */
  loss: number;
  /** null when the output is not [N, classes] logits against class labels. */
  accuracy: number | null;
  examples: number;
  /** confusion[true][predicted] counts ([] when accuracy is null). */
  confusion: number[][];
  /** Predicted class of every example of the split, in dataset order (classification only). */
  predictions?: number[];
}

/** A test-split evaluation with the class names to show it by. */
export interface TestResult extends EvalResult {
  classes: string[];
}

/** The datasets shipped with the app (engine/data/builtin.ts has their files). */
export type BuiltinDatasetId = Extract<DatasetId, 'mnist' | 'fashion-mnist'>;

/** Where the examples of a run come from. */
export type DatasetRef =
  /** Class-dependent blobs generated from a seed (learnable; for tests, demos and the CLI). */
  | { kind: 'synthetic'; classes: number; train: number; test: number; seed: number; noise?: number }
  /** A dataset shipped with the app (MNIST, Fashion-MNIST), fetched from `baseUrl` (the app's URL), cached in IndexedDB. */
  | { kind: 'builtin'; id: BuiltinDatasetId; baseUrl: string }
  /** A dataset imported in the Train tab (CIFAR-10, ImageFolder), read from IndexedDB (src/db/dataset-store.ts). */
  | { kind: 'stored'; id: string };

/** The dataset a run trained on, as its record keeps it. */
export interface RunDataset {
  ref: DatasetRef;
  name: string;
  classes: string[];
  shape: number[];
}

/** The configuration's dataset id a reference stands for (for a run file or a CLI run). */
export function datasetIdOf(ref: DatasetRef): DatasetId {
  switch (ref.kind) {
    case 'synthetic':
      return 'synthetic';
    case 'builtin':
      return ref.id;
    case 'stored':
      return ref.id === 'cifar10' ? 'cifar10' : 'imagefolder';
    default:
      return ref satisfies never;
  }
}
