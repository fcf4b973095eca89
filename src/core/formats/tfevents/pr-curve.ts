// PR curves: a DT_FLOAT tensor [6, num_thresholds] under the 'pr_curves' plugin (rows:
// true positives, false positives, true negatives, false negatives, precision, recall),
// as add_pr_curve writes it, with PrCurvePluginData { version, num_thresholds }.
import { asInt, asFloats, readFields, ProtoWriter } from './protobuf.ts';
import { first, pluginMetadata, pluginOf, shapeProto } from './summary-value.ts';

const DT_FLOAT = 1;

export interface PrCurve {
  tp: number[];
  fp: number[];
  tn: number[];
  fn: number[];
  precision: number[];
  recall: number[];
}

export function prCurveOfValue(value: Uint8Array): PrCurve | null {
  const f = readFields(value);
  const tensor = first(f, 8);
  if (pluginOf(f) !== 'pr_curves' || !tensor) return null;
  const t = readFields(tensor.bytes!);
  const dims = readFields(first(t, 2)?.bytes ?? new Uint8Array())
    .filter((x) => x.number === 2)
    .map((d) => {
      const size = first(readFields(d.bytes!), 1);
      return size ? asInt(size) : 0;
    });
  const content = first(t, 4)?.bytes;
  let data: number[];
  if (content && content.length) {
    const dv = new DataView(content.buffer, content.byteOffset, content.byteLength);
    data = Array.from({ length: content.length >> 2 }, (_, i) => dv.getFloat32(i * 4, true));
  } else data = t.filter((x) => x.number === 5).flatMap(asFloats);
  const n = dims[1] ?? data.length / 6;
  if (dims.length !== 2 || dims[0] !== 6 || data.length !== 6 * n) return null;
  const row = (r: number) => data.slice(r * n, (r + 1) * n);
  return { tp: row(0), fp: row(1), tn: row(2), fn: row(3), precision: row(4), recall: row(5) };
}

/** Summary.Value of a PR curve; thresholds i/(n−1), i = 0..n−1. */
export function encodePrCurveValue(tag: string, c: PrCurve): Uint8Array {
  const n = c.tp.length;
  const content = new ProtoWriter().int(1, 0).int(2, n).finish();
  const tensor = new ProtoWriter()
    .int(1, DT_FLOAT)
    .message(2, shapeProto([6, n]))
    .packedFloats(5, [...c.tp, ...c.fp, ...c.tn, ...c.fn, ...c.precision, ...c.recall]);
  return new ProtoWriter().string(1, tag).message(9, pluginMetadata('pr_curves', content)).message(8, tensor).finish();
}

/** PyTorch's compute_curve: counts at n thresholds of `probabilities` for binary `labels`. */
export function prCurveOf(labels: ArrayLike<boolean>, probabilities: ArrayLike<number>, numThresholds = 127): PrCurve {
  const bins = numThresholds - 1;
  const tpHist = new Float64Array(numThresholds),
    fpHist = new Float64Array(numThresholds);
  for (let i = 0; i < probabilities.length; i++) {
    const bucket = Math.min(bins, Math.max(0, Math.floor(probabilities[i] * bins)));
    if (labels[i]) tpHist[bucket]++;
    else fpHist[bucket]++;
  }
  // Cumulative from the top: predictions at or above each threshold.
  const tp = new Array<number>(numThresholds),
    fp = new Array<number>(numThresholds);
  let t = 0,
    f = 0;
  for (let i = bins; i >= 0; i--) {
    t += tpHist[i];
    f += fpHist[i];
    tp[i] = t;
    fp[i] = f;
  }
  const tn = fp.map((x) => fp[0] - x),
    fn = tp.map((x) => tp[0] - x);
  const precision = tp.map((x, i) => x / Math.max(1e-7, x + fp[i]));
  const recall = tp.map((x, i) => x / Math.max(1e-7, x + fn[i]));
  return { tp, fp, tn, fn, precision, recall };
}
