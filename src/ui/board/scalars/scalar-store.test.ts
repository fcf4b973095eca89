// liveQuery needs a global indexedDB to run at all in Node (dexie's DOM check).
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createDatabase, type LayerboardDB } from '../../../db/schema.ts';
import { RunRepository } from '../../../db/runs.ts';
import { SummaryWriter } from '../../../db/summary-writer.ts';
import { ScalarStore, type StoreChange } from './scalar-store.ts';
import { appendScalars } from '../../../db/scalar-blocks.ts';

let db: LayerboardDB;
let repo: RunRepository;
let store: ScalarStore;
const changes: StoreChange[] = [];
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

beforeEach(() => {
  db = createDatabase('store-test', { indexedDB: new IDBFactory(), IDBKeyRange });
  repo = new RunRepository(db);
  store = new ScalarStore(repo);
  changes.length = 0;
  store.onChange((c) => changes.push(c));
});
afterEach(() => {
  store.dispose();
  db.close();
});

test('a run is read whole, then new points are appended as the writer flushes', async () => {
  const w = new SummaryWriter(db, 'r1', { flushMs: 5 });
  for (let s = 0; s < 100; s++) w.addScalar('loss/train', 1 / (s + 1), s, 1000 + s);
  await w.flush();
  store.need('loss/train');
  store.need('accuracy/val');
  store.watch(['r1']);
  await store.ready();
  expect(store.series('r1', 'loss/train')?.length).toBe(100);
  // the tags from the index, then the points of the needed one
  expect(changes).toEqual([
    { runId: 'r1', kind: 'reset', tags: ['loss/train'] },
    { runId: 'r1', kind: 'reset', tags: ['loss/train'] },
  ]);
  const first = store.series('r1', 'loss/train');

  for (let s = 100; s < 130; s++) w.addScalar('loss/train', 1 / (s + 1), s, 1000 + s);
  await w.flush();
  await until(() => store.series('r1', 'loss/train')?.length === 130);
  expect(store.series('r1', 'loss/train')).toBe(first); // the same columns, appended in place
  expect(changes.at(-1)).toEqual({ runId: 'r1', kind: 'append', tags: ['loss/train'] });

  w.addScalar('accuracy/val', 0.9, 129, 1129);
  await w.flush();
  await until(() => store.tagsOf('r1').length === 2);
  expect(changes.at(-1)).toMatchObject({ kind: 'reset', tags: ['accuracy/val'] });
  expect(store.series('r1', 'loss/train')?.length).toBe(130);
});

test('a point written before the last step makes the run reload; unwatching drops it', async () => {
  await appendScalars(
    db,
    'r1',
    [0, 2, 4].map((step) => ({ runId: 'r1', tag: 'lr', step, wallTime: step, value: step })),
  );
  store.need('lr');
  store.watch(['r1']);
  await store.ready();
  await appendScalars(db, 'r1', [{ runId: 'r1', tag: 'lr', step: 3, wallTime: 3, value: 3 }]);
  await until(() => store.series('r1', 'lr')?.length === 4);
  expect(Array.from(store.series('r1', 'lr')!.steps.subarray(0, 4))).toEqual([0, 2, 3, 4]);
  store.watch([]);
  expect(store.series('r1', 'lr')).toBeUndefined();
  expect(changes.at(-1)).toEqual({ runId: 'r1', kind: 'removed', tags: ['lr'] });
});

test('only the tags a card needs are read; the others are known by name until needed or exported', async () => {
  await appendScalars(
    db,
    'r1',
    ['a', 'b', 'c'].flatMap((tag) =>
      [0, 1, 2].map((step) => ({ runId: 'r1', tag, step, wallTime: step, value: step })),
    ),
  );
  const release = store.need('b');
  store.watch(['r1']);
  await store.ready();
  expect(store.tagsOf('r1')).toEqual(['a', 'b', 'c']);
  expect(store.series('r1', 'a')).toBeUndefined();
  expect(store.series('r1', 'b')?.length).toBe(3);
  release();
  store.need('c');
  await until(() => store.series('r1', 'c')?.length === 3);
  expect(store.series('r1', 'b')?.length).toBe(3); // kept after its card went away
  await store.loadEverything(['r1']);
  expect(store.seriesOf('r1').map((s) => s.tag)).toEqual(['a', 'b', 'c']);
});
