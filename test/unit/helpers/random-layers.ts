// Seeded random layer specs that PyTorch constructs without complaint, with keywords
// randomly omitted, given as ints or pairs, and with awkward floats (1e-05, 0.1+0.2).
import { LAYER_TYPES, type LayerSpec } from '../../../src/core/model/types.ts';

export type Rng = () => number;

/** mulberry32: a tiny seeded PRNG, so failures reproduce. */
export function makeRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
const maybe = (rng: Rng): boolean => rng() < 0.5;
const FLOATS = [1e-5, 1e-10, 0.1, 0.2, 0.30000000000000004, 1e-3, 2.5e-7, 0.0001, 1, 2, 0.5, 1e16, 123.456, 3];
const floatIn = (rng: Rng, lo: number, hi: number): number =>
  maybe(rng)
    ? Math.round((lo + rng() * (hi - lo)) * 1000) / 1000
    : pick(
        rng,
        FLOATS.filter((f) => f >= lo && f <= hi),
      );
const pairOf = (rng: Rng, lo: number, hi: number): number | number[] =>
  maybe(rng) ? int(rng, lo, hi) : [int(rng, lo, hi), int(rng, lo, hi)];

/** Sets `key` to `value` half the time (omitted keywords take PyTorch's default). */
function opt(spec: LayerSpec, rng: Rng, key: string, value: unknown): void {
  if (maybe(rng)) spec[key] = value;
}

function conv(rng: Rng): LayerSpec {
  const groups = pick(rng, [1, 1, 2, 4]);
  const s: LayerSpec = {
    type: 'Conv2d',
    in_channels: groups * int(rng, 1, 4),
    out_channels: groups * int(rng, 1, 8),
    kernel_size: pairOf(rng, 1, 5),
  };
  const same = rng() < 0.15;
  if (same) s.padding = pick(rng, ['same', 'valid']);
  else opt(s, rng, 'padding', pairOf(rng, 0, 3));
  if (!same || s.padding === 'valid') opt(s, rng, 'stride', pairOf(rng, 1, 3));
  opt(s, rng, 'dilation', pairOf(rng, 1, 2));
  if (groups > 1 || maybe(rng)) s.groups = groups;
  opt(s, rng, 'bias', maybe(rng));
  opt(s, rng, 'padding_mode', pick(rng, ['zeros', 'reflect', 'replicate', 'circular']));
  return s;
}

function pool(rng: Rng, type: 'MaxPool2d' | 'AvgPool2d'): LayerSpec {
  const k = int(rng, 1, 5);
  const s: LayerSpec = { type, kernel_size: maybe(rng) ? k : [k, int(rng, 1, 5)] };
  const ks = Array.isArray(s.kernel_size) ? (s.kernel_size as number[]) : [k, k];
  opt(s, rng, 'stride', rng() < 0.3 ? null : pairOf(rng, 1, 3));
  // PyTorch: padding at most half the kernel, per dimension.
  opt(
    s,
    rng,
    'padding',
    maybe(rng) ? int(rng, 0, Math.floor(Math.min(...ks) / 2)) : ks.map((x) => int(rng, 0, Math.floor(x / 2))),
  );
  opt(s, rng, 'ceil_mode', maybe(rng));
  if (type === 'MaxPool2d') opt(s, rng, 'dilation', pairOf(rng, 1, 2));
  else {
    opt(s, rng, 'count_include_pad', maybe(rng));
    opt(s, rng, 'divisor_override', maybe(rng) ? null : int(rng, 1, 9));
  }
  return s;
}

function batchNorm(rng: Rng, type: 'BatchNorm1d' | 'BatchNorm2d'): LayerSpec {
  const s: LayerSpec = { type, num_features: int(rng, 1, 64) };
  opt(s, rng, 'eps', pick(rng, [1e-5, 1e-3, 0.1, 1e-10, 2.5e-7]));
  opt(s, rng, 'momentum', maybe(rng) ? null : floatIn(rng, 0, 1));
  opt(s, rng, 'affine', maybe(rng));
  opt(s, rng, 'track_running_stats', maybe(rng));
  return s;
}

const MAKERS: Record<(typeof LAYER_TYPES)[number], (rng: Rng) => LayerSpec> = {
  Conv2d: conv,
  MaxPool2d: (rng) => pool(rng, 'MaxPool2d'),
  AvgPool2d: (rng) => pool(rng, 'AvgPool2d'),
  AdaptiveAvgPool2d: (rng) => ({
    type: 'AdaptiveAvgPool2d',
    output_size: maybe(rng) ? int(rng, 1, 7) : [pick(rng, [null, 1, 3, 5]), pick(rng, [null, 2, 4])],
  }),
  Flatten: (rng) => {
    const s: LayerSpec = { type: 'Flatten' };
    const [start, end] = pick(rng, [
      [1, -1],
      [0, 2],
      [2, 3],
      [1, 2],
      [0, -1],
      [1, 1],
    ]);
    opt(s, rng, 'start_dim', start);
    opt(s, rng, 'end_dim', end);
    return s;
  },
  Linear: (rng) => {
    const s: LayerSpec = { type: 'Linear', in_features: int(rng, 1, 2048), out_features: int(rng, 1, 512) };
    opt(s, rng, 'bias', maybe(rng));
    return s;
  },
  ReLU: (rng) => {
    const s: LayerSpec = { type: 'ReLU' };
    opt(s, rng, 'inplace', maybe(rng));
    return s;
  },
  LeakyReLU: (rng) => {
    const s: LayerSpec = { type: 'LeakyReLU' };
    opt(s, rng, 'negative_slope', floatIn(rng, 0, 1));
    opt(s, rng, 'inplace', maybe(rng));
    return s;
  },
  Sigmoid: () => ({ type: 'Sigmoid' }),
  Tanh: () => ({ type: 'Tanh' }),
  GELU: (rng) => {
    const s: LayerSpec = { type: 'GELU' };
    opt(s, rng, 'approximate', pick(rng, ['none', 'tanh']));
    return s;
  },
  ELU: (rng) => {
    const s: LayerSpec = { type: 'ELU' };
    opt(s, rng, 'alpha', floatIn(rng, 0, 3));
    opt(s, rng, 'inplace', maybe(rng));
    return s;
  },
  Softmax: (rng) => {
    const s: LayerSpec = { type: 'Softmax' };
    opt(s, rng, 'dim', pick(rng, [null, 0, 1, -1, 2]));
    return s;
  },
  LogSoftmax: (rng) => {
    const s: LayerSpec = { type: 'LogSoftmax' };
    opt(s, rng, 'dim', pick(rng, [null, 0, 1, -1, 2]));
    return s;
  },
  Dropout: (rng) => {
    const s: LayerSpec = { type: 'Dropout' };
    opt(s, rng, 'p', floatIn(rng, 0, 1));
    opt(s, rng, 'inplace', maybe(rng));
    return s;
  },
  BatchNorm1d: (rng) => batchNorm(rng, 'BatchNorm1d'),
  BatchNorm2d: (rng) => batchNorm(rng, 'BatchNorm2d'),
};

export function randomLayer(rng: Rng, type = pick(rng, LAYER_TYPES)): LayerSpec {
  return MAKERS[type](rng);
}

/** `count` layers of every catalogue type, so each type is exercised. */
export function randomLayersOfEveryType(seed: number, count: number): LayerSpec[] {
  const rng = makeRng(seed);
  return LAYER_TYPES.flatMap((type) => Array.from({ length: count }, () => randomLayer(rng, type)));
}
