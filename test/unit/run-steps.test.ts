// The one step convention: a CLI run (`layerboard train --logdir`) and a browser run (the
// Train tab's RunController driving the engine worker's runtime, in Node with an in-memory
// IndexedDB) of the same configuration log the same tags at the same 0-based steps — as
// the exported train.py does (loss/train from global step 0, epoch metrics at the epoch
// index, the test result at the number of epochs).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, expect, test, vi } from 'vitest';
import { runTrain } from '../../src/cli/train.ts';
import { serializeModelDocument, newModelDocument } from '../../src/core/model/model-json.ts';
import { defaultTrainingConfig, type TrainingConfig } from '../../src/core/run/training-config.ts';
import { parseRunFile } from '../../src/db/run-file.ts';
import { RunRepository } from '../../src/db/runs.ts';
import { createDatabase } from '../../src/db/schema.ts';
import { RunController } from '../../src/ui/train/run-controller.svelte.ts';
import { EngineClient, type WorkerLike } from '../../src/worker/engine-client.ts';
import { EngineRuntime } from '../../src/worker/engine-runtime.ts';

const doc = newModelDocument(
  [6],
  [
    { type: 'Linear', in_features: 6, out_features: 10 },
    { type: 'ReLU' },
    { type: 'Linear', in_features: 10, out_features: 3 },
  ],
);
const SIZES = { classes: 3, train: 130, test: 30 };
const TAGS = ['loss/train', 'lr', 'loss/val', 'accuracy/val', 'accuracy/test'] as const;

afterEach(() => vi.restoreAllMocks());

/** The engine worker's runtime behind a Worker-shaped object, in this process. */
function inProcessWorker(): WorkerLike {
  const worker: WorkerLike = {
    onmessage: null,
    onerror: null,
    postMessage: (message) => {
      setTimeout(() => rt.handle(structuredClone(message)), 0);
    },
    terminate: () => {},
  };
  const rt = new EngineRuntime((event) => worker.onmessage?.({ data: event } as MessageEvent));
  return worker;
}

async function cliSteps(): Promise<Record<string, number[]>> {
  const dir = mkdtempSync(join(tmpdir(), 'lb-steps-'));
  writeFileSync(join(dir, 'm.json'), serializeModelDocument(doc));
  vi.spyOn(console, 'log').mockImplementation(() => {});
  const code = await runTrain([
    join(dir, 'm.json'),
    '--backend',
    'ts',
    '--dataset',
    'synthetic',
    '--classes',
    String(SIZES.classes),
    '--train-size',
    String(SIZES.train),
    '--test-size',
    String(SIZES.test),
    '--batch-size',
    '16',
    '--epochs',
    '2',
    '--lr',
    '0.1',
    '--seed',
    '4',
    '--logdir',
    join(dir, 'logs'),
    '--name',
    'cli',
  ]);
  expect(code).toBe(0);
  const parsed = parseRunFile(readFileSync(join(dir, 'logs', 'cli.layerboard-run.json'), 'utf8'));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return Object.fromEntries(TAGS.map((t) => [t, parsed.file.scalars[t]?.step ?? []]));
}

async function browserSteps(config: TrainingConfig): Promise<Record<string, number[]>> {
  const db = createDatabase('run-steps', { indexedDB: new IDBFactory(), IDBKeyRange });
  const repo = new RunRepository(db);
  const client = new EngineClient(inProcessWorker());
  const controller = new RunController(
    db,
    repo,
    () => client,
    (m) => {
      throw new Error(m);
    },
  );
  const ended = new Promise<void>((resolve) => client.on('done', () => setTimeout(resolve, 100)));
  for (const type of ['progress', 'done', 'error'] as const) client.on(type, (e) => controller.handle(e));
  client.on('error', (e) => {
    throw new Error(e.message);
  });
  const session = await controller.start({
    name: 'browser',
    projectId: null,
    doc,
    config,
    dataset: {
      ref: { kind: 'synthetic', ...SIZES, seed: config.seed },
      name: 'synthetic',
      classes: ['a', 'b', 'c'],
      shape: [6],
    },
  });
  await ended;
  const out = Object.fromEntries(
    await Promise.all(TAGS.map(async (t) => [t, (await repo.scalars(session.id, t)).map((p) => p.step)] as const)),
  );
  db.close();
  return out;
}

test('a CLI run and a browser run of the same config log loss/train (and every other tag) at the same 0-based steps', async () => {
  const config: TrainingConfig = {
    ...defaultTrainingConfig('synthetic'),
    dataset: { id: 'synthetic', classes: SIZES.classes, trainSize: SIZES.train, testSize: SIZES.test },
    optimizer: { type: 'SGD', lr: 0.1 },
    batchSize: 16,
    epochs: 2,
    seed: 4,
    backend: { backend: 'ts' },
  };
  const cli = await cliSteps();
  const browser = await browserSteps(config);
  // 130 examples, 10% held out for validation: 117 → 8 batches of 16 per epoch
  expect(cli['loss/train']).toEqual(Array.from({ length: 16 }, (_, i) => i));
  expect(browser['loss/train']).toEqual(cli['loss/train']);
  expect(browser['lr']).toEqual(cli['lr']);
  expect(cli['loss/val']).toEqual([0, 1]);
  expect(browser['loss/val']).toEqual(cli['loss/val']);
  expect(browser['accuracy/val']).toEqual(cli['accuracy/val']);
  expect(cli['accuracy/test']).toEqual([2]);
  expect(browser['accuracy/test']).toEqual(cli['accuracy/test']);
}, 60_000);
