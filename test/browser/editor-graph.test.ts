// Models beyond a chain, built as a newcomer would with real mouse events: a ResNet
// BasicBlock with a downsampling shortcut dragged together from the palette and wired by
// dragging edges between handles; the add's shapes; the shortcut removed → the add turns
// red with the arithmetic → Fix → clean; grouped as a block class and reused from
// "My blocks". Screenshots go where screenshot-dir.ts says.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { screenshotDir } from './screenshot-dir.ts';
import {
  below,
  dragFromPalette,
  expectNoErrors,
  newFromTemplate,
  nodeOf,
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

const outDir = screenshotDir();
const status = (page: Page) => page.getByTestId('model-status').textContent();
const addNode = (page: Page) => page.locator('[data-testid="join-node"][data-type="Add"]');

/** Drags with the mouse from one handle to another (a new edge, as a user draws it). */
async function dragEdge(page: Page, from: Locator, to: Locator): Promise<void> {
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2 + 10, { steps: 3 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  await page.mouse.up();
}
const sourceHandle = (node: Locator) => node.locator('.svelte-flow__handle.source');
const targetHandle = (node: Locator) => node.locator('.svelte-flow__handle.target');

/** Fits the view (F), as a user does before working on a grown graph. */
async function fit(page: Page): Promise<void> {
  await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('f');
  await page.waitForTimeout(350);
}

test('a ResNet BasicBlock with a downsampling shortcut, by mouse: shapes, break, Fix, group, reuse', async () => {
  const { page, errors } = await openApp(browser);
  await newFromTemplate(page, /^Blank/);
  await page.getByTestId('input-node').click();
  await page.getByRole('button', { name: /CIFAR-10/ }).click();

  // Stem: Conv2d 3→16 (dragged), then the main path by palette clicks.
  await dragFromPalette(page, 'Conv2d', await below(page.getByTestId('input-node'), 50));
  await setParam(page, 'out_channels', '16');
  await page.getByTestId('palette-Conv2d').click();
  await setParam(page, 'out_channels', '16');
  await setParam(page, 'stride', '2');
  await page.getByTestId('palette-BatchNorm2d').click();
  await page.getByTestId('palette-ReLU').click();
  await page.getByTestId('palette-Conv2d').click();
  await setParam(page, 'out_channels', '16');
  await page.getByTestId('palette-BatchNorm2d').click();
  await fit(page);
  // The Add, dragged from "Tensor ops" to just below the last BatchNorm2d: appended after it.
  await dragFromPalette(page, 'Add', await below(nodeOf(page, 'BatchNorm2d', 1), 12));
  await addNode(page).waitFor();
  await page.getByTestId('palette-ReLU').click();
  await fit(page);

  // The shortcut: a Conv2d and a BatchNorm2d dropped beside the main path, wired by dragging edges.
  const stem = nodeOf(page, 'Conv2d', 0);
  const stemBox = (await stem.boundingBox())!;
  await dragFromPalette(page, 'Conv2d', { x: stemBox.x + stemBox.width + 170, y: stemBox.y + 90 });
  const shortcutConv = nodeOf(page, 'Conv2d', 3);
  await shortcutConv.waitFor();
  await setParam(page, 'in_channels', '16');
  await setParam(page, 'out_channels', '16');
  await setParam(page, 'kernel_size', '1');
  await setParam(page, 'padding', '0');
  await setParam(page, 'stride', '2');
  const scBox = (await shortcutConv.boundingBox())!;
  await dragFromPalette(page, 'BatchNorm2d', { x: scBox.x + scBox.width / 2, y: scBox.y + scBox.height + 130 });
  const shortcutBn = nodeOf(page, 'BatchNorm2d', 2);
  await shortcutBn.waitFor();
  await setParam(page, 'num_features', '16');
  await dragEdge(page, sourceHandle(stem), targetHandle(shortcutConv));
  await dragEdge(page, sourceHandle(shortcutConv), targetHandle(shortcutBn));
  await dragEdge(page, sourceHandle(shortcutBn), targetHandle(addNode(page)));

  // The add receives both paths, 16×16×16 each, and hands on 16×16×16.
  await expect.poll(() => status(page)).toContain('shapes OK');
  expect(await addNode(page).getByTestId('node-shape').textContent()).toBe('16×16×16');
  const into = await page.evaluate(() => {
    const add = document
      .querySelector('[data-testid="join-node"]')!
      .closest('.svelte-flow__node')!
      .getAttribute('data-id');
    return [...document.querySelectorAll('.svelte-flow__edge')].filter((e) =>
      e.getAttribute('data-id')!.endsWith(`-${add}`),
    ).length;
  });
  expect(into).toBe(2);
  const edgeLabels = (await page.getByTestId('edge-shape').allTextContents()).map((t) => t.trim());
  expect(edgeLabels.filter((t) => t === 'N×16×16×16').length).toBeGreaterThanOrEqual(5);
  expect(edgeLabels.filter((t) => t === 'N×16×32×32').length).toBe(2); // the stem's output feeds both paths
  await page.keyboard.press('l');
  await page.waitForTimeout(400);
  await page.mouse.move(5, 880);
  await page.screenshot({ path: join(outDir, 'editor-graph-basicblock.png') });

  // Remove the shortcut's blocks: the chain closes around them into an identity shortcut, which does not fit.
  await shortcutConv.click();
  await shortcutBn.click({ modifiers: ['Control'] });
  await page.keyboard.press('Delete');
  await expect.poll(() => addNode(page).getAttribute('class')).toContain('error');
  const message = await addNode(page).getByRole('alert').textContent();
  expect(message).toContain('add receives 16×16×16 from batchnorm2 and 16×32×32 from conv1: size 16 ≠ 32');
  expect(message).not.toMatch(/node n\d/);
  expect(await status(page)).toContain('1 problem');
  await page.screenshot({ path: join(outDir, 'editor-graph-broken.png') });

  // Fix: the 1×1 Conv2d(stride=2) + BatchNorm2d shortcut comes back and the model is clean.
  await addNode(page)
    .getByRole('button', { name: /Fix: insert .*1×1 Conv2d.*stride=2.*BatchNorm2d/ })
    .click();
  await expect.poll(() => status(page)).toContain('shapes OK');
  expect(await page.locator('[data-testid="layer-node"][data-type="Conv2d"]').count()).toBe(4);
  expect(await addNode(page).getAttribute('class')).not.toContain('error');

  // Group the block (everything after the stem) as a block class.
  await fit(page);
  await nodeOf(page, 'Conv2d', 1).click();
  for (const loc of [
    nodeOf(page, 'BatchNorm2d', 0),
    nodeOf(page, 'ReLU', 0),
    nodeOf(page, 'Conv2d', 2),
    nodeOf(page, 'BatchNorm2d', 1),
    nodeOf(page, 'Conv2d', 3),
    nodeOf(page, 'BatchNorm2d', 2),
    addNode(page),
    nodeOf(page, 'ReLU', 1),
  ]) {
    await loc.click({ modifiers: ['Control'] });
  }
  await page.getByRole('button', { name: 'Group as block' }).click();
  const block = page.locator('[data-testid="module-node"][data-type="Block1"]');
  await block.waitFor();
  expect(await block.getByTestId('node-shape').textContent()).toBe('16×16×16');
  expect(await page.locator('[data-testid="layer-node"]').count()).toBe(1); // the stem
  await block.getByRole('button', { name: 'Expand Block1' }).click();
  expect(await block.getByTestId('module-contents').textContent()).toContain('conv1');

  // Reuse from "My blocks": a second instance of the same class, appended, downsampling again.
  await page.getByTestId('palette-block:Block1').click();
  await expect.poll(() => page.locator('[data-testid="module-node"][data-type="Block1"]').count()).toBe(2);
  await expect
    .poll(() => page.locator('[data-testid="module-node"]').nth(1).getByTestId('node-shape').textContent())
    .toBe('16×8×8');
  expect(await status(page)).toContain('shapes OK');
  await fit(page);
  await page.mouse.move(5, 880);
  await page.screenshot({ path: join(outDir, 'editor-graph-blocks.png') });
  expectNoErrors(errors);
});

test('Concat joins branches along channels and shows the arithmetic', async () => {
  const { page, errors } = await openApp(browser);
  await newFromTemplate(page, /^Blank/);
  await page.getByTestId('input-node').click();
  await page.getByRole('button', { name: /CIFAR-10/ }).click();
  await dragFromPalette(page, 'Concat', await below(page.getByTestId('input-node'), 60));
  const cat = page.locator('[data-testid="join-node"][data-type="Concat"]');
  await cat.waitFor();
  // A second edge from the Input to the Concat is the same edge (refused); a Conv2d branch is a second input.
  const input = page.getByTestId('input-node');
  await dragEdge(page, sourceHandle(input), targetHandle(cat));
  expect(await cat.getByTestId('node-note').textContent()).toBe('cat along channels: 3');
  expect(await page.getByTestId('edge-shape').count()).toBe(1);
  const inputBox = (await input.boundingBox())!;
  await dragFromPalette(page, 'Conv2d', { x: inputBox.x + inputBox.width + 200, y: inputBox.y + 40 });
  await setParam(page, 'out_channels', '2');
  const conv = nodeOf(page, 'Conv2d');
  await dragEdge(page, sourceHandle(input), targetHandle(conv));
  await dragEdge(page, sourceHandle(conv), targetHandle(cat));
  await expect.poll(() => cat.getByTestId('node-note').textContent()).toBe('cat along channels: 3 + 2 = 5');
  expect(await cat.getByTestId('node-shape').textContent()).toBe('5×32×32');
  expectNoErrors(errors);
});
