// The LR range test through the worker protocol, in Node: the sweep's points arrive as
// progress events and in the reply with a suggestion; a stop request ends it early; a run
// cannot start while a sweep runs.
import { expect, test } from 'vitest';
import { defaultTrainingConfig, type TrainingConfig } from '../../src/core/run/training-config.ts';
import { newModelDocument } from '../../src/core/model/model-json.ts';
import { EngineRuntime } from '../../src/worker/engine-runtime.ts';
import type { LrFindReplies, WorkerEvent } from '../../src/worker/protocol.ts';

const doc = newModelDocument(
  [8],
  [
    { type: 'Linear', in_features: 8, out_features: 16 },
    { type: 'ReLU' },
    { type: 'Linear', in_features: 16, out_features: 3 },
  ],
);
const dataset = { kind: 'synthetic', classes: 3, train: 300, test: 60, seed: 5 } as const;
const config: TrainingConfig = {
  ...defaultTrainingConfig('synthetic'),
  optimizer: { type: 'SGD', lr: 0.05 },
  batchSize: 16,
};

function harness() {
  const events: WorkerEvent[] = [];
  const waiters: (() => void)[] = [];
  const rt = new EngineRuntime((e) => {
    events.push(e);
    waiters.splice(0).forEach((w) => w());
  });
  let id = 0;
  const send = (r: Record<string, unknown>) => {
    rt.handle({ id: ++id, ...r });
    return id;
  };
  const reply = async (requestId: number) => {
    for (;;) {
      const hit = events.find((e) => e.type === 'reply' && e.requestId === requestId);
      if (hit && hit.type === 'reply') return hit;
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  return { events, send, reply };
}

test('lrFind sweeps the lr exponentially, posts its points as they come and suggests an lr inside the sweep', async () => {
  const h = harness();
  const id = h.send({ type: 'lrFind', findId: 'f1', model: doc, config, dataset, startLr: 1e-5, endLr: 10, steps: 60 });
  const r = await h.reply(id);
  expect(r.ok).toBe(true);
  const result = (r as { result: LrFindReplies['lrFind'] }).result;
  expect(result.findId).toBe('f1');
  expect(result.points.length).toBeGreaterThan(20);
  expect(result.points[0].lr).toBeCloseTo(1e-5, 10);
  for (let i = 1; i < result.points.length; i++) expect(result.points[i].lr).toBeGreaterThan(result.points[i - 1].lr);
  expect(result.suggestion).not.toBeNull();
  expect(result.suggestion!).toBeGreaterThan(1e-5);
  expect(result.suggestion!).toBeLessThan(10);
  const streamed = h.events.flatMap((e) => (e.type === 'lrFindProgress' && e.findId === 'f1' ? e.points : []));
  expect(streamed).toEqual(result.points);
});

test('lrFindStop ends the sweep early, and a run cannot start while it runs', async () => {
  const h = harness();
  const id = h.send({ type: 'lrFind', findId: 'f2', model: doc, config, dataset, steps: 5000 });
  // wait for the first points, then try to train and stop
  while (!h.events.some((e) => e.type === 'lrFindProgress')) await new Promise((r) => setTimeout(r, 5));
  const trainId = h.send({ type: 'train', runId: 'r', model: doc, config, dataset });
  const refused = await h.reply(trainId);
  expect(refused.ok).toBe(false);
  expect((refused as { error: string }).error).toMatch(/lr range test 'f2' is running/);
  const stopId = h.send({ type: 'lrFindStop', findId: 'f2' });
  expect((await h.reply(stopId)).ok).toBe(true);
  const result = ((await h.reply(id)) as { ok: true; result: LrFindReplies['lrFind'] }).result;
  expect(result.stopped).toBe(true);
  expect(result.points.length).toBeLessThan(5000);
  const again = await h.reply(h.send({ type: 'lrFindStop', findId: 'f2' }));
  expect(again.ok).toBe(false);
});
