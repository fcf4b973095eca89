// The bench's PyTorch peer: Debian's PyTorch trains and infers our exported model at each
// thread count, and the ratios put ours over the mean of its runs before and after ours.
import { expect, test } from 'vitest';
import { measureTorch, ratioTable, torchRatios, type TorchRun } from '../../src/cli/bench-torch.ts';
import { templateDocument } from '../../src/core/model/templates.ts';
import { torchVersion } from './torch/run-torch.ts';

test.skipIf(!torchVersion)(
  'PyTorch runs the exported template at each thread count',
  () => {
    const { version, runs } = measureTorch([{ id: 'mlp', doc: templateDocument('mlp'), classes: 10 }], [1, 2], 4, 2);
    expect(version).toBe(torchVersion);
    expect(runs.map((r) => [r.model, r.threads])).toEqual([
      ['mlp', 1],
      ['mlp', 2],
    ]);
    for (const r of runs) {
      expect(r.train.batch).toBe(4);
      expect(r.train.imagesPerSecond).toBeGreaterThan(0);
      expect(r.inference.imagesPerSecond).toBeGreaterThan(0);
    }
  },
  60_000,
);

test('ratios are ours over the mean of PyTorch before and after, per model and thread count', () => {
  const torch = (threads: number, train: number, inference: number): TorchRun => ({
    model: 'm',
    threads,
    train: { batch: 64, imagesPerSecond: train, msPerStep: 1, reps: 1, cpuShare: 1 },
    inference: { batch: 64, imagesPerSecond: inference, msPerStep: 1, reps: 1, cpuShare: 1 },
  });
  const ours = [1, 2].map((threads) => ({
    backend: 'wasm',
    model: 'm',
    threads,
    train: { batch: 64, imagesPerSecond: 300 },
    inference: { batch: 64, imagesPerSecond: 900 },
  }));
  const r = torchRatios(ours, [torch(1, 400, 1000), torch(2, 700, 2000)], [torch(1, 600, 1000), torch(2, 500, 1000)]);
  expect(r.map((x) => [x.threads, x.train.torch, x.train.ratio, x.inference.ratio])).toEqual([
    [1, 500, 0.6, 0.9],
    [2, 600, 0.5, 0.6],
  ]);
  expect(ratioTable(r)).toContain('| m | wasm | 1 | 64 | 300.0 | 500.0 | 0.60× |');
});
