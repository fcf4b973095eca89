// One Summary.Value beyond scalars, kept as its own encoded bytes: what TensorBoard
// logs hold (histograms, images, text, PR curves, hparams, audio, any plugin's tensor)
// is stored and written back byte for byte, and decoded only to be shown. Its kind
// says which dashboard shows it; 'other' is kept, listed on import, and never dropped.
import { asString, readFields, ProtoWriter, type Field } from './protobuf.ts';

export type SummaryKind = 'histogram' | 'image' | 'text' | 'pr_curve' | 'hparams' | 'audio' | 'other';

/** A non-scalar summary of one tag at one step, with the Summary.Value's bytes. */
export interface RawSummary {
  tag: string;
  step: number;
  wallTime: number;
  kind: SummaryKind;
  value: Uint8Array;
}

export const first = (fields: Field[], n: number): Field | undefined => fields.find((f) => f.number === n);

/** The plugin_name of a Summary.Value's metadata, if any. */
export function pluginOf(fields: Field[]): string | undefined {
  const meta = first(fields, 9);
  const plugin = meta && first(readFields(meta.bytes!), 1);
  const name = plugin && first(readFields(plugin.bytes!), 1);
  return name ? asString(name) : undefined;
}

/** The plugin's content bytes (SummaryMetadata.plugin_data.content). */
export function pluginContent(fields: Field[]): Uint8Array | undefined {
  const meta = first(fields, 9);
  const plugin = meta && first(readFields(meta.bytes!), 1);
  return plugin && first(readFields(plugin.bytes!), 2)?.bytes;
}

/** Which dashboard a Summary.Value belongs to (scalars are told apart by the caller). */
export function kindOf(fields: Field[]): SummaryKind {
  if (first(fields, 5)) return 'histogram';
  if (first(fields, 4)) return 'image';
  if (first(fields, 6)) return 'audio';
  switch (pluginOf(fields)) {
    case 'text':
      return 'text';
    case 'pr_curves':
      return 'pr_curve';
    case 'hparams':
      return 'hparams';
    case 'histograms':
      return 'histogram';
    case 'images':
      return 'image';
    case 'audio':
      return 'audio';
    default:
      return 'other';
  }
}

/** SummaryMetadata { plugin_data { plugin_name, content } }. */
export function pluginMetadata(name: string, content: Uint8Array = new Uint8Array()): ProtoWriter {
  const data = new ProtoWriter().string(1, name);
  if (content.length) data.bytes(2, content);
  return new ProtoWriter().message(1, data);
}

export function packDoubles(values: ArrayLike<number>): Uint8Array {
  const b = new Uint8Array(values.length * 8);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < values.length; i++) dv.setFloat64(i * 8, values[i], true);
  return b;
}

export function unpackDoubles(f: Field | undefined): number[] {
  if (!f?.bytes) return [];
  const dv = new DataView(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength);
  if (f.wire === 1) return [dv.getFloat64(0, true)];
  const out: number[] = [];
  for (let i = 0; i + 8 <= f.bytes.length; i += 8) out.push(dv.getFloat64(i, true));
  return out;
}

/** TensorShapeProto with these dims. */
export function shapeProto(dims: number[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) shape.message(2, new ProtoWriter().int(1, d));
  return shape;
}
