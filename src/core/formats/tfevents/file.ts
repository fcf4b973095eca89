// Event files (events.out.tfevents.*): TFRecord-framed Event protos.
import {
  decodeEvent,
  encodeFileVersionEvent,
  encodeGraphEvent,
  encodeScalarValue,
  encodeSummaryEvent,
  type TfEvent,
} from './event.ts';
import { ProtoError } from './protobuf.ts';
import { readRecords, writeRecords, type RecordProblem } from './records.ts';
import type { RawSummary } from './summary-value.ts';

export interface ScalarPoint {
  tag: string;
  step: number;
  wallTime: number;
  value: number;
}

export interface EventFileContents {
  events: TfEvent[];
  scalars: ScalarPoint[];
  /** Every non-scalar Summary.Value (histograms, images, text, PR curves, hparams, ...), as its bytes. */
  summaries: RawSummary[];
  /**
   * Records that could not be decoded (each skipped, the rest kept), then a framing fault
   * (bad CRC, truncated tail) after which nothing more can be read. Offsets are bytes in the file.
   */
  problems: RecordProblem[];
}

/** What an event file is written from. */
export interface EventFileData {
  scalars: ScalarPoint[];
  summaries?: RawSummary[];
  graphDef?: Uint8Array;
}

export function readEventFile(bytes: Uint8Array): EventFileContents {
  const { records, problem: framing } = readRecords(bytes);
  const events: TfEvent[] = [];
  const problems: RecordProblem[] = [];
  let offset = 0;
  for (const record of records) {
    try {
      events.push(decodeEvent(record));
    } catch (err) {
      if (!(err instanceof ProtoError)) throw err;
      const at = err.at - bytes.byteOffset;
      problems.push({
        offset,
        message: `record at byte ${offset} is not a valid Event (skipped): ${err.message} at byte ${at}`,
      });
    }
    offset += record.length + 16;
  }
  if (framing) problems.push(framing);
  const scalars: ScalarPoint[] = [];
  const summaries: RawSummary[] = [];
  for (const e of events) {
    for (const v of e.values) {
      if (v.scalar !== undefined) scalars.push({ tag: v.tag, step: e.step, wallTime: e.wallTime, value: v.scalar });
      else if (v.kind && v.raw)
        summaries.push({ tag: v.tag, step: e.step, wallTime: e.wallTime, kind: v.kind, value: v.raw });
    }
  }
  return { events, scalars, summaries, problems };
}

/**
 * An event file TensorBoard opens: the file_version event, the graph, then one event per
 * point or summary in time order (scalars exactly: float32 where it holds them, else double).
 */
export function writeEventFile(data: EventFileData | ScalarPoint[], createdWallTime: number): Uint8Array {
  const d: EventFileData = Array.isArray(data) ? { scalars: data } : data;
  const records = [encodeFileVersionEvent(createdWallTime)];
  if (d.graphDef) records.push(encodeGraphEvent(d.graphDef, createdWallTime));
  const items: { step: number; wallTime: number; value: () => Uint8Array }[] = [
    ...d.scalars.map((p) => ({ step: p.step, wallTime: p.wallTime, value: () => encodeScalarValue(p.tag, p.value) })),
    ...(d.summaries ?? []).map((s) => ({ step: s.step, wallTime: s.wallTime, value: () => s.value })),
  ];
  items.sort((a, b) => a.wallTime - b.wallTime || a.step - b.step);
  for (const it of items) records.push(encodeSummaryEvent([it.value()], it.step, it.wallTime));
  return writeRecords(records);
}

/** TensorBoard's file name: events.out.tfevents.<seconds>.<host>. */
export function eventFileName(wallTime: number, host = 'layerboard'): string {
  return `events.out.tfevents.${Math.floor(wallTime)}.${host}`;
}
