// The run lifecycle against a fake engine and an in-memory IndexedDB: logs, the final
// record (status, metrics, weights, hparams), failures with their message, a refused
// start leaving nothing behind, and a storage error reported instead of swallowed.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { defaultTrainingConfig } from '../../core/run/training-config.ts';
import { templateDocument } from '../../core/model/templates.ts';
import { RunRepository } from '../../db/runs.ts';
import { createDatabase, type LayerboardDB } from '../../db/schema.ts';
import type { EngineClient } from '../../worker/engine-client.ts';
import type { TrainRequestBody, WorkerEvent } from '../../worker/protocol.ts';
import type { TrainState } from '../../core/run/train-state.ts';
import { RunController, type StartRun } from './run-controller.svelte.ts';
import { encodeHistogramValue, histogramOf } from '../../core/formats/tfevents/index.ts';

let db: LayerboardDB;
let repo: RunRepository;
let storageErrors: string[];
let requests: TrainRequestBody[];
let refuse: string | null;
let n = 0;

const fakeEngine = {
  train: async (body: TrainRequestBody) => {
    requests.push(body);
    if (refuse) throw new Error(refuse);
    return { runId: body.runId, totalSteps: 4, stepsPerEpoch: 2, backend: 'wasm SIMD (test), 2 threads' };
  },
  pause: async (runId: string) => ({ runId }),
  resume: async (runId: string) => ({ runId }),
  stop: async (runId: string) => ({ runId }),
} as unknown as EngineClient;

beforeEach(() => {
  db = createDatabase(`controller-${++n}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  let k = 0;
  repo = new RunRepository(db, () => `run-${n}-${++k}`);
  storageErrors = [];
  requests = [];
  refuse = null;
});
afterEach(() => db.close());

const doc = templateDocument('mlp');
const start = (c: RunController, over: Partial<StartRun> = {}) =>
  c.start({
    name: 'r',
    projectId: 'p1',
    doc,
    config: { ...defaultTrainingConfig('mnist'), backend: { backend: 'wasm', threads: 2 } },
    dataset: {
      ref: { kind: 'builtin', id: 'mnist', baseUrl: 'http://x/' },
      name: 'MNIST',
      classes: ['0', '1'],
      shape: [1, 28, 28],
    },
    ...over,
  });
const progress = (
  runId: string,
  steps: [number, number][],
  epochs: Extract<WorkerEvent, { type: 'progress' }>['epochs'] = [],
): WorkerEvent => ({
  type: 'progress',
  runId,
  status: 'running',
  totalSteps: 4,
  imagesPerSecond: 640,
  steps: steps.map(([step, loss]) => ({ step, epoch: step <= 1 ? 0 : 1, loss, lr: 0.01 })),
  epochs,
});
const settle = () => new Promise((r) => setTimeout(r, 200)); // the final writes are several IndexedDB round trips
const values = async (runId: string, tag: string) => (await repo.scalars(runId, tag)).map((p) => [p.step, p.value]);

describe('run controller', () => {
  test('a run from start to finish: logs, weights, test result, metrics, hparams', async () => {
    const c = new RunController(
      db,
      repo,
      () => fakeEngine,
      (m) => storageErrors.push(m),
    );
    const s = await start(c);
    expect(s.status).toBe('running');
    expect(requests[0]).toMatchObject({
      runId: s.id,
      dataset: { kind: 'builtin' },
      config: { backend: { backend: 'wasm', threads: 2 } },
      offsets: { step: 0, epoch: 0 },
    });
    c.handle(
      progress(
        s.id,
        [
          [0, 2.3],
          [1, 2.0],
        ],
        [
          {
            epoch: 0,
            trainLoss: 2.15,
            trainAccuracy: 0.2,
            valLoss: 1.9,
            valAccuracy: 0.4,
            lr: 0.01,
            seconds: 1,
            examplesPerSecond: 128,
          },
        ],
      ),
    );
    c.handle(progress('another-run', [[1, 99]])); // stale events of another run are ignored
    c.handle(
      progress(s.id, [
        [2, 1.5],
        [3, 1.2],
      ]),
    );
    // the worker's summaries (histograms, images, PR curves) are stored as they come, at their steps
    c.handle({
      type: 'summaries',
      runId: s.id,
      summaries: [
        {
          tag: 'weights/1.weight',
          step: 3,
          wallTime: 1,
          kind: 'histogram',
          value: encodeHistogramValue('weights/1.weight', histogramOf([0.5, -1])),
        },
      ],
    });
    expect(s.series['loss/train'].length).toBe(4);
    expect(s.progress).toMatchObject({ step: 4, totalSteps: 4, fraction: 1 });
    const weights = {
      entries: [
        { name: '1.weight', shape: [2], dtype: 'float32' as const, buffer: new Float32Array([0.5, -1]).buffer },
      ],
    };
    const state: TrainState = {
      optimizer: {
        spec: { type: 'Adam', lr: 0.001 },
        stateDict: {
          state: { '0': { step: 4, exp_avg: { shape: [2], data: new Float32Array([0.1, 0.2]) } } },
          param_groups: [{ params: [0], lr: 0.001 }],
        },
      },
      scheduler: null,
      step: 4,
      epoch: 1,
      rng: { model: [1, 2, 3, 4, NaN], shuffle: [5, 6, 7, 8, NaN], augment: [] },
    };
    c.handle({
      type: 'done',
      runId: s.id,
      status: 'finished',
      weights,
      state,
      steps: 4,
      test: {
        loss: 1.1,
        accuracy: 0.5,
        examples: 2,
        confusion: [
          [1, 0],
          [1, 0],
        ],
        predictions: [0, 0],
      },
    });
    await settle();
    expect(c.active).toBeNull();
    await expect
      .poll(async () => (await repo.summaries(s.id, 'histogram')).map((h) => [h.tag, h.step]), { timeout: 5000 })
      .toEqual([['weights/1.weight', 3]]);
    const record = (await repo.get(s.id))!;
    expect(record).toMatchObject({ status: 'finished', backend: 'wasm SIMD (test), 2 threads', projectId: 'p1' });
    expect(record.metrics).toMatchObject({
      'loss/train': 1.2,
      'loss/val': 1.9,
      'accuracy/val': 0.4,
      'accuracy/test': 0.5,
      steps: 4,
      epochs: 1,
    });
    expect([...record.weights!['1.weight'].data]).toEqual([0.5, -1]);
    // the optimizer state is kept with the weights, for "Continue training"
    expect(s.trainState).toEqual(state);
    expect(record.trainState).toEqual(state);
    // "Continue training" from it sends the weights with the state to resume
    const next = await start(c, {
      from: { weights: s.weights!, state: s.trainState, offsets: s.offsets, parentId: s.id },
    });
    expect(requests[1]).toMatchObject({ runId: next.id, resume: state });
    expect(requests[1].weights!.entries.map((e) => e.name)).toEqual(['1.weight']);
    expect(next.offsets).toEqual({ step: 4, epoch: 1 });
    await c.stop();
    expect(await values(s.id, 'loss/train')).toEqual([
      [0, 2.3],
      [1, 2.0],
      [2, 1.5],
      [3, 1.2],
    ]);
    expect(await values(s.id, 'accuracy/test')).toEqual([[1, 0.5]]);
    expect((await repo.graph(s.id))!.graph).toMatchObject({ root: { type: 'MLP' }, input: [64, 1, 28, 28] });
    expect((await repo.hparams(s.id))!.hparams).toMatchObject({
      'optimizer.type': defaultTrainingConfig('mnist').optimizer.type,
      batchSize: 64,
    });
    // the dataset and the test result are the run's own fields (no JSON in text logs)
    expect(record.dataset).toMatchObject({ name: 'MNIST', ref: { kind: 'builtin' } });
    expect(record.test).toMatchObject({ accuracy: 0.5, classes: ['0', '1'] });
    expect(record.config).toMatchObject({
      optimizer: { type: defaultTrainingConfig('mnist').optimizer.type },
      backend: { backend: 'wasm', threads: 2 },
    });
    // texts are what add_text shows: print(model) and the config, for people to read
    expect((await repo.texts(s.id)).map((t) => t.tag).sort()).toEqual(['config', 'model']);
    expect((await repo.texts(s.id)).find((t) => t.tag === 'model')!.text).toContain('Linear(');
    // a histogram of every parameter at the last global step (0-based: 4 steps → step 3)
    expect((await repo.summaries(s.id, 'histogram')).map((h) => [h.tag, h.step])).toEqual([['weights/1.weight', 3]]);
    expect(storageErrors).toEqual([]);
  });

  test('a NaN loss or a crashed worker fails the run with the message; its logs stay', async () => {
    const c = new RunController(
      db,
      repo,
      () => fakeEngine,
      (m) => storageErrors.push(m),
    );
    const s = await start(c);
    c.handle(
      progress(s.id, [
        [0, 2.3],
        [1, 2.1],
      ]),
    );
    const message =
      'loss became NaN at step 2 (epoch 2); training stopped before applying it — try a lower learning rate';
    c.handle({ type: 'error', runId: s.id, message, step: 2, value: NaN });
    await settle();
    expect(s.status).toBe('failed');
    expect(await repo.get(s.id)).toMatchObject({ status: 'failed', message, metrics: { steps: 2 } });
    expect(await values(s.id, 'loss/train')).toEqual([
      [0, 2.3],
      [1, 2.1],
    ]);

    const s2 = await start(c);
    c.handle({ type: 'error', runId: s2.id, message: 'engine worker crashed: out of memory' });
    await settle();
    expect(await repo.get(s2.id)).toMatchObject({ status: 'failed', message: 'engine worker crashed: out of memory' });
  });

  test('a start the worker refuses leaves no run behind', async () => {
    const c = new RunController(
      db,
      repo,
      () => fakeEngine,
      (m) => storageErrors.push(m),
    );
    refuse = 'the model takes inputs of shape [3, 32, 32] (3072 values) but MNIST images are [1, 28, 28] (784 values)';
    await expect(start(c)).rejects.toThrow(refuse);
    await settle();
    expect(await repo.list()).toEqual([]);
    expect(c.active).toBeNull();
  });

  test('an IndexedDB quota error while logging is reported', async () => {
    const c = new RunController(
      db,
      repo,
      () => fakeEngine,
      (m) => storageErrors.push(m),
    );
    const s = await start(c);
    const quota = Object.assign(new Error('The quota has been exceeded.'), { name: 'QuotaExceededError' });
    db.scalarBlocks.bulkPut = () => Promise.reject(quota) as never;
    c.handle(progress(s.id, [[0, 2.3]]));
    c.flush();
    // the flush waits behind the run's first writes (graph, texts): poll, not a fixed wait
    await expect
      .poll(() => storageErrors, { timeout: 5000 })
      .toEqual([`the browser's storage is full (IndexedDB quota): logs of run ${s.id} could not be written`]);
  });
});
