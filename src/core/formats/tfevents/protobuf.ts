// A small protocol-buffer wire-format reader and writer: just what event files need
// (varints, 64/32-bit fixed, length-delimited fields). Field numbers come from the
// .proto files in ../shared/tfevents/proto. Every typed read checks the field's wire
// type; a mismatch is a ProtoError that names the field, both wire types and the byte.

export const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

export interface Field {
  number: number;
  wire: number;
  /** Where the field's key starts, as an offset into the underlying ArrayBuffer (see ProtoError.at). */
  at: number;
  /** varint as bigint (int64-safe); fixed64/fixed32 as raw bytes; bytes as a view. */
  varint?: bigint;
  bytes?: Uint8Array;
}

/**
 * A malformed message. `at` is an offset into the buffer the bytes were read from (every
 * nested message is a view of the same buffer): subtract the file's byteOffset to get
 * the byte in the file.
 */
export class ProtoError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32'];
const wireName = (w: number) => WIRE_NAMES[w] ?? `wire type ${w}`;

function expectWire(f: Field, wire: number, what: string): void {
  if (f.wire !== wire)
    throw new ProtoError(
      `field ${f.number} has wire type ${wireName(f.wire)}, but ${what} needs ${wireName(wire)}`,
      f.at,
    );
}

/** Reads every field of one message; unknown fields are returned too and may be skipped. */
export function readFields(buf: Uint8Array): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  const at = () => buf.byteOffset + pos;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new ProtoError('truncated varint', at());
      const b = buf[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
      if (shift > 63n) throw new ProtoError('varint longer than 10 bytes', at());
    }
  };
  const take = (n: number): Uint8Array => {
    if (n > buf.length - pos)
      throw new ProtoError(`field runs past the end of its message (needs ${n} bytes, ${buf.length - pos} left)`, at());
    const out = buf.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  while (pos < buf.length) {
    const start = at();
    const key = varint();
    const number = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (number === 0 || number > 0x1fffffff) throw new ProtoError(`invalid field number ${number}`, start);
    switch (wire) {
      case WIRE.varint:
        fields.push({ number, wire, at: start, varint: varint() });
        break;
      case WIRE.fixed64:
        fields.push({ number, wire, at: start, bytes: take(8) });
        break;
      case WIRE.bytes: {
        const length = varint();
        if (length > BigInt(buf.length - pos))
          throw new ProtoError(
            `field ${number} claims ${length} bytes, ${buf.length - pos} left in its message`,
            start,
          );
        fields.push({ number, wire, at: start, bytes: take(Number(length)) });
        break;
      }
      case WIRE.fixed32:
        fields.push({ number, wire, at: start, bytes: take(4) });
        break;
      default:
        throw new ProtoError(`field ${number} has unsupported ${wireName(wire)}`, start);
    }
  }
  return fields;
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
export function asDouble(f: Field): number {
  expectWire(f, WIRE.fixed64, 'a double');
  return view(f.bytes!).getFloat64(0, true);
}
export function asFloat(f: Field): number {
  expectWire(f, WIRE.fixed32, 'a float');
  return view(f.bytes!).getFloat32(0, true);
}
export function asString(f: Field): string {
  expectWire(f, WIRE.bytes, 'a string');
  return new TextDecoder().decode(f.bytes);
}
/** The bytes of an embedded message (or a bytes field). */
export function asMessage(f: Field): Uint8Array {
  expectWire(f, WIRE.bytes, 'a message');
  return f.bytes!;
}
/** int64 varint as a JS number (two's complement for negatives). */
export function asInt(f: Field): number {
  expectWire(f, WIRE.varint, 'an integer');
  return Number(BigInt.asIntN(64, f.varint!));
}
export function asBool(f: Field): boolean {
  expectWire(f, WIRE.varint, 'a bool');
  return f.varint !== 0n;
}

/** Packed repeated float (wire 2) or a single unpacked float (wire 5). */
export function asFloats(f: Field): number[] {
  if (f.wire === WIRE.fixed32) return [asFloat(f)];
  const v = view(asMessage(f));
  const out: number[] = [];
  for (let i = 0; i + 4 <= f.bytes!.length; i += 4) out.push(v.getFloat32(i, true));
  return out;
}

/** Accumulates one message's bytes. */
export class ProtoWriter {
  private chunks: number[] = [];

  private varint(value: bigint): void {
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      this.chunks.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.chunks.push(Number(v));
  }
  private key(number: number, wire: number): void {
    this.varint(BigInt((number << 3) | wire));
  }

  int(number: number, value: number | bigint): this {
    this.key(number, WIRE.varint);
    this.varint(BigInt(value));
    return this;
  }
  double(number: number, value: number): this {
    this.key(number, WIRE.fixed64);
    const b = new Uint8Array(8);
    view(b).setFloat64(0, value, true);
    this.chunks.push(...b);
    return this;
  }
  float(number: number, value: number): this {
    this.key(number, WIRE.fixed32);
    const b = new Uint8Array(4);
    view(b).setFloat32(0, value, true);
    this.chunks.push(...b);
    return this;
  }
  bytes(number: number, value: Uint8Array): this {
    this.key(number, WIRE.bytes);
    this.varint(BigInt(value.length));
    for (const b of value) this.chunks.push(b);
    return this;
  }
  string(number: number, value: string): this {
    return this.bytes(number, new TextEncoder().encode(value));
  }
  message(number: number, inner: ProtoWriter): this {
    return this.bytes(number, inner.finish());
  }
  packedFloats(number: number, values: number[]): this {
    const b = new Uint8Array(values.length * 4);
    values.forEach((v, i) => view(b).setFloat32(i * 4, v, true));
    return this.bytes(number, b);
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}
