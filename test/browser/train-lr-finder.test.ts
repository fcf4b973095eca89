// The Train form's training-loop options and the LR finder, in real headless Chromium with
// real clicks: gradient clipping and early stopping written into the model's training
// config (and which weights are kept said plainly); "Find learning rate" on the MLP template
// and MNIST sweeps in the engine worker, draws loss against lr on a log axis with the
// suggestion marked, "Use …" sets the optimizer's lr; a second sweep is cancelled. The
// plot's screenshot goes to docs/screenshots/lr-finder.png with LAYERBOARD_SCREENSHOTS=1.
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

test('gradient clipping and early stopping fields write the training config', async () => {
  const { page, errors } = await openApp(browser);
  await newFromTemplate(page, /^MLP/);
  await openTrain(page);
  const clip = page.locator('[data-group="gradClip"]');
  await page.locator('[data-field="gradClip.type"]').selectOption('norm');
  await typeField(page, 'gradClip.max_norm', '0.5');
  await expect.poll(() => clip.locator('code').textContent()).toContain('max_norm=0.5, norm_type=2');
  await typeField(page, 'gradClip.max_norm', '-1');
  await page.locator('[data-error-for="gradClip.max_norm"]').waitFor();
  await page.locator('[data-field="gradClip.type"]').selectOption('value');
  await typeField(page, 'gradClip.clip_value', '0.25');
  await expect
    .poll(() => clip.locator('code').textContent())
    .toContain('clip_grad_value_(model.parameters(), clip_value=0.25)');
  expect(await page.locator('[data-error-for^="gradClip"]').count()).toBe(0);

  await page.locator('[data-field="earlyStopping.enabled"]').check();
  const kept = page.getByTestId('weights-kept');
  const keptText = async () => (await kept.textContent())!.replace(/\s+/g, ' ');
  expect(await keptText()).toMatch(/best epoch's weights \(by val_loss\).*saved, downloaded and exported/);
  await page.locator('[data-field="earlyStopping.monitor"]').selectOption('val_accuracy');
  await typeField(page, 'earlyStopping.patience', '2');
  await page.locator('[data-field="earlyStopping.restore_best_weights"]').uncheck();
  expect(await keptText()).toMatch(/last epoch's weights/);
  await typeField(page, 'earlyStopping.patience', '0');
  await page.locator('[data-error-for="earlyStopping.patience"]').waitFor();
  await typeField(page, 'earlyStopping.patience', '2');
  expect(await page.locator('[data-error-for^="earlyStopping"]').count()).toBe(0);
  expect(errors).toEqual([]);
  await page.context().close();
}, 120_000);

test('Find learning rate: the loss-vs-lr plot, the suggestion marked, Use sets the lr; Cancel ends a sweep', async () => {
  const { page, errors } = await openApp(browser);
  await newFromTemplate(page, /^MLP/);
  await openTrain(page);
  await page.getByTestId('dataset-preview').waitFor();
  await page.getByRole('button', { name: 'Find learning rate' }).click();
  const suggestion = page.getByTestId('lr-suggestion');
  await suggestion.waitFor({ timeout: 120_000 });
  const plot = page.locator('svg.lr-plot');
  expect(Number(await plot.getAttribute('data-points'))).toBeGreaterThan(20);
  expect((await plot.locator('path.smooth').getAttribute('d'))!.split('L').length).toBeGreaterThan(20);
  const marked = Number(await plot.locator('g.suggested').getAttribute('data-lr'));
  expect(marked).toBeGreaterThan(1e-6);
  expect(marked).toBeLessThan(10);
  // the x axis is logarithmic: its ticks are decades from the sweep's start (1e-7)
  const ticks = await plot.locator('text.tick').allTextContents();
  expect(ticks).toEqual(expect.arrayContaining(['1e-6', '1e-4']));
  const use = suggestion.getByRole('button', { name: /^Use / });
  const shown = (await use.textContent())!.replace('Use ', '').trim();
  expect(Number(shown) / marked).toBeGreaterThan(0.95);
  expect(Number(shown) / marked).toBeLessThan(1.05);
  expect(shown).not.toBe('0.001'); // the form's lr before Use (Adam's default)
  await page.locator('[data-group="optimizer"]').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.mouse.move(1000, 890);
  // the optimizer and its LR finder, as the README shows them
  const top = (await page.locator('[data-group="optimizer"]').boundingBox())!;
  const bottom = (await page.getByTestId('lr-finder').boundingBox())!;
  await page.screenshot({
    path: join(screenshotDir(), 'lr-finder.png'),
    clip: { x: top.x - 4, y: top.y - 4, width: top.width + 8, height: bottom.y + bottom.height - top.y + 8 },
  });
  await use.click();
  await expect.poll(() => page.locator('[data-field="optimizer.lr"]').inputValue()).toBe(shown);
  await suggestion.getByRole('button', { name: 'In use' }).waitFor();
  expect(await page.locator('[data-group="optimizer"] code.call').textContent()).toContain(`lr=${Number(shown)}`);

  await page.getByRole('button', { name: 'Find learning rate' }).click();
  await page.getByTestId('lr-finder').and(page.locator('[data-status="running"]')).waitFor();
  await expect.poll(async () => page.getByRole('button', { name: 'Start', exact: true }).isDisabled()).toBe(true);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByTestId('lr-finder').and(page.locator('[data-status="stopped"]')).waitFor({ timeout: 60_000 });
  expect(await page.getByTestId('lr-finder').textContent()).toMatch(/cancelled after \d+ batches/);
  await expect.poll(async () => page.getByRole('button', { name: 'Start', exact: true }).isDisabled()).toBe(false);
  expect(errors).toEqual([]);
  await page.context().close();
}, 240_000);
