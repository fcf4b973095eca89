import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createDatabase, type LayerboardDB } from '../../src/db/schema.ts';
import { writeZip } from '../../src/core/formats/zip.ts';
import { DataRuntime, CIFAR10_ID } from '../../src/worker/data-runtime.ts';
import type { DataEvent, DataReplies } from '../../src/worker/data-protocol.ts';
import { CHUNK_BYTES, listDatasets, loadStoredDataset, saveDataset } from '../../src/db/dataset-store.ts';
import type { ImageDecoder } from '../../src/engine/data/image-folder.ts';
import { cifarBatch, cifarTarGz } from './helpers/cifar-files.ts';

let db: LayerboardDB;
let n = 0;
beforeEach(() => {
  db = createDatabase(`data-${++n}`, { indexedDB: new IDBFactory(), IDBKeyRange });
});
afterEach(() => db.close());

// A decoder for tests: the "image" bytes are one grey level repeated; RGBA of size×size.
const greyDecoder: ImageDecoder = async (file, size) => {
  if (file.data[0] === 0xff) throw new Error('bad PNG signature');
  return new Uint8ClampedArray(size * size * 4).fill(file.data[0]);
};

/** Runs one request through a runtime and collects its progress events and reply. */
async function call<T extends keyof DataReplies>(
  msg: Record<string, unknown> & { type: T },
): Promise<{ progress: DataEvent[]; result?: DataReplies[T]; error?: string }> {
  const progress: DataEvent[] = [];
  return new Promise((resolve) => {
    const rt = new DataRuntime(
      (e) => {
        if (e.type === 'progress') progress.push(e);
        else resolve(e.ok ? { progress, result: e.result as DataReplies[T] } : { progress, error: e.error });
      },
      { db: () => db, decode: greyDecoder },
    );
    rt.handle({ id: 1, ...msg });
  });
}

describe('data worker runtime', () => {
  test('imports a generated cifar-10-binary.tar.gz with progress and caches it in IndexedDB', async () => {
    const file = new Blob([cifarTarGz(5) as Uint8Array<ArrayBuffer>]);
    const { progress, result, error } = await call({
      type: 'import-cifar10',
      files: [{ name: 'cifar-10-binary.tar.gz', file }],
    });
    expect(error).toBeUndefined();
    expect(result!.datasetId).toBe(CIFAR10_ID);
    expect(result!.info).toMatchObject({ name: 'CIFAR-10', channels: 3, height: 32, width: 32, train: 25, test: 5 });
    expect(result!.info.counts.test.reduce((a, b) => a + b, 0)).toBe(5);
    const phases = [...new Set(progress.map((e) => e.type === 'progress' && e.phase))];
    expect(phases).toEqual(['read', 'decompress', 'untar', 'validate', 'save']);
    const fractions = progress
      .filter((e) => e.type === 'progress' && e.phase === 'save')
      .map((e) => e.type === 'progress' && e.fraction);
    expect(fractions.at(-1)).toBe(1);
    // a fresh runtime (a reload) reads it from IndexedDB
    const stored = await loadStoredDataset(db, CIFAR10_ID);
    expect(stored.labels[25]).toBe(5); // test_batch record 0: label (0 + 5) % 10
    expect(stored.pixels[3072 * 25]).toBe(cifarBatch(5, 1)[1]);
    expect((await listDatasets(db)).map((d) => d.id)).toEqual([CIFAR10_ID]);
  });

  test('a truncated tarball and a file that is not gzip get their messages', async () => {
    const whole = cifarTarGz(5);
    const truncated = await call({
      type: 'import-cifar10',
      files: [
        {
          name: 'cifar-10-binary.tar.gz',
          file: new Blob([whole.subarray(0, whole.length >> 1) as Uint8Array<ArrayBuffer>]),
        },
      ],
    });
    expect(truncated.error).toMatch(/cifar-10-binary.tar.gz could not be decompressed .*damaged or truncated/);
    const notGzip = await call({
      type: 'import-cifar10',
      files: [{ name: 'cifar.tar.gz', file: new Blob(['PK\x03\x04 not a tarball']) }],
    });
    expect(notGzip.error).toBe('cifar.tar.gz is not gzip-compressed (starts with 50 4b, gzip starts with 1f 8b)');
    expect(await listDatasets(db)).toEqual([]);
  });

  test('an ImageFolder zip imports with class names from folders, decoded and resized by the decoder', async () => {
    const entries = [
      'cat/1.png',
      'cat/2.png',
      'cat/3.png',
      'dog/1.png',
      'dog/2.png',
      'dog/3.png',
      '__MACOSX/cat/._1.png',
    ].map((name, i) => ({ name: `pets/${name}`, data: new Uint8Array([10 * (i + 1), 1, 2]) }));
    const zip = await writeZip(entries);
    const { result, progress, error } = await call({
      type: 'import-images',
      datasetId: 'images-1',
      size: 8,
      channels: 1,
      testFraction: 0.34,
      source: { kind: 'zip', name: 'pets.zip', file: new Blob([zip as Uint8Array<ArrayBuffer>]) },
    });
    expect(error).toBeUndefined();
    expect(result!.info).toMatchObject({
      name: 'pets',
      classes: ['cat', 'dog'],
      channels: 1,
      height: 8,
      width: 8,
      train: 4,
      test: 2,
    });
    expect(progress.some((e) => e.type === 'progress' && e.phase === 'decode' && e.detail === '6 of 6 images')).toBe(
      true,
    );
    const preview = await call({ type: 'preview', ref: { kind: 'stored', id: 'images-1' }, perClass: 1 });
    expect(preview.result!.labels).toEqual([0, 1]);
    expect(new Uint8Array(preview.result!.pixels)[0]).toBe(10); // cat/1.png's grey level
  });

  test('an undecodable image names its file', async () => {
    const zip = await writeZip([
      { name: 'a/1.png', data: new Uint8Array([1]) },
      { name: 'b/1.png', data: new Uint8Array([0xff]) },
    ]);
    const { error } = await call({
      type: 'import-images',
      datasetId: 'x',
      size: 4,
      channels: 3,
      testFraction: 0,
      source: { kind: 'zip', name: 'x.zip', file: new Blob([zip as Uint8Array<ArrayBuffer>]) },
    });
    expect(error).toBe('b/1.png could not be decoded as an image (bad PNG signature)');
  });

  test('samples of the test split, and an index outside it', async () => {
    const ds = {
      name: 'tiny',
      classes: ['a', 'b'],
      channels: 1,
      height: 2,
      width: 2,
      train: 3,
      test: 2,
      pixels: Uint8Array.from({ length: 20 }, (_, i) => i),
      labels: Uint8Array.from([0, 1, 0, 1, 0]),
    };
    await saveDataset(db, 'tiny', 'imagefolder', ds);
    const ok = await call({ type: 'samples', ref: { kind: 'stored', id: 'tiny' }, split: 'test', indices: [1, 0] });
    expect([...new Uint8Array(ok.result!.pixels)]).toEqual([16, 17, 18, 19, 12, 13, 14, 15]);
    expect(ok.result!.labels).toEqual([0, 1]);
    const bad = await call({ type: 'samples', ref: { kind: 'stored', id: 'tiny' }, split: 'test', indices: [2] });
    expect(bad.error).toBe('image 2 is not in the test split of tiny (2 images)');
    const missing = await call({ type: 'info', ref: { kind: 'stored', id: 'gone' } });
    expect(missing.error).toMatch(/the imported dataset 'gone' is not in this browser's storage any more/);
  });

  test('the gallery shows misclassified test images first, or one confusion cell', async () => {
    const ds = {
      name: 'tiny',
      classes: ['a', 'b', 'c'],
      channels: 1,
      height: 1,
      width: 1,
      train: 1,
      test: 6,
      pixels: Uint8Array.from([9, 0, 1, 2, 3, 4, 5]),
      labels: Uint8Array.from([0, 0, 1, 2, 0, 1, 2]),
    };
    await saveDataset(db, 'g', 'imagefolder', ds);
    const ref = { kind: 'stored' as const, id: 'g' };
    const predictions = [0, 2, 2, 1, 1, 0];
    const mixed = await call({ type: 'gallery', ref, predictions, count: 4 });
    // test labels 0 1 2 0 1 2: wrong at 1, 3 and 5, then the correct ones in order
    expect(mixed.result!.indices).toEqual([1, 3, 5, 0]);
    expect(mixed.result!.predicted).toEqual([2, 1, 0, 0]);
    expect(mixed.result!.labels).toEqual([1, 0, 2, 0]);
    expect(mixed.result!.matching).toBe(3);
    const cell = await call({ type: 'gallery', ref, predictions, count: 10, only: { truth: 1, predicted: 2 } });
    expect(cell.result!.indices).toEqual([1]);
    expect([...new Uint8Array(cell.result!.pixels)]).toEqual([1]);
    const wrong = await call({ type: 'gallery', ref, predictions: [0, 1], count: 4 });
    expect(wrong.error).toBe('2 predictions for the 6 test images of tiny');
  });

  test('a dataset larger than one chunk round-trips', async () => {
    const count = Math.ceil((CHUNK_BYTES * 1.5) / 3072);
    const ds = {
      name: 'big',
      classes: ['a', 'b'],
      channels: 3,
      height: 32,
      width: 32,
      train: count - 1,
      test: 1,
      pixels: Uint8Array.from({ length: count * 3072 }, (_, i) => (i * 13) & 255),
      labels: Uint8Array.from({ length: count }, (_, i) => i & 1),
    };
    const info = await saveDataset(db, 'big', 'imagefolder', ds);
    expect(info.manifest.chunks).toBe(2);
    const back = await loadStoredDataset(db, 'big');
    expect(back.pixels.length).toBe(ds.pixels.length);
    expect(back.pixels[ds.pixels.length - 1]).toBe(ds.pixels[ds.pixels.length - 1]);
    expect(back.labels.at(-1)).toBe((count - 1) & 1);
  });

  test('unknown requests are answered with an error', async () => {
    const { error } = await call({ type: 'nope' as 'info' });
    expect(error).toBe(
      'unknown message type "nope" (known: import-cifar10, import-images, info, preview, samples, gallery, delete, cancel-imports)',
    );
  });
});
