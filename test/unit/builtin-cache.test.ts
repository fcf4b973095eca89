// Built-in datasets in a worker: downloaded once with progress, then read from IndexedDB
// until the app ships another version of the file.
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { gzipSync } from 'node:zlib';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { encodeLbds, type ImageDataset } from '../../src/core/formats/lbds.ts';
import { createDatabase, type LayerboardDB } from '../../src/db/schema.ts';
import { listDatasets } from '../../src/db/dataset-store.ts';
import { builtinStoreId, loadBuiltinDataset, type BuiltinPhase } from '../../src/worker/builtin-datasets.ts';

const ds: ImageDataset = {
  name: 'MNIST',
  classes: ['0', '1'],
  channels: 1,
  height: 2,
  width: 2,
  train: 2,
  test: 1,
  pixels: Uint8Array.from({ length: 12 }, (_, i) => i * 20),
  labels: Uint8Array.from([0, 1, 1]),
};
const gz = new Uint8Array(gzipSync(encodeLbds(ds)));

let db: LayerboardDB;
let n = 0;
let hash = 'v1';
const requests: string[] = [];
beforeEach(() => {
  db = createDatabase(`builtin-${++n}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  requests.length = 0;
  hash = 'v1';
  vi.stubGlobal('fetch', async (url: URL) => {
    requests.push(url.pathname);
    if (url.pathname.endsWith('index.json')) return new Response(JSON.stringify({ mnist: { bytes: gz.length, hash } }));
    if (url.pathname.endsWith('mnist.lbds.gz')) return new Response(gz.slice());
    return new Response('', { status: 404 });
  });
});
afterEach(() => {
  vi.unstubAllGlobals();
  db.close();
});

async function load(): Promise<{ ds: ImageDataset; phases: BuiltinPhase[] }> {
  const phases: BuiltinPhase[] = [];
  const out = await loadBuiltinDataset(db, 'mnist', 'http://app/', (phase, fraction) => {
    if (fraction === 1 && !phases.includes(phase)) phases.push(phase);
  });
  return { ds: out, phases };
}

test('the first load downloads with progress and caches; the next reads IndexedDB', async () => {
  const first = await load();
  expect(first.ds).toEqual(ds);
  expect(first.phases).toEqual(['download', 'decode', 'save']);
  expect(requests).toEqual(['/datasets/index.json', '/datasets/mnist.lbds.gz']);
  const [record] = await listDatasets(db);
  expect(record).toMatchObject({ id: builtinStoreId('mnist'), kind: 'builtin', manifest: { version: 'v1' } });

  requests.length = 0;
  const second = await load();
  expect(second.ds).toEqual(ds);
  expect(second.phases).toEqual(['load']);
  expect(requests).toEqual(['/datasets/index.json']);
});

test('a new version of the file replaces the cached copy', async () => {
  await load();
  hash = 'v2';
  requests.length = 0;
  const again = await load();
  expect(again.phases).toEqual(['download', 'decode', 'save']);
  expect(requests).toContain('/datasets/mnist.lbds.gz');
  expect((await db.datasets.get(builtinStoreId('mnist')))?.manifest.version).toBe('v2');
});

test('a missing file is an error that names the dataset and the URL', async () => {
  vi.stubGlobal('fetch', async () => new Response('', { status: 404 }));
  await expect(loadBuiltinDataset(db, 'fashion-mnist', 'http://app/')).rejects.toThrow(
    'could not load the built-in Fashion-MNIST dataset from http://app/datasets/fashion-mnist.lbds.gz: HTTP 404',
  );
});
