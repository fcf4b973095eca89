// Test page for test/browser/worker-train.test.ts: the real EngineClient and the real,
// Vite-bundled engine worker, exposed to the test as window.workerTests.
import { defaultTrainingConfig, type TrainingConfig } from '../../../src/core/run/training-config.ts';
import type { ModelDocument } from '../../../src/core/model/types.ts';
import { newModelDocument } from '../../../src/core/model/model-json.ts';
import { EngineClient } from '../../../src/worker/engine-client.ts';
import type { EpochRecord, EvalResult, StepRecord, WorkerEvent } from '../../../src/worker/protocol.ts';

type DoneEvent = Extract<WorkerEvent, { type: 'done' }>;

const model: ModelDocument = newModelDocument(
  [1, 8, 8],
  [
    { type: 'Conv2d', in_channels: 1, out_channels: 4, kernel_size: 3, padding: 1 },
    { type: 'ReLU' },
    { type: 'MaxPool2d', kernel_size: 2 },
    { type: 'Flatten' },
    { type: 'Linear', in_features: 64, out_features: 3 },
  ],
);
const dataset = { kind: 'synthetic', classes: 3, train: 480, test: 96, seed: 3 } as const;
const config = (epochs: number): TrainingConfig => ({
  ...defaultTrainingConfig('synthetic'),
  optimizer: { type: 'Adam', lr: 0.01 },
  batchSize: 16,
  epochs,
  valSplit: 0.2,
});

export interface TrainReport {
  reply: { totalSteps: number; stepsPerEpoch: number };
  progressMessages: number;
  steps: StepRecord[];
  epochs: EpochRecord[];
  status: string;
  test: EvalResult | null;
  weights: { name: string; shape: number[]; isArrayBuffer: boolean; bytes: number }[];
  errors: string[];
}

async function train(): Promise<TrainReport> {
  const client = EngineClient.start();
  const steps: StepRecord[] = [],
    epochs: EpochRecord[] = [],
    errors: string[] = [];
  let progressMessages = 0;
  client.on('progress', (e) => {
    progressMessages++;
    steps.push(...e.steps);
    epochs.push(...e.epochs);
  });
  client.on('error', (e) => errors.push(e.message));
  const done = new Promise<DoneEvent>((resolve) => client.on('done', resolve));
  const reply = await client.train({
    runId: 'browser-run',
    model,
    config: config(4),
    dataset,
    progressIntervalMs: 100,
  });
  const d = await done;
  client.terminate();
  return {
    reply,
    progressMessages,
    steps,
    epochs,
    status: d.status,
    test: d.test,
    errors,
    weights: d.weights.entries.map((w) => ({
      name: w.name,
      shape: w.shape,
      isArrayBuffer: w.buffer instanceof ArrayBuffer,
      bytes: w.buffer.byteLength,
    })),
  };
}

/** Pause a long run, check no steps arrive while paused, resume, then stop it. */
async function pauseAndStop(): Promise<{ statuses: string[]; stepsWhilePaused: number; final: string }> {
  const client = EngineClient.start();
  const statuses: string[] = [];
  let steps = 0;
  client.on('progress', (e) => {
    if (statuses.at(-1) !== e.status) statuses.push(e.status);
    steps += e.steps.length;
  });
  const done = new Promise<string>((resolve) => client.on('done', (e) => resolve(e.status)));
  await client.train({ runId: 'long', model, config: config(500), dataset, progressIntervalMs: 20 });
  while (steps < 10) await new Promise((r) => setTimeout(r, 10));
  await client.pause('long');
  while (statuses.at(-1) !== 'paused') await new Promise((r) => setTimeout(r, 10));
  const before = steps;
  await new Promise((r) => setTimeout(r, 300));
  const stepsWhilePaused = steps - before;
  await client.resume('long');
  while (statuses.at(-1) !== 'running') await new Promise((r) => setTimeout(r, 10));
  await client.stop('long');
  const final = await done;
  client.terminate();
  return { statuses, stepsWhilePaused, final };
}

declare global {
  interface Window {
    workerTests: { train: typeof train; pauseAndStop: typeof pauseAndStop };
  }
}
window.workerTests = { train, pauseAndStop };
