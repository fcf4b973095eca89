// The bench command in its quick form: every measurement present, and memory flat
// (buffers are allocated once, so the heap and array buffers after a GC do not grow).
import { expect, test, vi } from 'vitest';
import { runBench } from '../../src/cli/bench.ts';

test('bench --quick --json reports speeds, FLOPs and flat memory', async () => {
  const out: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((s: string) => { out.push(s); });
  const code = await runBench(['--quick', '--json']);
  spy.mockRestore();
  expect(code).toBe(0);
  const r = JSON.parse(out.join('\n'));
  // the seed's BS model: 3 convs (4.92 + 13.11 + 6.55 MFLOP) and 2 Linears (0.13 + 0.0013)
  expect(r.mflopsPerImage.forward).toBeCloseTo(24.71, 1);
  expect(r.train.map((t: { batch: number }) => t.batch)).toEqual([1, 4]);
  for (const t of [...r.train, r.inference]) expect(t.imagesPerSecond).toBeGreaterThan(0);
  expect(r.memory.arrayBuffersMB.step200).toBeLessThanOrEqual(r.memory.arrayBuffersMB.step20 + 0.5);
  expect(r.memory.heapUsedMB.step200).toBeLessThan(r.memory.heapUsedMB.step20 + 1);
}, 60_000);

test('bench refuses unknown options', async () => {
  const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
  expect(await runBench(['--fast'])).toBe(2);
  spy.mockRestore();
});
