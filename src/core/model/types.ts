// Shared vocabulary of the model core. Pure data types: no UI, engine or storage.
import type { TrainingConfig } from '../run/training-config.ts';

/** The catalogue's layer types, PyTorch's class names. */
export const LAYER_TYPES = [
  'Conv2d',
  'MaxPool2d',
  'AvgPool2d',
  'AdaptiveAvgPool2d',
  'Flatten',
  'Linear',
  'ReLU',
  'LeakyReLU',
  'Sigmoid',
  'Tanh',
  'GELU',
  'ELU',
  'Softmax',
  'LogSoftmax',
  'Dropout',
  'BatchNorm1d',
  'BatchNorm2d',
] as const;
export type LayerType = (typeof LAYER_TYPES)[number];

/**
 * A layer as PyTorch builds it: class name plus constructor keywords, PyTorch's
 * names; an omitted keyword takes PyTorch's default. Pairs may be an int or [h, w].
 * Same form as ../shared/conformance.
 */
export interface LayerSpec {
  type: string;
  [keyword: string]: unknown;
}

/** A tensor shape, batch first: [N, C, H, W], [N, F], ... */
export type Shape = number[];

export type Pair = [number, number];

/** Version 1's editor layout (migrated on read to the v2 EditorView keyed by name). */
export interface EditorViewV1 {
  /** Position of the Input node and of each layer node, by layer index. */
  input?: { x: number; y: number };
  positions?: { x: number; y: number }[];
}

/**
 * The model file, version 1: an nn.Sequential as a list of layers. Only read, as the
 * input of the migration to version 2 (model-v1.ts); the app works on ModelDocument.
 */
export interface ModelDocumentV1 {
  format: 'layerboard-model';
  version: 1;
  /** Input shape without the batch dimension: [C, H, W] or [F]. */
  input: number[];
  layers: LayerSpec[];
  /** OrderedDict names, one per layer, or null/absent for 0, 1, 2, ... */
  names?: string[] | null;
  /** Name of the Python class in exported code (default "Model"). */
  className?: string;
  editor?: EditorViewV1;
  /** How the model trains (core/run): what the Train form shows and `export --format pytorch-project` writes. */
  training?: TrainingConfig;
  metadata?: { name?: string; description?: string; created?: string; [key: string]: unknown };
}

export type { ModelDocument, EditorView } from './module-types.ts';
