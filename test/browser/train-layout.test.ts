// The Train tab's left column at common window sizes: every dataset source can be seen
// and clicked (five of them do not fit beside the card's title, so they wrap).
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { openApp, openTrain } from './train-helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

test('every dataset source lies inside the Dataset card and can be chosen with a click', async () => {
  const { page, errors } = await openApp(browser);
  for (const width of [1440, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await openTrain(page);
    const card = (await page
      .locator('section.card', { has: page.getByRole('heading', { name: 'Dataset' }) })
      .boundingBox())!;
    const radios = page.getByRole('radiogroup', { name: 'Dataset' }).getByRole('radio');
    expect(await radios.count()).toBe(5);
    for (const radio of await radios.all()) {
      const b = (await radio.boundingBox())!;
      expect(b.x, `${await radio.textContent()} at ${width} px`).toBeGreaterThanOrEqual(card.x);
      expect(b.x + b.width, `${await radio.textContent()} at ${width} px`).toBeLessThanOrEqual(card.x + card.width);
    }
  }
  await page.getByRole('radio', { name: 'Table (CSV)' }).click();
  await expect.poll(() => page.getByRole('radio', { name: 'Table (CSV)' }).getAttribute('aria-checked')).toBe('true');
  expect(errors).toEqual([]);
  await page.context().close();
});
