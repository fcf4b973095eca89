// LayerSpec (PyTorch keywords as written) -> ResolvedLayer (what the math needs):
// defaults filled, pairs expanded, None and padding strings given their meaning.
import { CATALOGUE, isLayerType } from './catalogue.ts';
import type { ResolvedAvgPool2d, ResolvedConv2d, ResolvedLayer, ResolvedMaxPool2d } from './resolved.ts';
import { samePadding } from './shape-math.ts';
import type { LayerSpec, Pair } from './types.ts';
import { validateLayer, type FieldError } from './validate.ts';

/** Thrown by resolveLayer for an invalid spec; `message` is the first problem's. */
export class LayerSpecError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors[0]?.message ?? 'invalid layer');
    this.name = 'LayerSpecError';
  }
}

/** The spec with every keyword present, PyTorch's defaults filled (raw form, pairs kept as given). */
export function withDefaults(spec: LayerSpec): LayerSpec {
  if (!isLayerType(spec.type)) return { ...spec };
  const out: LayerSpec = { type: spec.type };
  for (const p of CATALOGUE[spec.type].params) {
    const v = spec[p.name];
    if (v !== undefined) out[p.name] = v;
    else if (!p.required) out[p.name] = p.default;
  }
  for (const key of Object.keys(spec)) if (!(key in out)) out[key] = spec[key];
  return out;
}

/** `_pair`: an int means the same value for height and width. */
export function toPair(v: unknown): Pair {
  return Array.isArray(v) ? [v[0] as number, v[1] as number] : [v as number, v as number];
}

function resolveConv(s: LayerSpec): ResolvedConv2d {
  const kernel = toPair(s.kernel_size);
  const dilation = toPair(s.dilation);
  let padBegin: Pair;
  let padEnd: Pair;
  if (s.padding === 'valid') {
    padBegin = [0, 0];
    padEnd = [0, 0];
  } else if (s.padding === 'same') {
    const [h, w] = [samePadding(kernel[0], dilation[0]), samePadding(kernel[1], dilation[1])];
    padBegin = [h[0], w[0]];
    padEnd = [h[1], w[1]];
  } else {
    padBegin = toPair(s.padding);
    padEnd = toPair(s.padding);
  }
  return {
    type: 'Conv2d',
    in_channels: s.in_channels as number,
    out_channels: s.out_channels as number,
    kernel,
    stride: toPair(s.stride),
    dilation,
    padBegin,
    padEnd,
    groups: s.groups as number,
    bias: s.bias as boolean,
    padding_mode: s.padding_mode as ResolvedConv2d['padding_mode'],
  };
}

/** Pools: stride None means the kernel. */
function resolvePool(s: LayerSpec): ResolvedMaxPool2d | ResolvedAvgPool2d {
  const kernel = toPair(s.kernel_size);
  const common = {
    kernel,
    stride: s.stride === null ? kernel : toPair(s.stride),
    padding: toPair(s.padding),
    ceil_mode: s.ceil_mode as boolean,
  };
  if (s.type === 'MaxPool2d') return { type: 'MaxPool2d', ...common, dilation: toPair(s.dilation) };
  return {
    type: 'AvgPool2d',
    ...common,
    count_include_pad: s.count_include_pad as boolean,
    divisor_override: s.divisor_override as number | null,
  };
}

/** A spec already validated and with defaults filled, resolved. */
function resolveValid(s: LayerSpec): ResolvedLayer {
  switch (s.type) {
    case 'Conv2d':
      return resolveConv(s);
    case 'MaxPool2d':
    case 'AvgPool2d':
      return resolvePool(s);
    case 'AdaptiveAvgPool2d': {
      const o = s.output_size;
      return { type: 'AdaptiveAvgPool2d', output_size: Array.isArray(o) ? [o[0], o[1]] : [o as number, o as number] };
    }
    case 'Flatten':
      return { type: 'Flatten', start_dim: s.start_dim as number, end_dim: s.end_dim as number };
    case 'Linear':
      return {
        type: 'Linear',
        in_features: s.in_features as number,
        out_features: s.out_features as number,
        bias: s.bias as boolean,
      };
    case 'ReLU':
    case 'Sigmoid':
    case 'Tanh':
      return { type: s.type };
    case 'LeakyReLU':
      return { type: 'LeakyReLU', negative_slope: s.negative_slope as number };
    case 'GELU':
      return { type: 'GELU', approximate: s.approximate as 'none' | 'tanh' };
    case 'ELU':
      return { type: 'ELU', alpha: s.alpha as number };
    case 'Softmax':
    case 'LogSoftmax':
      return { type: s.type, dim: s.dim as number | null };
    case 'Dropout':
      return { type: 'Dropout', p: s.p as number };
    case 'BatchNorm1d':
    case 'BatchNorm2d':
      return {
        type: s.type,
        num_features: s.num_features as number,
        eps: s.eps as number,
        momentum: s.momentum as number | null,
        affine: s.affine as boolean,
        track_running_stats: s.track_running_stats as boolean,
      };
    default:
      throw new Error(`unknown layer type '${s.type}'`);
  }
}

/**
 * Defaults filled, pairs expanded, None resolved (MaxPool2d stride=None -> kernel).
 * Throws LayerSpecError (message: validateLayer's first message) when the spec is invalid.
 */
export function resolveLayer(spec: LayerSpec): ResolvedLayer {
  const errors = validateLayer(spec);
  if (errors.length > 0) throw new LayerSpecError(errors);
  return resolveValid(withDefaults(spec));
}
