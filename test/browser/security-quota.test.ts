// The storage quota reached during a run, in real Chromium: while it trains, IndexedDB
// writes start failing as they do at the quota (a QuotaExceededError DOMException from
// every put/add/update; lowering the origin's quota through the DevTools protocol did not
// make Chromium refuse writes). The run ends 'failed' with 'storage full' — not
// 'interrupted … page was closed' — now and after a reload, and its trained weights are
// offered for download and read back as safetensors.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { newFromTemplate, openApp, openTrain, storedRecord, typeField } from './train-helpers.ts';
import { decodeSafetensors } from '../../src/core/formats/safetensors.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('security: storage quota', () => {
  test('quota reached while a run trains: truthful status, the weights offered for download', async () => {
    const { page } = await openApp(browser);
    await newFromTemplate(page, /^MNIST ConvNet/);
    await openTrain(page);
    await page.getByTestId('dataset-shape').filter({ hasText: '1×28×28' }).waitFor();
    await typeField(page, 'epochs', '1');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByTestId('run-status').filter({ hasText: 'Training' }).waitFor();

    await expect
      .poll(
        async () =>
          Number(((await page.getByTestId('run-step').textContent()) ?? '0').split('/')[0].replace(/[^\d]/g, '')),
        { timeout: 60_000 },
      )
      .toBeGreaterThanOrEqual(3);
    await page.evaluate(() => {
      const full = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      for (const [proto, name] of [
        [IDBObjectStore.prototype, 'put'],
        [IDBObjectStore.prototype, 'add'],
        [IDBCursor.prototype, 'update'],
      ] as const) {
        const original = (proto as unknown as Record<string, (...a: unknown[]) => unknown>)[name];
        (proto as unknown as Record<string, unknown>)[name] = function (this: unknown, ...args: unknown[]) {
          if ((window as unknown as { __storageFull?: boolean }).__storageFull) throw full();
          return original.apply(this, args);
        };
      }
      (window as unknown as { __storageFull?: boolean }).__storageFull = true;
    });
    await page.getByRole('button', { name: 'Stop', exact: true }).click();

    await page.getByTestId('run-status').filter({ hasText: 'Failed' }).waitFor({ timeout: 60_000 });
    const message = page.getByTestId('run-message');
    expect(await message.textContent()).toMatch(
      /^storage full: the browser's storage quota for this site was reached while saving the run; its trained weights are only in this tab: download them/,
    );
    expect(await page.getByTestId('storage-error').textContent()).toContain('storage full');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the weights (.safetensors)' }).click(),
    ]);
    const weights = decodeSafetensors(new Uint8Array(readFileSync((await download.path())!)));
    expect(Object.keys(weights.tensors).length).toBeGreaterThan(0);

    // after a reload (the storage freed again) the stored run says why it failed
    const runId = await page.locator('[data-testid="train-runs"] [data-run]').first().getAttribute('data-run');
    await page.reload();
    await page.locator('[data-testid="layer-node"]').first().waitFor();
    await expect
      .poll(async () => (await storedRecord<{ status: string; message: string }>(page, 'runs', runId!))?.status, {
        timeout: 10_000,
      })
      .toBe('failed');
    expect((await storedRecord<{ message: string }>(page, 'runs', runId!))?.message).toMatch(/^storage full/);
    await page.close();
  });
});
