// Data an older build saved opens in this one: database version 1 (run configs as loose
// objects, a run's dataset and test result as JSON texts, doc.training unchecked) upgrades
// through version 2 (model format 2) to version 3 with typed fields, and nothing the user
// saved is lost.
import { Dexie } from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, test } from 'vitest';
import { migrateV1 } from '../../src/core/model/model-v1.ts';
import type { ModelDocumentV1 } from '../../src/core/model/types.ts';
import { migrateTrainingConfig } from '../../src/core/run/config-migrate.ts';
import { parseTrainingConfig } from '../../src/core/run/config-parse.ts';
import { defaultTrainingConfig } from '../../src/core/run/training-config.ts';
import { ORIGINAL_CONFIG_TAG } from '../../src/db/migrations.ts';
import { createDatabase } from '../../src/db/schema.ts';
import { readScalars } from '../../src/db/scalar-blocks.ts';

const V1_STORES = {
  projects: 'id, name, updated',
  runs: 'id, projectId, created, status',
  scalars: '[runId+tag+step], runId, [runId+tag]',
  graphs: 'runId',
  texts: '++id, runId, [runId+tag]',
  hparams: 'runId',
  datasets: 'id, name, created',
  datasetChunks: '[datasetId+index], datasetId',
};
const doc = {
  format: 'layerboard-model',
  version: 1,
  input: [1, 28, 28],
  layers: [{ type: 'Flatten' }, { type: 'Linear', in_features: 784, out_features: 10 }],
};
/** What the Train form of version 1 stored as a run's config (today's shape, unchecked). */
const formConfig = { ...defaultTrainingConfig('mnist'), optimizer: { type: 'Adam', lr: 0.002 }, epochs: 3 };
/** What `layerboard train --logdir` of version 1 stored: its parsed arguments. */
const cliConfig = {
  dataset: 'synthetic',
  epochs: 2,
  batchSize: 20,
  optimizer: { type: 'SGD', lr: 0.1 },
  loss: { type: 'CrossEntropyLoss' },
  scheduler: null,
  seed: 3,
  valSplit: 0.1,
  shuffle: true,
  dropLast: false,
  classes: 3,
  trainSize: 200,
  testSize: 50,
  save: null,
  logdir: 'logs',
  name: 'tiny',
};
const dataset = {
  ref: { kind: 'builtin', id: 'mnist', baseUrl: 'http://x/' },
  name: 'MNIST',
  classes: ['0', '1'],
  shape: [1, 28, 28],
};
const testResult = {
  loss: 0.3,
  accuracy: 0.9,
  examples: 2,
  confusion: [
    [1, 0],
    [0, 1],
  ],
  classes: ['0', '1'],
};

describe('migrateTrainingConfig', () => {
  test("the CLI's arguments become a TrainingConfig; command keys are not training", () => {
    const { config, dropped } = migrateTrainingConfig(cliConfig, [6]);
    expect(dropped).toEqual([]);
    expect(config).toEqual({
      ...defaultTrainingConfig('synthetic'),
      dataset: { id: 'synthetic', classes: 3, trainSize: 200, testSize: 50 },
      epochs: 2,
      batchSize: 20,
      optimizer: { type: 'SGD', lr: 0.1 },
      seed: 3,
    });
    expect(parseTrainingConfig(config).ok).toBe(true);
  });
  test('snake_case keys are read; what does not read as valid is listed, the rest kept', () => {
    const { config, dropped } = migrateTrainingConfig(
      { batch_size: 32, epochs: 1e21, optimizer: 'SGD', lr: 0.1, weird: true },
      [3, 32, 32],
    );
    expect(config.batchSize).toBe(32);
    expect(config.epochs).toBe(1);
    expect(config.transforms.normalize).toEqual(defaultTrainingConfig('cifar10').transforms.normalize);
    expect(dropped.sort()).toEqual(['epochs', 'lr', 'optimizer', 'weird']);
  });
});

test('a version-1 database opens as version 3: typed configs, dataset and test as fields, nothing lost', async () => {
  const indexedDB = new IDBFactory();
  const old = new Dexie('layerboard-v1', { indexedDB, IDBKeyRange });
  old.version(1).stores(V1_STORES);
  await old.table('projects').add({
    id: 'p1',
    name: 'mine',
    doc: { ...doc, training: { batch_size: 32, optimizer: { type: 'SGD', lr: 0.05 }, fancy: 1 } },
    created: 1,
    updated: 2,
  });
  await old.table('projects').add({ id: 'p2', name: 'plain', doc, created: 1, updated: 3 });
  await old.table('runs').bulkAdd([
    {
      id: 'r1',
      projectId: 'p1',
      name: 'form run',
      created: 10,
      ended: 20,
      status: 'finished',
      doc,
      config: formConfig,
      metrics: { 'accuracy/test': 0.9 },
      backend: 'wasm',
    },
    {
      id: 'r2',
      projectId: null,
      name: 'cli run',
      created: 11,
      ended: 21,
      status: 'finished',
      doc,
      config: cliConfig,
      backend: 'cli',
    },
    {
      id: 'r3',
      projectId: null,
      name: 'tb',
      created: 12,
      ended: 22,
      status: 'finished',
      doc: { ...doc, layers: [] },
      config: { source: 'tensorboard' },
      backend: 'tensorboard',
    },
  ]);
  await old.table('texts').bulkAdd([
    { runId: 'r1', tag: 'dataset', step: 0, text: JSON.stringify(dataset) },
    { runId: 'r1', tag: 'eval/test', step: 0, text: JSON.stringify(testResult) },
    { runId: 'r1', tag: 'notes', step: 0, text: 'keep me' },
  ]);
  await old.table('scalars').add({ runId: 'r1', tag: 'loss/train', step: 0, wallTime: 1, value: 2.3 });
  old.close();

  const db = createDatabase('layerboard-v1', { indexedDB, IDBKeyRange });
  const r1 = (await db.runs.get('r1'))!;
  expect(r1).toMatchObject({
    name: 'form run',
    status: 'finished',
    metrics: { 'accuracy/test': 0.9 },
    backend: 'wasm',
  });
  expect(r1.config).toEqual(formConfig);
  expect(r1.dataset).toEqual(dataset);
  expect(r1.test).toEqual(testResult);
  expect((await db.texts.where('runId').equals('r1').toArray()).map((t) => t.text)).toEqual(['keep me']);
  // v5: the point records became a block
  expect(await readScalars(db, 'r1')).toEqual([{ runId: 'r1', tag: 'loss/train', step: 0, wallTime: 1, value: 2.3 }]);
  const r2 = (await db.runs.get('r2'))!;
  expect(r2.config).toMatchObject({ dataset: { id: 'synthetic', classes: 3 }, batchSize: 20, seed: 3 });
  expect((await db.runs.get('r3'))!.config).toBeNull();

  const p1 = (await db.projects.get('p1'))!;
  expect(p1.doc.modules).toEqual(migrateV1(doc as ModelDocumentV1).modules);
  expect(p1.doc.training).toMatchObject({ batchSize: 32, optimizer: { type: 'SGD', lr: 0.05 } });
  // 'fancy' is no training field: the original object stays with the document
  expect(p1.doc.metadata?.trainingBeforeUpgrade).toEqual({
    batch_size: 32,
    optimizer: { type: 'SGD', lr: 0.05 },
    fancy: 1,
  });
  expect((await db.projects.get('p2'))!.doc).toEqual(migrateV1(doc as ModelDocumentV1));
  db.close();
});

test(
  "a run whose old config cannot all be carried over keeps the original as the text '" + ORIGINAL_CONFIG_TAG + "'",
  async () => {
    const indexedDB = new IDBFactory();
    const old = new Dexie('layerboard-v1b', { indexedDB, IDBKeyRange });
    old.version(1).stores(V1_STORES);
    const odd = { optimizer: { type: 'SGD', lr: 0.1 }, warmup: 5 };
    await old
      .table('runs')
      .add({ id: 'r1', projectId: null, name: 'odd', created: 1, ended: 2, status: 'stopped', doc, config: odd });
    old.close();
    const db = createDatabase('layerboard-v1b', { indexedDB, IDBKeyRange });
    expect((await db.runs.get('r1'))!.config?.optimizer).toEqual({ type: 'SGD', lr: 0.1 });
    const texts = await db.texts.where('runId').equals('r1').toArray();
    expect(texts.map((t) => [t.tag, JSON.parse(t.text)])).toEqual([[ORIGINAL_CONFIG_TAG, odd]]);
    db.close();
  },
);
