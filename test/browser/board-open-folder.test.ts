// "Open folder (live)…" in real headless Chromium. A headless browser cannot answer the
// real directory dialog, so window.showDirectoryPicker is STUBBED (page.addInitScript):
// it returns a real FileSystemDirectoryHandle of the origin private file system (OPFS),
// whose files the test writes and appends to. The board's own code walks that handle,
// re-reads it every 2 s, and the new points and runs appear without a reload.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { writeEventFile } from '../../src/core/formats/tfevents/index.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const T0 = 1767607200;
/** An event file (or a continuation of one) with loss/train at these steps. */
const events = (steps: number[]) =>
  Array.from(
    writeEventFile(
      steps.map((step) => ({ tag: 'loss/train', step, wallTime: T0 + step, value: 2 / (step + 1) })),
      T0,
    ),
  );

/** Appends bytes to `runs/<path>` in the page's OPFS (creating folders and file as needed). */
async function append(page: Page, path: string, bytes: number[]): Promise<void> {
  await page.evaluate(
    async ({ path, bytes }) => {
      let dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('runs', { create: true });
      const parts = path.split('/');
      for (const p of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(p, { create: true });
      const file = await dir.getFileHandle(parts.at(-1)!, { create: true });
      const size = (await file.getFile()).size;
      const w = await file.createWritable({ keepExistingData: true });
      await w.seek(size);
      await w.write(new Uint8Array(bytes));
      await w.close();
    },
    { path, bytes },
  );
}

/** The step in the loss card's value table for a run ("Last" column). */
const lastStep = (page: Page, runName: string) =>
  page
    .locator('article[data-tag="loss/train"] tbody tr', { hasText: runName })
    .locator('td')
    .nth(1)
    .textContent({ timeout: 1000 })
    .catch(() => null);

describe('board: Open folder (live), showDirectoryPicker stubbed with an OPFS folder', () => {
  test('appended records and a new run folder appear without a reload', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.addInitScript(() => {
      // The stub: no dialog, the OPFS folder "runs" instead of one the user picks.
      Object.defineProperty(window, 'showDirectoryPicker', {
        configurable: true,
        value: async () => (await navigator.storage.getDirectory()).getDirectoryHandle('runs', { create: true }),
      });
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(inject('baseUrl') + '#board');
    await page.getByRole('tab', { name: 'Scalars' }).waitFor();
    await append(page, 'exp1/events.out.tfevents.1.host', events([0, 1, 2]));

    await page.getByRole('button', { name: 'TensorBoard logs' }).click();
    await page.getByRole('menuitem', { name: /Open folder \(live\)/ }).click();
    await page.getByRole('status').filter({ hasText: 'Following runs' }).waitFor();
    await page.locator('li[data-run-id="logdir:runs/exp1"]').waitFor({ timeout: 15_000 });
    await expect.poll(() => lastStep(page, 'exp1'), { timeout: 15_000 }).toBe('2');

    // The run keeps training: records appended to its file are read from where the last read stopped.
    await append(page, 'exp1/events.out.tfevents.1.host', events([3, 4, 5]));
    await expect.poll(() => lastStep(page, 'exp1'), { timeout: 15_000 }).toBe('5');
    // A second run starts in a new folder.
    await append(page, 'exp2/events.out.tfevents.2.host', events([0, 1]));
    await page.locator('li[data-run-id="logdir:runs/exp2"]').waitFor({ timeout: 15_000 });
    await expect.poll(() => lastStep(page, 'exp2'), { timeout: 15_000 }).toBe('1');

    // Stop: later appends are no longer read.
    await page.getByRole('status').filter({ hasText: 'Following runs' }).getByRole('button', { name: 'Stop' }).click();
    await append(page, 'exp1/events.out.tfevents.1.host', events([6]));
    await page.waitForTimeout(4500);
    expect(await lastStep(page, 'exp1')).toBe('5');
    expect(errors).toEqual([]);
    await page.close();
  });

  test('where the File System Access API is missing, the item is disabled and says why', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.addInitScript(() => Object.defineProperty(window, 'showDirectoryPicker', { value: undefined }));
    await page.goto(inject('baseUrl') + '#board');
    await page.getByRole('button', { name: 'TensorBoard logs' }).click();
    const item = page.getByRole('menuitem', { name: /Open folder \(live\)/ });
    expect(await item.isDisabled()).toBe(true);
    expect(await item.textContent()).toContain('File System Access API');
    await page.close();
  });
});
