// The board benchmark's data: big loss curves as run files (the pan scenario), a grid of
// many runs × tags × points written straight into the page's IndexedDB (importing ten
// million points through run files would take most of an hour here), and an event file
// of histograms.
import { SCALAR_BLOCK } from '../../src/db/scalar-blocks.ts';
import type { Page } from 'playwright-core';
import { fixtureRunFile } from '../browser/board-fixtures.ts';
import { toJsonNumber } from '../../src/db/run-file.ts';
import { encodeHistogramValue, histogramOf, writeEventFile } from '../../src/core/formats/tfevents/index.ts';

type Upload = { name: string; mimeType: string; buffer: Buffer };

/** A run file with a noisy, spiky loss of `points` steps. */
export function bigRun(k: number, points: number): Upload {
  const file = fixtureRunFile({
    id: `bench-${k}`,
    name: `bench run ${k}`,
    lr: 0.02 + k * 0.01,
    steps: 10,
    created: Date.UTC(2026, 0, 1, k),
  });
  const loss = file.scalars['loss/train'];
  loss.step = [];
  loss.wallTime = [];
  loss.value = [];
  let seed = 12345 + k;
  const rand = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  for (let s = 0; s < points; s++) {
    loss.step.push(s);
    loss.wallTime.push(file.run.created / 1000 + s * 0.05);
    const spike = rand() < 0.0005 ? 3 : 0;
    loss.value.push(toJsonNumber(2.3 * Math.exp(-s / (15_000 + 2_000 * k)) + 0.1 + 0.15 * rand() + spike));
  }
  return { name: `bench-${k}.run.json`, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) };
}

/** A run without scalars (its points are written by seedGrid). */
export function gridRun(k: number): Upload {
  const file = fixtureRunFile({ id: `grid-${k}`, name: `grid run ${k}`, lr: 0.01 + k * 0.001, steps: 1 });
  file.scalars = {};
  return { name: `grid-${k}.run.json`, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) };
}

export const gridTag = (t: number) => `grid/metric_${t}`;

/**
 * Clones the imported run 'grid-0' (a record the app itself wrote) as grid-1 … grid-(runs-1),
 * each with its hparams, so many runs need not each go through the file chooser.
 */
export async function cloneGridRuns(page: Page, runs: number): Promise<void> {
  await page.evaluate(`(async () => {
    const db = await new Promise((ok, fail) => {
      const req = indexedDB.open('layerboard');
      req.onsuccess = () => ok(req.result);
      req.onerror = () => fail(req.error);
    });
    const get = (store, key) => new Promise((ok, fail) => {
      const req = db.transaction(store).objectStore(store).get(key);
      req.onsuccess = () => ok(req.result);
      req.onerror = () => fail(req.error);
    });
    const run = await get('runs', 'grid-0');
    const hp = await get('hparams', 'grid-0');
    if (!run) throw new Error('the imported run grid-0 is not in IndexedDB');
    const tx = db.transaction(['runs', 'hparams'], 'readwrite');
    for (let k = 1; k < ${runs}; k++) {
      tx.objectStore('runs').put({ ...run, id: 'grid-' + k, name: 'grid run ' + k, created: run.created + k * 1000 });
      if (hp) tx.objectStore('hparams').put({ ...hp, runId: 'grid-' + k });
    }
    await new Promise((ok, fail) => { tx.oncomplete = ok; tx.onerror = () => fail(tx.error); });
    db.close();
  })()`);
}

/**
 * Writes tags × points scalars of each run into the page's IndexedDB as the app stores them
 * (blocks of SCALAR_BLOCK points: src/db/scalar-blocks.ts), one transaction per run.
 */
export async function seedGrid(page: Page, runs: number, tags: number, points: number): Promise<void> {
  // A string: tsx's helpers do not exist in the page.
  await page.evaluate(`(async () => {
    const db = await new Promise((ok, fail) => {
      const req = indexedDB.open('layerboard');
      req.onsuccess = () => ok(req.result);
      req.onerror = () => fail(req.error);
    });
    for (let k = 0; k < ${runs}; k++) {
      const tx = db.transaction('scalarBlocks', 'readwrite');
      const store = tx.objectStore('scalarBlocks');
      let seed = 777 + k;
      const rand = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
      for (let t = 0; t < ${tags}; t++)
        for (let first = 0; first < ${points}; first += ${SCALAR_BLOCK}) {
          const count = Math.min(${SCALAR_BLOCK}, ${points} - first);
          const steps = new Float64Array(count), wallTimes = new Float64Array(count), values = new Float64Array(count);
          for (let i = 0; i < count; i++) {
            const s = first + i;
            steps[i] = s;
            wallTimes[i] = 1767225600 + s;
            values[i] = (1 + t) * Math.exp(-s / (${points} / 3 + 50 * k)) + 0.1 * rand();
          }
          store.add({ runId: 'grid-' + k, tag: 'grid/metric_' + t, first, last: first + count - 1, count, steps, wallTimes, values });
        }
      await new Promise((ok, fail) => { tx.oncomplete = ok; tx.onerror = () => fail(tx.error); });
    }
    db.close();
  })()`);
}

/** One event file: `tags` histogram tags × `steps` steps of 1,000 values each. */
export function histogramEvents(tags: number, steps: number): Upload {
  const t0 = 1767607200;
  let seed = 99;
  const rand = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const summaries = [];
  for (let t = 0; t < tags; t++)
    for (let step = 0; step < steps; step++) {
      const spread = 0.2 + step / steps + t * 0.05;
      const values = Array.from({ length: 1000 }, () => (rand() + rand() + rand() - 1.5) * spread);
      const tag = `layer${String(t).padStart(2, '0')}.weight`;
      summaries.push({
        tag,
        step,
        wallTime: t0 + step,
        kind: 'histogram' as const,
        value: encodeHistogramValue(tag, histogramOf(values)),
      });
    }
  return {
    name: `events.out.tfevents.${t0}.histograms`,
    mimeType: 'application/octet-stream',
    buffer: Buffer.from(writeEventFile({ scalars: [], summaries }, t0)),
  };
}
