// A 100,000-layer model does not brick the app, in real Chromium: imported through the
// Project menu it is drawn degraded (collapsed ranges and a banner saying why) while the
// shape checks still cover every layer; a range opens to its blocks, which edit as usual;
// a reload reopens it the same way; and the other project still opens, intact.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { chainTypes, expectNoErrors, menu, nodes, openApp, setParam } from './editor-helpers.ts';
import { newModelDocument } from '../../src/core/model/model-json.ts';
import { serializeModelDocument } from '../../src/core/model/model-serialize.ts';
import type { LayerSpec } from '../../src/core/model/types.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const LAYERS = 100_000;
/** Linear(16, 16) → ReLU, 50,000 times: a valid chain whose every shape can be checked. */
function hugeModel(): string {
  const layers: LayerSpec[] = Array.from({ length: LAYERS }, (_, i) =>
    i % 2 === 0 ? { type: 'Linear', in_features: 16, out_features: 16 } : { type: 'ReLU' },
  );
  return serializeModelDocument({ ...newModelDocument([16], layers), metadata: { name: 'Huge chain' } });
}

const projectName = (page: Page) => page.getByRole('textbox', { name: 'Project name' }).inputValue();
const banner = (page: Page) => page.getByTestId('range-banner');
const ranges = (page: Page) => page.getByTestId('range-node');
/** Each save writes the whole 100,000-layer record: on a loaded machine a few edits take minutes to store. */
const saved = (page: Page) =>
  expect.poll(() => page.getByTestId('save-status').textContent(), { timeout: 400_000, interval: 500 }).toBe('Saved');

test(
  'a 100,000-layer import is drawn in ranges, edits inside an open range, and never bricks the app',
  {
    timeout: 900_000,
  },
  async () => {
    const { page, errors } = await openApp(browser);
    const first = await projectName(page);
    const firstTypes = await chainTypes(page);
    expect(firstTypes.length).toBeGreaterThan(3);

    const chooser = page.waitForEvent('filechooser');
    await menu(page, /^Import model JSON/);
    const file = { name: 'huge.layerboard.json', mimeType: 'application/json', buffer: Buffer.from(hugeModel()) };
    const t0 = Date.now();
    await (await chooser).setFiles(file);
    await ranges(page).first().waitFor({ timeout: 300_000 });
    const firstRender = Date.now() - t0;
    console.log(`100,000-layer import: first render of the ranges after ${firstRender} ms`);
    await expect.poll(() => projectName(page), { timeout: 60_000 }).toBe('Huge chain');
    expect(await banner(page).textContent()).toContain('This model has 100,000 blocks: it is drawn in ranges');
    expect(await ranges(page).count()).toBe(20);
    expect(await nodes(page).count()).toBe(0);
    expect(await ranges(page).first().textContent()).toMatch(
      /blocks 1–5,000\s*Split\s*5,000 blocks: Linear×2,500, ReLU×2,500/,
    );
    // the whole model is checked: its output shape is in the status bar
    await saved(page);

    // open blocks 5,001–10,000 (ten ranges of 500), then 5,501–6,000: its 500 layers are drawn
    await page.getByRole('button', { name: 'Open blocks 5,001–10,000' }).click();
    await page.getByRole('button', { name: 'Open blocks 5,501–6,000' }).click();
    await nodes(page).first().waitFor();
    expect(await page.getByRole('button', { name: 'Open blocks 5,501–6,000' }).count()).toBe(0);
    const linear = page.locator('[data-testid="layer-node"][data-type="Linear"]').first();
    await linear.click();
    // an edit inside the open range: the shape check of the whole model answers at the next Linear
    await setParam(page, 'out_features', '12');
    const problem = page.getByTestId('problem-banner');
    await problem.waitFor({ timeout: 60_000 });
    expect(await problem.textContent()).toMatch(/16/);
    // collapsed again, the problem stays listed; Show opens the range around the failing block
    await page.getByRole('button', { name: 'Collapse all' }).click();
    await expect.poll(() => ranges(page).count()).toBe(20);
    expect(await problem.count()).toBe(1);
    await problem.getByRole('button', { name: 'Show' }).click();
    const failing = page.locator('[data-testid="layer-node"].error');
    await failing.waitFor({ timeout: 60_000 });
    expect(await failing.getAttribute('data-type')).toBe('Linear');
    await failing.click();
    await setParam(page, 'in_features', '12');
    await expect.poll(() => problem.count(), { timeout: 60_000 }).toBe(0);
    await page.getByRole('button', { name: 'Collapse all' }).click();
    await expect.poll(() => ranges(page).count()).toBe(20);
    await saved(page);

    // reload: the huge project reopens, drawn in ranges again
    await page.reload();
    await ranges(page).first().waitFor({ timeout: 300_000 });
    expect(await projectName(page)).toBe('Huge chain');
    expect(await banner(page).textContent()).toContain('100,000 blocks');

    // the other project opens, intact
    await menu(page, /^Open, rename, duplicate, delete/);
    const dialog = page.getByRole('dialog', { name: 'Projects' });
    await dialog.getByRole('button', { name: `Open ${first}` }).click();
    await expect.poll(() => projectName(page), { timeout: 60_000 }).toBe(first);
    await nodes(page).first().waitFor();
    expect(await chainTypes(page)).toEqual(firstTypes);
    expect(await banner(page).count()).toBe(0);
    expectNoErrors(errors);
    await page.close();
  },
);
