// A learnable synthetic classification dataset generated from a seed: each class is a
// Gaussian blob at its own place (and with its own per-channel brightness) in an image of
// the model's input shape, plus pixel noise. Same layout as the real datasets
// (uint8 pixels, train examples first), so the trainer treats it like MNIST.
import type { ImageDataset } from '../core/formats/lbds.ts';
import { Rng } from './rng.ts';

export interface SyntheticOptions {
  /** Input shape without the batch: [C, H, W], [C, L] or [F]. */
  input: number[];
  classes: number;
  train: number;
  test: number;
  seed: number;
  /** Standard deviation of the pixel noise, in 0..255 units (default 40). */
  noise?: number;
}

/** [C, H, W] of an input shape: [F] → [1, 1, F], [C, L] → [C, 1, L]. */
export function imageDims(input: readonly number[]): [number, number, number] {
  if (input.length === 3) return [input[0], input[1], input[2]];
  if (input.length === 2) return [input[0], 1, input[1]];
  if (input.length === 1) return [1, 1, input[0]];
  throw new Error(`synthetic dataset: input shape must be [C, H, W], [C, L] or [F], got [${input.join(', ')}]`);
}

function check(o: SyntheticOptions): void {
  const int = (v: number, min: number) => Number.isInteger(v) && v >= min;
  if (!int(o.classes, 2) || o.classes > 255)
    throw new Error(`synthetic dataset: classes must be an integer in 2..255, got ${o.classes}`);
  if (!int(o.train, 1)) throw new Error(`synthetic dataset: train must be a positive integer, got ${o.train}`);
  if (!int(o.test, 0)) throw new Error(`synthetic dataset: test must be a non-negative integer, got ${o.test}`);
  if (!o.input.every((d) => int(d, 1)))
    throw new Error(`synthetic dataset: input dimensions must be positive integers, got [${o.input.join(', ')}]`);
}

/** One prototype image per class: a blob at a class-specific place, brightness per channel. */
function prototypes(rng: Rng, classes: number, [C, H, W]: [number, number, number]): Float32Array[] {
  const sigma = Math.max(1, Math.min(H, W) / 4, H === 1 ? W / 8 : 0);
  return Array.from({ length: classes }, () => {
    const cy = rng.uniform(0, H - 1),
      cx = rng.uniform(0, W - 1);
    const p = new Float32Array(C * H * W);
    for (let c = 0; c < C; c++) {
      const bright = rng.uniform(0.4, 1);
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const r2 = (y - cy) ** 2 + (x - cx) ** 2;
          p[(c * H + y) * W + x] = 30 + 200 * bright * Math.exp(-r2 / (2 * sigma * sigma));
        }
      }
    }
    return p;
  });
}

export function syntheticDataset(o: SyntheticOptions): ImageDataset {
  check(o);
  const dims = imageDims(o.input),
    [C, H, W] = dims,
    size = C * H * W;
  const rng = new Rng(o.seed);
  const protos = prototypes(rng, o.classes, dims);
  const n = o.train + o.test,
    noise = o.noise ?? 40;
  const labels = new Uint8Array(n),
    pixels = new Uint8Array(n * size);
  // balanced classes, in a seeded random order
  const order = Array.from({ length: n }, (_, i) => i % o.classes);
  rng.shuffle(order);
  for (let i = 0; i < n; i++) {
    const k = order[i],
      proto = protos[k];
    labels[i] = k;
    for (let j = 0; j < size; j++)
      pixels[i * size + j] = Math.max(0, Math.min(255, Math.round(proto[j] + noise * rng.normal())));
  }
  return {
    name: 'synthetic',
    classes: Array.from({ length: o.classes }, (_, k) => `class ${k}`),
    channels: C,
    height: H,
    width: W,
    train: o.train,
    test: o.test,
    pixels,
    labels,
    source: `synthetic seed ${o.seed}`,
  };
}
