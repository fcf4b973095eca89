// Shape inference through an nn.Sequential, PyTorch's rules (1.13, layers run one by one
// on zeros as in the conformance `shape` cases, train mode by default). Sizes come from
// shape-math.ts only; the rules that refuse an input live in shape-rules.ts.
import { MODEL_LIMITS } from './catalogue.ts';
import type { ResolvedLayer } from './resolved.ts';
import { LayerSpecError, resolveLayer } from './resolve.ts';
import { wrapDim } from './shape-math.ts';
import { checkLayer, ShapeRuleError, type DimOrigin, type RuleContext, type ShapeFix } from './shape-rules.ts';
import type { LayerSpec, Shape } from './types.ts';

export { ShapeRuleError, type ShapeFix } from './shape-rules.ts';

/**
 * The first layer that cannot run. index: its position in the Sequential, or -1 when
 * the input shape itself is unusable. message shows the arithmetic
 * ('Linear(in_features=1000) receives 1024 = 64×4×4 features from Flatten (layer 6)').
 */
export interface ShapeError {
  index: number;
  message: string;
  fix?: ShapeFix;
  field?: string;
}
export interface ShapeReport {
  /** Full input shape incl. batch. */
  input: Shape;
  /** Output shape after each layer; null from the failing layer on. */
  shapes: (Shape | null)[];
  /** First layer that cannot run (invalid keywords count too). */
  error: ShapeError | null;
}
export interface ShapeOptions {
  /** Train mode (default true): BatchNorm then uses batch statistics and needs > 1 value per channel. */
  training?: boolean;
}

/** '64×32×32×32', or with batchFree 'N×32×32×32'. */
export function formatShape(shape: Shape, batchFree = false): string {
  if (shape.length === 0) return '[]';
  return (batchFree ? ['N', ...shape.slice(1)] : shape).join('×');
}

/** Where every dim of the shape after layer i came from (for messages). */
export function nextOrigins(layer: ResolvedLayer, i: number, input: Shape, origins: DimOrigin[]): DimOrigin[] {
  const made: DimOrigin = { layer: i };
  const r = input.length;
  switch (layer.type) {
    case 'Flatten': {
      const s = wrapDim(layer.start_dim, r) as number;
      const e = wrapDim(layer.end_dim, r) as number;
      if (r === 0 || s === e) return origins;
      return [...origins.slice(0, s), { layer: i, factors: input.slice(s, e + 1) }, ...origins.slice(e + 1)];
    }
    case 'Linear':
      return [...origins.slice(0, -1), made];
    case 'Conv2d':
      return [...origins.slice(0, r - 3), made, made, made];
    case 'MaxPool2d':
    case 'AvgPool2d':
    case 'AdaptiveAvgPool2d':
      return [...origins.slice(0, r - 2), made, made];
    default:
      return origins;
  }
}

/** The output shape of one resolved layer, or a ShapeRuleError saying why PyTorch refuses the input. */
export function layerOutputShape(layer: ResolvedLayer, input: Shape, options: ShapeOptions = {}): Shape {
  const origins = input.map((): DimOrigin => ({ layer: -1 }));
  // Without the spec, an equal output_size pair is taken as PyTorch's int form.
  const scalarOutputSize = layer.type === 'AdaptiveAvgPool2d' && layer.output_size[0] === layer.output_size[1];
  return checkLayer(layer, { input, origins, types: [], training: options.training ?? true, scalarOutputSize });
}

export function inputError(shape: unknown): string | null {
  if (!Array.isArray(shape) || shape.length === 0)
    return `input shape must be a non-empty list of sizes, got ${JSON.stringify(shape)}`;
  const bad = shape.find((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 1);
  if (bad !== undefined) return `input shape sizes must be positive integers, got ${JSON.stringify(shape)}`;
  const perSample = (shape as number[]).slice(1).reduce((a, b) => a * b, 1);
  if (perSample > MODEL_LIMITS.elements)
    return `input ${formatShape(shape as number[], true)} holds ${perSample.toLocaleString('en-US')} values per sample; the limit is ${MODEL_LIMITS.elements.toLocaleString('en-US')} per tensor (8 GiB of float32)`;
  return null;
}

export function layerError(index: number, type: string, err: unknown): ShapeError {
  if (err instanceof LayerSpecError) {
    const first = err.errors[0];
    const message = first.message.includes(type) ? first.message : `${type}: ${first.message}`;
    return { index, message, field: first.field || undefined, ...(first.fix ? { fix: first.fix } : {}) };
  }
  if (err instanceof ShapeRuleError)
    return {
      index,
      message: err.message,
      ...(err.fix ? { fix: err.fix } : {}),
      ...(err.field ? { field: err.field } : {}),
    };
  throw err;
}

/** Output shape after each layer for `inputShape`, and the first layer that cannot run. */
export function inferShapes(layers: LayerSpec[], inputShape: Shape, options: ShapeOptions = {}): ShapeReport {
  const shapes: (Shape | null)[] = layers.map(() => null);
  const bad = inputError(inputShape);
  if (bad) return { input: inputShape, shapes, error: { index: -1, message: bad } };
  const types = layers.map((l) => (l && typeof l.type === 'string' ? l.type : 'layer'));
  let shape = inputShape;
  let origins = inputShape.map((): DimOrigin => ({ layer: -1 }));
  for (let i = 0; i < layers.length; i++) {
    try {
      const layer = resolveLayer(layers[i]);
      const scalarOutputSize = typeof layers[i]?.output_size === 'number';
      const ctx: RuleContext = {
        input: shape,
        origins,
        types,
        training: options.training ?? true,
        index: i,
        scalarOutputSize,
      };
      const out = checkLayer(layer, ctx);
      origins = nextOrigins(layer, i, shape, origins);
      shapes[i] = out;
      shape = out;
    } catch (err) {
      return { input: inputShape, shapes, error: layerError(i, types[i], err) };
    }
  }
  return { input: inputShape, shapes, error: null };
}
