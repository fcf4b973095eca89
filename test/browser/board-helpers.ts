// Shared steps of the board's browser tests: open the app on the Board, import run
// files through the real file chooser, read chart paths, write scalars from "another
// context" (a second dexie instance, as the training worker writes).
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { fixtureUpload, type FixtureRun } from './board-fixtures.ts';

export async function openBoard(
  browser: Browser,
  baseUrl: string,
  hash = '#board',
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(baseUrl + hash);
  await page.getByRole('tab', { name: 'Scalars' }).waitFor();
  return { page, errors };
}

export async function importRuns(page: Page, runs: FixtureRun[]): Promise<void> {
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.getByRole('button', { name: 'Import' }).click(),
  ]);
  await chooser.setFiles(runs.map(fixtureUpload));
  for (const r of runs) await page.locator(`li[data-run-id="${r.id}"]`).waitFor();
}

export function card(page: Page, tag: string) {
  return page.locator(`article[data-tag="${tag}"]`);
}

export async function pathOf(page: Page, tag: string, runId: string, kind: 'raw' | 'smooth'): Promise<string> {
  return (await card(page, tag).locator(`g.line[data-run="${runId}"] path.${kind}`).getAttribute('d')) ?? '';
}

/** Waits until a chart has drawn `runIds` (and only them). */
export async function expectLines(page: Page, tag: string, runIds: string[]): Promise<void> {
  await expect
    .poll(
      async () =>
        (
          await card(page, tag)
            .locator('g.line')
            .evaluateAll((els) => els.map((e) => e.getAttribute('data-run')))
        ).sort(),
      { timeout: 10_000 },
    )
    .toEqual([...runIds].sort());
}

const DEXIE = readFileSync(new URL('../../node_modules/dexie/dist/dexie.mjs', import.meta.url), 'utf8');

/** Serves dexie to the page so a test can write as another context (a worker) would. */
export async function serveDexie(page: Page): Promise<void> {
  await page.route('**/__test__/dexie.mjs', (route) =>
    route.fulfill({
      body: DEXIE,
      contentType: 'text/javascript',
      headers: { 'Cross-Origin-Resource-Policy': 'same-origin' },
    }),
  );
}

/**
 * Writes points as another tab's writer would: a new block per run and tag (steps after the
 * stored ones), through a second dexie instance opened on the app's database as it is.
 */
export async function writeScalars(
  page: Page,
  points: { runId: string; tag: string; step: number; wallTime: number; value: number }[],
): Promise<void> {
  // A string, so that the test runner does not rewrite the page's import().
  await page.evaluate(`(async () => {
    const { Dexie } = await import('/__test__/dexie.mjs');
    const db = new Dexie('layerboard');
    await db.open();
    const groups = new Map();
    for (const p of ${JSON.stringify(points)}) {
      const key = p.runId + '\\u0000' + p.tag;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(p);
    }
    for (const ps of groups.values()) {
      ps.sort((a, b) => a.step - b.step);
      await db.table('scalarBlocks').add({
        runId: ps[0].runId, tag: ps[0].tag, first: ps[0].step, last: ps[ps.length - 1].step, count: ps.length,
        steps: Float64Array.from(ps, (p) => p.step),
        wallTimes: Float64Array.from(ps, (p) => p.wallTime),
        values: Float64Array.from(ps, (p) => p.value),
      });
    }
    db.close();
  })()`);
}
