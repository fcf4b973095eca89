import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createDatabase, type LayerboardDB } from './schema.ts';
import { RunRepository } from './runs.ts';
import { SummaryWriter } from './summary-writer.ts';
import {
  decodeFloat32,
  encodeFloat32,
  exportRunFile,
  importRunFile,
  parseRunFile,
  serializeRunFile,
} from './run-file.ts';
import type { ModelDocument } from '../core/model/types.ts';
import { defaultTrainingConfig } from '../core/run/training-config.ts';
import { newModelDocument } from '../core/model/model-json.ts';

const doc: ModelDocument = newModelDocument([4], [{ type: 'Linear', in_features: 4, out_features: 2 }]);
let db: LayerboardDB;
let runs: RunRepository;
let n = 0;

beforeEach(() => {
  db = createDatabase('run-file-test', { indexedDB: new IDBFactory(), IDBKeyRange });
  runs = new RunRepository(db, () => `r${++n}`);
});
afterEach(() => db.close());

async function loggedRun(): Promise<string> {
  const run = await runs.create({ projectId: null, name: 'lr 0.1', doc, config: defaultTrainingConfig() });
  const writer = new SummaryWriter(db, run.id);
  [2.3, 1.1, NaN, Infinity, 0.4].forEach((v, step) => writer.addScalar('loss/train', v, step, 1000 + step));
  writer.addScalar('accuracy/val', 0.81, 4, 1004.5);
  await writer.addGraph({ version: 1, root: { id: 'Model' } });
  await writer.addHparams({ lr: 0.1 }, { 'accuracy/val': 0.81 });
  await writer.addText('notes', 'first try', 0);
  await writer.addHistogram('weights/0.weight', [0.5, -1, 2], 3, 1003);
  await writer.close();
  await runs.update(run.id, {
    weights: { 'model.0.weight': { shape: [2, 4], data: new Float32Array([1, -2, 0.5, 3, 0, 1e-7, -1e30, 7]) } },
  });
  await runs.end(run.id, 'finished', undefined, { 'accuracy/val': 0.81 });
  return run.id;
}

describe('run files', () => {
  test('export then import into another database keeps every log, non-finite values included', async () => {
    const id = await loggedRun();
    const text = serializeRunFile(await exportRunFile(db, id));
    expect(text).toContain('"NaN"');
    const parsed = parseRunFile(text);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const other = createDatabase('run-file-other', { indexedDB: new IDBFactory(), IDBKeyRange });
    const record = await importRunFile(other, parsed.file);
    expect(record.id).toBe(id);
    const otherRuns = new RunRepository(other);
    const loss = await otherRuns.scalars(id, 'loss/train');
    expect(loss.map((r) => r.value)).toEqual([2.3, 1.1, NaN, Infinity, 0.4]);
    expect(loss.map((r) => r.wallTime)).toEqual([1000, 1001, 1002, 1003, 1004]);
    expect(await otherRuns.tags(id)).toEqual(['accuracy/val', 'loss/train']);
    expect((await otherRuns.graph(id))?.graph).toEqual({ version: 1, root: { id: 'Model' } });
    expect((await otherRuns.hparams(id))?.hparams).toEqual({ lr: 0.1 });
    expect((await otherRuns.texts(id)).map((t) => t.text)).toEqual(['first try']);
    // summaries keep their Summary.Value bytes exactly
    const [histogram] = await otherRuns.summaries(id, 'histogram');
    expect(histogram).toMatchObject({ tag: 'weights/0.weight', step: 3, wallTime: 1003 });
    expect([...histogram.value]).toEqual([...(await runs.summaries(id, 'histogram'))[0].value]);
    const stored = await otherRuns.get(id);
    expect(stored?.status).toBe('finished');
    expect(Array.from(stored!.weights!['model.0.weight'].data)).toEqual(
      Array.from(new Float32Array([1, -2, 0.5, 3, 0, 1e-7, -1e30, 7])),
    );
    other.close();
  });

  test('importing a run whose id is taken gives it a fresh id', async () => {
    const id = await loggedRun();
    const file = await exportRunFile(db, id);
    const copy = await importRunFile(db, file, () => 'copy-1');
    expect(copy.id).toBe('copy-1');
    expect((await runs.scalars('copy-1', 'loss/train')).length).toBe(5);
    expect((await runs.scalars(id, 'loss/train')).length).toBe(5);
  });

  test('bad files are refused with the path of each problem', () => {
    expect(parseRunFile('{nope')).toMatchObject({ ok: false, errors: [{ path: '' }] });
    expect(parseRunFile({ format: 'layerboard-model' })).toMatchObject({ ok: false, errors: [{ path: 'format' }] });
    expect(parseRunFile({ format: 'layerboard-run', version: 9 })).toMatchObject({
      ok: false,
      errors: [{ path: 'version' }],
    });
    const bad = parseRunFile({
      format: 'layerboard-run',
      version: 1,
      run: { id: 'a', name: 'x', created: 1, ended: null, status: 'done', doc, config: {} },
      scalars: {
        'loss/train': { step: [0, 1.5], wallTime: [1, 2], value: [1, 'big'] },
        lr: { step: [0], wallTime: [], value: [] },
      },
      graph: null,
      hparams: null,
      texts: [],
      summaries: [{ tag: 'h', step: 0, wallTime: 1, kind: 'histogram', value: 'not base64!' }],
    });
    if (bad.ok) throw new Error('expected errors');
    expect(bad.errors.map((e) => e.path)).toEqual([
      'run.status',
      'scalars["loss/train"].step[1]',
      'scalars["loss/train"].value[1]',
      'scalars["lr"]',
      'summaries[0].value',
    ]);
    expect(bad.errors[3].message).toBe('columns differ in length (step 1, wallTime 0, value 0)');
  });

  test('float32 base64 round trip', () => {
    const data = new Float32Array(70_000).map((_, i) => Math.sin(i) * 1e3);
    expect(decodeFloat32(encodeFloat32(data))).toEqual(data);
  });
});
