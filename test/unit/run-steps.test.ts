// The one step convention: a CLI run (`layerboard train --logdir`) and a browser run (the
// Train tab's RunController driving the engine worker's runtime, in Node with an in-memory
// IndexedDB) of the same configuration log the same tags at the same 0-based steps — as
// the exported train.py does (loss/train from global step 0, epoch metrics at the epoch
// index, the test result at the number of epochs) — and the same summaries: weight and
// gradient histograms, image grids, PR curves, text (core/run/summary-tags.ts).
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, expect, test, vi } from 'vitest';
import { runTrain } from '../../src/cli/train.ts';
import { readEventFile } from '../../src/core/formats/tfevents/index.ts';
import type { ModelDocument } from '../../src/core/model/types.ts';
import type { LayerboardDB } from '../../src/db/schema.ts';
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

/** Trains `model` with the CLI into DIR/logs/cli; returns DIR/logs. */
async function cliRun(model: ModelDocument, batchSize: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'lb-steps-'));
  writeFileSync(join(dir, 'm.json'), serializeModelDocument(model));
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
    String(batchSize),
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
  return join(dir, 'logs');
}

async function cliSteps(): Promise<Record<string, number[]>> {
  const logs = await cliRun(doc, 16);
  const parsed = parseRunFile(readFileSync(join(logs, 'cli.layerboard-run.json'), 'utf8'));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return Object.fromEntries(TAGS.map((t) => [t, parsed.file.scalars[t]?.step ?? []]));
}

/** Trains `model` as the Train tab does; returns the database and the run's id. */
async function browserRun(model: ModelDocument, config: TrainingConfig): Promise<{ db: LayerboardDB; runId: string }> {
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
  const ended = new Promise<void>((resolve) => client.on('done', () => resolve()));
  for (const type of ['progress', 'summaries', 'done', 'error'] as const) client.on(type, (e) => controller.handle(e));
  client.on('error', (e) => {
    throw new Error(e.message);
  });
  const session = await controller.start({
    name: 'browser',
    projectId: null,
    doc: model,
    config,
    dataset: {
      ref: { kind: 'synthetic', ...SIZES, seed: config.seed },
      name: 'synthetic',
      classes: ['a', 'b', 'c'],
      shape: model.input,
    },
  });
  await ended;
  // the run's final writes end with its hparams (RunController.#done)
  while (!(await db.hparams.get(session.id))) await new Promise((r) => setTimeout(r, 20));
  return { db, runId: session.id };
}

async function browserSteps(config: TrainingConfig): Promise<Record<string, number[]>> {
  const { db, runId } = await browserRun(doc, config);
  const repo = new RunRepository(db);
  const session = { id: runId };
  const out = Object.fromEntries(
    await Promise.all(TAGS.map(async (t) => [t, (await repo.scalars(session.id, t)).map((p) => p.step)] as const)),
  );
  db.close();
  return out;
}

const configOf = (batchSize: number): TrainingConfig => ({
  ...defaultTrainingConfig('synthetic'),
  dataset: { id: 'synthetic', classes: SIZES.classes, trainSize: SIZES.train, testSize: SIZES.test },
  optimizer: { type: 'SGD', lr: 0.1 },
  batchSize,
  epochs: 2,
  seed: 4,
  backend: { backend: 'ts' },
});

test('a CLI run and a browser run of the same config log loss/train (and every other tag) at the same 0-based steps', async () => {
  const config = configOf(16);
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

/** A tiny convnet on 1×6×6 images: a first Conv2d for the filter grid, three classes for PR curves. */
const convDoc = newModelDocument(
  [1, 6, 6],
  [
    { type: 'Conv2d', in_channels: 1, out_channels: 4, kernel_size: 3 },
    { type: 'ReLU' },
    { type: 'Flatten' },
    { type: 'Linear', in_features: 64, out_features: 3 },
  ],
);

type Logged = { kind: string; tag: string; step: number; bytes: number };
const keyOf = (s: Logged) => `${s.kind} ${s.tag} @${s.step}`;
const stepsOf = (list: Logged[], tag: string) => list.filter((s) => s.tag === tag).map((s) => s.step);

test('the CLI and the browser log the same histograms, images, PR curves and text at the same steps', async () => {
  // 117 training examples in batches of 4: 30 steps per epoch, 60 in all → histograms every ceil(60/50) = 2 steps
  const logs = await cliRun(convDoc, 4);
  const [file] = readdirSync(join(logs, 'cli'));
  const bytes = readFileSync(join(logs, 'cli', file));
  const events = readEventFile(new Uint8Array(bytes));
  expect(events.problems).toEqual([]);
  const cli: Logged[] = events.summaries.map((s) => ({ ...s, bytes: s.value.length }));

  const { db, runId } = await browserRun(convDoc, configOf(4));
  const stored = await db.summaries.where('runId').equals(runId).toArray();
  const texts = await db.texts.where('runId').equals(runId).toArray();
  const browser: Logged[] = [
    ...stored.map((s) => ({ ...s, bytes: s.value.length })),
    ...texts.map((t) => ({ kind: 'text', tag: t.tag, step: t.step, bytes: t.text.length })),
  ];
  db.close();

  const histogramSteps = [...Array.from({ length: 30 }, (_, i) => 2 * i), 59];
  for (const name of ['0.weight', '0.bias', '3.weight', '3.bias']) {
    expect(stepsOf(cli, `weights/${name}`)).toEqual(histogramSteps);
    expect(stepsOf(cli, `grads/${name}`)).toEqual(histogramSteps);
  }
  expect(stepsOf(cli, 'images/inputs')).toEqual([0]);
  // after each epoch, at its last global step
  expect(stepsOf(cli, 'filters/0.weight')).toEqual([29, 59]);
  // the test split at the test step (epochs trained), as accuracy/test
  for (const c of ['class 0', 'class 1', 'class 2']) expect(stepsOf(cli, `pr_curve/${c}`)).toEqual([2]);
  expect(stepsOf(cli, 'model')).toEqual([0]);
  expect(stepsOf(cli, 'config')).toEqual([0]);
  expect(cli.some((s) => s.kind === 'hparams')).toBe(true);
  expect(events.events.some((e) => e.graph && e.graph.length > 0)).toBe(true);
  // the run file carries the engine's summaries too (the Board imports either)
  const runFile = parseRunFile(readFileSync(join(logs, 'cli.layerboard-run.json'), 'utf8'));
  if (!runFile.ok) throw new Error(JSON.stringify(runFile.errors));
  expect(runFile.file.summaries!.map((s) => `${s.kind} ${s.tag} @${s.step}`).sort()).toEqual(
    cli
      .filter((s) => s.kind !== 'hparams' && s.tag !== 'model' && s.tag !== 'config')
      .map(keyOf)
      .sort(),
  );
  expect(runFile.file.texts.map((t) => t.tag)).toEqual(['model', 'config']);

  // the browser: the same (kind, tag, step) of every summary (hparams have their own table)
  const same = (list: Logged[]) => [...new Set(list.filter((s) => s.kind !== 'hparams').map(keyOf))].sort();
  expect(same(browser)).toEqual(same(cli));

  const total = (list: Logged[], kind?: string) =>
    list.filter((s) => !kind || s.kind === kind).reduce((n, s) => n + s.bytes, 0);
  console.info(
    `summaries of a 60-step run of a ${convDoc.modules.length}-layer convnet: event file ${bytes.length} bytes; ` +
      `histograms ${total(cli, 'histogram')} B (${cli.filter((s) => s.kind === 'histogram').length}), images ${total(cli, 'image')} B, PR curves ${total(cli, 'pr_curve')} B; browser summaries ${total(browser)} B`,
  );
}, 120_000);
