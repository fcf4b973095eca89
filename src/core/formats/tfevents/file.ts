// Event files (events.out.tfevents.*): TFRecord-framed Event protos.
import { decodeEvent, encodeFileVersionEvent, encodeScalarEvent, type TfEvent } from './event.ts';
import { ProtoError } from './protobuf.ts';
import { readRecords, writeRecords, type RecordProblem } from './records.ts';

export interface ScalarPoint { tag: string; step: number; wallTime: number; value: number }

export interface EventFileContents {
  events: TfEvent[];
  scalars: ScalarPoint[];
  /**
   * Records that could not be decoded (each skipped, the rest kept), then a framing fault
   * (bad CRC, truncated tail) after which nothing more can be read. Offsets are bytes in the file.
   */
  problems: RecordProblem[];
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
      problems.push({ offset, message: `record at byte ${offset} is not a valid Event (skipped): ${err.message} at byte ${at}` });
    }
    offset += record.length + 16;
  }
  if (framing) problems.push(framing);
  const scalars: ScalarPoint[] = [];
  for (const e of events) {
    for (const v of e.values) {
      if (v.scalar !== undefined) scalars.push({ tag: v.tag, step: e.step, wallTime: e.wallTime, value: v.scalar });
    }
  }
  return { events, scalars, problems };
}

/** An event file TensorBoard opens: the file_version event, then one simple_value event per point. */
export function writeEventFile(points: ScalarPoint[], createdWallTime: number): Uint8Array {
  const records = [encodeFileVersionEvent(createdWallTime)];
  for (const p of points) records.push(encodeScalarEvent(p.tag, p.value, p.step, p.wallTime));
  return writeRecords(records);
}

/** TensorBoard's file name: events.out.tfevents.<seconds>.<host>. */
export function eventFileName(wallTime: number, host = 'layerboard'): string {
  return `events.out.tfevents.${Math.floor(wallTime)}.${host}`;
}
