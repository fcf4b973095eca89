// A big histogram event file (20 tags × 200 steps of 1,000 values, ~38 MB) comes in whole:
// every summary is stored in a buffer of its own, not as a view that drags the file along.
import { afterEach, beforeEach, expect, test } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createDatabase, type LayerboardDB } from './schema.ts';
import { importEventFiles } from './tfevents-exchange.ts';
import {
  encodeHistogramValue,
  histogramOf,
  histogramOfValue,
  readEventFile,
  writeEventFile,
  type RawSummary,
} from '../core/formats/tfevents/index.ts';

let db: LayerboardDB;
beforeEach(() => {
  db = createDatabase('histogram-import', { indexedDB: new IDBFactory(), IDBKeyRange });
});
afterEach(() => db.close());

const tagOf = (t: number) => `layer${String(t).padStart(2, '0')}.weight`;

/** An event file of `tags` × `steps` histograms of 1,000 values (as the board benchmark's), and each one's sum. */
function histogramFile(tags: number, steps: number): { bytes: Uint8Array; sums: Map<string, number> } {
  const sums = new Map<string, number>();
  let seed = 99;
  const rand = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const summaries: RawSummary[] = [];
  for (let t = 0; t < tags; t++)
    for (let step = 0; step < steps; step++) {
      const spread = 0.2 + step / steps + t * 0.05;
      const values = Array.from({ length: 1000 }, () => (rand() + rand() + rand() - 1.5) * spread);
      sums.set(
        `${tagOf(t)}@${step}`,
        values.reduce((a, b) => a + b, 0),
      );
      summaries.push({
        tag: tagOf(t),
        step,
        wallTime: 1767607200 + step,
        kind: 'histogram',
        value: encodeHistogramValue(tagOf(t), histogramOf(values)),
      });
    }
  return { bytes: writeEventFile({ scalars: [], summaries }, 1767607200), sums };
}

test('a decoded summary owns its bytes: no view into the whole file', () => {
  const { bytes } = histogramFile(2, 3);
  const { summaries } = readEventFile(bytes);
  expect(summaries).toHaveLength(6);
  for (const s of summaries) expect(s.value.buffer.byteLength).toBe(s.value.byteLength);
});

test('20 histogram tags × 200 steps import whole and read back', { timeout: 60_000 }, async () => {
  const { bytes, sums } = histogramFile(20, 200);
  const { runs, problems } = await importEventFiles(
    db,
    [{ path: 'events.out.tfevents.1767607200.histograms', bytes }],
    () => 'hist',
  );
  expect(problems).toEqual([]);
  expect(runs.map((r) => r.id)).toEqual(['hist']);
  const stored = await db.summaries.where('[runId+kind]').equals(['hist', 'histogram']).toArray();
  expect(stored).toHaveLength(4000);
  const seen = new Set<string>();
  for (const s of stored) {
    // each record holds one histogram's bytes, not the whole file
    expect(s.value.buffer.byteLength).toBe(s.value.byteLength);
    const h = histogramOfValue(s.value);
    expect(h?.num).toBe(1000);
    expect(h!.sum).toBeCloseTo(sums.get(`${s.tag}@${s.step}`)!, 6);
    seen.add(`${s.tag}@${s.step}`);
  }
  expect(seen).toEqual(new Set(sums.keys()));
});
