// A dataset split fed to the DataLoader in the model's input shape ([1, 28, 28] images
// also feed a [784] MLP input), with the training config's torchvision transforms.
import type { TrainingConfig } from '../core/run/training-config.ts';
import type { ImageDataset } from '../core/formats/lbds.ts';
import type { TransformConfig } from './data/transforms.ts';
import { imageSource, type BatchSource } from './data-loader.ts';
import type { Rng } from './rng.ts';

export function transformsOf(config: TrainingConfig): TransformConfig {
  const t = config.transforms;
  return t ? { normalize: t.normalize ?? undefined, horizontalFlip: t.horizontalFlip, cropPadding: t.cropPadding } : {};
}

/** A split of `ds` whose examples have the model's input shape (same number of values). */
export function splitSource(
  ds: ImageDataset,
  split: 'train' | 'test',
  modelInput: number[],
  transforms: TransformConfig,
  rng: Rng,
): BatchSource {
  const src = imageSource(ds, split, transforms, rng);
  const per = ds.channels * ds.height * ds.width,
    want = modelInput.reduce((a, d) => a * d, 1);
  if (per !== want) {
    throw new Error(
      `the model takes inputs of shape [${modelInput.join(', ')}] (${want} values) but ${ds.name} images are [${ds.channels}, ${ds.height}, ${ds.width}] (${per} values)`,
    );
  }
  return {
    length: src.length,
    inputShape: [...modelInput],
    targetShape: src.targetShape,
    targetKind: src.targetKind,
    fill: (ids, input, target, train) => src.fill(ids, input, target, train),
  };
}
