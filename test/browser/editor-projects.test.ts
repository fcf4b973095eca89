import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import {
  chainTypes,
  expectNoErrors,
  menu,
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

const saved = (page: Page) =>
  page
    .getByTestId('save-status')
    .filter({ hasText: /^Saved$/ })
    .waitFor();
const projectName = (page: Page) => page.getByRole('textbox', { name: 'Project name' }).inputValue();

/** The seed tutorial's `print(bs)` output (the BS module holding a Sequential). */
function seedPrint(): string {
  const seed = readFileSync(
    fileURLToPath(new URL('../../../shared/seed/pytorch-sequential-tutorial.txt', import.meta.url)),
    'utf8',
  );
  const m = /print\(bs\)\n(BS\(\n[\s\S]*?\n\))\n/.exec(seed);
  if (!m) throw new Error('the seed has no print(bs) output');
  return m[1];
}

async function exportJson(page: Page): Promise<string> {
  const download = page.waitForEvent('download');
  await menu(page, /^Export model JSON/);
  const file = await (await download).path();
  return readFileSync(file, 'utf8');
}

test('reload restores the open project exactly: graph, keywords, name', async () => {
  const { page, errors } = await openApp(browser);
  await page.getByTestId('palette-ReLU').click();
  await nodeOf(page, 'Conv2d', 1).click();
  await setParam(page, 'out_channels', '48');
  await page.getByRole('textbox', { name: 'Project name' }).fill('My CIFAR net');
  await page.keyboard.press('Enter');
  await saved(page);
  const before = { types: await chainTypes(page), text: await nodes(page).allTextContents() };

  await page.reload();
  await nodes(page).first().waitFor();
  expect(await projectName(page)).toBe('My CIFAR net');
  expect(await chainTypes(page)).toEqual(before.types);
  expect(await nodes(page).allTextContents()).toEqual(before.text);
  expect(await nodeOf(page, 'Conv2d', 1).textContent()).toContain('48, 5×5, p=2');
  expectNoErrors(errors);
});

test('export → import round trip gives the same document', async () => {
  const { page, errors } = await openApp(browser);
  await nodeOf(page, 'Linear', 0).click();
  await setParam(page, 'out_features', '128');
  await nodeOf(page, 'Linear', 1).click();
  await setParam(page, 'in_features', '128');
  await saved(page);
  const first = await exportJson(page);
  expect(JSON.parse(first)).toMatchObject({ format: 'layerboard-model', version: 2, input: [3, 32, 32] });

  const chooser = page.waitForEvent('filechooser');
  await menu(page, /^Import model JSON/);
  await (
    await chooser
  ).setFiles({ name: 'cifar.layerboard.json', mimeType: 'application/json', buffer: Buffer.from(first) });
  await expect.poll(() => page.getByRole('button', { name: 'Project menu' }).isVisible()).toBe(true);
  await saved(page);
  expect(await nodeOf(page, 'Linear', 0).textContent()).toContain('128');
  const second = await exportJson(page);
  expect(second).toBe(first);
  expectNoErrors(errors);
});

test('a malformed model file shows its problems with JSON paths and leaves the project untouched', async () => {
  const { page, errors } = await openApp(browser);
  await saved(page);
  const before = { name: await projectName(page), types: await chainTypes(page) };
  const bad = {
    format: 'layerboard-model',
    version: 1,
    input: [3, 32, 32],
    layers: [
      { type: 'Conv2d', in_channels: 3, out_channels: 8, kernel_size: 3 },
      { type: 'ReLU' },
      { type: 'Flatten' },
      { type: 'MaxPool2d', kernel_size: -2 },
    ],
  };
  await page
    .getByTestId('import-input')
    .setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
  const dialog = page.getByRole('dialog', { name: /Could not import broken\.json/ });
  await dialog.waitFor();
  expect(await page.getByTestId('import-errors').textContent()).toContain('layers[3].kernel_size');
  await dialog.getByRole('button', { name: 'OK' }).click();

  await page.getByTestId('import-input').setInputFiles({
    name: 'not-json.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"format": "layerboard-model", "version": 1,,}'),
  });
  await page.getByRole('dialog', { name: /Could not import not-json\.json/ }).waitFor();
  await page.keyboard.press('Escape');
  expect(await projectName(page)).toBe(before.name);
  expect(await chainTypes(page)).toEqual(before.types);
  expectNoErrors(errors);
});

test("pasting the seed's print(model) text gives the same graph as the seed template", async () => {
  const { page, errors } = await openApp(browser);
  const text = seedPrint();
  await menu(page, /^Paste print\(model\)/);
  await page.getByRole('textbox', { name: 'print(model) text' }).fill(text);
  await page.getByText('Recognised 9 layers of BS').waitFor();
  await page.getByRole('button', { name: 'Create project' }).click();
  // The old project's "Saved" shows until the new one is open: wait for the new name first.
  await expect.poll(() => projectName(page)).toBe('BS');
  await saved(page);
  const pasted = { types: await chainTypes(page), text: await nodes(page).allTextContents() };
  await page.getByRole('tab', { name: 'print(model)' }).click();
  expect((await page.getByTestId('code-repr').textContent())?.trim()).toBe(text);

  await newFromTemplate(page, /^CIFAR-10 BS/);
  expect(await chainTypes(page)).toEqual(pasted.types);
  expect(await nodes(page).allTextContents()).toEqual(pasted.text);
  expectNoErrors(errors);
});

test('projects: new from template, rename, duplicate, delete, open', async () => {
  const { page, errors } = await openApp(browser);
  await newFromTemplate(page, /^MLP/);
  expect(await chainTypes(page)).toEqual(['Flatten', 'Linear', 'ReLU', 'Linear']);
  await page.keyboard.press('ControlOrMeta+O');
  const dialog = page.getByRole('dialog', { name: 'Projects' });
  await dialog.getByRole('button', { name: 'Duplicate MLP' }).click();
  await dialog.getByRole('button', { name: 'Open MLP copy' }).waitFor();
  await dialog.getByRole('button', { name: 'Rename MLP copy' }).click();
  await page.keyboard.type('Wider MLP');
  await page.keyboard.press('Enter');
  await dialog.getByRole('button', { name: 'Open Wider MLP' }).waitFor();
  await dialog.getByRole('button', { name: 'Delete CIFAR-10 BS' }).click();
  await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect.poll(() => dialog.getByRole('button', { name: /^Open / }).count()).toBe(2);
  await dialog.getByRole('button', { name: 'Open Wider MLP' }).click();
  expect(await projectName(page)).toBe('Wider MLP');
  expect(await chainTypes(page)).toEqual(['Flatten', 'Linear', 'ReLU', 'Linear']);
  expectNoErrors(errors);
});

test('dropping a model .json on the canvas imports it as a new project', async () => {
  const { page, errors } = await openApp(browser);
  const doc = {
    format: 'layerboard-model',
    version: 1,
    input: [1, 28, 28],
    layers: [{ type: 'Flatten' }, { type: 'Linear', in_features: 784, out_features: 10 }],
    metadata: { name: 'Dropped' },
  };
  const transfer = await page.evaluateHandle((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'dropped.json', { type: 'application/json' }));
    return dt;
  }, JSON.stringify(doc));
  const canvas = page.getByTestId('canvas');
  await canvas.dispatchEvent('dragenter', { dataTransfer: transfer });
  await canvas.dispatchEvent('dragover', { dataTransfer: transfer });
  await canvas.dispatchEvent('drop', { dataTransfer: transfer });
  await expect.poll(() => projectName(page)).toBe('Dropped');
  expect(await chainTypes(page)).toEqual(['Flatten', 'Linear']);
  expectNoErrors(errors);
});
