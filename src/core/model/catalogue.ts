// The layer catalogue as data: PyTorch's constructor keywords, types, defaults and
// docs for every layer Layerboard knows. The inspector form, validation, code export
// and docs are all driven from this table (after netron's pytorch-metadata.json).
import type { LayerType } from './types.ts';

export type LayerCategory =
  'Convolution' | 'Pooling' | 'Linear' | 'Activation' | 'Normalization' | 'Regularization' | 'Reshape';

export const CATEGORIES: LayerCategory[] = [
  'Convolution',
  'Pooling',
  'Linear',
  'Activation',
  'Normalization',
  'Regularization',
  'Reshape',
];

/**
 * One constructor keyword.
 * - int / float / bool: a Python scalar of that type.
 * - pair: an int or an [h, w] pair of ints (`_pair` in PyTorch); `strings` lists
 *   string values also accepted (Conv2d padding 'same'/'valid'); `nullableItems` lets
 *   either element be None (AdaptiveAvgPool2d output_size).
 * - choice: one of `choices` (strings).
 */
export interface ParamSpec {
  name: string;
  kind: 'int' | 'float' | 'bool' | 'pair' | 'choice';
  /** PyTorch's default; absent when the keyword is required. */
  default?: unknown;
  required?: boolean;
  /** None is allowed (MaxPool2d stride, Softmax dim, BatchNorm momentum). */
  nullable?: boolean;
  nullableItems?: boolean;
  /** Inclusive bounds on numbers (each element of a pair). */
  min?: number;
  max?: number;
  /** Strictly greater than (eps > 0). */
  above?: number;
  choices?: string[];
  strings?: string[];
  /** Shown in the inspector; keywords like `inplace` have no effect on the math. */
  doc: string;
  /** Keywords that matter only to PyTorch's memory use, hidden from the main form. */
  advanced?: boolean;
}

export interface LayerDef {
  type: LayerType;
  category: LayerCategory;
  /** One line, what the layer computes. */
  doc: string;
  url: string;
  params: ParamSpec[];
  /** Keywords printed in the node badge, in order (e.g. out_channels, kernel_size, padding). */
  badge: string[];
}

/**
 * Size limits of a model (docs/model-format.md, "Limits"). PyTorch takes any int64 and
 * fails only when it allocates — Conv2d(3, 2**31, 3) asks for 232 GB, kernel_size=2**40
 * overflows its storage size, 10**21 is not even an int64 — so these refuse such values up
 * front, each error naming the keyword, the limit and the value.
 */
export const MODEL_LIMITS = {
  /**
   * Elements of one tensor: a layer's weight, or one sample's input or activation.
   * 2^31 − 1, what int32 indexing addresses (8 GiB of float32, past what a browser tab holds).
   */
  elements: 2 ** 31 - 1,
  /** Channels and features (in/out_channels, in/out_features, num_features), and divisor_override. */
  size: 2 ** 31 - 1,
  /** Each input dimension, and window keywords (kernel_size, stride, padding, dilation, output_size). */
  dim: 1_000_000,
} as const;
const SIZE = MODEL_LIMITS.size;
const DIM = MODEL_LIMITS.dim;

const DOCS = 'https://pytorch.org/docs/stable/generated/torch.nn.';
const inplace: ParamSpec = {
  name: 'inplace',
  kind: 'bool',
  default: false,
  doc: 'Overwrite the input in place (memory only; same result).',
  advanced: true,
};

const batchNorm = (type: 'BatchNorm1d' | 'BatchNorm2d', input: string): LayerDef => ({
  type,
  category: 'Normalization',
  url: `${DOCS}${type}.html`,
  badge: ['num_features'],
  doc: `Normalizes each channel of ${input} by batch statistics (train) or running statistics (eval), then scales and shifts.`,
  params: [
    { name: 'num_features', kind: 'int', required: true, min: 1, max: SIZE, doc: 'Number of channels C of the input.' },
    { name: 'eps', kind: 'float', default: 1e-5, above: 0, doc: 'Added to the variance for numerical stability.' },
    {
      name: 'momentum',
      kind: 'float',
      default: 0.1,
      nullable: true,
      min: 0,
      max: 1,
      doc: 'Running-stats update factor; None gives a cumulative moving average.',
    },
    { name: 'affine', kind: 'bool', default: true, doc: 'Learnable per-channel weight (γ) and bias (β).' },
    { name: 'track_running_stats', kind: 'bool', default: true, doc: 'Keep running mean/var for eval mode.' },
  ],
});

const pool = (type: 'MaxPool2d' | 'AvgPool2d'): ParamSpec[] => [
  { name: 'kernel_size', kind: 'pair', required: true, min: 1, max: DIM, doc: 'Size of the pooling window.' },
  {
    name: 'stride',
    kind: 'pair',
    default: null,
    nullable: true,
    min: 1,
    max: DIM,
    doc: 'Step of the window; None means kernel_size.',
  },
  {
    name: 'padding',
    kind: 'pair',
    default: 0,
    min: 0,
    max: DIM,
    doc: `Implicit ${type === 'MaxPool2d' ? '-inf' : 'zero'} padding on both sides; at most half the kernel.`,
  },
];

export const CATALOGUE: Record<LayerType, LayerDef> = {
  Conv2d: {
    type: 'Conv2d',
    category: 'Convolution',
    url: `${DOCS}Conv2d.html`,
    doc: '2-D convolution over an input of several channels.',
    badge: ['out_channels', 'kernel_size', 'stride', 'padding'],
    params: [
      { name: 'in_channels', kind: 'int', required: true, min: 1, max: SIZE, doc: 'Channels of the input image.' },
      {
        name: 'out_channels',
        kind: 'int',
        required: true,
        min: 1,
        max: SIZE,
        doc: 'Channels produced by the convolution.',
      },
      { name: 'kernel_size', kind: 'pair', required: true, min: 1, max: DIM, doc: 'Size of the convolving kernel.' },
      { name: 'stride', kind: 'pair', default: 1, min: 1, max: DIM, doc: 'Stride of the convolution.' },
      {
        name: 'padding',
        kind: 'pair',
        default: 0,
        min: 0,
        max: DIM,
        strings: ['valid', 'same'],
        doc: "Padding added to all four sides, or 'valid' / 'same'.",
      },
      { name: 'dilation', kind: 'pair', default: 1, min: 1, max: DIM, doc: 'Spacing between kernel elements.' },
      {
        name: 'groups',
        kind: 'int',
        default: 1,
        min: 1,
        doc: 'Blocked connections from input to output channels; must divide both.',
      },
      { name: 'bias', kind: 'bool', default: true, doc: 'Add a learnable bias.' },
      {
        name: 'padding_mode',
        kind: 'choice',
        default: 'zeros',
        choices: ['zeros', 'reflect', 'replicate', 'circular'],
        doc: 'How padded values are filled.',
      },
    ],
  },
  MaxPool2d: {
    type: 'MaxPool2d',
    category: 'Pooling',
    url: `${DOCS}MaxPool2d.html`,
    doc: 'Maximum over sliding windows of each channel.',
    badge: ['kernel_size', 'stride', 'padding'],
    params: [
      ...pool('MaxPool2d'),
      { name: 'dilation', kind: 'pair', default: 1, min: 1, max: DIM, doc: 'Spacing between window elements.' },
      {
        name: 'return_indices',
        kind: 'bool',
        default: false,
        doc: 'Also return argmax indices (not usable inside nn.Sequential).',
      },
      { name: 'ceil_mode', kind: 'bool', default: false, doc: 'Use ceil instead of floor for the output size.' },
    ],
  },
  AvgPool2d: {
    type: 'AvgPool2d',
    category: 'Pooling',
    url: `${DOCS}AvgPool2d.html`,
    doc: 'Average over sliding windows of each channel.',
    badge: ['kernel_size', 'stride', 'padding'],
    params: [
      ...pool('AvgPool2d'),
      { name: 'ceil_mode', kind: 'bool', default: false, doc: 'Use ceil instead of floor for the output size.' },
      { name: 'count_include_pad', kind: 'bool', default: true, doc: 'Count the zero padding in the average.' },
      {
        name: 'divisor_override',
        kind: 'int',
        default: null,
        nullable: true,
        min: 1,
        max: SIZE,
        doc: 'Divide by this instead of the window size.',
      },
    ],
  },
  AdaptiveAvgPool2d: {
    type: 'AdaptiveAvgPool2d',
    category: 'Pooling',
    url: `${DOCS}AdaptiveAvgPool2d.html`,
    doc: 'Average pooling to a fixed output size, whatever the input size.',
    badge: ['output_size'],
    params: [
      {
        name: 'output_size',
        kind: 'pair',
        required: true,
        min: 1,
        max: DIM,
        nullableItems: true,
        doc: 'Target H×W; None keeps that input size.',
      },
    ],
  },
  Flatten: {
    type: 'Flatten',
    category: 'Reshape',
    url: `${DOCS}Flatten.html`,
    doc: 'Flattens dims start_dim..end_dim into one.',
    badge: [],
    params: [
      { name: 'start_dim', kind: 'int', default: 1, doc: 'First dim to flatten (negative counts from the end).' },
      { name: 'end_dim', kind: 'int', default: -1, doc: 'Last dim to flatten (negative counts from the end).' },
    ],
  },
  Linear: {
    type: 'Linear',
    category: 'Linear',
    url: `${DOCS}Linear.html`,
    doc: 'Affine map y = xWᵀ + b over the last dimension.',
    badge: ['out_features'],
    params: [
      {
        name: 'in_features',
        kind: 'int',
        required: true,
        min: 1,
        max: SIZE,
        doc: 'Size of each input sample (last dim).',
      },
      { name: 'out_features', kind: 'int', required: true, min: 1, max: SIZE, doc: 'Size of each output sample.' },
      { name: 'bias', kind: 'bool', default: true, doc: 'Add a learnable bias.' },
    ],
  },
  ReLU: {
    type: 'ReLU',
    category: 'Activation',
    url: `${DOCS}ReLU.html`,
    doc: 'max(0, x), elementwise.',
    badge: [],
    params: [inplace],
  },
  LeakyReLU: {
    type: 'LeakyReLU',
    category: 'Activation',
    url: `${DOCS}LeakyReLU.html`,
    doc: 'x for x ≥ 0, negative_slope·x otherwise.',
    badge: ['negative_slope'],
    params: [{ name: 'negative_slope', kind: 'float', default: 0.01, doc: 'Slope for negative inputs.' }, inplace],
  },
  Sigmoid: {
    type: 'Sigmoid',
    category: 'Activation',
    url: `${DOCS}Sigmoid.html`,
    doc: '1 / (1 + e^(−x)), elementwise.',
    badge: [],
    params: [],
  },
  Tanh: {
    type: 'Tanh',
    category: 'Activation',
    url: `${DOCS}Tanh.html`,
    doc: 'Hyperbolic tangent, elementwise.',
    badge: [],
    params: [],
  },
  GELU: {
    type: 'GELU',
    category: 'Activation',
    url: `${DOCS}GELU.html`,
    doc: 'x·Φ(x), the Gaussian error linear unit.',
    badge: ['approximate'],
    params: [
      {
        name: 'approximate',
        kind: 'choice',
        default: 'none',
        choices: ['none', 'tanh'],
        doc: "'tanh' uses the tanh approximation.",
      },
    ],
  },
  ELU: {
    type: 'ELU',
    category: 'Activation',
    url: `${DOCS}ELU.html`,
    doc: 'x for x > 0, α·(eˣ − 1) otherwise.',
    badge: ['alpha'],
    params: [{ name: 'alpha', kind: 'float', default: 1.0, doc: 'Scale of the negative part.' }, inplace],
  },
  Softmax: {
    type: 'Softmax',
    category: 'Activation',
    url: `${DOCS}Softmax.html`,
    doc: 'Rescales a dim to probabilities summing to 1.',
    badge: ['dim'],
    params: [
      {
        name: 'dim',
        kind: 'int',
        default: null,
        nullable: true,
        doc: 'Dim to normalize; None picks one implicitly (deprecated in PyTorch).',
      },
    ],
  },
  LogSoftmax: {
    type: 'LogSoftmax',
    category: 'Activation',
    url: `${DOCS}LogSoftmax.html`,
    doc: 'log(softmax(x)) along a dim, computed stably.',
    badge: ['dim'],
    params: [
      {
        name: 'dim',
        kind: 'int',
        default: null,
        nullable: true,
        doc: 'Dim to normalize; None picks one implicitly (deprecated in PyTorch).',
      },
    ],
  },
  Dropout: {
    type: 'Dropout',
    category: 'Regularization',
    url: `${DOCS}Dropout.html`,
    doc: 'Zeroes elements with probability p in training, scaling the rest by 1/(1−p).',
    badge: ['p'],
    params: [
      { name: 'p', kind: 'float', default: 0.5, min: 0, max: 1, doc: 'Probability of an element being zeroed.' },
      inplace,
    ],
  },
  BatchNorm1d: batchNorm('BatchNorm1d', 'a [N, C] or [N, C, L] input'),
  BatchNorm2d: batchNorm('BatchNorm2d', 'an [N, C, H, W] input'),
};

export function isLayerType(type: unknown): type is LayerType {
  return typeof type === 'string' && Object.hasOwn(CATALOGUE, type);
}
