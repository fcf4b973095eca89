import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createDatabase, type LayerboardDB } from './schema.ts';
import { RunRepository } from './runs.ts';
import { SummaryWriter } from './summary-writer.ts';
import { importEventFiles, logdirZip, runEventFile, runFolderName } from './tfevents-exchange.ts';
import { readZip } from '../core/formats/zip.ts';
import { newModelDocument } from '../core/model/model-json.ts';

let db: LayerboardDB;
let runs: RunRepository;
let n = 0;
beforeEach(() => {
  db = createDatabase('tb-test', { indexedDB: new IDBFactory(), IDBKeyRange });
  runs = new RunRepository(db, () => `r${++n}`);
});
afterEach(() => db.close());

async function loggedRun(name: string, values: number[]) {
  const run = await runs.create({ projectId: null, name, doc: newModelDocument([4], []), config: null });
  const w = new SummaryWriter(db, run.id);
  values.forEach((v, step) => w.addScalar('loss/train', v, step, 1700000000 + step));
  w.addScalar('accuracy/val', 0.75, 1, 1700000005);
  await w.close();
  return run;
}

describe('TensorBoard interchange', () => {
  test('a run exported as tfevents and imported back has the same scalars', async () => {
    const run = await loggedRun('lr 0.1', [2.5, 1.25, 0.625, Number.NaN]);
    const file = await runEventFile(db, run.id);
    expect(file.name).toMatch(/^events\.out\.tfevents\.\d+\.layerboard$/);
    const {
      runs: [back],
      problems,
    } = await importEventFiles(db, [{ path: `lr 0.1/${file.name}`, bytes: file.bytes }], () => 'imported');
    expect(problems).toEqual([]);
    expect(back.name).toBe('lr 0.1');
    const strip = (rs: { tag: string; step: number; wallTime: number; value: number }[]) =>
      rs.map(({ tag, step, wallTime, value }) => ({ tag, step, wallTime, value }));
    for (const tag of ['loss/train', 'accuracy/val']) {
      expect(strip(await runs.scalars('imported', tag))).toEqual(strip(await runs.scalars(run.id, tag)));
    }
  });

  test('a logdir zip holds one folder per run', async () => {
    const a = await loggedRun('a/b', [1]);
    const b = await loggedRun('a/b', [2]);
    const entries = await readZip(await logdirZip(db, [a.id, b.id]));
    expect(entries.map((e) => e.name.split('/')[0])).toEqual(['a_b', 'a_b (2)']);
    const { runs: imported } = await importEventFiles(
      db,
      entries.map((e) => ({ path: `logs/${e.name}`, bytes: e.data })),
    );
    expect(imported.map((r) => r.name)).toEqual(['a_b', 'a_b (2)']);
  });

  test('a damaged file keeps its good events and says where it broke', async () => {
    const run = await loggedRun('x', [3, 2, 1]);
    const { bytes } = await runEventFile(db, run.id);
    const cut = bytes.subarray(0, bytes.length - 7);
    const {
      runs: [back],
      problems,
    } = await importEventFiles(db, [{ path: 'events.out.tfevents.1.host', bytes: cut }], () => 'cut');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^events\.out\.tfevents\.1\.host: truncated record at byte \d+: .*; its \d+ good events were kept$/,
    );
    expect(back.name).toBe('events.out.tfevents.1.host');
    expect((await runs.scalars('cut', 'loss/train')).map((s) => s.value)).toEqual([3, 2, 1]);
  });

  test('damage before any logged value is a skipped file, not an empty run', async () => {
    const run = await loggedRun('y', [3, 2, 1]);
    const { bytes } = await runEventFile(db, run.id);
    const damaged = bytes.slice();
    // the file_version event is the first record; flip a byte of the second one's data
    const first = 16 + Number(new DataView(damaged.buffer).getBigUint64(0, true));
    damaged[first + 14] ^= 1;
    const { runs: imported, problems } = await importEventFiles(db, [
      { path: 'y/events.out.tfevents.1.host', bytes: damaged },
    ]);
    expect(imported).toEqual([]);
    expect(problems).toEqual([
      `y/events.out.tfevents.1.host: skipped, no readable events (bad data CRC in the record at byte ${first}); is it a TensorBoard event file?`,
    ]);
  });

  test('no event files is said plainly', async () => {
    expect((await importEventFiles(db, [{ path: 'notes.txt', bytes: new Uint8Array(1) }])).problems).toEqual([
      'no event files found (names contain "tfevents", as events.out.tfevents.<time>.<host>)',
    ]);
    expect(runFolderName('..', new Set())).toBe('run');
  });
});
