// A newcomer's first run, as the app opens on a fresh profile: the seed's CIFAR-10 BS model
// (3×32×32) and the built-in MNIST (1×28×28). Start waits and says why; one click adapts the
// model (Input, the first Conv2d's in_channels, the Linear's in_features — one undo step)
// and Start trains it, the loss falling.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { openApp, openTrain } from './train-helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const stepNow = async (page: Page) =>
  Number(((await page.getByTestId('run-step').textContent()) ?? '0').split('/')[0].replace(/,/g, ''));

test('the default project on the built-in MNIST: Adapt the model, Start, the loss falls', async () => {
  const { page, errors } = await openApp(browser);
  await openTrain(page);
  const start = page.getByRole('button', { name: 'Start', exact: true });
  const adapt = page.getByRole('button', { name: 'Adapt the model to MNIST (1×28×28)' });
  await adapt.waitFor();
  expect(await start.isDisabled()).toBe(true);
  expect(await page.locator('main').textContent()).toContain(
    "the model's Input is 3×32×32 but MNIST images are 1×28×28",
  );

  await adapt.click();
  await expect.poll(() => start.isDisabled()).toBe(false);
  expect(await adapt.count()).toBe(0);
  expect(await page.getByTestId('model-input').textContent()).toContain('1×28×28 ✓');

  // Build shows the adapted sizes; one undo brings back the CIFAR-10 model whole
  await page.getByRole('tab', { name: 'Build' }).click();
  const nodeText = () => page.locator('[data-testid="layer-node"]').allTextContents();
  await expect.poll(async () => (await page.locator('header').first().textContent()) ?? '').toContain('shapes OK');
  await page.getByRole('tab', { name: 'Summary' }).click();
  const summary = page.getByRole('tabpanel').filter({ hasText: 'Output Shape' });
  expect(await summary.textContent()).toContain('[1, 576]');
  const adapted = await nodeText();
  expect(adapted.join(' ')).toContain('576');
  await page.locator('.svelte-flow__pane').click({ position: { x: 40, y: 300 } });
  await page.keyboard.press('ControlOrMeta+Z');
  await expect.poll(nodeText).not.toEqual(adapted);
  expect((await nodeText()).join(' ')).toContain('1024'); // 64×4×4 reaches the Linear again
  await page.keyboard.press('ControlOrMeta+Shift+Z');
  await expect.poll(nodeText).toEqual(adapted);

  await openTrain(page);
  await start.click();
  await page.getByTestId('run-status').filter({ hasText: 'Training' }).waitFor();
  await expect.poll(() => stepNow(page), { timeout: 120_000, interval: 500 }).toBeGreaterThanOrEqual(60);
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await page.getByTestId('run-status').filter({ hasText: 'Stopped' }).waitFor({ timeout: 30_000 });
  // from ln 10 ≈ 2.30 at the start (ten classes, uniform scores)
  expect(Number(await page.getByTestId('run-loss').textContent())).toBeLessThan(1.8);
  const chart = page.locator('figure[data-tag="loss/train"]');
  expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThanOrEqual(60);
  expect(errors).toEqual([]);
  await page.context().close();
}, 240_000);
