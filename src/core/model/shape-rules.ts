// What each layer does to a shape, and PyTorch's reasons to refuse an input (1.13):
// wrong rank, wrong channel or feature count, a kernel larger than the padded input,
// a pooled size below 1, dims out of range, BatchNorm with one value per channel in
// train mode. Messages show the arithmetic and where the offending size came from.
import type {
  ResolvedAdaptiveAvgPool2d,
  ResolvedAvgPool2d,
  ResolvedBatchNorm,
  ResolvedConv2d,
  ResolvedFlatten,
  ResolvedLayer,
  ResolvedLinear,
  ResolvedMaxPool2d,
  ResolvedSoftmax,
} from './resolved.ts';
import { MODEL_LIMITS } from './catalogue.ts';
import { convOutSize, effectiveKernel, flattenShape, poolOutSize, valuesPerChannel, wrapDim } from './shape-math.ts';
import type { LayerSpec, Shape } from './types.ts';

/**
 * A change that makes the layer run: `{...spec, [field]: value}`, after inserting `insert`
 * (layers, in order) right before the layer on its input edge — the missing Flatten.
 */
export interface ShapeFix {
  field: string;
  value: unknown;
  label: string;
  insert?: LayerSpec[];
}

/** PyTorch would raise on this input; `fix` is a keyword change that makes it run. */
export class ShapeRuleError extends Error {
  constructor(
    message: string,
    readonly fix?: ShapeFix,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ShapeRuleError';
  }
}

/** Where a dim's size was set: layer index (-1: the input), and the sizes a Flatten multiplied. */
export interface DimOrigin {
  layer: number;
  factors?: number[];
}
export interface RuleContext {
  input: Shape;
  origins: DimOrigin[];
  /** Layer types of the whole Sequential (or the graph's nodes), to name origins. */
  types: string[];
  /** In a graph: node names, so origins read `Flatten 'flat'` rather than `Flatten (layer 6)`. */
  names?: string[];
  /** In a graph: the node whose output is this layer's input (-1: the model input); a chain's is index - 1. */
  inputFrom?: number;
  training: boolean;
  /** Position of the layer being checked; undefined when checked alone. */
  index?: number;
  /** AdaptiveAvgPool2d's output_size was one int, not a pair (Python skips a rank check then). */
  scalarOutputSize?: boolean;
}

const DIM_NAMES = ['height', 'width'];
const fmt = (s: Shape): string => (s.length === 0 ? '[]' : s.join('×'));
const plural = (n: number, word: string): string => `${n === 1 ? word : `${word}s`}`;
const set = (field: string, value: unknown): ShapeFix => ({ field, value, label: `set ${field} = ${value}` });

function originName(ctx: RuleContext, layer: number): string {
  if (layer < 0) return 'the input';
  const name = ctx.names?.[layer];
  return name !== undefined
    ? `${ctx.types[layer] ?? 'node'} '${name}'`
    : `${ctx.types[layer] ?? 'layer'} (layer ${layer})`;
}
/** Who produced dim `d` of the input. */
const fromDim = (ctx: RuleContext, d: number): string => originName(ctx, ctx.origins[d]?.layer ?? -1);
/** Who produced the input tensor as a whole. */
const fromTensor = (ctx: RuleContext): string => originName(ctx, ctx.inputFrom ?? (ctx.index ?? 0) - 1);

/** A size with the arithmetic behind it: '1024 = 64×4×4'. */
function sizeText(ctx: RuleContext, d: number): string {
  const n = ctx.input[d];
  const factors = ctx.origins[d]?.factors;
  return factors && factors.length > 1 ? `${n} = ${factors.join('×')}` : String(n);
}

function needRank(ctx: RuleContext, type: string, ranks: number[], desc: string, fix?: ShapeFix): void {
  const r = ctx.input.length;
  if (ranks.includes(r)) return;
  throw new ShapeRuleError(`${type} needs a ${desc} input, got ${r}-D ${fmt(ctx.input)} from ${fromTensor(ctx)}`, fix);
}

function convDim(L: ResolvedConv2d, ctx: RuleContext, d: number): number {
  const s = ctx.input;
  const size = s[s.length - 2 + d];
  const name = DIM_NAMES[d];
  const [pb, pe] = [L.padBegin[d], L.padEnd[d]];
  const pad = Math.max(pb, pe);
  if (L.padding_mode === 'reflect' && pad >= size) {
    throw new ShapeRuleError(
      `Conv2d padding_mode='reflect' needs padding smaller than the input: padding ${pad} ≥ ${name} ${size}`,
      undefined,
      'padding',
    );
  }
  if (L.padding_mode === 'circular' && s.length === 3) {
    throw new ShapeRuleError(
      `Conv2d padding_mode='circular' needs a batched 4-D [N, C, H, W] input in PyTorch 1.13, got 3-D ${fmt(s)}`,
      undefined,
      'padding_mode',
    );
  }
  if (L.padding_mode === 'circular' && pad > size) {
    throw new ShapeRuleError(
      `Conv2d padding_mode='circular' wraps around more than once: padding ${pad} > ${name} ${size}`,
      undefined,
      'padding',
    );
  }
  const [k, dil] = [L.kernel[d], L.dilation[d]];
  const span = effectiveKernel(k, dil);
  const padded = size + pb + pe;
  if (padded < span) {
    const spanText = dil === 1 ? `${k}` : `${span} = ${dil}×(${k}−1)+1 (dilation ${dil})`;
    throw new ShapeRuleError(
      `Conv2d kernel ${L.kernel.join('×')} is larger than the padded input: ${name} ${size} + ${pb} + ${pe} = ${padded} < kernel ${spanText}`,
      undefined,
      'kernel_size',
    );
  }
  return convOutSize(size, k, L.stride[d], pb, pe, dil);
}

function conv2d(L: ResolvedConv2d, ctx: RuleContext): Shape {
  needRank(ctx, 'Conv2d', [3, 4], '3-D [C, H, W] or 4-D [N, C, H, W]');
  const s = ctx.input;
  const c = s.length - 3;
  if (s[c] !== L.in_channels) {
    const fix = s[c] % L.groups === 0 ? set('in_channels', s[c]) : undefined;
    throw new ShapeRuleError(
      `Conv2d(in_channels=${L.in_channels}) receives ${s[c]} ${plural(s[c], 'channel')} (input ${fmt(s)}) from ${fromDim(ctx, c)}`,
      fix,
      'in_channels',
    );
  }
  const hw = [convDim(L, ctx, 0), convDim(L, ctx, 1)];
  return s.length === 4 ? [s[0], L.out_channels, ...hw] : [L.out_channels, ...hw];
}

function pool(L: ResolvedMaxPool2d | ResolvedAvgPool2d, ctx: RuleContext): Shape {
  needRank(ctx, L.type, [3, 4], '3-D [C, H, W] or 4-D [N, C, H, W]');
  const s = ctx.input;
  const dilation = L.type === 'MaxPool2d' ? L.dilation : [1, 1];
  const hw = [0, 1].map((d) => {
    const size = s[s.length - 2 + d];
    const [k, st, p, dil] = [L.kernel[d], L.stride[d], L.padding[d], dilation[d]];
    const out = poolOutSize(size, k, st, p, dil, L.ceil_mode);
    if (out >= 1) return out;
    const span = effectiveKernel(k, dil);
    const round = L.ceil_mode ? 'ceil' : 'floor';
    throw new ShapeRuleError(
      `${L.type} output size is too small for input ${fmt(s)}: ${DIM_NAMES[d]} ${round}((${size} + 2×${p} − ${span}) / ${st}) + 1 = ${out}`,
      undefined,
      'kernel_size',
    );
  });
  return [...s.slice(0, s.length - 2), ...hw];
}

function adaptive(L: ResolvedAdaptiveAvgPool2d, ctx: RuleContext): Shape {
  const s = ctx.input;
  const r = s.length;
  // Python fills None from input.size()[-2:] and refuses a tuple on fewer than 3 dims.
  if (!ctx.scalarOutputSize && r < 3) {
    throw new ShapeRuleError(
      `AdaptiveAvgPool2d(output_size=[h, w]) needs an input of at least 3 dims, got ${r}-D ${fmt(s)} from ${fromTensor(ctx)}`,
    );
  }
  const [oh, ow] = [L.output_size[0] ?? s[r - 2], L.output_size[1] ?? s[r - 1]];
  // ATen computes output 1×1 as a mean over the last two dims, whatever the rank (>= 2).
  if (oh === 1 && ow === 1 && r >= 2) return [...s.slice(0, r - 2), 1, 1];
  needRank(ctx, 'AdaptiveAvgPool2d', [3, 4], '3-D [C, H, W] or 4-D [N, C, H, W]');
  return [...s.slice(0, r - 2), oh, ow];
}

function dimRangeError(what: string, field: string, dim: number, ctx: RuleContext, fix?: ShapeFix): ShapeRuleError {
  const r = ctx.input.length;
  return new ShapeRuleError(
    `${what} ${field}=${dim} is out of range for a ${r}-D input ${fmt(ctx.input)} (valid: ${-r} to ${r - 1})`,
    fix,
    field,
  );
}

function flatten(L: ResolvedFlatten, ctx: RuleContext): Shape {
  const r = ctx.input.length;
  const start = wrapDim(L.start_dim, r);
  if (start === null)
    throw dimRangeError('Flatten', 'start_dim', L.start_dim, ctx, r === 1 ? set('start_dim', 0) : undefined);
  const end = wrapDim(L.end_dim, r);
  if (end === null) throw dimRangeError('Flatten', 'end_dim', L.end_dim, ctx, set('end_dim', -1));
  if (start > end) {
    throw new ShapeRuleError(
      `Flatten(start_dim=${L.start_dim}, end_dim=${L.end_dim}) on a ${r}-D input ${fmt(ctx.input)}: start_dim (dim ${start}) comes after end_dim (dim ${end})`,
      undefined,
      'start_dim',
    );
  }
  return flattenShape(ctx.input, start, end);
}

function linear(L: ResolvedLinear, ctx: RuleContext): Shape {
  const s = ctx.input;
  const last = s.length - 1;
  if (s[last] !== L.in_features) {
    if (s.length > 2) {
      // Linear works on the last dim only: after a conv the missing layer is a Flatten.
      const features = s.slice(1).reduce((a, b) => a * b, 1);
      throw new ShapeRuleError(
        `Linear(in_features=${L.in_features}) receives a ${s.length}-D ${fmt(s)} tensor from ${fromTensor(ctx)}: it would use only the last dim (${s[last]}); ` +
          `flatten first (${fmt(s.slice(1))} = ${features} features)`,
        {
          field: 'in_features',
          value: features,
          insert: [{ type: 'Flatten' }],
          label: `insert Flatten${features === L.in_features ? '' : ` and set in_features = ${features}`}`,
        },
        'in_features',
      );
    }
    throw new ShapeRuleError(
      `Linear(in_features=${L.in_features}) receives ${sizeText(ctx, last)} ${plural(s[last], 'feature')} from ${fromDim(ctx, last)}`,
      set('in_features', s[last]),
      'in_features',
    );
  }
  return [...s.slice(0, last), L.out_features];
}

function batchNorm(L: ResolvedBatchNorm, ctx: RuleContext): Shape {
  const s = ctx.input;
  const r = s.length;
  const other = { field: 'type', value: L.type === 'BatchNorm1d' ? 'BatchNorm2d' : 'BatchNorm1d', label: '' };
  other.label = `use ${other.value}`;
  if (L.type === 'BatchNorm1d')
    needRank(ctx, L.type, [2, 3], '2-D [N, C] or 3-D [N, C, L]', r === 4 ? other : undefined);
  else needRank(ctx, L.type, [4], '4-D [N, C, H, W]', r === 2 || r === 3 ? other : undefined);
  // Without weight and running stats PyTorch has nothing of size num_features to check.
  if ((L.affine || L.track_running_stats) && s[1] !== L.num_features) {
    throw new ShapeRuleError(
      `${L.type}(num_features=${L.num_features}) receives ${s[1]} ${plural(s[1], 'channel')} (input ${fmt(s)}) from ${fromDim(ctx, 1)}`,
      set('num_features', s[1]),
      'num_features',
    );
  }
  // Batch statistics (train mode, or no running stats) average N × spatial values per channel.
  if ((ctx.training || !L.track_running_stats) && valuesPerChannel(s) === 1) {
    throw new ShapeRuleError(
      `${L.type} needs more than 1 value per channel when training: input ${fmt(s)} gives each channel ${r > 2 ? `${fmt([s[0], ...s.slice(2)])} = ` : ''}1 value (use a batch of 2 or more)`,
    );
  }
  return [...s];
}

function softmax(L: ResolvedSoftmax, ctx: RuleContext): Shape {
  if (L.dim !== null && wrapDim(L.dim, ctx.input.length) === null) {
    throw dimRangeError(L.type, 'dim', L.dim, ctx, set('dim', -1));
  }
  return [...ctx.input];
}

/**
 * The output shape of `layer` on ctx.input; throws ShapeRuleError where PyTorch raises, and
 * where one sample of the output holds more than MODEL_LIMITS.elements values (Conv2d with
 * padding=30000 on 8×8: PyTorch asks for 389 GB).
 */
export function checkLayer(layer: ResolvedLayer, ctx: RuleContext): Shape {
  const out = outputShape(layer, ctx);
  const perSample = out.slice(1).reduce((a, b) => a * b, 1);
  if (perSample > MODEL_LIMITS.elements)
    throw new ShapeRuleError(
      `${layer.type} output ${['N', ...out.slice(1)].join('×')} holds ${perSample.toLocaleString('en-US')} values per sample; the limit is ${MODEL_LIMITS.elements.toLocaleString('en-US')} per tensor (8 GiB of float32)`,
    );
  return out;
}

function outputShape(layer: ResolvedLayer, ctx: RuleContext): Shape {
  switch (layer.type) {
    case 'Conv2d':
      return conv2d(layer, ctx);
    case 'MaxPool2d':
    case 'AvgPool2d':
      return pool(layer, ctx);
    case 'AdaptiveAvgPool2d':
      return adaptive(layer, ctx);
    case 'Flatten':
      return flatten(layer, ctx);
    case 'Linear':
      return linear(layer, ctx);
    case 'BatchNorm1d':
    case 'BatchNorm2d':
      return batchNorm(layer, ctx);
    case 'Softmax':
    case 'LogSoftmax':
      return softmax(layer, ctx);
    case 'ReLU':
    case 'LeakyReLU':
    case 'Sigmoid':
    case 'Tanh':
    case 'GELU':
    case 'ELU':
    case 'Dropout':
      return [...ctx.input];
  }
}
