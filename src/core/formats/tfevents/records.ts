// TFRecord framing: uint64 length, masked CRC-32C of the length, data, masked CRC-32C
// of the data, all little-endian. Reading keeps every good record before a fault.
import { maskedCrc32c } from './crc32c.ts';

export interface RecordProblem {
  offset: number;
  message: string;
}
export interface ReadRecordsResult {
  records: Uint8Array[];
  problem: RecordProblem | null;
}

export function readRecords(bytes: Uint8Array): ReadRecordsResult {
  const records: Uint8Array[] = [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length)
      return {
        records,
        problem: {
          offset,
          message: `truncated record header at byte ${offset} (${bytes.length - offset} of 12 bytes)`,
        },
      };
    const length = Number(dv.getBigUint64(offset, true));
    if (dv.getUint32(offset + 8, true) !== maskedCrc32c(bytes, offset, offset + 8)) {
      return { records, problem: { offset, message: `bad length CRC at byte ${offset}` } };
    }
    const start = offset + 12;
    const end = start + length;
    if (end + 4 > bytes.length)
      return {
        records,
        problem: {
          offset,
          message: `truncated record at byte ${offset}: needs ${length + 16} bytes, ${bytes.length - offset} left`,
        },
      };
    if (dv.getUint32(end, true) !== maskedCrc32c(bytes, start, end)) {
      return { records, problem: { offset, message: `bad data CRC in the record at byte ${offset}` } };
    }
    records.push(bytes.subarray(start, end));
    offset = end + 4;
  }
  return { records, problem: null };
}

export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + 16);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(data.length), true);
  dv.setUint32(8, maskedCrc32c(out, 0, 8), true);
  out.set(data, 12);
  dv.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

export function writeRecords(records: Uint8Array[]): Uint8Array {
  const framed = records.map(frameRecord);
  const out = new Uint8Array(framed.reduce((n, r) => n + r.length, 0));
  let offset = 0;
  for (const r of framed) {
    out.set(r, offset);
    offset += r.length;
  }
  return out;
}
