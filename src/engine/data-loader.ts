// torch.utils.data.DataLoader's batching over in-memory examples: batch_size, shuffle
// (a fresh seeded permutation every epoch, reproducible from the seed), drop_last.
//
//   const src = tensorSource(images, [1, 28, 28], labels);      // or imageSource(ds, ...)
//   const loader = new DataLoader(src, { batchSize: 64, shuffle: true, seed: 0 });
//   for (const { input, target, size } of loader.batches()) { ... }   // one epoch
//
// A batch's tensors are reused buffers, valid until the next batch: consume, don't keep.
import type { ImageDataset } from '../core/formats/lbds.ts';
import { fillBatch, type TransformConfig } from './data/transforms.ts';
import { Rng } from './rng.ts';
import { numel, type IntTensor, type Tensor } from './tensor.ts';

/** Where examples come from: writes the examples `ids` into a batch's buffers. */
export interface BatchSource {
  /** Number of examples (ids are 0 … length − 1). */
  readonly length: number;
  /** Shape of one example ([C, H, W] or [F]). */
  readonly inputShape: number[];
  /** Shape of one target: [] for a class index, [k] for k float targets. */
  readonly targetShape: number[];
  /** 'class': int64 class indices (IntTensor); 'float': float targets (MSE, BCE...). */
  readonly targetKind: 'class' | 'float';
  /** `train` enables augmentation where the source has any. */
  fill(ids: Int32Array, input: Float32Array, target: Int32Array | Float32Array, train: boolean): void;
}

export interface Batch {
  input: Tensor;
  target: Tensor | IntTensor;
  size: number;
}

/** TensorDataset: float inputs [N, ...inputShape] and class labels (Int32Array) or float targets. */
export function tensorSource(
  inputs: Float32Array,
  inputShape: number[],
  targets: Int32Array | Float32Array,
  targetShape: number[] = [],
): BatchSource {
  const per = numel(inputShape),
    tper = numel(targetShape),
    n = inputs.length / per;
  if (!Number.isInteger(n))
    throw new Error(
      `tensorSource: ${inputs.length} input values do not split into examples of shape [${inputShape.join(', ')}]`,
    );
  if (targets.length !== n * tper)
    throw new Error(`tensorSource: ${n} examples need ${n * tper} target values, got ${targets.length}`);
  return {
    length: n,
    inputShape,
    targetShape,
    targetKind: targets instanceof Int32Array ? 'class' : 'float',
    fill(ids, input, target) {
      for (let b = 0; b < ids.length; b++) {
        const id = ids[b];
        input.set(inputs.subarray(id * per, (id + 1) * per), b * per);
        for (let k = 0; k < tper; k++) target[b * tper + k] = targets[id * tper + k];
      }
    },
  };
}

/**
 * An LBDS image dataset's train (ids 0 … train − 1) or test split, through the torchvision
 * transforms of data/transforms.ts; augmentation draws from `rng` on training batches only.
 */
export function imageSource(
  ds: ImageDataset,
  split: 'train' | 'test',
  transforms: TransformConfig,
  rng: Rng,
): BatchSource {
  const offset = split === 'train' ? 0 : ds.train,
    length = split === 'train' ? ds.train : ds.test;
  if (ds.values) return tableSource(ds, ds.values, offset, length);
  let ids = new Int32Array(0);
  return {
    length,
    inputShape: [ds.channels, ds.height, ds.width],
    targetShape: [],
    targetKind: 'class',
    fill(batchIds, input, target, train) {
      if (ids.length !== batchIds.length) ids = new Int32Array(batchIds.length);
      for (let b = 0; b < batchIds.length; b++) ids[b] = batchIds[b] + offset;
      fillBatch(ds, ids, transforms, train ? rng : null, input, target as Int32Array);
    },
  };
}

/** Rows offset … offset + length − 1 of a table: feature vectors, class indices or (regression) [1] float targets. */
function tableSource(ds: ImageDataset, values: Float32Array, offset: number, length: number): BatchSource {
  const f = ds.channels,
    targets = ds.targets;
  return {
    length,
    inputShape: [f],
    targetShape: targets ? [1] : [],
    targetKind: targets ? 'float' : 'class',
    fill(batchIds, input, target) {
      for (let b = 0; b < batchIds.length; b++) {
        const row = batchIds[b] + offset;
        input.set(values.subarray(row * f, row * f + f), b * f);
        target[b] = targets ? targets[row] : ds.labels[row];
      }
    },
  };
}

export interface DataLoaderOptions {
  batchSize: number;
  shuffle?: boolean;
  dropLast?: boolean;
  /** Seeds the shuffling (default 0). */
  seed?: number;
  /** A subset of the source's ids (e.g. a train/validation split); default all, in order. */
  indices?: Int32Array;
  /** Training batches (augmentation on); default false. */
  train?: boolean;
}

export class DataLoader {
  readonly batchSize: number;
  private readonly ids: Int32Array;
  private readonly order: Int32Array;
  private readonly rng: Rng;
  private readonly slots = new Map<number, Batch>();

  constructor(
    readonly source: BatchSource,
    private readonly options: DataLoaderOptions,
  ) {
    const bs = options.batchSize;
    if (!Number.isInteger(bs) || bs < 1)
      throw new Error(`DataLoader: batch_size must be a positive integer, got ${bs}`);
    this.batchSize = bs;
    this.ids = options.indices ?? Int32Array.from({ length: source.length }, (_, i) => i);
    for (const id of this.ids)
      if (!(id >= 0 && id < source.length))
        throw new Error(`DataLoader: index ${id} is outside the dataset (0 … ${source.length - 1})`);
    this.order = new Int32Array(this.ids.length);
    this.rng = new Rng(options.seed ?? 0);
  }

  /** The shuffling generator's state (continued by a continued run). */
  get rngState(): number[] {
    return this.rng.getState();
  }
  set rngState(state: number[]) {
    this.rng.setState(state);
  }

  /** Examples per epoch. */
  get size(): number {
    return this.ids.length;
  }

  /** len(loader): batches per epoch. */
  get length(): number {
    return this.options.dropLast
      ? Math.floor(this.ids.length / this.batchSize)
      : Math.ceil(this.ids.length / this.batchSize);
  }

  /** One epoch of batches; with shuffle, each call draws a new permutation. */
  *batches(): Generator<Batch> {
    this.order.set(this.ids);
    if (this.options.shuffle) this.rng.shuffle(this.order);
    for (let b = 0; b < this.length; b++) {
      const start = b * this.batchSize,
        size = Math.min(this.batchSize, this.order.length - start);
      const batch = this.slot(size);
      this.source.fill(
        this.order.subarray(start, start + size),
        batch.input.data,
        batch.target.data,
        this.options.train ?? false,
      );
      yield batch;
    }
  }

  /** Reused tensors for a batch of `size` examples (full batches, and the last partial one). */
  private slot(size: number): Batch {
    let s = this.slots.get(size);
    if (!s) {
      const { inputShape, targetShape, targetKind } = this.source;
      const input = { shape: [size, ...inputShape], data: new Float32Array(size * numel(inputShape)) };
      const tshape = [size, ...targetShape],
        tn = size * numel(targetShape);
      const target =
        targetKind === 'class'
          ? { shape: tshape, data: new Int32Array(tn) }
          : { shape: tshape, data: new Float32Array(tn) };
      s = { input, target, size };
      this.slots.set(size, s);
    }
    return s;
  }
}

/**
 * random_split(range(n), [1 − valSplit, valSplit]) with a seeded permutation: the first
 * n − ⌊n·valSplit⌋ permuted ids train, the rest validate.
 */
export function splitIndices(n: number, valSplit: number, seed: number): { train: Int32Array; val: Int32Array } {
  if (!(valSplit >= 0 && valSplit < 1)) throw new Error(`valSplit must be in [0, 1), got ${valSplit}`);
  // nothing held out: keep the natural order (shuffle=False then means in order)
  if (Math.floor(n * valSplit) === 0)
    return { train: Int32Array.from({ length: n }, (_, i) => i), val: new Int32Array(0) };
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  new Rng(seed).shuffle(perm);
  const nVal = Math.floor(n * valSplit);
  return { train: perm.slice(0, n - nVal), val: perm.slice(n - nVal) };
}
