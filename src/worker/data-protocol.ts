// The data worker's message contract: dataset imports (CIFAR-10 binaries, ImageFolder
// zips or folders) that are read, decompressed, validated, decoded and cached in
// IndexedDB off the UI thread, with progress events; and reads of dataset facts and
// sample images for the Train tab's preview and prediction gallery. Same shape as
// protocol.ts: requests carry an id, replies carry it back, switches are exhaustive.
import type { DatasetInfo } from '../core/formats/lbds.ts';
import type { DatasetRef } from './protocol.ts';
import type { Reply } from './rpc.ts';

/** Where the images of an ImageFolder import come from. */
export type ImageSource =
  | { kind: 'zip'; name: string; file: Blob }
  /** A dropped or picked folder: each file with its path below the folder ('cat/001.png'). */
  | { kind: 'files'; name: string; files: { path: string; file: Blob }[] };

export type DataRequest =
  | { type: 'import-cifar10'; id: number; files: { name: string; file: Blob }[] }
  | {
      type: 'import-images';
      id: number;
      datasetId: string;
      source: ImageSource;
      size: number;
      channels: 1 | 3;
      testFraction: number;
    }
  | { type: 'info'; id: number; ref: DatasetRef }
  /** `perClass` images of each class from the train split, for the preview grid. */
  | { type: 'preview'; id: number; ref: DatasetRef; perClass: number }
  /** Images `indices` (0-based within the split) for the prediction gallery. */
  | { type: 'samples'; id: number; ref: DatasetRef; split: 'train' | 'test'; indices: number[] }
  /**
   * Test images for the prediction gallery: misclassified first (by index), then correct
   * ones, up to `count`; or only those with this true and predicted class. `predictions`
   * are the model's classes for every test image, in order.
   */
  | {
      type: 'gallery';
      id: number;
      ref: DatasetRef;
      predictions: number[];
      count: number;
      only?: { truth: number; predicted: number };
    }
  /** Deletes an imported dataset from IndexedDB and from the worker's memory. */
  | { type: 'delete'; id: number; datasetId: string }
  /** Stops every import in progress: each rejects with 'the import was cancelled'. */
  | { type: 'cancel-imports'; id: number };

export type DataRequestType = DataRequest['type'];

/** uint8 images [count, C, H, W] and their labels. */
export interface ImageBatch {
  pixels: ArrayBuffer;
  labels: number[];
  indices: number[];
  channels: number;
  height: number;
  width: number;
}

export interface DataReplies {
  'import-cifar10': { datasetId: string; info: DatasetInfo };
  'import-images': { datasetId: string; info: DatasetInfo };
  info: DatasetInfo;
  preview: ImageBatch;
  samples: ImageBatch;
  delete: { datasetId: string };
  'cancel-imports': { cancelled: number };
  gallery: ImageBatch & { predicted: number[]; matching: number };
}

export type ImportPhase =
  'download' | 'read' | 'decompress' | 'untar' | 'validate' | 'unzip' | 'decode' | 'save' | 'load';

export type DataEvent =
  | Reply<DataReplies[DataRequestType]>
  /** `fraction` of `phase` done (0–1); `detail` says what in words ('3,120 of 5,000 images'). */
  | { type: 'progress'; requestId: number; phase: ImportPhase; fraction: number; detail?: string };

export const DATA_REQUEST_TYPES: readonly DataRequestType[] = [
  'import-cifar10',
  'import-images',
  'info',
  'preview',
  'samples',
  'gallery',
  'delete',
  'cancel-imports',
];

/** The cache key of a dataset reference (one cached dataset per key). */
export function refKey(ref: DatasetRef): string {
  switch (ref.kind) {
    case 'builtin':
      return `builtin:${ref.id}`;
    case 'stored':
      return `stored:${ref.id}`;
    case 'synthetic':
      return `synthetic:${ref.classes}:${ref.train}:${ref.test}:${ref.seed}:${ref.noise ?? ''}`;
    default:
      return ref satisfies never;
  }
}
