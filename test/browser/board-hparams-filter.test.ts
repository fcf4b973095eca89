// The HParams filter in real headless Chromium: min/max fields and value checkboxes (as
// TensorBoard's filter panel), and brushing a range with a real mouse drag along a
// parallel-coordinates axis; filtered runs leave the table, the lines and the scatter.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { importRuns, openBoard } from './board-helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Run ids in the table, the parallel coordinates and the scatter. */
async function shown(page: Page): Promise<{ table: string[]; lines: string[]; dots: string[] }> {
  const ids = (sel: string) =>
    page.locator(sel).evaluateAll((els) => els.map((e) => e.getAttribute('data-run') ?? '').sort());
  const names = await page.locator('table.hp-board tbody td.run').allTextContents();
  return { table: names.sort(), lines: await ids('svg.parallel path.run-line'), dots: await ids('svg.scatter circle') };
}
const expectShown = (page: Page, ids: string[]) =>
  expect.poll(() => shown(page)).toEqual({ table: ids.map((id) => `run ${id}`), lines: ids, dots: ids });

describe('board: HParams filters', () => {
  test('min/max, value checkboxes and brushing an axis hide runs from table, parallel coordinates and scatter', async () => {
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    await importRuns(page, [
      { id: 'h1', name: 'run h1', lr: 0.01, optimizer: 'SGD' },
      { id: 'h2', name: 'run h2', lr: 0.05, optimizer: 'Adam' },
      { id: 'h3', name: 'run h3', lr: 0.2, optimizer: 'SGD' },
    ]);
    await page.getByRole('tab', { name: 'HParams' }).click();
    await expectShown(page, ['h1', 'h2', 'h3']);

    const min = page.getByRole('textbox', { name: 'Minimum of lr' });
    await min.click();
    await min.fill('0.03');
    await min.press('Tab');
    await expectShown(page, ['h2', 'h3']);
    expect(await page.getByTestId('hparams-shown').textContent()).toBe('2 of 3 runs');

    await page.getByRole('checkbox', { name: 'optimizer: SGD' }).click();
    await expectShown(page, ['h2']);
    await page.getByRole('button', { name: 'Reset' }).click();
    await expectShown(page, ['h1', 'h2', 'h3']);
    expect(await min.inputValue()).toBe('');

    // Brush from the top of the lr axis (0.2; 0.01 at the bottom) to its middle: only h3 stays,
    // the range open at the top (the brush reached that end).
    const grip = (await page.locator('rect.grip[data-axis="hparam:lr"]').boundingBox())!;
    const x = grip.x + grip.width / 2;
    await page.mouse.move(x, grip.y + 1);
    await page.mouse.down();
    for (let i = 1; i <= 8; i++) await page.mouse.move(x, grip.y + 1 + ((grip.height / 2 - 1) * i) / 8);
    await page.mouse.up();
    await expectShown(page, ['h3']);
    const lo = Number(await min.inputValue());
    expect(lo).toBeGreaterThan(0.05);
    expect(lo).toBeLessThan(0.2);
    expect(await page.getByRole('textbox', { name: 'Maximum of lr' }).inputValue()).toBe('');
    expect(await page.locator('svg.parallel rect.brush').count()).toBe(1);
    // A click on the axis without a drag clears its range.
    await page.mouse.click(x, grip.y + grip.height * 0.8);
    await expectShown(page, ['h1', 'h2', 'h3']);
    expect(await page.locator('svg.parallel rect.brush').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
