import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { chainTypes, expectNoErrors, nodeOf, openApp } from './editor-helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

test('at 1280×720 everything fits and every control has an accessible name', async () => {
  const { page, errors } = await openApp(browser, { width: 1280, height: 720 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
  for (const name of ['Layer palette', 'Model canvas', 'Inspector']) {
    const box = (await page.getByLabel(name, { exact: true }).first().boundingBox())!;
    expect(box.width, name).toBeGreaterThan(150);
    expect(box.x + box.width, name).toBeLessThanOrEqual(1280);
  }
  const unnamed = await page.evaluate(() => {
    const els = [
      ...document.querySelectorAll<HTMLElement>(
        'button, input:not([type=hidden]):not([hidden]), select, textarea, [role=tab], [tabindex="0"]',
      ),
    ];
    const name = (el: HTMLElement) =>
      el.getAttribute('aria-label') ||
      el.getAttribute('aria-labelledby') ||
      el.getAttribute('title') ||
      (el.id && document.querySelector(`label[for="${el.id}"]`)?.textContent) ||
      el.closest('label')?.textContent ||
      el.textContent;
    return els.filter((el) => el.offsetParent !== null && !name(el)?.trim()).map((el) => el.outerHTML.slice(0, 120));
  });
  expect(unnamed).toEqual([]);
  expectNoErrors(errors);
});

test('keyboard only: search the palette, append with Enter, undo, the ? sheet, Tab and Enter select a block', async () => {
  const { page, errors } = await openApp(browser);
  await page.getByRole('searchbox', { name: 'Search layers' }).focus();
  await page.keyboard.type('relu');
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('palette-ReLU');
  await page.keyboard.press('Enter');
  expect((await chainTypes(page)).at(-1)).toBe('ReLU');
  await page.locator('body').press('ControlOrMeta+z');
  expect((await chainTypes(page)).at(-1)).toBe('Linear');

  await page.keyboard.press('?');
  const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await sheet.waitFor();
  expect(await sheet.textContent()).toContain('Undo');
  await page.keyboard.press('Escape');
  await sheet.waitFor({ state: 'detached' });

  // Tab reaches the canvas blocks (xyflow makes them focusable); Enter selects one.
  await nodeOf(page, 'Flatten').click();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  expect(await page.getByRole('complementary', { name: 'Inspector' }).textContent()).toContain('Linear');
  expectNoErrors(errors);
});

test('the theme toggle switches light and dark and is remembered', async () => {
  const { page, errors } = await openApp(browser);
  const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
  const first = await theme();
  await page.getByRole('button', { name: /Switch to (dark|light) theme/ }).click();
  expect(await theme()).not.toBe(first);
  const second = await theme();
  await page.reload();
  await page.locator('[data-testid="layer-node"]').first().waitFor();
  expect(await theme()).toBe(second);
  expectNoErrors(errors);
});

test('Train and Board tabs switch modes and back without losing the model', async () => {
  const { page, errors } = await openApp(browser);
  await page.getByTestId('palette-Dropout').click();
  await page.getByRole('tab', { name: 'Train' }).click();
  expect(await page.getByTestId('model-status').textContent()).toContain('params');
  await page.getByRole('tab', { name: 'Build' }).click();
  await page.locator('[data-testid="layer-node"]').first().waitFor();
  expect((await chainTypes(page)).at(-1)).toBe('Dropout');
  expectNoErrors(errors);
});

test('arrow keys move the selected block, the move survives later edits and undoes as one step', async () => {
  const { page, errors } = await openApp(browser);
  const flatten = nodeOf(page, 'Flatten');
  await flatten.click();
  const x0 = (await flatten.boundingBox())!.x;
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
  await expect.poll(async () => (await flatten.boundingBox())!.x).toBeGreaterThan(x0 + 10);
  const moved = (await flatten.boundingBox())!.x;
  await page.getByTestId('palette-ReLU').click();
  expect((await flatten.boundingBox())!.x).toBeCloseTo(moved, 0);
  await page.locator('body').press('ControlOrMeta+z');
  await page.locator('body').press('ControlOrMeta+z');
  await expect.poll(async () => (await flatten.boundingBox())!.x).toBeCloseTo(x0, 0);
  expectNoErrors(errors);
});
