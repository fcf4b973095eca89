// Byte budgets of the dataset and log imports: a tar entry's size field is checked (the
// entry and the byte of its header named), a tarball is untarred as it inflates and
// refused once it passes what CIFAR-10 could hold, zip entries are refused by the sizes
// they declare before anything is inflated, and never inflated past what they declare.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createGzip, gzipSync } from 'node:zlib';
import { CIFAR_BATCHES, cifarBatch, tarArchive } from './helpers/cifar-files.ts';
import { CIFAR10_MAX_BYTES, importCifar10 } from '../../src/engine/data/cifar10.ts';
import { TarStream, untar } from '../../src/engine/data/tar.ts';
import { inflate, InflateLimitError } from '../../src/core/formats/inflate.ts';
import { readZip, readZipArchive, writeZip } from '../../src/core/formats/zip.ts';
import { writeEventFile } from '../../src/core/formats/tfevents/index.ts';
import { createDatabase, type LayerboardDB } from '../../src/db/schema.ts';
import { importBoardFiles } from '../../src/ui/board/log-import.ts';
import { DataRuntime } from '../../src/worker/data-runtime.ts';
import type { DataEvent } from '../../src/worker/data-protocol.ts';
import { readScalars } from '../../src/db/scalar-blocks.ts';
import { SCALAR_BATCH } from '../../src/db/scalar-batches.ts';

let db: LayerboardDB;
let n = 0;
beforeEach(() => {
  db = createDatabase(`budgets-${++n}`, { indexedDB: new IDBFactory(), IDBKeyRange });
});
afterEach(() => db.close());

const bins = CIFAR_BATCHES.map((name, i) => ({ name: `cifar-10-batches-bin/${name}`, data: cifarBatch(i, 2) }));

/** Rewrites the header at `at` with `patch`, then fixes its checksum (so only the patched field is wrong). */
function patchHeader(tar: Uint8Array, at: number, patch: (header: Uint8Array) => void): Uint8Array {
  const out = tar.slice();
  const h = out.subarray(at, at + 512);
  patch(h);
  h.fill(32, 148, 156);
  const sum = h.reduce((a, b) => a + b, 0);
  h.set(new TextEncoder().encode(sum.toString(8).padStart(6, '0') + '\0 '), 148);
  return out;
}
const putSize = (text: string) => (h: Uint8Array) => {
  h.fill(0, 124, 136);
  h.set(new TextEncoder().encode(text), 124);
};
/** The second entry's header: after the first header and its data (two 3073-byte records, padded). */
const SECOND = 512 + Math.ceil((2 * 3073) / 512) * 512;

/** `bytes` of zeros, gzipped piece by piece (a 2 GiB bomb is ~2 MB and never in memory whole). */
async function gzipOfZeros(bytes: number): Promise<Uint8Array> {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((resolve) => gz.on('end', resolve));
  const piece = Buffer.alloc(1 << 24);
  for (let left = bytes; left > 0; left -= piece.length)
    if (!gz.write(left >= piece.length ? piece : piece.subarray(0, left)))
      await new Promise((resolve) => gz.once('drain', resolve));
  gz.end();
  await done;
  return new Uint8Array(Buffer.concat(out));
}

describe('tar size fields', () => {
  const tar = tarArchive(bins.slice(0, 2));
  test.each([
    ['a negative octal size', putSize('-0000000001'), /its size field is negative \("-0000000001"\)/],
    ['a non-octal size', putSize('0000000999x'), /its size field is not an octal number \("0000000999x"\)/],
    ['a negative base-256 size', (h: Uint8Array) => h.fill(0xff, 124, 136), /its size field is negative \(base-256\)/],
    [
      'an overflowing base-256 size',
      (h: Uint8Array) => {
        h.fill(0xff, 124, 136);
        h[124] = 0x80;
      },
      /its size field is \d\.\d+e\+\d+ bytes, past what can be addressed/,
    ],
  ])('%s is an error naming the entry and its header byte', (_, patch, message) => {
    const bad = patchHeader(tar, SECOND, patch);
    expect(() => untar(bad)).toThrow(`tar entry 'cifar-10-batches-bin/data_batch_2.bin' (header at byte ${SECOND})`);
    expect(() => untar(bad)).toThrow(message);
  });
  test('an entry bigger than the archive is a truncated archive, named', () => {
    const bad = patchHeader(tar, SECOND, putSize((1 << 30).toString(8)));
    expect(() => untar(bad)).toThrow(
      "tar archive is truncated: 'cifar-10-batches-bin/data_batch_2.bin' needs 1,073,741,824 bytes",
    );
  });
  test('read in pieces of any size, the same entries come out; skipped entries are not kept', () => {
    const whole = tarArchive(bins);
    for (const piece of [1, 7, 512, 4096]) {
      const stream = new TarStream({ keep: (name) => !name.endsWith('test_batch.bin') });
      for (let i = 0; i < whole.length; i += piece) stream.push(whole.subarray(i, i + piece));
      const entries = stream.finish();
      expect(entries.map((e) => e.name)).toEqual(bins.slice(0, 5).map((b) => b.name));
      expect(entries.every((e, i) => e.data.every((b, j) => b === bins[i].data[j]))).toBe(true);
    }
  });
  test('a kept entry over the limit is refused by its header, before its data is read', () => {
    const stream = new TarStream({ maxEntryBytes: 1000 });
    expect(() => stream.push(tarArchive(bins.slice(0, 1)).subarray(0, 512))).toThrow(
      "tar entry 'cifar-10-batches-bin/data_batch_1.bin' (header at byte 0) declares 6,146 bytes, more than the 1,000-byte limit",
    );
  });
});

describe('CIFAR-10 decompression budget', () => {
  test('a gzip bomb is refused once it passes the limit, naming the file and the limit', async () => {
    const bomb = await gzipOfZeros(CIFAR10_MAX_BYTES + (64 << 20));
    expect(bomb.length).toBeLessThan(1 << 20);
    const phases: string[] = [];
    await expect(
      importCifar10([{ name: 'cifar-10-binary.tar.gz', bytes: bomb }], (phase, _, detail) =>
        phases.push(`${phase} ${detail ?? ''}`),
      ),
    ).rejects.toThrow(
      'cifar-10-binary.tar.gz inflates to more than 268,435,456 bytes (256 MiB), the most a CIFAR-10 binary tarball unpacks to (184 MB): refused',
    );
    // progress was reported while it inflated
    expect(phases.some((p) => /^decompress \d+ MB unpacked$/.test(p))).toBe(true);
  }, 60_000);
  test('a batch whose header declares 1 GiB is refused by the header', async () => {
    const tar = patchHeader(tarArchive(bins), 0, putSize((1 << 30).toString(8)));
    await expect(importCifar10([{ name: 'c.tar.gz', bytes: new Uint8Array(gzipSync(tar)) }])).rejects.toThrow(
      "c.tar.gz: tar entry 'cifar-10-batches-bin/data_batch_1.bin' (header at byte 0) declares 1,073,741,824 bytes, more than the 268,435,456-byte limit",
    );
  });
  test('a negative size field in the tarball names the file, entry and byte', async () => {
    const tar = patchHeader(tarArchive(bins), SECOND, putSize('-1'));
    await expect(importCifar10([{ name: 'c.tar', bytes: tar }])).rejects.toThrow(
      `c.tar: tar entry 'cifar-10-batches-bin/data_batch_2.bin' (header at byte ${SECOND}): its size field is negative`,
    );
  });
  test('a cancelled import stops with the reason', async () => {
    const controller = new AbortController();
    const bytes = new Uint8Array(gzipSync(tarArchive(bins)));
    controller.abort(new Error('the import was cancelled'));
    await expect(importCifar10([{ name: 'c.tar.gz', bytes }], undefined, controller.signal)).rejects.toThrow(
      'the import was cancelled',
    );
  });
});

describe('inflate budget', () => {
  test('output past maxBytes stops the inflate; within it, the bytes come back', async () => {
    const gz = new Uint8Array(gzipSync(new Uint8Array(10_000).fill(7)));
    await expect(inflate(gz, { format: 'gzip', maxBytes: 9_999 })).rejects.toBeInstanceOf(InflateLimitError);
    const { data, total } = await inflate(gz, { format: 'gzip', maxBytes: 10_000 });
    expect([total, data.length, data[9_999]]).toEqual([10_000, 10_000, 7]);
  });
});

/** The central directory record of entry `index` (0-based) of a zip we wrote. */
function centralAt(zip: Uint8Array, index: number): number {
  const dv = new DataView(zip.buffer, zip.byteOffset);
  let at = dv.getUint32(zip.length - 22 + 16, true);
  for (let i = 0; i < index; i++) at += 46 + dv.getUint16(at + 28, true) + dv.getUint16(at + 30, true);
  return at;
}
/** Sets the inflated size that entry `index` declares, in its central and local headers. */
function declareSize(zip: Uint8Array, index: number, size: number): Uint8Array {
  const out = zip.slice();
  const dv = new DataView(out.buffer);
  const c = centralAt(out, index);
  dv.setUint32(c + 24, size, true);
  dv.setUint32(dv.getUint32(c + 42, true) + 22, size, true);
  return out;
}

describe('zip budgets', () => {
  const entries = [
    { name: 'cat/1.png', data: new Uint8Array(3000).fill(1) },
    { name: 'dog/1.png', data: new Uint8Array(3000).fill(2) },
  ];
  test('an entry declaring 1 GiB is refused by its declared size; the others are read', async () => {
    const zip = declareSize(await writeZip(entries), 0, 2 ** 30);
    const { entries: read, refused } = await readZipArchive(zip, { maxEntryBytes: 64 << 20 });
    expect(read.map((e) => e.name)).toEqual(['dog/1.png']);
    expect(refused).toEqual([
      {
        name: 'cat/1.png',
        reason: 'it declares 1,073,741,824 bytes, more than the 67,108,864-byte limit for one entry',
      },
    ]);
    await expect(readZip(zip, { maxEntryBytes: 64 << 20 })).rejects.toThrow(
      'zip entry "cat/1.png" is refused: it declares 1,073,741,824 bytes',
    );
  });
  test('entries past the total budget are refused', async () => {
    const { entries: read, refused } = await readZipArchive(await writeZip(entries), { maxTotalBytes: 4000 });
    expect(read.map((e) => e.name)).toEqual(['cat/1.png']);
    expect(refused[0].reason).toBe(
      'the entries before it and its 3,000 bytes pass the 4,000-byte limit for the whole archive',
    );
  });
  test('an entry that inflates past the size it declares is stopped there', async () => {
    const zip = declareSize(await writeZip(entries), 1, 100);
    await expect(readZip(zip)).rejects.toThrow(
      "zip entry 'dog/1.png' inflates past the 100 bytes it declares (stopped there): damaged, or a decompression bomb",
    );
  });
  test('an entry that inflates to less than it declares is damaged', async () => {
    const zip = declareSize(await writeZip(entries), 1, 3001);
    await expect(readZip(zip)).rejects.toThrow("zip entry 'dog/1.png' holds 3,000 bytes, but declares 3,001");
  });
});

describe('budgets where files come in', () => {
  const events = (values: number[]) =>
    writeEventFile(
      values.map((value, step) => ({ tag: 'loss', step, wallTime: 1700000000 + step, value })),
      1700000000,
    );
  test('a logdir zip entry declaring 1 GiB is listed as refused; the other run comes in', async () => {
    const zip = await writeZip([
      { name: 'big/events.out.tfevents.1.h', data: events([1, 2]) },
      { name: 'ok/events.out.tfevents.1.h', data: events([3]) },
    ]);
    const { runs, problems } = await importBoardFiles(db, [
      { path: 'logs.zip', bytes: async () => declareSize(zip, 0, 2 ** 30) },
    ]);
    expect(runs.map((r) => r.name)).toEqual(['ok']);
    expect(problems).toEqual([
      'logs.zip: entry "big/events.out.tfevents.1.h" refused: it declares 1,073,741,824 bytes, more than the 268,435,456-byte limit for one entry',
    ]);
  });

  test('an ImageFolder zip with a 1 GiB entry is refused by its declared size, naming the zip and the entry', async () => {
    const zip = await writeZip([
      { name: 'cat/1.png', data: new Uint8Array([1]) },
      { name: 'dog/1.png', data: new Uint8Array([2]) },
    ]);
    const replies: DataEvent[] = [];
    const rt = new DataRuntime((e) => replies.push(e), { db: () => db, decode: async () => new Uint8ClampedArray(64) });
    const file = new Blob([declareSize(zip, 1, 2 ** 30) as Uint8Array<ArrayBuffer>]);
    rt.handle({
      id: 1,
      type: 'import-images',
      datasetId: 'x',
      size: 4,
      channels: 3,
      testFraction: 0,
      source: { kind: 'zip', name: 'pets.zip', file },
    });
    await expect
      .poll(() => replies.find((r) => r.type === 'reply'))
      .toMatchObject({
        ok: false,
        error:
          'pets.zip: zip entry "dog/1.png" is refused: it declares 1,073,741,824 bytes, more than the 67,108,864-byte limit for one entry',
      });
  });

  test('cancel-imports stops a CIFAR-10 import in the data worker', async () => {
    const replies: DataEvent[] = [];
    const rt = new DataRuntime((e) => replies.push(e), { db: () => db, decode: async () => new Uint8ClampedArray() });
    const file = new Blob([gzipSync(tarArchive(bins))]);
    rt.handle({ id: 1, type: 'import-cifar10', files: [{ name: 'cifar-10-binary.tar.gz', file }] });
    rt.handle({ id: 2, type: 'cancel-imports' });
    await expect
      .poll(() => replies.filter((r) => r.type === 'reply'))
      .toEqual([
        { type: 'reply', requestId: 2, ok: true, result: { cancelled: 1 } },
        { type: 'reply', requestId: 1, ok: false, error: 'the import was cancelled' },
      ]);
    expect(await db.datasets.count()).toBe(0);
  });

  test('points are stored batch by batch with a running count; the run is listed once all are in', async () => {
    const file = events(Array.from({ length: 250_000 }, (_, i) => i));
    const seen: [number, number, number][] = [];
    const { runs } = await importBoardFiles(db, [{ path: 'a/events.out.tfevents.1.h', bytes: async () => file }], {
      onProgress: (_, done, total) => void db.runs.count().then((listed) => seen.push([done, total, listed])),
    });
    expect(runs.map((r) => r.name)).toEqual(['a']);
    expect(seen.filter(([done]) => done > 0)).toEqual([
      ...Array.from({ length: Math.floor(250_000 / SCALAR_BATCH) }, (_, i) => [(i + 1) * SCALAR_BATCH, 250_000, 0]),
      [250_000, 250_000, 0],
    ]);
    expect((await readScalars(db, runs[0].id)).length).toBe(250_000);
  }, 60_000);

  test('a cancelled board import stores no partial run', async () => {
    const controller = new AbortController();
    const many = events(Array.from({ length: 6_000 }, (_, i) => i));
    const { runs, problems } = await importBoardFiles(
      db,
      [{ path: 'a/events.out.tfevents.1.h', bytes: async () => many }],
      {
        signal: controller.signal,
        onProgress: (_, done) => {
          if (done > 0) controller.abort(new Error('the import was cancelled'));
        },
      },
    );
    expect(runs).toEqual([]);
    expect(problems).toEqual(['a: not imported: the import was cancelled']);
    await expect.poll(() => db.scalarBlocks.count(), { timeout: 30_000 }).toBe(0);
    expect(await db.runs.count()).toBe(0);
  }, 60_000);
});
