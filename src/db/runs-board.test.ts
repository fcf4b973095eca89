// The reads the board makes: all of a run's points at once, only the new ones, tags
// from the index, and a live point count.
// liveQuery needs a global indexedDB to run at all in Node (dexie's DOM check).
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createDatabase, type LayerboardDB } from './schema.ts';
import { RunRepository } from './runs.ts';
import type { ModelDocument } from '../core/model/types.ts';
import { newModelDocument } from '../core/model/model-json.ts';
import { appendScalars } from './scalar-blocks.ts';

const doc: ModelDocument = newModelDocument([4], []);
let db: LayerboardDB;
let runs: RunRepository;

beforeEach(() => {
  db = createDatabase('runs-board-test', { indexedDB: new IDBFactory(), IDBKeyRange });
  runs = new RunRepository(db, () => 'r1');
});
afterEach(() => db.close());

test('all scalars by tag then step, points after a step, tags from the index', async () => {
  await runs.create({ projectId: null, name: 'a', doc, config: null });
  await appendScalars(db, 'r1', [
    { runId: 'r1', tag: 'loss/train', step: 10, wallTime: 2, value: 0.5 },
    { runId: 'r1', tag: 'loss/train', step: 2, wallTime: 1, value: 0.9 },
    { runId: 'r1', tag: 'accuracy/val', step: 10, wallTime: 2, value: 0.7 },
  ]);
  await appendScalars(db, 'r2', [{ runId: 'r2', tag: 'loss/train', step: 1, wallTime: 1, value: 9 }]);
  expect((await runs.allScalars('r1')).map((r) => `${r.tag}@${r.step}`)).toEqual([
    'accuracy/val@10',
    'loss/train@2',
    'loss/train@10',
  ]);
  expect((await runs.scalarsAfter('r1', 'loss/train', 2)).map((r) => r.step)).toEqual([10]);
  expect(await runs.tags('r1')).toEqual(['accuracy/val', 'loss/train']);
  expect(await runs.scalarCount('r1')).toBe(3);
});

test('the live block index emits again when the run gets a new point', async () => {
  const seen: number[] = [];
  const sub = runs
    .watchScalarKeys('r1')
    .subscribe({ next: (keys) => seen.push(keys.reduce((n, k) => n + k.count, 0)) });
  await new Promise((r) => setTimeout(r, 50));
  await appendScalars(db, 'r1', [{ runId: 'r1', tag: 'lr', step: 0, wallTime: 0, value: 0.1 }]);
  await appendScalars(db, 'r2', [{ runId: 'r2', tag: 'lr', step: 0, wallTime: 0, value: 0.1 }]);
  // liveQuery may re-emit an unchanged count; what matters is that the new point is seen.
  await expect.poll(() => seen.at(-1)).toBe(1);
  sub.unsubscribe();
  expect(seen[0]).toBe(0);
});

test('a run imported without add_graph has no graph (none is invented); a run with layers is traced', async () => {
  const { loadRunGraph } = await import('../ui/board/graph/graph-source.ts');
  const imported = await runs.create({ projectId: null, name: 'tb', doc, config: null });
  const none = await loadRunGraph(runs, imported);
  expect(none.ok).toBe(false);
  expect(none.ok ? '' : none.error).toContain('without add_graph');
  const withLayers = { ...imported, doc: newModelDocument([4], [{ type: 'Linear', in_features: 4, out_features: 2 }]) };
  const traced = await loadRunGraph(runs, withLayers);
  expect(traced.ok && traced.rebuilt).toBe(true);
});
