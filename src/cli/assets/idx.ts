// The IDX format of the original MNIST files (LeCun et al.): a big-endian magic whose
// third byte is the element type (0x08 = uint8) and fourth the number of dimensions,
// then one uint32 size per dimension, then the values.

export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

/** Decodes a uint8 IDX file; errors name the file and what is wrong. */
export function decodeIdx(bytes: Uint8Array, name: string): IdxArray {
  if (bytes.length < 4) throw new Error(`${name}: ${bytes.length} bytes is too short for an IDX file`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== 0 || bytes[1] !== 0)
    throw new Error(`${name}: not an IDX file (magic ${dv.getUint32(0).toString(16)})`);
  if (bytes[2] !== 0x08) throw new Error(`${name}: element type 0x${bytes[2].toString(16)} is not uint8 (0x08)`);
  const dims = bytes[3];
  const shape = Array.from({ length: dims }, (_, i) => dv.getUint32(4 + 4 * i));
  const start = 4 + 4 * dims,
    count = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== start + count)
    throw new Error(`${name}: ${bytes.length} bytes, its header [${shape.join(', ')}] describes ${start + count}`);
  return { shape, data: bytes.subarray(start) };
}
