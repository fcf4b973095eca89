import { describe, expect, test } from 'vitest';
import { gzipSync } from 'node:zlib';
import { cifarBatch as batch, tarArchive as tar } from './helpers/cifar-files.ts';
import { importCifar10, CIFAR10_CLASSES } from '../../src/engine/data/cifar10.ts';
import { untar } from '../../src/engine/data/tar.ts';

const names = [
  'data_batch_1.bin',
  'data_batch_2.bin',
  'data_batch_3.bin',
  'data_batch_4.bin',
  'data_batch_5.bin',
  'test_batch.bin',
];
const bins = names.map((name, i) => ({ name: `cifar-10-batches-bin/${name}`, data: batch(i, 4) }));
const tarball = () =>
  new Uint8Array(
    gzipSync(
      tar([
        { name: 'cifar-10-batches-bin/batches.meta.txt', data: new TextEncoder().encode(CIFAR10_CLASSES.join('\n')) },
        ...bins,
      ]),
    ),
  );

describe('CIFAR-10 import', () => {
  test('a generated cifar-10-binary.tar.gz gives the batches in order, train then test', async () => {
    const phases = new Set<string>();
    const ds = await importCifar10([{ name: 'cifar-10-binary.tar.gz', bytes: tarball() }], (phase) =>
      phases.add(phase),
    );
    expect([ds.train, ds.test, ds.channels, ds.height, ds.width]).toEqual([20, 4, 3, 32, 32]);
    expect([...ds.labels.subarray(0, 5)]).toEqual([0, 1, 2, 3, 1]);
    expect(ds.pixels[3072 * 4]).toBe(bins[1].data[1]); // first pixel of data_batch_2's first record
    expect([...ds.labels.subarray(20)]).toEqual([5, 6, 7, 8]);
    expect([...phases]).toEqual(['decompress', 'untar', 'validate']);
  });
  test('the extracted .bin batches work too', async () => {
    const ds = await importCifar10(bins.map((b) => ({ name: b.name.split('/')[1], bytes: b.data })));
    expect(ds.train + ds.test).toBe(24);
  });
  test('not gzip', async () => {
    await expect(
      importCifar10([{ name: 'cifar.tar.gz', bytes: new TextEncoder().encode('PK\x03\x04...') }]),
    ).rejects.toThrow('cifar.tar.gz is not gzip-compressed (starts with 50 4b, gzip starts with 1f 8b)');
  });
  test('a truncated tarball', async () => {
    const whole = tarball();
    await expect(
      importCifar10([{ name: 'cifar-10-binary.tar.gz', bytes: whole.subarray(0, whole.length >> 1) }]),
    ).rejects.toThrow(/cifar-10-binary.tar.gz could not be decompressed .*damaged or truncated/);
  });
  test('a wrong record size', async () => {
    const files = bins.map((b) => ({ name: b.name.split('/')[1], bytes: b.data }));
    files[2] = { name: files[2].name, bytes: files[2].bytes.subarray(0, 3073 * 3 + 100) };
    await expect(importCifar10(files)).rejects.toThrow(
      'data_batch_3.bin is 9319 bytes, not a whole number of 3073-byte CIFAR-10 records',
    );
  });
  test('a label out of range', async () => {
    const files = bins.map((b) => ({ name: b.name.split('/')[1], bytes: b.data.slice() }));
    files[5].bytes[3073 * 2] = 12;
    await expect(importCifar10(files)).rejects.toThrow(
      'test_batch.bin: record 2 has label 12, CIFAR-10 labels are 0–9',
    );
  });
  test('missing batches are named', async () => {
    await expect(importCifar10([{ name: 'data_batch_1.bin', bytes: batch(0, 2) }])).rejects.toThrow(
      'CIFAR-10 needs data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin, test_batch.bin; found data_batch_1.bin',
    );
  });
  test('a damaged tar header', () => {
    const t = tar(bins.slice(0, 1));
    t[10] ^= 0xff;
    expect(() => untar(t)).toThrow('bad header checksum at byte 0');
  });
});
