import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import {
  below,
  chainTypes,
  dragFromPalette,
  edgeShapes,
  expectNoErrors,
  newFromTemplate,
  nodeOf,
  nodes,
  openApp,
  setParam,
} from './editor-helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

test('first visit opens the CIFAR-10 BS template with every shape on the canvas', async () => {
  const { page, errors } = await openApp(browser);
  await expect
    .poll(() => chainTypes(page))
    .toEqual(['Conv2d', 'MaxPool2d', 'Conv2d', 'MaxPool2d', 'Conv2d', 'MaxPool2d', 'Flatten', 'Linear', 'Linear']);
  expect(await nodeOf(page, 'Conv2d').textContent()).toContain('32, 5×5, p=2');
  expect(await page.getByTestId('model-status').textContent()).toContain('shapes OK');
  expectNoErrors(errors);
});

test('dragging Conv2d from the palette onto the canvas adds it under the Input with its shape', async () => {
  const { page, errors } = await openApp(browser);
  await newFromTemplate(page, /^Blank/);
  expect(await nodes(page).count()).toBe(0);
  await dragFromPalette(page, 'Conv2d', await below(page.getByTestId('input-node'), 50));
  const conv = nodeOf(page, 'Conv2d');
  await conv.waitFor();
  // Blank's input is 1×28×28: the new Conv2d takes its 1 channel and keeps 28×28 (3×3, p=1).
  expect(await conv.getByTestId('node-shape').textContent()).toBe('32×28×28');
  expect(await edgeShapes(page)).toEqual(['N×1×28×28']);
  expect(await page.locator('[data-param="in_channels"]').inputValue()).toBe('1');
  expectNoErrors(errors);
});

test('building the seed CIFAR-10 model from blocks reaches [N, 1024] after Flatten', async () => {
  const { page, errors } = await openApp(browser);
  await newFromTemplate(page, /^Blank/);
  await page.getByTestId('input-node').click();
  await page.getByRole('button', { name: /CIFAR-10/ }).click();
  expect(await page.getByTestId('input-node').textContent()).toContain('3×32×32');

  // First block with a real mouse drag, the rest by click and by keyboard (Enter).
  await dragFromPalette(page, 'Conv2d', await below(page.getByTestId('input-node'), 50));
  const conv = { kernel: '5', padding: '2' };
  await setParam(page, 'kernel_size', conv.kernel);
  await setParam(page, 'padding', conv.padding);
  await page.getByTestId('palette-MaxPool2d').click();
  await page.getByTestId('palette-Conv2d').click();
  await setParam(page, 'kernel_size', conv.kernel);
  await setParam(page, 'padding', conv.padding);
  await page.getByTestId('palette-MaxPool2d').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('palette-Conv2d').click();
  await setParam(page, 'out_channels', '64');
  await setParam(page, 'kernel_size', conv.kernel);
  await setParam(page, 'padding', conv.padding);
  await page.getByTestId('palette-MaxPool2d').click();
  await page.getByTestId('palette-Flatten').click();
  await page.getByTestId('palette-Linear').click();
  await setParam(page, 'out_features', '64');
  await page.getByTestId('palette-Linear').click();

  expect(await chainTypes(page)).toEqual([
    'Conv2d',
    'MaxPool2d',
    'Conv2d',
    'MaxPool2d',
    'Conv2d',
    'MaxPool2d',
    'Flatten',
    'Linear',
    'Linear',
  ]);
  expect(await nodeOf(page, 'Flatten').getByTestId('node-shape').textContent()).toBe('1024');
  expect(await edgeShapes(page)).toContain('N×1024');
  expect(await nodeOf(page, 'Linear').textContent()).not.toContain('receives');
  await page.getByRole('tab', { name: 'Summary' }).click();
  expect(await page.getByTestId('total-params').textContent()).toBe('145,578');
  await page.getByRole('tab', { name: 'print(model)' }).click();
  const repr = await page.getByTestId('code-repr').textContent();
  expect(repr).toContain('(6): Flatten(start_dim=1, end_dim=-1)');
  expect(repr).toContain('(7): Linear(in_features=1024, out_features=64, bias=True)');
  expectNoErrors(errors);
});

test('a wrong in_features turns the node red with the arithmetic; Fix clears it; undo and redo', async () => {
  const { page, errors } = await openApp(browser);
  const linear = nodeOf(page, 'Linear');
  await linear.click();
  await setParam(page, 'in_features', '1000');
  await expect.poll(() => linear.getAttribute('class')).toContain('error');
  expect(await linear.textContent()).toContain('1024');
  expect(await page.getByTestId('model-status').textContent()).toContain('1 problem');

  await linear.locator('button.fix').click();
  await expect.poll(() => linear.getAttribute('class')).not.toContain('error');
  expect(await page.locator('[data-param="in_features"]').inputValue()).toBe('1024');
  expect(await page.getByTestId('model-status').textContent()).toContain('shapes OK');

  // Ctrl+Z brings the error back, Ctrl+Shift+Z and the toolbar's Redo take it away again.
  await page.locator('.svelte-flow__pane').click({ position: { x: 30, y: 300 } });
  await page.keyboard.press('ControlOrMeta+Z');
  await expect.poll(() => linear.getAttribute('class')).toContain('error');
  await page.keyboard.press('ControlOrMeta+Shift+Z');
  await expect.poll(() => linear.getAttribute('class')).not.toContain('error');
  await page.getByRole('button', { name: 'Undo', exact: true }).click();
  await expect.poll(() => linear.getAttribute('class')).toContain('error');
  await page.getByRole('button', { name: 'Redo', exact: true }).click();
  await expect.poll(() => linear.getAttribute('class')).not.toContain('error');
  await page.keyboard.press('ControlOrMeta+Y');
  expectNoErrors(errors);
});

test('Delete removes the selected block and the chain closes around it; not while typing', async () => {
  const { page, errors } = await openApp(browser);
  await nodeOf(page, 'MaxPool2d').click();
  await page.locator('[data-param="kernel_size"]').click();
  await page.keyboard.press('Backspace');
  expect(await nodes(page).count()).toBe(9);
  await nodeOf(page, 'Flatten').click();
  await page.keyboard.press('Delete');
  await expect.poll(() => nodes(page).count()).toBe(8);
  expect(await chainTypes(page)).not.toContain('Flatten');
  // The Linear now receives a 4-D tensor: shape check fails there, and says why.
  expect(await page.getByTestId('model-status').textContent()).toContain('problem');
  await page.keyboard.press('ControlOrMeta+Z');
  await expect.poll(() => nodes(page).count()).toBe(9);
  expectNoErrors(errors);
});

test('dropping a block onto an edge inserts it between the two nodes', async () => {
  const { page, errors } = await openApp(browser);
  const label = page.getByTestId('edge-shape').filter({ hasText: 'N×32×32×32' });
  const box = (await label.boundingBox())!;
  await dragFromPalette(page, 'ReLU', { x: box.x + box.width / 2, y: box.y + box.height / 2 });
  await expect
    .poll(() => chainTypes(page))
    .toEqual([
      'Conv2d',
      'ReLU',
      'MaxPool2d',
      'Conv2d',
      'MaxPool2d',
      'Conv2d',
      'MaxPool2d',
      'Flatten',
      'Linear',
      'Linear',
    ]);
  expect(await nodeOf(page, 'ReLU').getByTestId('node-shape').textContent()).toBe('32×32×32');
  expect(await page.getByTestId('model-status').textContent()).toContain('shapes OK');
  expectNoErrors(errors);
});

test('Shift+drag box-selects blocks; Delete removes them all; undo restores', async () => {
  const { page, errors } = await openApp(browser);
  const first = (await nodeOf(page, 'Conv2d').boundingBox())!;
  const second = (await nodeOf(page, 'MaxPool2d').boundingBox())!;
  await page.keyboard.down('Shift');
  await page.mouse.move(first.x - 30, first.y - 12);
  await page.mouse.down();
  await page.mouse.move(second.x + second.width + 30, second.y + second.height + 8, { steps: 10 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await expect.poll(() => inspector.textContent()).toContain('2 blocks selected');
  await page.keyboard.press('Delete');
  await expect.poll(() => nodes(page).count()).toBe(7);
  expect((await chainTypes(page)).slice(0, 2)).toEqual(['Conv2d', 'MaxPool2d']);
  await page.keyboard.press('ControlOrMeta+Z');
  await expect.poll(() => nodes(page).count()).toBe(9);
  expectNoErrors(errors);
});

test('the inspector validates as you type: a message next to the field, a bad literal is not applied, Fix repairs', async () => {
  const { page, errors } = await openApp(browser);
  await nodeOf(page, 'Conv2d').click();
  await setParam(page, 'groups', '2');
  const groups = page.locator('[data-param="groups"]').locator('xpath=..');
  expect(await groups.getByRole('alert').textContent()).toContain('groups must divide in_channels (3 % 2 != 0)');
  await expect.poll(() => nodeOf(page, 'Conv2d').getAttribute('class')).toContain('error');
  await groups.getByRole('button', { name: /^Fix: set groups = 1/ }).click();
  await expect.poll(() => nodeOf(page, 'Conv2d').getAttribute('class')).not.toContain('error');

  // Typing a malformed value shows why and leaves the layer as it was.
  const kernel = page.locator('[data-param="kernel_size"]');
  await kernel.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('(5, x');
  expect(await kernel.locator('xpath=..').getByRole('alert').textContent()).toContain(
    'kernel_size must be an integer or a pair (h, w)',
  );
  expect(await nodeOf(page, 'Conv2d').textContent()).toContain('32, 5×5, p=2');
  await page.keyboard.press('Escape');
  expectNoErrors(errors);
});
