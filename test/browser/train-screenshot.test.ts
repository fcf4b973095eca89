// The Train tab at 1440×900 after a 3-epoch MNIST run: progress, live charts, test
// accuracy and the confusion matrix. Written to docs/screenshots/train.png when
// LAYERBOARD_SCREENSHOTS=1, else to a temporary folder (a plain run leaves the tree clean).
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { screenshotDir } from './screenshot-dir.ts';
import { newFromTemplate, openApp, openTrain, typeField } from './train-helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const outDir = screenshotDir();

test('train screenshot, 1440×900, after a 3-epoch MNIST run', async () => {
  const { page, errors } = await openApp(browser);
  await newFromTemplate(page, /^MNIST ConvNet/);
  await openTrain(page);
  await page.getByTestId('dataset-preview').waitFor();
  await typeField(page, 'epochs', '3');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.getByTestId('run-status').filter({ hasText: 'Finished' }).waitFor({ timeout: 240_000 });
  await page.getByTestId('prediction-gallery').waitFor();
  await page.locator('main.train aside.left').evaluate((el) => el.scrollTo(0, 0));
  await page.mouse.move(720, 890);
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(outDir, 'train.png') });
  expect(Number((await page.getByTestId('test-accuracy').textContent())!.replace('%', ''))).toBeGreaterThan(90);
  expect(errors).toEqual([]);
  await page.context().close();
}, 300_000);
