// The Build tab's newcomer bugs (issue 16), each checked as a user meets it: console noise
// while building, the shortcut sheet's overlapping keys, the minimap over blocks on a
// small window, messages that name internal node ids.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { below, dragFromPalette, expectNoErrors, newFromTemplate, nodeOf, openApp } from './editor-helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

test('building 9 blocks by mouse and keyboard logs no console warnings', async () => {
  const { page, errors } = await openApp(browser);
  const warnings: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning') warnings.push(m.text());
  });
  await newFromTemplate(page, /^Blank/);
  await dragFromPalette(page, 'Conv2d', await below(page.getByTestId('input-node'), 50));
  for (const t of ['ReLU', 'MaxPool2d', 'Conv2d', 'ReLU', 'MaxPool2d', 'Flatten', 'Linear'])
    await page.getByTestId(`palette-${t}`).click();
  await page.getByTestId('palette-Linear').focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  await page.keyboard.type('lf');
  expect(await page.locator('[data-testid="layer-node"]').count()).toBe(9);
  expect(warnings).toEqual([]);
  expectNoErrors(errors);
});

test('the shortcut sheet: no key chord overlaps its description', async () => {
  const { page } = await openApp(browser);
  await page.keyboard.press('?');
  const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await sheet.waitFor();
  const overlaps = await sheet.evaluate((el) => {
    const bad: string[] = [];
    for (const dt of el.querySelectorAll('dt')) {
      const dd = dt.nextElementSibling as HTMLElement;
      const keys = [...dt.querySelectorAll('.kbd')].map((k) => k.getBoundingClientRect());
      const d = dd.getBoundingClientRect();
      if (keys.some((k) => k.right > d.left && k.left < d.right && k.bottom > d.top && k.top < d.bottom))
        bad.push(`${dt.textContent} / ${dd.textContent}`);
    }
    return bad;
  });
  expect(overlaps).toEqual([]);
});

test('at 1024×700 the minimap covers no block', async () => {
  const { page, errors } = await openApp(browser, { width: 1024, height: 700 });
  await expect.poll(() => nodeOf(page, 'Linear', 1).isVisible()).toBe(true);
  const covered = await page.evaluate(() => {
    const map = document.querySelector('.svelte-flow__minimap')?.getBoundingClientRect();
    if (!map) return [];
    return [...document.querySelectorAll('.svelte-flow__node')]
      .map((n) => n.getBoundingClientRect())
      .filter((r) => r.right > map.left && r.left < map.right && r.bottom > map.top && r.top < map.bottom)
      .map((r) => `${r.x},${r.y}`);
  });
  expect(covered).toEqual([]);
  // Nor do the model's stats run under the mode tabs.
  const tabs = (await page.getByRole('tab', { name: 'Board' }).boundingBox())!;
  const stats = await page.getByTestId('model-status').evaluate((el) =>
    [...el.children]
      .map((c) => c.getBoundingClientRect())
      .filter((r) => r.width > 0)
      .map((r) => r.left),
  );
  expect(Math.min(...stats)).toBeGreaterThan(tabs.x + tabs.width);
  expectNoErrors(errors);
});

test('messages name blocks as the user sees them, never by internal id', async () => {
  const { page } = await openApp(browser);
  // Delete Flatten: the Linear after it cannot take a 4-D tensor.
  await nodeOf(page, 'Flatten').click();
  await page.keyboard.press('Delete');
  await expect.poll(() => page.getByTestId('model-status').textContent()).toContain('problem');
  const texts = await page.locator('[role="alert"]').allTextContents();
  expect(texts.length).toBeGreaterThan(0);
  for (const t of texts) expect(t).not.toMatch(/\(node n\d+\)|\bn\d+\b/);
});

test('Ctrl+Z in an inspector field undoes the model edit: one undo system, no new edit', async () => {
  const { page, errors } = await openApp(browser);
  await nodeOf(page, 'Linear').click();
  const field = page.locator('[data-param="in_features"]');
  await field.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('1000');
  await expect.poll(() => nodeOf(page, 'Linear').getAttribute('class')).toContain('error');
  await page.keyboard.press('ControlOrMeta+Z');
  await expect.poll(() => nodeOf(page, 'Linear').getAttribute('class')).not.toContain('error');
  expect(await field.inputValue()).toBe('1024');
  // The undone edit can be redone: undo did not record a new edit.
  await expect.poll(() => page.getByRole('button', { name: /^Redo/ }).isEnabled()).toBe(true);
  await page.keyboard.press('ControlOrMeta+Shift+Z');
  await expect.poll(() => nodeOf(page, 'Linear').getAttribute('class')).toContain('error');
  expectNoErrors(errors);
});

test('deleting Flatten offers the fix a user wants: insert Flatten, and the model is clean again', async () => {
  const { page, errors } = await openApp(browser);
  await nodeOf(page, 'Flatten').click();
  await page.keyboard.press('Delete');
  const linear = nodeOf(page, 'Linear');
  await expect.poll(() => linear.getAttribute('class')).toContain('error');
  await linear.getByRole('button', { name: 'Fix: insert Flatten' }).click();
  await expect.poll(() => page.getByTestId('model-status').textContent()).toContain('shapes OK');
  expect(await page.getByTestId('model-status').textContent()).toContain('N×10');
  expect(await nodeOf(page, 'Flatten').getByTestId('node-shape').textContent()).toBe('1024');
  expectNoErrors(errors);
});
