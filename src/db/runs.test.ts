import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createDatabase, type LayerboardDB } from './schema.ts';
import { RunRepository } from './runs.ts';
import { SummaryWriter } from './summary-writer.ts';
import type { ModelDocument } from '../core/model/types.ts';
import { defaultTrainingConfig } from '../core/run/training-config.ts';
import { newModelDocument } from '../core/model/model-json.ts';

const doc: ModelDocument = newModelDocument([4], [{ type: 'Linear', in_features: 4, out_features: 2 }]);
let db: LayerboardDB;
let runs: RunRepository;
let n = 0;

beforeEach(() => {
  db = createDatabase('runs-test', { indexedDB: new IDBFactory(), IDBKeyRange });
  runs = new RunRepository(db, () => `r${++n}`);
});
afterEach(() => db.close());

const newRun = (name = 'run') => runs.create({ projectId: null, name, doc, config: defaultTrainingConfig() });

describe('runs and their logs', () => {
  test('a writer batches scalars and they read back by tag and step', async () => {
    const run = await newRun();
    const writer = new SummaryWriter(db, run.id, { flushMs: 10_000, maxBuffered: 100 });
    for (let step = 0; step < 250; step++) writer.addScalar('loss/train', 1 / (step + 1), step, 1000 + step);
    writer.addScalars('accuracy', { val: 0.5, test: 0.25 }, 3, 2000);
    // 200 flushed by size (in the background), the rest still buffered
    await expect.poll(async () => (await runs.scalars(run.id, 'loss/train')).length).toBe(200);
    await writer.close();
    const loss = await runs.scalars(run.id, 'loss/train');
    expect(loss.length).toBe(250);
    expect(loss[10]).toEqual({ runId: run.id, tag: 'loss/train', step: 10, wallTime: 1010, value: 1 / 11 });
    expect(await runs.tags(run.id)).toEqual(['accuracy/test', 'accuracy/val', 'loss/train']);
  });

  test('graph, text and hparams are stored per run; delete removes every log', async () => {
    const run = await newRun();
    const writer = new SummaryWriter(db, run.id);
    await writer.addGraph({ name: 'Model', children: [] });
    await writer.addText('notes', 'hello', 0);
    await writer.addHparams({ lr: 0.1 }, { 'accuracy/test': 0.9 });
    writer.addScalar('loss/train', 1, 0);
    await writer.close();
    expect((await db.graphs.get(run.id))?.graph).toEqual({ name: 'Model', children: [] });
    await runs.delete(run.id);
    expect(await db.scalarBlocks.count()).toBe(0);
    expect(await db.texts.count()).toBe(0);
    expect(await db.graphs.count()).toBe(0);
    expect(await db.hparams.count()).toBe(0);
    expect(await runs.get(run.id)).toBeUndefined();
  });

  test('ending, renaming and interrupted runs', async () => {
    const a = await newRun('a');
    const b = await newRun('b');
    await runs.end(a.id, 'failed', 'loss became NaN at step 12 (loss = NaN)', { 'loss/train': 2 });
    expect(await runs.get(a.id)).toMatchObject({
      status: 'failed',
      message: 'loss became NaN at step 12 (loss = NaN)',
      metrics: { 'loss/train': 2 },
    });
    await runs.rename(b.id, '  lr 0.1  ');
    expect((await runs.get(b.id))?.name).toBe('lr 0.1');
    await expect(runs.rename(b.id, ' ')).rejects.toThrow('a run name cannot be empty');
    expect(await runs.markInterrupted()).toEqual([b.id]);
    expect((await runs.get(b.id))?.status).toBe('interrupted');
  });

  test('a write error reaches onError with a clear message instead of vanishing', async () => {
    const run = await newRun();
    const errors: Error[] = [];
    const writer = new SummaryWriter(db, run.id, { onError: (e) => errors.push(e) });
    db.scalarBlocks.bulkPut = () =>
      Promise.reject(Object.assign(new Error('quota'), { name: 'QuotaExceededError' })) as never;
    writer.addScalar('loss/train', 1, 0);
    await writer.flush();
    expect(errors.map((e) => e.message)).toEqual([
      `the browser's storage is full (IndexedDB quota): logs of run ${run.id} could not be written`,
    ]);
  });
});
