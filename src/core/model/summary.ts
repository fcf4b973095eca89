// The model summary as torchinfo 1.8.0 computes and prints it for an nn.Sequential:
//   summary(model, input_size=..., col_names=("output_size", "num_params", "mult_adds"))
// torchinfo's definitions (torchinfo/layer_info.py, model_statistics.py, formatting.py):
// - Param #: numel of the layer's parameters (buffers such as running_mean excluded).
// - Mult-Adds of a layer: for each parameter tensor named weight/bias, its numel times
//   prod(output[:1] + output[2:]) for a Conv (every output position of every sample), or
//   times output[0] (the batch size) for any other layer; 0 for layers without parameters.
// - Forward/backward pass size: 2 × the float32 bytes of the outputs of the layers that
//   have parameters (×2 for the gradients); Input size: float32 bytes of the input;
//   Params size: 4 bytes per parameter. MB = 1e6 bytes.
// torchinfo runs the model in eval mode, so BatchNorm uses running statistics here.
import { pyFixed, pyInt } from '../python/py-format.ts';
import type { ResolvedLayer } from './resolved.ts';
import { resolveLayer } from './resolve.ts';
import { inferShapes, type ShapeError } from './shapes.ts';
import type { LayerSpec, Shape } from './types.ts';

export interface SummaryRow {
  index: number;
  name: string;
  type: string;
  outputShape: Shape;
  params: number;
  trainable: number;
  multAdds: number;
}
export interface ModelSummary {
  rows: SummaryRow[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  totalMultAdds: number;
  inputSizeMB: number;
  forwardBackwardMB: number;
  paramsSizeMB: number;
  totalSizeMB: number;
  /** The same sizes in bytes (MB above = bytes / 1e6). */
  inputBytes: number;
  forwardBackwardBytes: number;
  paramsBytes: number;
  totalBytes: number;
  inputShape: Shape;
  /** Output of the whole Sequential (the input when there are no layers). */
  outputShape: Shape;
}

/** summarize() on a model that cannot run: carries the shape error. */
export class SummaryShapeError extends Error {
  constructor(readonly shapeError: ShapeError) {
    super(shapeError.index < 0 ? shapeError.message : `layer ${shapeError.index}: ${shapeError.message}`);
    this.name = 'SummaryShapeError';
  }
}

const BYTES_PER_FLOAT = 4;
const prod = (xs: number[]): number => xs.reduce((a, b) => a * b, 1);

/** A layer's parameters as named in its state_dict, with PyTorch's layouts. */
export function parameterShapes(layer: ResolvedLayer): { name: 'weight' | 'bias'; shape: Shape }[] {
  switch (layer.type) {
    case 'Conv2d': {
      const weight = [layer.out_channels, layer.in_channels / layer.groups, ...layer.kernel];
      return [
        { name: 'weight', shape: weight },
        ...(layer.bias ? [{ name: 'bias' as const, shape: [layer.out_channels] }] : []),
      ];
    }
    case 'Linear':
      return [
        { name: 'weight', shape: [layer.out_features, layer.in_features] },
        ...(layer.bias ? [{ name: 'bias' as const, shape: [layer.out_features] }] : []),
      ];
    case 'BatchNorm1d':
    case 'BatchNorm2d':
      return layer.affine
        ? [
            { name: 'weight', shape: [layer.num_features] },
            { name: 'bias', shape: [layer.num_features] },
          ]
        : [];
    default:
      return [];
  }
}

/** Parameters of one layer; every parameter of these layers requires grad. Throws on an invalid spec. */
export function countParams(layer: LayerSpec): { total: number; trainable: number } {
  const total = parameterShapes(resolveLayer(layer)).reduce((n, p) => n + prod(p.shape), 0);
  return { total, trainable: total };
}

/** torchinfo's LayerInfo.calculate_macs for a layer with output shape `out`. */
export function multAdds(layer: ResolvedLayer, out: Shape): number {
  // "Conv" in the class name: C is left out, every other output position counts.
  const positions = layer.type === 'Conv2d' ? prod([out[0], ...out.slice(2)]) : out[0];
  return parameterShapes(layer).reduce((n, p) => n + prod(p.shape) * positions, 0);
}

/** Per layer Output Shape, Param # and Mult-Adds, and torchinfo's totals. Throws SummaryShapeError. */
export function summarize(layers: LayerSpec[], inputShape: Shape, names?: string[] | null): ModelSummary {
  const report = inferShapes(layers, inputShape, { training: false });
  if (report.error) throw new SummaryShapeError(report.error);
  const rows = layers.map((spec, index): SummaryRow => {
    const layer = resolveLayer(spec);
    const outputShape = report.shapes[index] as Shape;
    const params = parameterShapes(layer).reduce((n, p) => n + prod(p.shape), 0);
    return {
      index,
      name: names?.[index] ?? String(index),
      type: layer.type,
      outputShape,
      params,
      trainable: params,
      multAdds: multAdds(layer, outputShape),
    };
  });
  const sum = (f: (r: SummaryRow) => number): number => rows.reduce((n, r) => n + f(r), 0);
  const totalParams = sum((r) => r.params);
  const trainableParams = sum((r) => r.trainable);
  const inputBytes = prod(inputShape) * BYTES_PER_FLOAT;
  // x2 for gradients, and only for layers that have parameters (torchinfo's rule).
  const forwardBackwardBytes = sum((r) => (r.params > 0 ? prod(r.outputShape) * BYTES_PER_FLOAT * 2 : 0));
  const paramsBytes = totalParams * BYTES_PER_FLOAT;
  const totalBytes = inputBytes + forwardBackwardBytes + paramsBytes;
  return {
    rows,
    totalParams,
    trainableParams,
    nonTrainableParams: totalParams - trainableParams,
    totalMultAdds: sum((r) => r.multAdds),
    inputSizeMB: inputBytes / 1e6,
    forwardBackwardMB: forwardBackwardBytes / 1e6,
    paramsSizeMB: paramsBytes / 1e6,
    totalSizeMB: totalBytes / 1e6,
    inputBytes,
    forwardBackwardBytes,
    paramsBytes,
    totalBytes,
    inputShape: [...inputShape],
    outputShape: rows.length ? rows[rows.length - 1].outputShape : [...inputShape],
  };
}

// ---- torchinfo's text table ----------------------------------------------------------

const COL_WIDTH = 25;
const HEADERS = ['Output Shape', 'Param #', 'Mult-Adds'];

/** Python's str() of a list of ints: '[64, 32, 32, 32]'. */
const pyList = (s: Shape): string => `[${s.join(', ')}]`;

function formatRow(name: string, values: string[], nameWidth: number): string {
  const line = `${name.padEnd(nameWidth)} ` + values.map((v) => `${v.padEnd(COL_WIDTH)} `).join('');
  return `${line.trimEnd()}\n`;
}

/** ModelStatistics.format_output_num: 'M' unless G or T fit; an integral value prints without decimals. */
function formatMultAdds(n: number): string {
  const [unit, value] = n >= 1e12 ? ['T', n / 1e12] : n >= 1e9 ? ['G', n / 1e9] : ['M', n / 1e6];
  return ` (${unit}): ${Number.isInteger(value) ? pyInt(value) : pyFixed(value, 2, true)}`;
}

/** One printed row: its depth (1 = a submodule of the model) and its `Type: depth-idx` label. */
export interface TableRow {
  depth: number;
  label: string;
  outputShape: Shape;
  params: string;
  multAdds: string;
}
/** The totals under the table, as ModelSummary carries them. */
export type SummaryTotals = Pick<
  ModelSummary,
  | 'totalParams'
  | 'trainableParams'
  | 'nonTrainableParams'
  | 'totalMultAdds'
  | 'inputBytes'
  | 'forwardBackwardBytes'
  | 'paramsBytes'
  | 'totalBytes'
  | 'outputShape'
>;

/** torchinfo 1.8's get_start_str: '├─' at depth 1, then '│    ' per level and '└─'. */
const startStr = (depth: number): string => (depth === 1 ? '├─' : `${'│    '.repeat(depth - 1)}└─`);

/** torchinfo's table: the model row, one row per module call, totals and sizes. */
export function formatTable(title: string, table: TableRow[], s: SummaryTotals): string {
  // set_layer_name_width: longest "depth × 5 + 1 + name", rounded up to a multiple of 5, at least 40.
  const longest = Math.max(title.length + 1, ...table.map((r) => r.label.length + r.depth * 5 + 1));
  const nameWidth = longest >= 40 ? Math.ceil(longest / 5) * 5 : 40;
  const divider = '='.repeat(HEADERS.length * COL_WIDTH + nameWidth);
  const rows = table.map((r) =>
    formatRow(`${startStr(r.depth)}${r.label}`, [pyList(r.outputShape), r.params, r.multAdds], nameWidth),
  );
  const mb = (bytes: number): string => pyFixed(bytes / 1e6, 2);
  return [
    `${divider}\n`,
    formatRow('Layer (type:depth-idx)', HEADERS, nameWidth),
    `${divider}\n`,
    formatRow(title, [pyList(s.outputShape), '--', '--'], nameWidth),
    ...rows,
    `${divider}\n`,
    `Total params: ${pyInt(s.totalParams)}\n`,
    `Trainable params: ${pyInt(s.trainableParams)}\n`,
    `Non-trainable params: ${pyInt(s.nonTrainableParams)}\n`,
    `Total mult-adds${formatMultAdds(s.totalMultAdds)}\n`,
    `${divider}\n`,
    `Input size (MB): ${mb(s.inputBytes)}\n`,
    `Forward/backward pass size (MB): ${mb(s.forwardBackwardBytes)}\n`,
    `Params size (MB): ${mb(s.paramsBytes)}\n`,
    `Estimated Total Size (MB): ${mb(s.totalBytes)}\n`,
    divider,
  ].join('');
}

/** The table torchinfo prints for an nn.Sequential; `title` is the model's class name (torchinfo's top row). */
export function formatSummary(s: ModelSummary, title = 'Sequential'): string {
  const table = s.rows.map((r): TableRow => ({
    depth: 1,
    label: `${r.type}: 1-${r.index + 1}`,
    outputShape: r.outputShape,
    params: r.params === 0 ? '--' : pyInt(r.params),
    multAdds: r.multAdds <= 0 ? '--' : pyInt(r.multAdds),
  }));
  return formatTable(title, table, s);
}
