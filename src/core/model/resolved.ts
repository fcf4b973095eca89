// Layers with every keyword resolved: defaults filled in, pairs expanded, None
// replaced by its meaning. What the engine and shape inference compute from.
// `resolveLayer` (resolve.ts) turns a validated LayerSpec into one of these.
import type { Pair } from './types.ts';

export interface ResolvedConv2d {
  type: 'Conv2d';
  in_channels: number;
  out_channels: number;
  kernel: Pair;
  stride: Pair;
  dilation: Pair;
  /** Padding before/after in [h, w]; equal unless padding='same' with an even span. */
  padBegin: Pair;
  padEnd: Pair;
  groups: number;
  bias: boolean;
  padding_mode: 'zeros' | 'reflect' | 'replicate' | 'circular';
}
export interface ResolvedMaxPool2d {
  type: 'MaxPool2d';
  kernel: Pair;
  stride: Pair;
  padding: Pair;
  dilation: Pair;
  ceil_mode: boolean;
}
export interface ResolvedAvgPool2d {
  type: 'AvgPool2d';
  kernel: Pair;
  stride: Pair;
  padding: Pair;
  ceil_mode: boolean;
  count_include_pad: boolean;
  divisor_override: number | null;
}
/** null keeps that input dimension. */
export interface ResolvedAdaptiveAvgPool2d {
  type: 'AdaptiveAvgPool2d';
  output_size: [number | null, number | null];
}
export interface ResolvedFlatten {
  type: 'Flatten';
  start_dim: number;
  end_dim: number;
}
export interface ResolvedLinear {
  type: 'Linear';
  in_features: number;
  out_features: number;
  bias: boolean;
}
export interface ResolvedReLU {
  type: 'ReLU';
}
export interface ResolvedLeakyReLU {
  type: 'LeakyReLU';
  negative_slope: number;
}
export interface ResolvedSigmoid {
  type: 'Sigmoid';
}
export interface ResolvedTanh {
  type: 'Tanh';
}
export interface ResolvedGELU {
  type: 'GELU';
  approximate: 'none' | 'tanh';
}
export interface ResolvedELU {
  type: 'ELU';
  alpha: number;
}
/** dim null: PyTorch's implicit choice (_get_softmax_dim: 0 for 0-, 1- or 3-D input, else 1). */
export interface ResolvedSoftmax {
  type: 'Softmax' | 'LogSoftmax';
  dim: number | null;
}
export interface ResolvedDropout {
  type: 'Dropout';
  p: number;
}
export interface ResolvedBatchNorm {
  type: 'BatchNorm1d' | 'BatchNorm2d';
  num_features: number;
  eps: number;
  /** null: cumulative moving average (1 / num_batches_tracked). */
  momentum: number | null;
  affine: boolean;
  track_running_stats: boolean;
}

export type ResolvedLayer =
  | ResolvedConv2d
  | ResolvedMaxPool2d
  | ResolvedAvgPool2d
  | ResolvedAdaptiveAvgPool2d
  | ResolvedFlatten
  | ResolvedLinear
  | ResolvedReLU
  | ResolvedLeakyReLU
  | ResolvedSigmoid
  | ResolvedTanh
  | ResolvedGELU
  | ResolvedELU
  | ResolvedSoftmax
  | ResolvedDropout
  | ResolvedBatchNorm;
