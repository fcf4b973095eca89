// What our own training logs, seen on the Board in real headless Chromium: the seed's
// CIFAR-10 model trains briefly on a small imported CIFAR-10 in the engine worker, which
// computes every parameter's and gradient's histogram, the input grid, the first
// convolution's filters and the test split's PR curves; the Board's Histograms, Images,
// PR Curves and Text dashboards show them, and the run's size in IndexedDB is reported.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { cifarTarGz } from '../unit/helpers/cifar-files.ts';
import { launchChromium } from './chromium.ts';
import { newFromTemplate, openApp, openTrain, typeField } from './train-helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

interface StoredSummary {
  tag: string;
  step: number;
  kind: string;
  value: Uint8Array;
}

/** A run's summaries (tag, step, kind, bytes) straight from the app's IndexedDB. */
function storedSummaries(
  page: Page,
  runId: string,
): Promise<{ tag: string; step: number; kind: string; bytes: number }[]> {
  return page.evaluate(
    (id) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('layerboard');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const get = db.transaction('summaries').objectStore('summaries').index('runId').getAll(id);
          get.onerror = () => reject(get.error);
          get.onsuccess = () => {
            db.close();
            resolve(
              (get.result as StoredSummary[]).map((s) => ({
                tag: s.tag,
                step: s.step,
                kind: s.kind,
                bytes: s.value.byteLength,
              })),
            );
          };
        };
      }),
    runId,
  );
}

describe('board: what our training logs', () => {
  test('a short run shows weight and gradient histograms, the input and filter grids, PR curves and text', async () => {
    const { page, errors } = await openApp(browser);
    await newFromTemplate(page, /^CIFAR-10 BS/);
    await openTrain(page);
    await page.getByRole('radio', { name: 'CIFAR-10' }).click();
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Choose files…' }).click(),
    ]);
    // 5 batches of 60 images: 300 train (270 after the 10% validation split), 60 test
    await chooser.setFiles({
      name: 'cifar-10-binary.tar.gz',
      mimeType: 'application/gzip',
      buffer: Buffer.from(cifarTarGz(60)),
    });
    await page.getByTestId('dataset-shape').filter({ hasText: '3×32×32' }).waitFor({ timeout: 60_000 });
    await typeField(page, 'epochs', '1'); // the template's CIFAR-10 recipe runs 10 epochs
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByTestId('run-status').filter({ hasText: 'Finished' }).waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('run-step').textContent()).toBe('5 / 5'); // 270 images / 64
    const runId = (await page.locator('[data-testid="train-runs"] [data-run]').first().getAttribute('data-run'))!;

    // in IndexedDB: histograms of every parameter and gradient at each of the 5 steps (every
    // ceil(5/50) = 1), the input grid at step 0, the filters after the epoch (step 4), a PR
    // curve per class and the misclassified images at the test step (1 epoch)
    await expect.poll(async () => (await storedSummaries(page, runId)).some((s) => s.kind === 'pr_curve')).toBe(true);
    const stored = await storedSummaries(page, runId);
    const stepsOf = (tag: string) => stored.filter((s) => s.tag === tag).map((s) => s.step);
    for (const p of ['0.weight', '0.bias', '8.weight', '8.bias']) {
      expect(stepsOf(`weights/${p}`)).toEqual([0, 1, 2, 3, 4]);
      expect(stepsOf(`grads/${p}`)).toEqual([0, 1, 2, 3, 4]);
    }
    expect(stepsOf('images/inputs')).toEqual([0]);
    expect(stepsOf('filters/0.weight')).toEqual([4]);
    expect(stepsOf('pr_curve/airplane')).toEqual([1]);
    expect(stored.filter((s) => s.kind === 'pr_curve')).toHaveLength(10);
    const bytes = (kind: string) => stored.filter((s) => s.kind === kind).reduce((n, s) => n + s.bytes, 0);
    console.log(
      `browser run (CIFAR-10 BS, 5 steps): ${stored.length} summaries, histograms ${bytes('histogram')} B (${stored.filter((s) => s.kind === 'histogram').length}), images ${bytes('image')} B, PR curves ${bytes('pr_curve')} B`,
    );

    // the Board's dashboards
    await page.getByRole('tab', { name: 'Board' }).click();
    await page.locator(`li[data-run-id="${runId}"]`).waitFor();
    await page.getByRole('tab', { name: 'Histograms' }).click();
    // cards off screen draw nothing: bring each into view first
    for (const tag of ['weights/0.weight', 'grads/0.weight']) {
      const card = page.locator(`article[data-tag="${tag}"]`);
      await card.scrollIntoViewIfNeeded();
      await expect.poll(() => card.locator('path.ridge').count()).toBe(5);
    }

    await page.getByRole('tab', { name: 'Images' }).click();
    // make_grid: 8 tiles of 32 px per row with 2 px padding → 8·34 + 2 wide
    const inputs = page.locator('article[data-tag="images/inputs"] img');
    await expect.poll(() => inputs.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(274);
    // 32 filters of 5×5 (1 px padding): 8·6 + 1 wide, 4 rows
    const filters = page.locator('article[data-tag="filters/0.weight"] img');
    await expect
      .poll(() => filters.evaluate((i: HTMLImageElement) => i.complete && [i.naturalWidth, i.naturalHeight]))
      .toEqual([49, 25]);

    await page.getByRole('tab', { name: 'PR Curves' }).click();
    await expect.poll(() => page.locator('article[data-tag="pr_curve/airplane"] path.curve').count()).toBe(1);
    await expect.poll(() => page.locator('article[data-tag^="pr_curve/"]').count()).toBe(10);

    await page.getByRole('tab', { name: 'Text' }).click();
    await page.locator('section[data-tag="model"] code', { hasText: 'Conv2d(3, 32' }).waitFor();
    await page.locator('section[data-tag="config"] code', { hasText: '"batchSize": 64' }).waitFor();
    expect(errors).toEqual([]);
    await page.context().close();
  }, 240_000);
});
