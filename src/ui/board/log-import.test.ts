import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createDatabase, type LayerboardDB } from '../../db/schema.ts';
import { writeEventFile } from '../../core/formats/tfevents/index.ts';
import { encodeScalarEvent } from '../../core/formats/tfevents/event.ts';
import { ProtoWriter } from '../../core/formats/tfevents/protobuf.ts';
import { writeRecords } from '../../core/formats/tfevents/records.ts';
import { writeZip } from '../../core/formats/zip.ts';
import { importBoardFiles, type PathBytes } from './log-import.ts';
import { readScalars } from '../../db/scalar-blocks.ts';

let db: LayerboardDB;
beforeEach(() => {
  db = createDatabase('log-import-test', { indexedDB: new IDBFactory(), IDBKeyRange });
});
afterEach(() => db.close());

const at = (path: string, bytes: Uint8Array): PathBytes => ({ path, bytes: async () => bytes });
const events = (values: number[]) =>
  writeEventFile(
    values.map((value, step) => ({ tag: 'loss', step, wallTime: 1700000000 + step, value })),
    1700000000,
  );
const values = async (runId: string) => (await readScalars(db, runId)).map((s) => s.value);

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
    const { runs, problems } = await importBoardFiles(db, [
      at('logdir/run1/events.out.tfevents.1.h', whole.subarray(0, whole.length - 5)),
    ]);
    expect(runs).toHaveLength(1);
    expect(await values(runs[0].id)).toEqual([3, 2]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^logdir\/run1\/events\.out\.tfevents\.1\.h: .*byte \d+/);
  });

  test('a damaged zip and a file that is no log are reported; nothing is imported', async () => {
    const { runs, problems } = await importBoardFiles(db, [at('broken.zip', new Uint8Array([1, 2, 3]))]);
    expect(runs).toEqual([]);
    expect(problems).toEqual([
      'broken.zip: not a zip archive (no end-of-central-directory record): wrong file or truncated',
    ]);
    const other = await importBoardFiles(db, [at('notes.txt', new Uint8Array([65]))]);
    expect(other.problems[0]).toMatch(/^no run files \(\.json\) or TensorBoard event files .* among 1 file$/);
  });

  test('a bad run file names its problem with the file', async () => {
    const { runs, problems } = await importBoardFiles(db, [
      at('x.run.json', new TextEncoder().encode('{"format":"nope"}')),
    ]);
    expect(runs).toEqual([]);
    expect(problems[0]).toMatch(/^x\.run\.json: /);
  });

  test('a logdir zip with a good run, a bad file and another good run keeps both good runs and names the bad file', async () => {
    // wall_time (a double, fixed64) written as a varint; summary (a message) as a double
    const wrongWire = writeRecords([
      encodeScalarEvent('loss', 9, 0, 1700000000),
      new ProtoWriter().int(1, 5).int(2, 1).finish(),
      new ProtoWriter().double(1, 1700000002).int(2, 2).double(5, 1).finish(),
      encodeScalarEvent('loss', 7, 3, 1700000003),
    ]);
    const zip = await writeZip([
      { name: 'logs/a/events.out.tfevents.1.h', data: events([1, 0.5]) },
      {
        name: 'logs/b/events.out.tfevents.1.h',
        data: Uint8Array.from({ length: 300 }, (_, i) => (i * 97 + 13) & 0xff),
      },
      { name: 'logs/c/events.out.tfevents.1.h', data: wrongWire },
      { name: 'logs/d/events.out.tfevents.1.h', data: events([4, 3, 2]) },
    ]);
    const { runs, problems } = await importBoardFiles(db, [at('logs.zip', zip)]);
    expect(runs.map((r) => r.name).sort()).toEqual(['a', 'c', 'd']);
    expect(await values(runs.find((r) => r.name === 'd')!.id)).toEqual([4, 3, 2]);
    // the records around the two bad ones are kept
    expect(await values(runs.find((r) => r.name === 'c')!.id)).toEqual([9, 7]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /^logs\/logs\/b\/events\.out\.tfevents\.1\.h: skipped, no readable events \(bad length CRC at byte 0\); is it a TensorBoard event file\?$/,
    );
    expect(problems[1]).toMatch(
      /^logs\/logs\/c\/events\.out\.tfevents\.1\.h: record at byte \d+ is not a valid Event \(skipped\): field 1 has wire type varint, but a double needs fixed64 at byte \d+; record at byte \d+ is not a valid Event \(skipped\): field 5 has wire type fixed64, but a message needs length-delimited at byte \d+; its 2 good events were kept$/,
    );
    // the reported offset is the byte of the offending key in the file
    const offset = Number(/but a double needs fixed64 at byte (\d+)/.exec(problems[1])![1]);
    expect(wrongWire[offset]).toBe((1 << 3) | 0);
  });

  test('zip entries outside the root are refused and named; the rest is imported', async () => {
    const zip = await writeZip([{ name: 'ok/events.out.tfevents.1.h', data: events([1]) }]);
    // Rename the stored entry to one that climbs out ('ok/' → '../'), local header and central directory alike.
    const bytes = new Uint8Array(zip);
    const text = new TextDecoder('latin1').decode(bytes);
    for (let i = text.indexOf('ok/events'); i >= 0; i = text.indexOf('ok/events', i + 1)) bytes.set([0x2e, 0x2e], i);
    const both = await writeZip([{ name: 'good/events.out.tfevents.1.h', data: events([2]) }]);
    const { runs, problems } = await importBoardFiles(db, [at('evil.zip', bytes), at('good.zip', both)]);
    expect(runs.map((r) => r.name)).toEqual(['good']);
    expect(problems).toEqual([
      `evil.zip: entry "../events.out.tfevents.1.h" refused: the path climbs out of the archive ('..')`,
    ]);
  });
});
