// A newcomer's first runs, in real headless Chromium: pick the MNIST ConvNet template,
// open Train and press Start without touching the form; one epoch on the built-in MNIST
// (official 60,000 / 10,000, downloaded once with progress and kept in IndexedDB) must
// reach at least 97% test accuracy. Then the Fashion-MNIST template on Fashion-MNIST.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { newFromTemplate, openApp, openTrain, storedRecord } from './train-helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Presses Start and waits for the run to finish; returns the test accuracy shown, in %. */
async function startAndFinish(page: Page): Promise<number> {
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.getByTestId('run-status').filter({ hasText: 'Finished' }).waitFor({ timeout: 900_000 });
  await page.getByTestId('test-accuracy').waitFor({ timeout: 120_000 });
  const accuracy = Number((await page.getByTestId('test-accuracy').textContent())!.replace('%', ''));
  console.log(`  1 epoch in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return accuracy;
}

describe('defaults that work', () => {
  test('MNIST ConvNet template, Start with the defaults, 1 epoch: at least 97% on the 10,000 official test digits', async () => {
    const { page, errors } = await openApp(browser);
    await newFromTemplate(page, /^MNIST ConvNet/);
    await openTrain(page);
    // the first visit downloads the dataset with visible progress
    await page.getByTestId('dataset-loading').waitFor();
    await page
      .getByTestId('dataset-facts')
      .filter({ hasText: '60,000 train · 10,000 test' })
      .waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('model-input').textContent()).toContain('1×28×28 ✓');
    // and keeps it in this browser for the next visit
    await expect
      .poll(() => storedRecord<{ kind: string }>(page, 'datasets', 'builtin-mnist'), { timeout: 60_000 })
      .toMatchObject({ kind: 'builtin' });
    expect(await page.locator('[data-field="epochs"]').inputValue()).toBe('1');
    const accuracy = await startAndFinish(page);
    console.log(
      `MNIST ConvNet, defaults (Adam lr=0.001, batch 64, 1 epoch) in the browser: test accuracy ${accuracy}%`,
    );
    expect(accuracy).toBeGreaterThanOrEqual(97);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 1_000_000);

  test('Fashion-MNIST ConvNet template on the built-in Fashion-MNIST, 1 epoch', async () => {
    const { page, errors } = await openApp(browser);
    await newFromTemplate(page, /^Fashion-MNIST ConvNet/);
    await openTrain(page);
    await page.getByRole('radio', { name: 'Fashion-MNIST' }).click();
    await page
      .getByTestId('dataset-facts')
      .filter({ hasText: '60,000 train · 10,000 test' })
      .waitFor({ timeout: 180_000 });
    const preview = page.getByTestId('dataset-preview');
    expect(await preview.locator('figcaption').first().textContent()).toBe('T-shirt/top');
    expect(await preview.locator('figcaption').last().textContent()).toBe('Ankle boot');
    const accuracy = await startAndFinish(page);
    console.log(`Fashion-MNIST ConvNet, defaults, 1 epoch in the browser: test accuracy ${accuracy}%`);
    expect(accuracy).toBeGreaterThanOrEqual(85);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 1_500_000);
});
