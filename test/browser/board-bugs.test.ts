// Board bugs a new user met (issue 13, item 6), each driven in real headless Chromium:
// a one-point series and step 2^53 − 1, crosshair dots of runs outside a zoomed range,
// colours kept when an older run is imported, and the Graph tab with runs that have none.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import type { FixtureRun } from './board-fixtures.ts';
import { card, expectLines, importRuns, openBoard, pathOf } from './board-helpers.ts';
import { writeEventFile, type ScalarPoint } from '../../src/core/formats/tfevents/index.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const A: FixtureRun = { id: 'run-a', name: 'sgd lr=0.1', lr: 0.1 };
const SHORT: FixtureRun = { id: 'run-short', name: 'short', lr: 0.05, steps: 50, created: Date.UTC(2026, 0, 5, 12) };
const OLDER: FixtureRun = { id: 'run-old', name: 'older', lr: 0.2, created: Date.UTC(2025, 5, 1) };

async function importEventFile(page: Page, path: string, points: ScalarPoint[], created: number): Promise<void> {
  const rows = page.locator('li[data-run-id]');
  const before = await rows.count();
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.getByRole('button', { name: 'Import' }).click(),
  ]);
  await chooser.setFiles([
    { name: path, mimeType: 'application/octet-stream', buffer: Buffer.from(writeEventFile(points, created)) },
  ]);
  await expect.poll(() => rows.count()).toBe(before + 1);
}

const plotWidth = async (page: Page, tag: string) =>
  (await card(page, tag).locator('.chart').boundingBox())!.width - 54 - 14;

describe('board: bugs seen by a new user', () => {
  test('a one-point series draws a dot; step 2^53 − 1 is drawn inside the plot', async () => {
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    const max = 2 ** 53 - 1;
    await importEventFile(
      page,
      'events.out.tfevents.1767607200.host',
      [
        { tag: 'one', step: 3, wallTime: 1767607201, value: 0.5 },
        { tag: 'huge', step: max - 10, wallTime: 1767607201, value: 1 },
        { tag: 'huge', step: max, wallTime: 1767607202, value: 2 },
      ],
      1767607200,
    );
    const runId = (await page.locator('li[data-run-id]').first().getAttribute('data-run-id'))!;
    await expectLines(page, 'one', [runId]);
    const one = await pathOf(page, 'one', runId, 'smooth');
    expect(one).toMatch(/^M\d+,\d+h0$/);
    // the zero-length segment shows as a dot through the line's round cap
    const cap = await card(page, 'one')
      .locator(`g.line[data-run="${runId}"] path.smooth`)
      .evaluate((p) => getComputedStyle(p).strokeLinecap);
    expect(cap).toBe('round');
    // both points of the huge-step series sit inside the plot, the last one near its right end
    const w = await plotWidth(page, 'huge');
    const xs = [...(await pathOf(page, 'huge', runId, 'raw')).matchAll(/[ML](-?\d+),/g)].map((m) => +m[1] / 10);
    expect(xs).toHaveLength(2);
    for (const x of xs) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(w);
    }
    expect(xs[1]).toBeGreaterThan(xs[0]);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('zoomed in, a run with no point in range puts no crosshair dot outside the card', async () => {
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    await importRuns(page, [A, SHORT]);
    await expectLines(page, 'loss/train', ['run-a', 'run-short']);
    const box = (await card(page, 'loss/train').locator('.chart').boundingBox())!;
    const x0 = box.x + 54,
      w = box.width - 54 - 14;
    // zoom to steps 120–180: the short run (steps 0–49) is entirely to the left
    await page.mouse.move(x0 + w * 0.6, box.y + 80);
    await page.mouse.down();
    await page.mouse.move(x0 + w * 0.75, box.y + 90, { steps: 5 });
    await page.mouse.move(x0 + w * 0.9, box.y + 90, { steps: 5 });
    await page.mouse.up();
    await expect
      .poll(async () =>
        Math.min(...(await card(page, 'loss/train').locator('.axis.x .tick text').allTextContents()).map(Number)),
      )
      .toBeGreaterThanOrEqual(100);
    await page.mouse.move(x0 + w * 0.5, box.y + 60, { steps: 3 });
    const dots = card(page, 'loss/train').locator('.crosshair circle');
    await expect.poll(() => dots.count()).toBe(1);
    const cx = Number(await dots.first().getAttribute('cx'));
    expect(cx).toBeGreaterThanOrEqual(0);
    expect(cx).toBeLessThanOrEqual(w);
    // every card's dots stay inside that card
    for (const el of await page.locator('article[data-tag] .crosshair circle').all())
      expect(Number(await el.getAttribute('cx'))).toBeGreaterThanOrEqual(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('importing an older run recolours no run on the board', async () => {
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    await importRuns(page, [A, SHORT]);
    const colorOf = (id: string) =>
      page.locator(`li[data-run-id="${id}"]`).evaluate((el) => getComputedStyle(el).getPropertyValue('--run'));
    const before = [await colorOf('run-a'), await colorOf('run-short')];
    await importRuns(page, [OLDER]);
    expect([await colorOf('run-a'), await colorOf('run-short')]).toEqual(before);
    expect(before).not.toContain(await colorOf('run-old'));
    expect(errors).toEqual([]);
    await page.close();
  });

  test('the Graph tab opens on a run with a graph, says when a run has none, and fits each run it shows', async () => {
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    await importRuns(page, [A, SHORT]);
    // the newest run: imported from an event file without add_graph
    await importEventFile(
      page,
      'events.out.tfevents.1800000000.host',
      [{ tag: 'loss', step: 0, wallTime: 1800000000, value: 1 }],
      1800000000,
    );
    await page.getByRole('tab', { name: 'Graph' }).click();
    const picker = page.getByRole('combobox', { name: 'Run to show' });
    await page.locator('.module-graph g.node').first().waitFor();
    expect(await picker.evaluate((s: HTMLSelectElement) => s.selectedOptions[0].textContent)).toBe('short');
    const viewport = page.locator('.module-graph g.viewport');
    const fitted = await viewport.getAttribute('transform');
    // pan away, then pick another run: its graph is fitted into the view again
    const canvas = (await page.getByLabel('Module graph').boundingBox())!;
    await page.mouse.move(canvas.x + 30, canvas.y + canvas.height - 30);
    await page.mouse.down();
    await page.mouse.move(canvas.x + 330, canvas.y + canvas.height - 130, { steps: 6 });
    await page.mouse.up();
    await expect.poll(() => viewport.getAttribute('transform')).not.toBe(fitted);
    await picker.selectOption({ label: 'sgd lr=0.1' });
    await expect.poll(() => viewport.getAttribute('transform')).toBe(fitted);
    // the event-file run has no graph: said so, and nothing invented
    await picker.selectOption({ label: 'events.out.tfevents.1800000000.host' });
    await page.getByText('was logged without add_graph').waitFor();
    expect(await page.locator('.module-graph g.node').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
