import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { appendScalars, blockKeys, readScalars, readScalarsAfter, SCALAR_BLOCK } from './scalar-blocks.ts';
import { createDatabase, type LayerboardDB, type ScalarRecord } from './schema.ts';

let db: LayerboardDB;
beforeEach(() => {
  db = createDatabase('blocks', { indexedDB: new IDBFactory(), IDBKeyRange });
});
afterEach(() => db.close());

const point = (tag: string, step: number, value = step): ScalarRecord => ({
  runId: 'r',
  tag,
  step,
  wallTime: 1_700_000_000 + step,
  value,
});
const steps = (points: ScalarRecord[]) => points.map((p) => p.step);

test('appends fill the tail block, then start new ones; the index alone gives tags and counts', async () => {
  const n = SCALAR_BLOCK + 10;
  for (let from = 0; from < n; from += 1000) {
    const batch = Array.from({ length: Math.min(1000, n - from) }, (_, i) => point('loss', from + i));
    await appendScalars(db, 'r', batch);
  }
  expect(await db.scalarBlocks.count()).toBe(2);
  expect(await blockKeys(db, 'r')).toEqual([
    { tag: 'loss', last: SCALAR_BLOCK - 1, count: SCALAR_BLOCK },
    { tag: 'loss', last: n - 1, count: 10 },
  ]);
  expect(steps(await readScalars(db, 'r', 'loss'))).toEqual(Array.from({ length: n }, (_, i) => i));
  expect(steps(await readScalarsAfter(db, 'r', 'loss', n - 3))).toEqual([n - 2, n - 1]);
  expect(steps(await readScalarsAfter(db, 'r', 'loss', SCALAR_BLOCK - 1))).toHaveLength(10);
});

test('a rewritten or earlier step is merged in place: one point per step, the last written wins', async () => {
  await appendScalars(
    db,
    'r',
    [0, 2, 4].map((s) => point('lr', s)),
  );
  await appendScalars(db, 'r', [point('lr', 2, 20), point('lr', 3, 30)]);
  expect((await readScalars(db, 'r', 'lr')).map((p) => [p.step, p.value])).toEqual([
    [0, 0],
    [2, 20],
    [3, 30],
    [4, 4],
  ]);
  expect((await blockKeys(db, 'r')).reduce((n, k) => n + k.count, 0)).toBe(4);
  // within one append too, and out of order
  await appendScalars(db, 'r', [point('acc', 5, 1), point('acc', 1, 2), point('acc', 5, 3)]);
  expect((await readScalars(db, 'r', 'acc')).map((p) => [p.step, p.value])).toEqual([
    [1, 2],
    [5, 3],
  ]);
});

test('doubles stay doubles and the largest safe step is kept exactly; runs and tags stay apart', async () => {
  const big = Number.MAX_SAFE_INTEGER;
  await appendScalars(db, 'r', [point('x', 0, 0.1), point('x', big, 1 / 3)]);
  await appendScalars(db, 'q', [{ ...point('x', 1, 7), runId: 'q' }]);
  const got = await readScalars(db, 'r');
  expect(got.map((p) => [p.step, p.value])).toEqual([
    [0, 0.1],
    [big, 1 / 3],
  ]);
  expect((await readScalars(db, 'q')).map((p) => p.value)).toEqual([7]);
  expect((await blockKeys(db, 'q')).map((k) => k.tag)).toEqual(['x']);
});
