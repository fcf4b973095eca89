// The bench command in its quick form: every measurement present, and memory flat
// (buffers are allocated once, so the heap and array buffers after a GC do not grow).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, vi } from 'vitest';
import { runBench } from '../../src/cli/bench.ts';
import { serializeModelDocument } from '../../src/core/model/model-json.ts';
import { resnetDoc } from './helpers/resnet-doc.ts';

async function benchJson(args: string[]): Promise<Record<string, any>> {
  const out: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((s: string) => {
    out.push(s);
  });
  const code = await runBench(args);
  spy.mockRestore();
  expect(code).toBe(0);
  return JSON.parse(out.join('\n'));
}

test('bench --quick --json reports speeds, FLOPs and flat memory', async () => {
  const out: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((s: string) => {
    out.push(s);
  });
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
  // --quick also trains every graph template (ResNet-20, the Inception net, the MNIST residual net): minutes on a loaded machine.
}, 240_000);

test('bench --model trains a graph model (a small ResNet) beside BS, with flat memory', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'lb-bench-')), 'resnet.json');
  writeFileSync(file, serializeModelDocument(resnetDoc(1, 4, [3, 16, 16])));
  const r = await benchJson(['--quick', '--json', '--backend', 'ts', '--peers', 'none', '--model', file]);
  const models = r.runs[0].models.filter((m: { id: string }) => m.id === file);
  expect(models).toHaveLength(1);
  const [m] = models;
  // stem 3→4 (16×16), 3 BasicBlocks' 3×3 convs, 2 downsampling 1×1 shortcuts, fc 16→10: MACs × 2
  const macs =
    16 * 16 * 4 * 27 +
    16 * 16 * 4 * 36 * 2 +
    8 * 8 * 8 * (36 + 72) +
    8 * 8 * 8 * 4 +
    4 * 4 * 16 * (72 + 144) +
    4 * 4 * 16 * 8 +
    160;
  expect(m.mflopsPerImage.forward).toBeCloseTo((2 * macs) / 1e6, 2);
  expect(m.train.batch).toBe(4);
  expect(m.train.imagesPerSecond).toBeGreaterThan(0);
  expect(m.memory.arrayBuffersMB.step200).toBeLessThanOrEqual(m.memory.arrayBuffersMB.step20 + 0.5);
  expect(m.memory.heapUsedMB.step200).toBeLessThan(m.memory.heapUsedMB.step20 + 1);
}, 120_000);

test('bench refuses unknown options', async () => {
  const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
  expect(await runBench(['--fast'])).toBe(2);
  spy.mockRestore();
});
