import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createDatabase, type LayerboardDB } from '../../db/schema.ts';
import { writeEventFile } from '../../core/formats/tfevents/index.ts';
import { writeZip } from '../../core/formats/zip.ts';
import { importBoardFiles, type PathBytes } from './log-import.ts';

let db: LayerboardDB;
beforeEach(() => { db = createDatabase('log-import-test', { indexedDB: new IDBFactory(), IDBKeyRange }); });
afterEach(() => db.close());

const at = (path: string, bytes: Uint8Array): PathBytes => ({ path, bytes: async () => bytes });
const events = (values: number[]) => writeEventFile(values.map((value, step) => ({ tag: 'loss', step, wallTime: 1700000000 + step, value })), 1700000000);
const values = async (runId: string) => (await db.scalars.where('runId').equals(runId).sortBy('step')).map((s) => s.value);

describe('importBoardFiles', () => {
  test('a logdir zip: one run per folder, named by the folder; macOS litter skipped', async () => {
    const zip = await writeZip([
      { name: 'logs/adam/events.out.tfevents.1700000000.host', data: events([1, 0.5]) },
      { name: 'logs/sgd/events.out.tfevents.1700000000.host', data: events([2, 1.5, 1]) },
      { name: '__MACOSX/logs/sgd/._events.out.tfevents.1700000000.host', data: new Uint8Array([0, 1, 2]) },
    ]);
    const { runs, problems } = await importBoardFiles(db, [at('logs.zip', zip)]);
    expect(problems).toEqual([]);
    expect(runs.map((r) => r.name).sort()).toEqual(['adam', 'sgd']);
    expect(await values(runs.find((r) => r.name === 'sgd')!.id)).toEqual([2, 1.5, 1]);
  });

  test('two zips with the same folder names give separate runs', async () => {
    const zip = await writeZip([{ name: 'run/events.out.tfevents.1.h', data: events([1]) }]);
    const { runs } = await importBoardFiles(db, [at('a.zip', zip), at('b.zip', zip)]);
    expect(runs).toHaveLength(2);
  });

  test('a truncated event file keeps its good points and names the file and offset', async () => {
    const whole = events([3, 2, 1]);
    const { runs, problems } = await importBoardFiles(db, [at('logdir/run1/events.out.tfevents.1.h', whole.subarray(0, whole.length - 5))]);
    expect(runs).toHaveLength(1);
    expect(await values(runs[0].id)).toEqual([3, 2]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^logdir\/run1\/events\.out\.tfevents\.1\.h: .*byte \d+/);
  });

  test('a damaged zip and a file that is no log are reported; nothing is imported', async () => {
    const { runs, problems } = await importBoardFiles(db, [at('broken.zip', new Uint8Array([1, 2, 3]))]);
    expect(runs).toEqual([]);
    expect(problems).toEqual(['broken.zip: not a zip archive (no end-of-central-directory record): wrong file or truncated']);
    const other = await importBoardFiles(db, [at('notes.txt', new Uint8Array([65]))]);
    expect(other.problems[0]).toMatch(/^no run files \(\.json\) or TensorBoard event files .* among 1 file$/);
  });

  test('a bad run file names its problem with the file', async () => {
    const { runs, problems } = await importBoardFiles(db, [at('x.run.json', new TextEncoder().encode('{"format":"nope"}'))]);
    expect(runs).toEqual([]);
    expect(problems[0]).toMatch(/^x\.run\.json: /);
  });
});
