// Screenshots of the editor at 1440×900, light and dark. They go to docs/screenshots/
// (for the README) when LAYERBOARD_SCREENSHOTS=1, else to a temporary folder, so a plain
// test run leaves the working tree clean.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { screenshotDir } from './screenshot-dir.ts';
import { expectNoErrors, nodeOf, openApp, setParam } from './editor-helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const outDir = screenshotDir();

test('editor screenshots, light and dark, 1440×900', async () => {
  const { page, errors } = await openApp(browser);
  await nodeOf(page, 'Conv2d', 1).click();
  await page.mouse.move(100, 880);
  await page.waitForTimeout(300);
  const light = join(outDir, 'editor-light.png');
  await page.screenshot({ path: light });

  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await nodeOf(page, 'Linear').click();
  await setParam(page, 'in_features', '1000');
  await page.getByRole('tab', { name: 'PyTorch code' }).click();
  await page.getByTestId('problem-banner').getByRole('button', { name: 'Show' }).click();
  await page.waitForTimeout(400);
  await page.mouse.move(100, 880);
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(outDir, 'editor-dark.png') });
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
  expectNoErrors(errors);
});
