// The drawer's Summary and print(model) tabs for a model with blocks: torchinfo's nested
// table (depth-indexed rows) and PyTorch's nested print(model), in real Chromium.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { expectNoErrors, newFromTemplate, openApp } from './editor-helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

test('the ResNet-20 template: nested torchinfo rows, its parameter count, nested print(model)', async () => {
  const { page, errors } = await openApp(browser);
  await newFromTemplate(page, /^CIFAR-10 ResNet-20/);
  await page.getByRole('tab', { name: 'Summary' }).click();
  const table = (await page.getByTestId('summary-nested').textContent()) ?? '';
  expect(table).toMatch(/├─Sequential: 1-\d+/);
  expect(table).toMatch(/│ {4}└─BasicBlock: 2-\d+/);
  expect(table).toContain('Total params: 272,474');
  await page.getByRole('tab', { name: 'print(model)' }).click();
  const repr = (await page.getByTestId('code-repr').textContent()) ?? '';
  expect(repr).toMatch(/\(layer1\): Sequential\(\n {4}\(0\): BasicBlock\(/);
  expectNoErrors(errors);
});
