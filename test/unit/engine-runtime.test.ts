// The worker runtime in Node, driven through the protocol exactly as the Worker drives it:
// training on the synthetic dataset, batched progress, pause/resume/stop, NaN failures,
// evaluation and bad messages.
import { expect, test } from 'vitest';
import { defaultTrainingConfig, type TrainingConfig } from '../../src/core/run/training-config.ts';
import type { ModelDocument } from '../../src/core/model/types.ts';
import { EngineRuntime } from '../../src/worker/engine-runtime.ts';
import type { WorkerEvent } from '../../src/worker/protocol.ts';
import { newModelDocument } from '../../src/core/model/model-json.ts';
import { resnetDoc } from './helpers/resnet-doc.ts';

const doc: ModelDocument = newModelDocument(
  [8],
  [
    { type: 'Linear', in_features: 8, out_features: 16 },
    { type: 'ReLU' },
    { type: 'Linear', in_features: 16, out_features: 3 },
  ],
);
const dataset = { kind: 'synthetic', classes: 3, train: 300, test: 60, seed: 5 } as const;
const config = (over: Partial<TrainingConfig> = {}): TrainingConfig => ({
  ...defaultTrainingConfig('synthetic'),
  optimizer: { type: 'SGD', lr: 0.05, momentum: 0.9 },
  batchSize: 16,
  epochs: 3,
  valSplit: 0.2,
  ...over,
});

/** A 2×2 gray 'built-in' dataset, so that no test fetches anything. */
const tinyBuiltin = async () => ({
  name: 'tiny',
  classes: ['a', 'b'],
  channels: 1,
  height: 2,
  width: 2,
  train: 2,
  test: 0,
  pixels: new Uint8Array(8),
  labels: Uint8Array.of(0, 1),
});

function harness() {
  const events: { e: WorkerEvent; transfer: Transferable[] }[] = [];
  const waiters: (() => void)[] = [];
  const rt = new EngineRuntime((e, transfer) => {
    events.push({ e, transfer });
    waiters.splice(0).forEach((w) => w());
  }, tinyBuiltin);
  let id = 0;
  const send = (r: Record<string, unknown>) => {
    const m = { id: ++id, ...r };
    rt.handle(m);
    return m.id;
  };
  /** Resolves with the first event (from the start) matching `pred`. */
  const until = async (pred: (e: WorkerEvent) => boolean): Promise<WorkerEvent> => {
    for (;;) {
      const hit = events.find((x) => pred(x.e));
      if (hit) return hit.e;
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  const reply = (requestId: number) => until((e) => e.type === 'reply' && e.requestId === requestId);
  return { rt, events, send, until, reply };
}

test('trains the synthetic dataset: reply first, batched progress, loss falls, weights transferred, test accuracy', async () => {
  const h = harness();
  const id = h.send({ type: 'train', runId: 'r1', model: doc, config: config(), dataset, progressIntervalMs: 10_000 });
  const done = await h.until((e) => e.type === 'done' || e.type === 'error');
  expect(done.type).toBe('done');
  const first = h.events[0].e;
  expect(first).toMatchObject({
    type: 'reply',
    requestId: id,
    ok: true,
    result: { runId: 'r1', totalSteps: 45, stepsPerEpoch: 15 },
  });
  const progress = h.events.map((x) => x.e).filter((e) => e.type === 'progress');
  const steps = progress.flatMap((e) => (e.type === 'progress' ? e.steps : []));
  const epochs = progress.flatMap((e) => (e.type === 'progress' ? e.epochs : []));
  expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 45 }, (_, i) => i));
  // batched: one message per epoch here (the interval never elapses), not one per step
  expect(progress.length).toBeLessThanOrEqual(4);
  expect(epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
  expect(epochs[2].trainLoss).toBeLessThan(epochs[0].trainLoss);
  expect(epochs[2].valAccuracy).toBeGreaterThan(0.8);
  if (done.type !== 'done') throw new Error('unreachable');
  expect(done.status).toBe('finished');
  expect(done.weights.entries.map((e) => e.name)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
  expect(h.events.at(-1)!.transfer).toEqual(done.weights.entries.map((e) => e.buffer));
  expect(done.test!.examples).toBe(60);
  expect(done.test!.accuracy).toBeGreaterThan(0.8);
  expect(done.test!.confusion.flat().reduce((a, b) => a + b)).toBe(60);
  // summaries come before 'done', batched, their buffers transferred: histograms every
  // ceil(45/50) = 1 step of 4 parameters and their gradients, one PR curve per class
  const batches = h.events.filter((x) => x.e.type === 'summaries');
  const summaries = batches.flatMap((x) => (x.e.type === 'summaries' ? x.e.summaries : []));
  expect(batches.length).toBeLessThanOrEqual(progress.length + 1);
  expect(summaries.filter((s) => s.kind === 'histogram')).toHaveLength(45 * 8);
  expect(summaries.filter((s) => s.kind === 'pr_curve').map((s) => [s.tag, s.step])).toEqual([
    ['pr_curve/class 0', 3],
    ['pr_curve/class 1', 3],
    ['pr_curve/class 2', 3],
  ]);
  for (const b of batches)
    if (b.e.type === 'summaries') expect(b.transfer).toEqual([...new Set(b.e.summaries.map((s) => s.value.buffer))]);

  // evaluate with the trained weights gives the same test numbers
  const ev = h.send({ type: 'evaluate', model: doc, config: config(), dataset, weights: done.weights });
  const evReply = await h.reply(ev);
  expect(evReply).toMatchObject({ ok: true, result: { examples: 60, accuracy: done.test!.accuracy } });
});

test('a graph model (a small ResNet) trains in the worker; its nested weights evaluate to the same test numbers', async () => {
  const h = harness();
  const resnet = resnetDoc(1, 4, [3, 4, 4]);
  const ds = { kind: 'synthetic', classes: 10, train: 120, test: 40, seed: 2 } as const;
  const cfg = config({ optimizer: { type: 'Adam', lr: 0.01 }, epochs: 2 });
  h.send({ type: 'train', runId: 'g1', model: resnet, config: cfg, dataset: ds, progressIntervalMs: 10_000 });
  const done = await h.until((e) => e.type === 'done' || e.type === 'error');
  if (done.type !== 'done') throw new Error(JSON.stringify(done));
  expect(done.weights.entries.map((e) => e.name)).toContain('layer3.0.downsample.1.running_var');
  const ev = h.send({ type: 'evaluate', model: resnet, config: cfg, dataset: ds, weights: done.weights });
  expect(await h.reply(ev)).toMatchObject({
    ok: true,
    result: { loss: done.test!.loss, accuracy: done.test!.accuracy },
  });
});

test('pause, resume and stop take effect between steps; the run ends stopped', async () => {
  const h = harness();
  h.send({ type: 'train', runId: 'r2', model: doc, config: config({ epochs: 200 }), dataset, progressIntervalMs: 0 });
  await h.until((e) => e.type === 'progress' && e.steps.length > 0);
  await h.reply(h.send({ type: 'pause', runId: 'r2' }));
  await h.until((e) => e.type === 'progress' && e.status === 'paused');
  const before = h.events.length;
  await new Promise((r) => setTimeout(r, 50));
  expect(h.events.slice(before).some((x) => x.e.type === 'progress' && x.e.steps.length > 0)).toBe(false);
  await h.reply(h.send({ type: 'resume', runId: 'r2' }));
  await h.until((e) => e.type === 'progress' && e.status === 'running');
  const second = h.send({ type: 'train', runId: 'r3', model: doc, config: config(), dataset });
  expect(await h.reply(second)).toMatchObject({
    ok: false,
    error: "run 'r2' is still running: stop it before starting another",
  });
  await h.reply(h.send({ type: 'stop', runId: 'r2' }));
  const done = await h.until((e) => e.type === 'done');
  expect(done).toMatchObject({ status: 'stopped', test: null });
  expect(await h.reply(h.send({ type: 'stop', runId: 'r2' }))).toMatchObject({
    ok: false,
    error: "run 'r2' has already ended",
  });
});

test('a loss that becomes NaN fails the run with the step and value', async () => {
  const h = harness();
  h.send({
    type: 'train',
    runId: 'nan',
    model: doc,
    config: config({ optimizer: { type: 'SGD', lr: 1e30 } }),
    dataset,
  });
  const err = await h.until((e) => e.type === 'error');
  expect(err).toMatchObject({ type: 'error', runId: 'nan' });
  if (err.type !== 'error') throw new Error('unreachable');
  expect(err.step).toBeGreaterThan(0);
  expect(Number.isFinite(err.value)).toBe(false);
  expect(err.message).toContain(`at step ${err.step}`);
});

test('bad requests get error replies naming the problem', async () => {
  const h = harness();
  h.rt.handle({ type: 'explode', id: 9 });
  expect(await h.reply(9)).toMatchObject({
    ok: false,
    error: expect.stringContaining('unknown message type "explode"'),
  });
  h.rt.handle(42);
  expect(h.events.at(-1)!.e).toMatchObject({ type: 'reply', requestId: -1, ok: false });
  const bad = h.send({ type: 'train', runId: 'x', model: doc, config: config({ batchSize: 0 }), dataset });
  expect(await h.reply(bad)).toMatchObject({ ok: false, error: expect.stringContaining('batchSize') });
  const shape = h.send({
    type: 'train',
    runId: 'y',
    model: { ...doc, input: [9] },
    config: config(),
    dataset: { kind: 'builtin', id: 'mnist', baseUrl: 'http://app/' },
  });
  expect(await h.reply(shape)).toMatchObject({
    ok: false,
    error: 'the model takes inputs of shape [9] (9 values) but tiny images are [1, 2, 2] (4 values)',
  });
  expect(await h.reply(h.send({ type: 'pause', runId: 'none' }))).toMatchObject({
    ok: false,
    error: "no run 'none' in this worker",
  });
  expect(await h.reply(h.send({ type: 'ping' }))).toMatchObject({ ok: true, result: { pong: true } });
});

test('a dataset is loaded once and reused by later runs and evaluations of the same input', async () => {
  let loads = 0;
  const counting = async () => {
    loads++;
    return tinyBuiltin();
  };
  const events: WorkerEvent[] = [];
  const rt = new EngineRuntime((e) => {
    events.push(e);
  }, counting);
  const mlp: ModelDocument = newModelDocument(
    [1, 2, 2],
    [{ type: 'Flatten' }, { type: 'Linear', in_features: 4, out_features: 2 }],
  );
  const builtin = { kind: 'builtin', id: 'mnist', baseUrl: 'http://localhost/' } as const;
  const cfg = config({ batchSize: 2, epochs: 1, valSplit: 0 });
  for (let run = 1; run <= 2; run++) {
    rt.handle({ type: 'train', id: run, runId: `r${run}`, model: mlp, config: cfg, dataset: builtin });
    while (!events.some((e) => e.type === 'done' && e.runId === `r${run}`)) await new Promise((r) => setTimeout(r, 5));
  }
  expect(loads).toBe(1);
});
