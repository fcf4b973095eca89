// A small protocol-buffer wire-format reader and writer: just what event files need
// (varints, 64/32-bit fixed, length-delimited fields). Field numbers come from the
// .proto files in ../shared/tfevents/proto.

export const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

export interface Field {
  number: number;
  wire: number;
  /** varint as bigint (int64-safe); fixed64/fixed32 as raw bytes; bytes as a view. */
  varint?: bigint;
  bytes?: Uint8Array;
}

export class ProtoError extends Error {}

/** Reads every field of one message; unknown fields are returned too and may be skipped. */
export function readFields(buf: Uint8Array): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new ProtoError(`truncated varint at byte ${pos}`);
      const b = buf[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
      if (shift > 63n) throw new ProtoError(`varint longer than 10 bytes at byte ${pos}`);
    }
  };
  const take = (n: number): Uint8Array => {
    if (pos + n > buf.length) throw new ProtoError(`field runs past the end of the message (byte ${pos}, needs ${n})`);
    const out = buf.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const number = key >>> 3;
    const wire = key & 7;
    if (number === 0) throw new ProtoError(`field number 0 at byte ${pos}`);
    switch (wire) {
      case WIRE.varint: fields.push({ number, wire, varint: varint() }); break;
      case WIRE.fixed64: fields.push({ number, wire, bytes: take(8) }); break;
      case WIRE.bytes: fields.push({ number, wire, bytes: take(Number(varint())) }); break;
      case WIRE.fixed32: fields.push({ number, wire, bytes: take(4) }); break;
      default: throw new ProtoError(`unsupported wire type ${wire} for field ${number}`);
    }
  }
  return fields;
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
export const asDouble = (f: Field): number => view(f.bytes!).getFloat64(0, true);
export const asFloat = (f: Field): number => view(f.bytes!).getFloat32(0, true);
export const asString = (f: Field): string => new TextDecoder().decode(f.bytes);
/** int64 varint as a JS number (two's complement for negatives). */
export const asInt = (f: Field): number => Number(BigInt.asIntN(64, f.varint ?? 0n));

/** Packed repeated float (wire 2) or a single unpacked float (wire 5). */
export function asFloats(f: Field): number[] {
  if (f.wire === WIRE.fixed32) return [asFloat(f)];
  const v = view(f.bytes!);
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
  private key(number: number, wire: number): void { this.varint(BigInt((number << 3) | wire)); }

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
  string(number: number, value: string): this { return this.bytes(number, new TextEncoder().encode(value)); }
  message(number: number, inner: ProtoWriter): this { return this.bytes(number, inner.finish()); }
  packedFloats(number: number, values: number[]): this {
    const b = new Uint8Array(values.length * 4);
    values.forEach((v, i) => view(b).setFloat32(i * 4, v, true));
    return this.bytes(number, b);
  }
  finish(): Uint8Array { return Uint8Array.from(this.chunks); }
}
