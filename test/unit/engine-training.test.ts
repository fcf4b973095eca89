// DataLoader (batch_size, seeded shuffle, drop_last, subsets) and the trainer (losses fall,
// validation in eval mode, batched progress, pause/resume/stop, non-finite loss errors).
import { describe, expect, test } from 'vitest';
import type { LayerSpec } from '../../src/core/model/types.ts';
import { DataLoader, imageSource, splitIndices, tensorSource } from '../../src/engine/data-loader.ts';
import { Rng } from '../../src/engine/rng.ts';
import { Sequential } from '../../src/engine/sequential.ts';
import { NonFiniteLossError, train, type TrainerConfig } from '../../src/engine/trainer.ts';
import { TrainController, type TrainEvent } from '../../src/engine/train-control.ts';

const ids = (n: number) => Float32Array.from({ length: n }, (_, i) => i);

describe('DataLoader', () => {
  const src = tensorSource(
    ids(10),
    [1],
    Int32Array.from({ length: 10 }, (_, i) => i % 3),
  );

  test('batches in order without shuffle, the last one partial', () => {
    const loader = new DataLoader(src, { batchSize: 4 });
    // batches reuse their buffers: read each one before asking for the next
    const seen = [];
    for (const b of loader.batches())
      seen.push({ x: Array.from(b.input.data), y: Array.from(b.target.data), shape: [...b.input.shape] });
    expect(loader.length).toBe(3);
    expect(seen.map((b) => b.x)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(seen[2].shape).toEqual([2, 1]);
    expect(seen[0].y).toEqual([0, 1, 2, 0]);
  });

  test('drop_last drops the partial batch', () => {
    const loader = new DataLoader(src, { batchSize: 4, dropLast: true });
    expect(loader.length).toBe(2);
    expect([...loader.batches()].length).toBe(2);
  });

  test('shuffle visits every example once per epoch, differently each epoch, reproducibly from the seed', () => {
    const epoch = (l: DataLoader) => {
      const out: number[] = [];
      for (const b of l.batches()) out.push(...b.input.data);
      return out;
    };
    const a = new DataLoader(src, { batchSize: 3, shuffle: true, seed: 1 }),
      b = new DataLoader(src, { batchSize: 3, shuffle: true, seed: 1 });
    const a1 = epoch(a),
      a2 = epoch(a);
    expect([...a1].sort((x, y) => x - y)).toEqual(Array.from(ids(10)));
    expect(a1).not.toEqual(a2);
    expect(epoch(b)).toEqual(a1);
    expect(epoch(b)).toEqual(a2);
    expect(epoch(new DataLoader(src, { batchSize: 3, shuffle: true, seed: 2 }))).not.toEqual(a1);
  });

  test('a subset of indices, float targets with a shape', () => {
    const reg = tensorSource(ids(6), [1], Float32Array.from([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]), [2]);
    const [batch] = new DataLoader(reg, { batchSize: 8, indices: Int32Array.from([5, 1]) }).batches();
    expect(Array.from(batch.input.data)).toEqual([5, 1]);
    expect(batch.target.shape).toEqual([2, 2]);
    expect(batch.target.data).toBeInstanceOf(Float32Array);
    expect(Array.from(batch.target.data)).toEqual([5, 5, 1, 1]);
  });

  test('image datasets go through the transforms, test split offset after train', () => {
    const ds = {
      name: 't',
      classes: ['a', 'b'],
      channels: 1,
      height: 1,
      width: 2,
      train: 2,
      test: 1,
      pixels: Uint8Array.from([0, 255, 51, 102, 255, 0]),
      labels: Uint8Array.from([0, 1, 1]),
    };
    const [b] = [...new DataLoader(imageSource(ds, 'test', {}, new Rng(0)), { batchSize: 4 }).batches()];
    expect(Array.from(b.input.data)).toEqual([1, 0]);
    expect(Array.from(b.target.data)).toEqual([1]);
  });

  test('bad arguments are refused with the reason', () => {
    expect(() => new DataLoader(src, { batchSize: 0 })).toThrow(/batch_size must be a positive integer/);
    expect(() => new DataLoader(src, { batchSize: 2, indices: Int32Array.from([10]) })).toThrow(/index 10 is outside/);
    expect(() => tensorSource(ids(5), [2], new Int32Array(2))).toThrow(/do not split/);
  });

  test('splitIndices is random_split: disjoint, complete, ⌊n·valSplit⌋ for validation', () => {
    const { train: tr, val } = splitIndices(103, 0.2, 4);
    expect(val.length).toBe(20);
    expect(tr.length).toBe(83);
    expect([...tr, ...val].sort((a, b) => a - b)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    expect(splitIndices(103, 0.2, 4).val).toEqual(val);
  });
});

/** Two Gaussian blobs in 4-D, labels 0/1: separable, so a small MLP must learn it. */
function blobs(n: number, seed: number): { x: Float32Array; y: Int32Array } {
  const rng = new Rng(seed),
    x = new Float32Array(n * 4),
    y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    for (let k = 0; k < 4; k++) x[i * 4 + k] = rng.normal() * 0.7 + (y[i] ? 1 : -1);
  }
  return { x, y };
}
const MLP: LayerSpec[] = [
  { type: 'Linear', in_features: 4, out_features: 16 },
  { type: 'ReLU' },
  { type: 'Dropout', p: 0.1 },
  { type: 'Linear', in_features: 16, out_features: 2 },
];
const CONFIG: TrainerConfig = {
  loss: { type: 'CrossEntropyLoss' },
  optimizer: { type: 'SGD', lr: 0.1, momentum: 0.9 },
  batchSize: 16,
  epochs: 4,
  seed: 3,
  valSplit: 0.25,
};

describe('train', () => {
  test('the loss falls, validation accuracy is high, and the same seed repeats the run exactly', async () => {
    const { x, y } = blobs(256, 1);
    const run = async () => {
      const model = new Sequential(MLP, { seed: 1 });
      const steps: number[] = [];
      const result = await train(model, { train: tensorSource(x, [4], y) }, CONFIG, {
        onProgress: (events) => {
          for (const e of events) if (e.type === 'steps') steps.push(...e.steps.map((s) => s.loss));
        },
      });
      return { result, steps, model };
    };
    const a = await run();
    expect(a.result.status).toBe('finished');
    expect(a.result.steps).toBe(4 * 12);
    expect(a.steps.length).toBe(48);
    const [first, last] = [a.result.epochs[0], a.result.epochs[3]];
    expect(last.trainLoss).toBeLessThan(first.trainLoss);
    expect(last.valAccuracy).toBeGreaterThan(0.9);
    expect(a.model.training).toBe(true);
    const b = await run();
    expect(b.steps).toEqual(a.steps);
  });

  test('progress is batched by time: one call per interval, not one per step', async () => {
    const { x, y } = blobs(64, 2);
    let clock = 0;
    const calls: TrainEvent[][] = [];
    await train(
      new Sequential(MLP),
      { train: tensorSource(x, [4], y) },
      { ...CONFIG, epochs: 1, valSplit: 0, batchSize: 4 },
      {
        now: () => (clock += 10),
        progressIntervalMs: 100,
        onProgress: (e) => calls.push(e),
      },
    );
    const stepEvents = calls.flat().filter((e) => e.type === 'steps');
    expect(stepEvents.reduce((n, e) => n + (e.type === 'steps' ? e.steps.length : 0), 0)).toBe(16);
    expect(calls.length).toBeLessThan(8);
    expect(calls.flat().some((e) => e.type === 'epoch')).toBe(true);
  });

  test('pause holds the loop between steps until resume; stop ends it with status stopped', async () => {
    const { x, y } = blobs(64, 3);
    const ctl = new TrainController();
    const states: string[] = [];
    let stepsAtPause = -1,
      stepsSeen = 0,
      resumed = false;
    const done = train(
      new Sequential(MLP),
      { train: tensorSource(x, [4], y) },
      { ...CONFIG, epochs: 50, batchSize: 4 },
      {
        controller: ctl,
        progressIntervalMs: 0,
        yieldIntervalMs: 0,
        onProgress: (events) => {
          for (const e of events) {
            if (e.type === 'state') states.push(e.state);
            if (e.type === 'steps') stepsSeen = e.steps[e.steps.length - 1].step;
          }
          if (stepsSeen >= 5 && stepsAtPause < 0) {
            ctl.pause();
            stepsAtPause = stepsSeen;
          }
          // after the resume, stop on the next delivered step (not after a timer: under load
          // the loop could finish all its epochs first)
          else if (resumed && stepsSeen > stepsAtPause) ctl.stop();
        },
      },
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(ctl.state).toBe('paused');
    expect(stepsSeen).toBe(stepsAtPause); // paused between steps: none ran since
    resumed = true;
    ctl.resume();
    const result = await done;
    expect(result.status).toBe('stopped');
    expect(result.steps).toBeGreaterThan(stepsAtPause);
    expect(states.slice(0, 2)).toEqual(['paused', 'running']);
  });

  test('a non-finite loss stops training with the step and the value, before the update', async () => {
    const { x, y } = blobs(32, 4);
    x[20 * 4] = NaN; // example 20 lands in the third batch of 8 without shuffling
    const model = new Sequential(MLP, { seed: 2 });
    let error: unknown = null;
    let before: Float32Array | null = null;
    await train(
      model,
      { train: tensorSource(x, [4], y) },
      { ...CONFIG, shuffle: false, valSplit: 0, batchSize: 8 },
      {
        progressIntervalMs: 0,
        onProgress: (e) => {
          if (e.some((ev) => ev.type === 'steps')) before = model.parameters()[0].value.data.slice();
        },
      },
    ).catch((e: unknown) => {
      error = e;
    });
    expect(error).toBeInstanceOf(NonFiniteLossError);
    // the third batch is global step 2 (0-based, as SummaryWriter users count); epochs read 1-based
    expect((error as NonFiniteLossError).step).toBe(2);
    expect((error as NonFiniteLossError).message).toMatch(/^loss became NaN at step 2 \(epoch 1\)/);
    expect(model.parameters()[0].value.data).toEqual(before);
  });

  test('the finite steps before a NaN loss are all delivered, however long the progress interval', async () => {
    const { x, y } = blobs(32, 4);
    x[20 * 4] = NaN;
    const logged: number[] = [];
    const err = await train(
      new Sequential(MLP, { seed: 2 }),
      { train: tensorSource(x, [4], y) },
      { ...CONFIG, shuffle: false, valSplit: 0, batchSize: 8 },
      {
        progressIntervalMs: 60_000,
        onProgress: (events) => {
          for (const e of events) if (e.type === 'steps') logged.push(...e.steps.map((s) => s.step));
        },
      },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteLossError);
    expect(logged).toEqual([0, 1]);
  });

  test('schedulers: per-epoch StepLR after each epoch, OneCycleLR per batch with total_steps filled in', async () => {
    const { x, y } = blobs(32, 5);
    const step = await train(
      new Sequential(MLP),
      { train: tensorSource(x, [4], y) },
      {
        ...CONFIG,
        epochs: 3,
        valSplit: 0,
        scheduler: { type: 'StepLR', step_size: 1, gamma: 0.5 },
      },
    );
    // each epoch reports the lr it trained with
    expect(step.epochs.map((e) => e.lr)).toEqual([0.1, 0.05, 0.025]);
    const lrs: number[] = [];
    await train(
      new Sequential(MLP),
      { train: tensorSource(x, [4], y) },
      {
        ...CONFIG,
        epochs: 2,
        valSplit: 0,
        batchSize: 8,
        scheduler: { type: 'OneCycleLR', max_lr: 0.5 },
      },
      {
        progressIntervalMs: 0,
        onProgress: (ev) => {
          for (const e of ev) if (e.type === 'steps') lrs.push(...e.steps.map((s) => s.lr));
        },
      },
    );
    expect(lrs.length).toBe(8);
    expect(lrs[0]).toBeCloseTo(0.5 / 25, 6);
    expect(Math.max(...lrs)).toBeGreaterThan(0.3);
  });

  test('config problems are reported before training', async () => {
    const src = tensorSource(ids(4), [1], new Int32Array(4));
    const m = new Sequential([{ type: 'Linear', in_features: 1, out_features: 2 }]);
    await expect(
      train(m, { train: src }, { ...CONFIG, loss: { type: 'CrossEntropyLoss', reduction: 'none' } }),
    ).rejects.toThrow(/reduction: 'none'/);
    await expect(train(m, { train: src }, { ...CONFIG, batchSize: 8, dropLast: true, valSplit: 0 })).rejects.toThrow(
      /no training batches/,
    );
    await expect(train(m, { train: src }, { ...CONFIG, epochs: 0 })).rejects.toThrow(
      /epochs must be a positive integer/,
    );
  });
});
