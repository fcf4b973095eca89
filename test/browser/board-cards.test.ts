// Pinning and enlarging cards in real headless Chromium, with real mouse clicks: a pinned
// card moves to the "Pinned" section at the top and stays pinned after a reload
// (localStorage); an enlarged card spans the row and is taller until restored (its
// button or Escape). Scalars, and the per-run cards of Histograms.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { card, importRuns, openBoard, serveDexie, writeScalars } from './board-helpers.ts';
import { encodeHistogramValue, histogramOf, writeEventFile } from '../../src/core/formats/tfevents/index.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const width = async (page: Page, selector: string) => (await page.locator(selector).first().boundingBox())!.width;

describe('board: pin and enlarge cards', () => {
  test('scalars: pin moves a card to Pinned (kept over a reload); enlarge spans the row; Escape and Restore undo it', async () => {
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    await importRuns(page, [
      { id: 'pa', name: 'pin a', lr: 0.05, rich: true },
      { id: 'pb', name: 'pin b', lr: 0.1, rich: true },
    ]);
    const pinned = page.locator('section[aria-label="Pinned"]');
    await card(page, 'loss/val').waitFor();
    expect(await pinned.count()).toBe(0);

    await page.getByRole('button', { name: 'Pin loss/val' }).click();
    await pinned.locator('article[data-tag="loss/val"]').waitFor();
    expect(await page.locator('details[data-group="loss"] article[data-tag="loss/val"]').count()).toBe(0);
    expect(await page.locator('details[data-group="loss"] article[data-tag="loss/train"]').count()).toBe(1);
    // The Pinned section is above every tag section.
    const pinnedTop = (await pinned.boundingBox())!.y;
    expect(pinnedTop).toBeLessThan((await page.locator('details[data-group="accuracy"]').boundingBox())!.y);
    await expect.poll(() => pinned.locator('g.line').count()).toBe(2);

    await page.reload();
    await pinned.locator('article[data-tag="loss/val"] g.line path.smooth[d^="M"]').first().waitFor();
    expect(await page.getByRole('button', { name: 'Unpin loss/val' }).getAttribute('aria-pressed')).toBe('true');

    // Enlarge: the card spans the whole row and its chart is taller, the svg redrawn to fit.
    const sel = 'details[data-group="loss"] article[data-tag="loss/train"]';
    const normal = await width(page, sel);
    const rowWidth = await width(page, 'details[data-group="loss"] .cards');
    const chartH = (await page.locator(`${sel} .chart`).boundingBox())!.height;
    await page.getByRole('button', { name: 'Enlarge loss/train' }).click();
    await expect.poll(() => width(page, sel)).toBeGreaterThan(rowWidth - 2);
    expect(normal).toBeLessThan(rowWidth * 0.6);
    expect((await page.locator(`${sel} .chart`).boundingBox())!.height).toBeGreaterThan(chartH * 1.5);
    await expect
      .poll(async () => Number(await page.locator(`${sel} .chart svg`).first().getAttribute('width')))
      .toBeGreaterThan(rowWidth - 40);
    await page.keyboard.press('Escape');
    await expect.poll(() => width(page, sel)).toBeCloseTo(normal, 0);
    await page.getByRole('button', { name: 'Enlarge loss/train' }).click();
    await expect.poll(() => width(page, sel)).toBeGreaterThan(rowWidth - 2);
    await page.getByRole('button', { name: 'Restore loss/train' }).click();
    await expect.poll(() => width(page, sel)).toBeCloseTo(normal, 0);

    // Unpin: back in its section, the Pinned section gone.
    await page.getByRole('button', { name: 'Unpin loss/val' }).click();
    await page.locator('details[data-group="loss"] article[data-tag="loss/val"]').waitFor();
    expect(await pinned.count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('scalars: cards far off screen draw no chart until scrolled to (wheel), then draw their lines', async () => {
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    await serveDexie(page);
    await importRuns(page, [{ id: 'va', name: 'virt a', lr: 0.05 }]);
    const tags = Array.from({ length: 24 }, (_, t) => `many/t${String(t).padStart(2, '0')}`);
    await writeScalars(
      page,
      tags.flatMap((tag, t) =>
        [0, 1, 2, 3].map((step) => ({
          runId: 'va',
          tag,
          step,
          wallTime: 1767607200 + step,
          value: t + 1 / (step + 1),
        })),
      ),
    );
    const last = card(page, 'many/t23');
    await last.waitFor({ state: 'attached' });
    await card(page, 'many/t00').locator('g.line path.smooth[d^="M"]').waitFor();
    const withChart = () => page.locator('article[data-tag^="many/"] .chart svg').count();
    // 24 cards of ~300 px in two columns: the first screens draw, the last ones do not.
    expect(await withChart()).toBeLessThan(tags.length);
    expect(await last.locator('.chart svg').count()).toBe(0);
    const box = (await page.locator('.content').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 60 && !(await last.locator('g.line path.smooth[d^="M"]').count()); i++) {
      await page.mouse.wheel(0, 600);
      await page.waitForTimeout(50);
    }
    await last.locator('g.line path.smooth[d^="M"]').waitFor();
    // Scrolled away, the first card lets its chart go.
    await expect.poll(() => card(page, 'many/t00').locator('.chart svg').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('histograms: a run card pins to the top and enlarges', async () => {
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    const t0 = 1767607200;
    const summaries = ['fc1.weight', 'fc2.weight'].flatMap((tag, k) =>
      [0, 1].map((step) => ({
        tag,
        step,
        wallTime: t0 + step,
        kind: 'histogram' as const,
        value: encodeHistogramValue(
          tag,
          histogramOf(Array.from({ length: 200 }, (_, i) => Math.sin(i + k) * (step + 1))),
        ),
      })),
    );
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Import' }).click(),
    ]);
    await chooser.setFiles([
      {
        name: 'events.out.tfevents.1767607200.pin',
        mimeType: 'application/octet-stream',
        buffer: Buffer.from(writeEventFile({ scalars: [], summaries }, t0)),
      },
    ]);
    await page.locator('li[data-run-id]').first().waitFor();
    await page.getByRole('tab', { name: 'Histograms' }).click();
    const tags = () =>
      page.locator('article[data-tag]').evaluateAll((els) => els.map((e) => e.getAttribute('data-tag')));
    await expect.poll(tags).toEqual(['fc1.weight', 'fc2.weight']);

    await page.getByRole('button', { name: /^Pin Histogram fc2\.weight of / }).click();
    await expect.poll(tags).toEqual(['fc2.weight', 'fc1.weight']);
    expect(await page.locator('section[aria-label="Pinned"] article').getAttribute('data-tag')).toBe('fc2.weight');

    const sel = 'article[data-tag="fc1.weight"]';
    const normal = await width(page, sel);
    await page.getByRole('button', { name: /^Enlarge Histogram fc1\.weight of / }).click();
    await expect.poll(() => width(page, sel)).toBeGreaterThan(normal * 1.5);
    await page.keyboard.press('Escape');
    await expect.poll(() => width(page, sel)).toBeCloseTo(normal, 0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
