// Event protos (event.proto, summary.proto, tensor.proto): decode what TensorBoard
// logs hold, encode scalar events as PyTorch's SummaryWriter writes them.
import {
  asDouble,
  asFloat,
  asFloats,
  asInt,
  asMessage,
  asString,
  readFields,
  ProtoWriter,
  WIRE,
  type Field,
} from './protobuf.ts';
import { decodeGraphDef, type GraphDefNode } from './graph-def.ts';
import { kindOf, pluginMetadata, type SummaryKind } from './summary-value.ts';

/** One Summary.Value: a scalar, or any other kind kept as its bytes (see summary-value.ts). */
export interface SummaryValue {
  tag: string;
  /** A scalar: from simple_value, or from a rank-0 float/double tensor (new-style scalars). */
  scalar?: number;
  pluginName?: string;
  /**
   * Not a scalar: its kind and the Summary.Value's own bytes, in a buffer of their own (a
   * view into the file would carry the whole file into every IndexedDB record it is stored in).
   */
  kind?: SummaryKind;
  raw?: Uint8Array;
}

export interface TfEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  values: SummaryValue[];
  graph?: GraphDefNode[];
  /** The graph_def's bytes (a copy of their own, not a view into the file), written back as they came. */
  graphDef?: Uint8Array;
  /** Event fields the board does not show (session_log, log_message, ...), by field name. */
  other?: string[];
}

const OTHER_EVENT_FIELDS: Record<number, string> = {
  6: 'log_message',
  7: 'session_log',
  8: 'tagged_run_metadata',
  9: 'meta_graph_def',
  10: 'source_metadata',
};

const DT_FLOAT = 1,
  DT_DOUBLE = 2,
  DT_HALF = 19;

const byNumber = (fields: Field[], n: number) => fields.filter((f) => f.number === n);
const first = (fields: Field[], n: number) => fields.find((f) => f.number === n);

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1,
    e = (h >> 10) & 0x1f,
    m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** First varint of a packed repeated varint field. */
function firstPackedVarint(bytes: Uint8Array): number {
  let v = 0;
  for (let i = 0, shift = 0; i < bytes.length; i++, shift += 7) {
    v += (bytes[i] & 0x7f) * 2 ** shift;
    if (!(bytes[i] & 0x80)) break;
  }
  return v;
}

/** The single value of a rank-0 (or one-element) float tensor, else undefined. */
function tensorScalar(bytes: Uint8Array): number | undefined {
  const f = readFields(bytes);
  const dtype = first(f, 1) ? asInt(first(f, 1)!) : 0;
  const contentField = first(f, 4);
  const content = contentField && asMessage(contentField);
  const dv = content && new DataView(content.buffer, content.byteOffset, content.byteLength);
  if (dtype === DT_FLOAT) {
    if (dv && content!.length >= 4) return dv.getFloat32(0, true);
    const vals = byNumber(f, 5).flatMap(asFloats);
    return vals[0];
  }
  if (dtype === DT_DOUBLE) {
    if (dv && content!.length >= 8) return dv.getFloat64(0, true);
    const d = first(f, 6);
    if (!d) return undefined;
    if (d.wire === WIRE.fixed64) return asDouble(d);
    const packed = asMessage(d);
    return packed.length >= 8 ? new DataView(packed.buffer, packed.byteOffset).getFloat64(0, true) : undefined;
  }
  if (dtype === DT_HALF) {
    if (dv && content!.length >= 2) return halfToFloat(dv.getUint16(0, true));
    const h = first(f, 13); // half_val: packed int32, low 16 bits hold the half
    if (!h) return undefined;
    return halfToFloat(h.wire === WIRE.varint ? asInt(h) : firstPackedVarint(asMessage(h)));
  }
  return undefined;
}

function decodeValue(bytes: Uint8Array): SummaryValue {
  const f = readFields(bytes);
  const value: SummaryValue = { tag: '' };
  const tag = first(f, 1) ?? first(f, 7);
  if (tag) value.tag = asString(tag);
  const meta = first(f, 9);
  if (meta) {
    const plugin = first(readFields(asMessage(meta)), 1);
    const name = plugin && first(readFields(asMessage(plugin)), 1);
    if (name) value.pluginName = asString(name);
  }
  const simple = first(f, 2);
  if (simple) value.scalar = asFloat(simple);
  const tensor = first(f, 8);
  if (tensor && value.scalar === undefined && (value.pluginName === undefined || value.pluginName === 'scalars')) {
    value.scalar = tensorScalar(asMessage(tensor));
  }
  if (value.scalar === undefined) {
    value.kind = kindOf(f);
    value.raw = bytes.slice(); // a copy: structured clone stores a view's whole buffer
  }
  return value;
}

export function decodeEvent(bytes: Uint8Array): TfEvent {
  const f = readFields(bytes);
  const event: TfEvent = { wallTime: 0, step: 0, values: [] };
  for (const field of f) {
    switch (field.number) {
      case 1:
        event.wallTime = asDouble(field);
        break;
      case 2:
        event.step = asInt(field);
        break;
      case 3:
        event.fileVersion = asString(field);
        break;
      case 4:
        event.graphDef = asMessage(field).slice();
        event.graph = decodeGraphDef(event.graphDef);
        break;
      case 5:
        event.values.push(...byNumber(readFields(asMessage(field)), 1).map((v) => decodeValue(asMessage(v))));
        break;
      default:
        (event.other ??= []).push(OTHER_EVENT_FIELDS[field.number] ?? `field ${field.number}`);
        break;
    }
  }
  return event;
}

export function encodeFileVersionEvent(wallTime: number): Uint8Array {
  return new ProtoWriter().double(1, wallTime).string(3, 'brain.Event:2').finish();
}

/** Whether float32 holds the value exactly (NaN and ±Inf included). */
export const isFloat32 = (v: number) => Number.isNaN(v) || Math.fround(v) === v;

/**
 * A scalar as PyTorch's add_scalar writes it by default (Summary.Value.simple_value), or,
 * when float32 would round it, as add_scalar(double_precision=True, new_style=True) does:
 * a rank-0 DT_DOUBLE tensor under the 'scalars' plugin, so the double comes back exactly.
 */
export function encodeScalarValue(tag: string, value: number): Uint8Array {
  if (isFloat32(value)) return new ProtoWriter().string(1, tag).float(2, value).finish();
  const tensor = new ProtoWriter().int(1, DT_DOUBLE).message(2, new ProtoWriter()).double(6, value);
  return new ProtoWriter().string(1, tag).message(9, pluginMetadata('scalars')).message(8, tensor).finish();
}

/** An event of Summary.Values (each already encoded) at one step. */
export function encodeSummaryEvent(values: Uint8Array[], step: number, wallTime: number): Uint8Array {
  const summary = new ProtoWriter();
  for (const v of values) summary.bytes(1, v);
  return new ProtoWriter().double(1, wallTime).int(2, step).message(5, summary).finish();
}

export function encodeScalarEvent(tag: string, value: number, step: number, wallTime: number): Uint8Array {
  return encodeSummaryEvent([encodeScalarValue(tag, value)], step, wallTime);
}

/** The graph_def event (add_graph): the GraphDef's bytes. */
export function encodeGraphEvent(graphDef: Uint8Array, wallTime: number): Uint8Array {
  return new ProtoWriter().double(1, wallTime).bytes(4, graphDef).finish();
}
