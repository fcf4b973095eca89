// Shared steps of the Train tab's browser tests: open the app on a template, go to Train,
// type into the configuration form, and read what a run logged straight from IndexedDB.
import type { Browser, Page } from 'playwright-core';
import { expect, inject } from 'vitest';

export async function openApp(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(inject('baseUrl'));
  await page.locator('[data-testid="layer-node"]').first().waitFor();
  return { page, errors };
}

/** Build mode's template menu, as a user picks from it. */
export async function newFromTemplate(page: Page, title: RegExp): Promise<void> {
  const opened = () => page.evaluate(() => localStorage.getItem('layerboard.lastProject'));
  const before = await opened();
  await page.getByRole('button', { name: 'Project menu' }).click();
  await page.getByRole('menuitem', { name: title }).first().click();
  // the old project's "Saved" may still show for a moment (and a template's name may equal the
  // old one's): wait until the new project is the one opened, then for the page to draw it
  await expect.poll(opened, { timeout: 30_000 }).not.toBe(before);
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => done(null))));
  await page.getByTestId('save-status').filter({ hasText: 'Saved' }).waitFor();
}

export async function openTrain(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Train' }).click();
  await page.getByRole('heading', { name: 'Configuration' }).waitFor();
}

/** Types a value into a form field (data-field) like a user: click, select all, type, Tab. */
export async function typeField(page: Page, field: string, value: string): Promise<void> {
  await page.locator(`[data-field="${field}"]`).click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(value);
  await page.keyboard.press('Tab');
}

export interface LoggedPoint {
  step: number;
  value: number;
  wallTime: number;
}

/** Every point of one tag of a run, by step, read from the app's IndexedDB. */
export function loggedScalars(page: Page, runId: string, tag: string): Promise<LoggedPoint[]> {
  return page.evaluate(
    ([id, t]) =>
      new Promise<LoggedPoint[]>((resolve, reject) => {
        const open = indexedDB.open('layerboard');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          // the app's blocks of points (src/db/scalar-blocks.ts), by [runId, tag, last, count]
          const range = IDBKeyRange.bound([id, t, -Infinity, -Infinity], [id, t, Infinity, Infinity]);
          const get = db
            .transaction('scalarBlocks')
            .objectStore('scalarBlocks')
            .index('[runId+tag+last+count]')
            .getAll(range);
          get.onerror = () => reject(get.error);
          get.onsuccess = () => {
            db.close();
            type Block = { count: number; steps: Float64Array; values: Float64Array; wallTimes: Float64Array };
            const points = (get.result as Block[]).flatMap((b) =>
              Array.from({ length: b.count }, (_, i) => ({
                step: b.steps[i],
                value: b.values[i],
                wallTime: b.wallTimes[i],
              })),
            );
            resolve(points.sort((a, b) => a.step - b.step));
          };
        };
      }),
    [runId, tag] as const,
  );
}

/** A record of one of the app's tables by key. */
export function storedRecord<T>(page: Page, table: string, key: string): Promise<T | undefined> {
  return page.evaluate(
    ([s, k]) =>
      new Promise<T | undefined>((resolve, reject) => {
        const open = indexedDB.open('layerboard');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const get = db.transaction(s).objectStore(s).get(k);
          get.onerror = () => reject(get.error);
          get.onsuccess = () => {
            db.close();
            resolve(get.result as T | undefined);
          };
        };
      }),
    [table, key] as const,
  );
}

export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
