// Small CIFAR-10-format files for tests: batches of records (1 label byte + 3072 pixel
// bytes), a ustar archive of them and its gzip, as `tar czf` would write them.
import { gzipSync } from 'node:zlib';

export const CIFAR_BATCHES = [
  'data_batch_1.bin',
  'data_batch_2.bin',
  'data_batch_3.bin',
  'data_batch_4.bin',
  'data_batch_5.bin',
  'test_batch.bin',
];

/** `count` records, label (r + batchId) % 10, pixels a pattern of (batch, record, pixel). */
export function cifarBatch(batchId: number, count: number): Uint8Array {
  const out = new Uint8Array(count * 3073);
  for (let r = 0; r < count; r++) {
    out[r * 3073] = (r + batchId) % 10;
    for (let p = 1; p < 3073; p++) out[r * 3073 + p] = (batchId * 31 + r * 7 + p) % 256;
  }
  return out;
}

export function tarArchive(files: { name: string; data: Uint8Array }[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const f of files) {
    const h = new Uint8Array(512);
    const put = (s: string, at: number) => h.set(new TextEncoder().encode(s), at);
    put(f.name, 0);
    put('0000644\0', 100);
    put('0000000\0', 108);
    put('0000000\0', 116);
    put(f.data.length.toString(8).padStart(11, '0') + '\0', 124);
    put('00000000000\0', 136);
    put('        ', 148);
    put('0', 156);
    put('ustar\0', 257);
    put('00', 263);
    const sum = h.reduce((a, b) => a + b, 0);
    put(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    blocks.push(h, f.data, new Uint8Array((512 - (f.data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let o = 0;
  for (const b of blocks) {
    out.set(b, o);
    o += b.length;
  }
  return out;
}

/** cifar-10-binary.tar.gz with `perBatch` records in each of the six batches. */
export function cifarTarGz(perBatch: number): Uint8Array {
  const files = CIFAR_BATCHES.map((name, i) => ({
    name: `cifar-10-batches-bin/${name}`,
    data: cifarBatch(i, perBatch),
  }));
  return new Uint8Array(gzipSync(tarArchive(files)));
}
