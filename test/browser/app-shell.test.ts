import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

test('the app shell loads with its header and editor area', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(inject('baseUrl'));
  await expect(page.getByRole('heading', { name: 'Layerboard' }).textContent()).resolves.toBe('Layerboard');
  expect(await page.getByRole('main', { name: 'Model editor' }).count()).toBe(1);
  expect(errors).toEqual([]);
});
