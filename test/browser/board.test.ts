// The Scalars board in real headless Chromium: runs imported through the file chooser,
// overlaid lines, smoothing, log scale, CSV download, live appends, rename and delete.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { fixtureLoss, type FixtureRun } from './board-fixtures.ts';
import { card, expectLines, importRuns, openBoard, pathOf, serveDexie, writeScalars } from './board-helpers.ts';
import { parseSeriesCsv } from '../../src/ui/board/scalars/export.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const A: FixtureRun = { id: 'run-a', name: 'sgd lr=0.1', lr: 0.1 };
const B: FixtureRun = { id: 'run-b', name: 'sgd lr=0.03', lr: 0.03, created: Date.UTC(2026, 0, 5, 11) };

describe('board: scalars', () => {
  test('two finished runs appear overlaid in every card; smoothing changes the line', async () => {
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    await importRuns(page, [A, B]);
    await expectLines(page, 'loss/train', ['run-a', 'run-b']);
    await expectLines(page, 'accuracy/val', ['run-a', 'run-b']);
    for (const id of ['run-a', 'run-b']) {
      expect((await pathOf(page, 'loss/train', id, 'smooth')).split('L').length).toBeGreaterThan(150);
      expect(
        await card(page, 'loss/train').locator(`g.line[data-run="${id}"] path.raw`).getAttribute('class'),
      ).toContain('faint');
    }
    const at06 = await pathOf(page, 'loss/train', 'run-a', 'smooth');
    const raw = await pathOf(page, 'loss/train', 'run-a', 'raw');
    expect(at06).not.toBe(raw);

    // Type a new smoothing with the keyboard...
    const box = page.getByRole('spinbutton', { name: 'Smoothing value' });
    await box.click({ clickCount: 3 });
    await page.keyboard.type('0.95');
    await page.keyboard.press('Enter');
    await expect.poll(() => pathOf(page, 'loss/train', 'run-a', 'smooth')).not.toBe(at06);
    const at095 = await pathOf(page, 'loss/train', 'run-a', 'smooth');
    // ...a heavier EMA is flatter: its y-range (pixels) is smaller than the raw line's.
    const span = (d: string) => {
      const ys = [...d.matchAll(/[ML][\d.]+,([\d.]+)/g)].map((m) => +m[1]);
      return Math.max(...ys) - Math.min(...ys);
    };
    expect(span(at095)).toBeLessThan(span(raw) * 0.9);
    // ...then drag the slider to its left end: no smoothing, the raw line is drawn alone.
    const slider = page.getByRole('slider', { name: 'Smoothing' });
    const sb = (await slider.boundingBox())!;
    await page.mouse.click(sb.x + 1, sb.y + sb.height / 2);
    await expect
      .poll(() => card(page, 'loss/train').locator('g.line[data-run="run-a"] path.raw').getAttribute('class'))
      .not.toContain('faint');
    expect(await pathOf(page, 'loss/train', 'run-a', 'smooth')).toBe('');
    expect(page.url()).toContain('smooth=0');
    expect(errors).toEqual([]);
    await page.close();
  });

  test('log scale spaces ticks by their logarithm', async () => {
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    await importRuns(page, [A]);
    await expectLines(page, 'loss/train', ['run-a']);
    const linear = await pathOf(page, 'loss/train', 'run-a', 'smooth');
    await page.getByRole('radio', { name: 'Log' }).click();
    await expect.poll(() => pathOf(page, 'loss/train', 'run-a', 'smooth')).not.toBe(linear);
    const ticks = await card(page, 'loss/train')
      .locator('.axis.y .tick')
      .evaluateAll((els) =>
        els.map((e) => ({
          v: Number((e as unknown as { __data__: number }).__data__),
          y: Number(/translate\(0,([-\d.]+)\)/.exec(e.getAttribute('transform') ?? '')?.[1]),
        })),
      );
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    const [a, b, c] = [ticks[0], ticks[1], ticks.at(-1)!];
    // y(v) is linear in log(v): the ratio of pixel gaps equals the ratio of log gaps
    expect((c.y - a.y) / (b.y - a.y)).toBeCloseTo((Math.log(c.v) - Math.log(a.v)) / (Math.log(b.v) - Math.log(a.v)), 1);
    expect(page.url()).toContain('y=log');
    expect(errors).toEqual([]);
    await page.close();
  });

  test('the CSV download holds exactly the logged values', async () => {
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    await importRuns(page, [A, B]);
    await expectLines(page, 'loss/train', ['run-a', 'run-b']);
    await card(page, 'loss/train').getByRole('button', { name: 'Download loss/train' }).click();
    const row = card(page, 'loss/train').locator('.dl-row', { hasText: 'sgd lr=0.03' });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('menuitem', { name: 'CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('run-sgd_lr=0.03-tag-loss_train.csv');
    const rows = parseSeriesCsv(readFileSync(await download.path(), 'utf8'));
    expect(rows).toHaveLength(200);
    rows.forEach((r, s) => {
      expect(r.step).toBe(s);
      expect(r.value).toBe(fixtureLoss(0.03, s));
      expect(r.wallTime).toBe(Date.UTC(2026, 0, 5, 11) / 1000 + s * 0.25);
    });
    expect(errors).toEqual([]);
    await page.close();
  });

  test('the hover tooltip stays inside its card on either side of the cursor; long run names are clipped', async () => {
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    await importRuns(page, [{ ...A, name: `sgd lr=0.1 ${'with a very long run name '.repeat(6)}` }, B]);
    await expectLines(page, 'loss/train', ['run-a', 'run-b']);
    const chart = card(page, 'loss/train').locator('.chart');
    const box = (await chart.boundingBox())!;
    const tip = card(page, 'loss/train').locator('.chart-tooltip');
    // right of the middle (the tooltip goes left) and left of it (it goes right)
    for (const fraction of [0.6, 0.4]) {
      await page.mouse.move(box.x + box.width * fraction, box.y + box.height / 3);
      await tip.waitFor({ state: 'visible' });
      const t = (await tip.boundingBox())!;
      expect(t.width).toBeLessThan(box.width);
      expect(t.x).toBeGreaterThanOrEqual(box.x - 1);
      expect(t.x + t.width).toBeLessThanOrEqual(box.x + box.width + 1);
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  test('points written by another context appear within a second, appended to the same path', async () => {
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    await serveDexie(page);
    await importRuns(page, [{ ...A, steps: 150, status: 'running' }]);
    await expectLines(page, 'loss/train', ['run-a']);
    const path = card(page, 'loss/train').locator('g.line[data-run="run-a"] path.raw');
    const before = (await path.getAttribute('d'))!;
    await path.evaluate((el) => {
      (el as unknown as { marked: boolean }).marked = true;
    });
    const wall0 = Date.UTC(2026, 0, 5, 10) / 1000;
    await writeScalars(
      page,
      [150, 151, 152, 153, 154, 155].map((step) => ({
        runId: 'run-a',
        tag: 'loss/train',
        step,
        wallTime: wall0 + step * 0.25,
        value: fixtureLoss(0.1, step),
      })),
    );
    const t0 = Date.now();
    await expect
      .poll(async () => ((await path.getAttribute('d')) ?? '').split('L').length, { timeout: 1000, interval: 20 })
      .toBe(before.split('L').length + 6);
    expect(Date.now() - t0).toBeLessThan(1000);
    const after = (await path.getAttribute('d'))!;
    expect(after.startsWith(before)).toBe(true);
    expect(await path.evaluate((el) => (el as unknown as { marked?: boolean }).marked)).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('drag to zoom zooms every card, double-click resets; relative and wall-time axes', async () => {
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    await importRuns(page, [A, B]);
    await expectLines(page, 'loss/train', ['run-a', 'run-b']);
    const ticks = (tag: string) => card(page, tag).locator('.axis.x .tick text').allTextContents();
    expect(await ticks('loss/train')).toEqual(['0', '50', '100', '150', '200']);
    const box = (await card(page, 'loss/train').locator('.chart').boundingBox())!;
    const x0 = box.x + 54,
      w = box.width - 54 - 14;
    // drag across the middle fifth of the plot (steps 80 to 120 of 0–200)
    await page.mouse.move(x0 + w * 0.4, box.y + 80);
    await page.mouse.down();
    await page.mouse.move(x0 + w * 0.5, box.y + 90, { steps: 5 });
    await page.mouse.move(x0 + w * 0.6, box.y + 100, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => ticks('loss/train')).not.toEqual(['0', '50', '100', '150', '200']);
    const zoomed = (await ticks('loss/train')).map(Number);
    expect(Math.min(...zoomed)).toBeGreaterThanOrEqual(80);
    expect(Math.max(...zoomed)).toBeLessThanOrEqual(120);
    // the other card follows
    await expect
      .poll(async () => (await ticks('accuracy/val')).map(Number).every((t) => t >= 80 && t <= 120))
      .toBe(true);
    await page.mouse.dblclick(x0 + w * 0.5, box.y + 90);
    await expect.poll(() => ticks('loss/train')).toEqual(['0', '50', '100', '150', '200']);

    // relative time: 200 steps of 0.25 s; wall time: clock labels
    await page.getByRole('radio', { name: 'Relative' }).click();
    await expect.poll(() => ticks('loss/train')).toEqual(['0s', '10s', '20s', '30s', '40s', '50s']);
    await page.getByRole('radio', { name: 'Wall' }).click();
    await expect.poll(async () => (await ticks('loss/train')).some((t) => /:\d\d/.test(t))).toBe(true);
    expect(page.url()).toContain('x=wall');
    expect(errors).toEqual([]);
    await page.close();
  });

  test('rename and delete a run', async () => {
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    await importRuns(page, [A, B]);
    const row = page.locator('li[data-run-id="run-a"]');
    await row.hover();
    await row.getByRole('button', { name: 'Rename sgd lr=0.1' }).click();
    const input = row.getByRole('textbox', { name: 'New name for sgd lr=0.1' });
    await input.fill('adam baseline');
    await page.keyboard.press('Enter');
    await expect.poll(() => row.locator('button.name').textContent()).toBe('adam baseline');
    await expect.poll(() => card(page, 'loss/train').locator('tbody').textContent()).toContain('adam baseline');

    await page.reload();
    await page.locator('li[data-run-id="run-a"] button.name', { hasText: 'adam baseline' }).waitFor();

    const rowB = page.locator('li[data-run-id="run-b"]');
    await rowB.hover();
    await rowB.getByRole('button', { name: 'Delete sgd lr=0.03' }).click();
    await rowB.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.locator('li[data-run-id="run-b"]').count()).toBe(0);
    await expectLines(page, 'loss/train', ['run-a']);
    await page.reload();
    await page.locator('li[data-run-id="run-a"]').waitFor();
    expect(await page.locator('li[data-run-id="run-b"]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
