// Image transforms, torchvision's: ToTensor (uint8 → 0..1), Normalize(mean, std),
// RandomHorizontalFlip, RandomCrop(size, padding). Images stay uint8 in memory and a
// batch is transformed into a reused float32 buffer, so CIFAR-10 never needs 600 MB.
import type { Rng } from '../rng.ts';
import type { ImageDataset } from '../../core/formats/lbds.ts';

export interface TransformConfig {
  /** Per-channel mean and std of Normalize; omitted = ToTensor only. */
  normalize?: { mean: number[]; std: number[] };
  /** Training-time augmentation (test/val batches never augment). */
  horizontalFlip?: boolean;
  /** RandomCrop(size = image size, padding): zero-pad then crop back at a random offset. */
  cropPadding?: number;
}

export function validateTransforms(t: TransformConfig, channels: number): void {
  const n = t.normalize;
  if (n) {
    if (n.mean.length !== channels || n.std.length !== channels) {
      throw new Error(
        `Normalize needs ${channels} mean and std values for ${channels}-channel images, got ${n.mean.length} and ${n.std.length}`,
      );
    }
    const bad = n.std.findIndex((s) => !(s > 0));
    if (bad >= 0) throw new Error(`Normalize std[${bad}] must be positive, got ${n.std[bad]}`);
  }
  if (t.cropPadding !== undefined && !(Number.isInteger(t.cropPadding) && t.cropPadding >= 0)) {
    throw new Error(`RandomCrop padding must be a non-negative integer, got ${t.cropPadding}`);
  }
}

/**
 * Writes images `indices` of `ds`, transformed, into `out` ([B, C, H, W] float32) and
 * their labels into `labels`. `rng` drives augmentation; pass null for evaluation.
 */
export function fillBatch(
  ds: ImageDataset,
  indices: ArrayLike<number>,
  t: TransformConfig,
  rng: Rng | null,
  out: Float32Array,
  labels: Int32Array,
): void {
  const { channels: C, height: H, width: W } = ds;
  const plane = H * W;
  const pad = rng ? (t.cropPadding ?? 0) : 0;
  for (let b = 0; b < indices.length; b++) {
    const src = indices[b] * C * plane;
    labels[b] = ds.labels[indices[b]];
    const flip = rng !== null && t.horizontalFlip === true && rng.next() < 0.5;
    const dy = pad ? rng!.int(2 * pad + 1) - pad : 0;
    const dx = pad ? rng!.int(2 * pad + 1) - pad : 0;
    for (let c = 0; c < C; c++) {
      const mean = t.normalize ? t.normalize.mean[c] : 0;
      const scale = t.normalize ? 1 / (255 * t.normalize.std[c]) : 1 / 255;
      const shift = t.normalize ? -mean / t.normalize.std[c] : 0;
      const o = (b * C + c) * plane;
      for (let y = 0; y < H; y++) {
        const sy = y + dy;
        for (let x = 0; x < W; x++) {
          const sx = (flip ? W - 1 - x : x) + dx;
          // Padded pixels are zeros before ToTensor, so they normalize like a black pixel.
          const v = sy < 0 || sy >= H || sx < 0 || sx >= W ? 0 : ds.pixels[src + c * plane + sy * W + sx];
          out[o + y * W + x] = v * scale + shift;
        }
      }
    }
  }
}
