import { describe, expect, test } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from '../../src/core/formats/safetensors.ts';

describe('safetensors', () => {
  const tensors = {
    '0.weight': { dtype: 'F32' as const, shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
    '0.bias': { dtype: 'F32' as const, shape: [2], data: Float32Array.from([-1, 0.5]) },
    '1.num_batches_tracked': { dtype: 'I64' as const, shape: [], data: BigInt64Array.from([7n]) },
  };
  test('layout: u64 header length, 8-byte aligned JSON header, sorted raw data', () => {
    const bytes = encodeSafetensors(tensors, { format: 'pt' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header['0.bias']).toEqual({ dtype: 'F32', shape: [2], data_offsets: [0, 8] });
    expect(header['0.weight']).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [8, 32] });
    expect(header['1.num_batches_tracked']).toEqual({ dtype: 'I64', shape: [], data_offsets: [32, 40] });
    expect(header.__metadata__).toEqual({ format: 'pt' });
    expect(new Float32Array(bytes.slice(8 + n, 8 + n + 8).buffer)).toEqual(Float32Array.from([-1, 0.5]));
    expect(bytes.length).toBe(8 + n + 40);
  });
  test('round trip', () => {
    const { tensors: back, metadata } = decodeSafetensors(encodeSafetensors(tensors, { a: 'b' }));
    expect(back).toEqual(tensors);
    expect(metadata).toEqual({ a: 'b' });
  });
  test('a Node Buffer (as readFileSync returns it) decodes like a Uint8Array', () => {
    const bytes = encodeSafetensors(tensors);
    // a Buffer whose memory is shared with other bytes before it, as pooled or sliced Buffers are
    const padded = Buffer.concat([Buffer.alloc(13, 0xff), Buffer.from(bytes)]).subarray(13);
    expect(decodeSafetensors(padded).tensors).toEqual(tensors);
  });
  test('bad files are refused with the reason', () => {
    expect(() => decodeSafetensors(new Uint8Array(4))).toThrow('shorter than its 8-byte header length');
    const bytes = encodeSafetensors(tensors);
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4))).toThrow(
      '1.num_batches_tracked: byte range [32, 40) does not fit',
    );
  });
});
