// The board's Graph and Compare views in real headless Chromium: the seed model's
// add_graph hierarchy with shapes on the edges, collapse and expand with the mouse,
// search, URL state across a reload, and the hparams/model comparison.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { importRuns, openBoard } from './board-helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const SEQ = 'BS/Sequential[model]';
const node = (page: Page, id: string) => page.locator(`.module-graph g.node[data-id="${id}"]`);
const edgeLabel = (page: Page, from: string) => page.locator(`.module-graph text.shape[data-from="${from}"]`);

describe('board: graph and compare', () => {
  test("the seed model's hierarchy, shapes on every edge, collapse and expand", async () => {
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    await importRuns(page, [{ id: 'run-a', name: 'seed BS', lr: 0.1 }]);
    await page.getByRole('tab', { name: 'Graph' }).click();
    await node(page, `${SEQ}/Conv2d[0]`).waitFor();

    // BS → Sequential[model] → Conv2d[0] …: groups nest, leaves carry PyTorch's scope names
    const groups = await page
      .locator('.module-graph g.group-head')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-id'), e.querySelector('.title')?.textContent]));
    expect(groups).toEqual([
      ['BS', 'BS'],
      [SEQ, 'Sequential[model]'],
    ]);
    const leaves = await page
      .locator('.module-graph g.node')
      .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    expect(leaves).toEqual([
      'Conv2d[0]',
      'MaxPool2d[1]',
      'Conv2d[2]',
      'MaxPool2d[3]',
      'Conv2d[4]',
      'MaxPool2d[5]',
      'Flatten[6]',
      'Linear[7]',
      'Linear[8]',
    ]);
    expect(await node(page, `${SEQ}/Conv2d[0]`).locator('.sub').textContent()).toMatch(/^2\.43K params · 159M MACs/);
    // [64, 1024] after Flatten, and a shape on every edge
    expect(await edgeLabel(page, `${SEQ}/Flatten[6]`).textContent()).toBe('64×1024');
    expect(await edgeLabel(page, `${SEQ}/Conv2d[0]`).textContent()).toBe('64×32×32×32');
    expect(await page.locator('.module-graph text.shape').count()).toBe(10);

    // the info panel lists every keyword of a clicked node
    await node(page, `${SEQ}/Conv2d[0]`).click();
    const info = page.getByRole('complementary', { name: 'Module details' });
    await expect.poll(() => info.textContent()).toContain('kernel_size');
    expect(await info.textContent()).toContain('padding_mode');

    // collapse Sequential[model] with a click on its header: one node, edges across keep their shapes
    await page.locator(`.module-graph g.group-head[data-id="${SEQ}"]`).click();
    await expect.poll(() => page.locator('.module-graph g.node').count()).toBe(1);
    expect(await node(page, SEQ).getAttribute('data-kind')).toBe('collapsed');
    expect(await edgeLabel(page, 'input').textContent()).toBe('64×3×32×32');
    expect(await edgeLabel(page, SEQ).textContent()).toBe('64×10');
    expect(await node(page, SEQ).locator('.sub').textContent()).toContain('9 modules');

    // and expand it again from the collapsed node
    await node(page, SEQ).locator('.expand').click();
    await expect.poll(() => page.locator('.module-graph g.node').count()).toBe(9);
    expect(await edgeLabel(page, `${SEQ}/Flatten[6]`).textContent()).toBe('64×1024');
    expect(errors).toEqual([]);
    await page.close();
  });

  test('search highlights matches and reveals them inside collapsed groups; the view survives a reload', async () => {
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    await importRuns(page, [{ id: 'run-a', name: 'seed BS', lr: 0.1 }]);
    await page.getByRole('tab', { name: 'Graph' }).click();
    await page.getByRole('button', { name: 'Collapse all' }).click();
    await expect.poll(() => page.locator('.module-graph g.node').count()).toBe(1);
    await page.getByRole('textbox', { name: 'Search modules' }).fill('linear');
    await expect.poll(() => page.getByTestId('search-hits').textContent()).toBe('2 matches');
    await expect
      .poll(() =>
        page.locator('.module-graph g.node.match').evaluateAll((els) => els.map((e) => e.getAttribute('data-id'))),
      )
      .toEqual([`${SEQ}/Linear[7]`, `${SEQ}/Linear[8]`]);
    expect(await page.locator('.module-graph g.node.dim').count()).toBe(7);

    await page.getByRole('combobox', { name: 'Colour nodes by' }).selectOption('params');
    expect(page.url()).toContain('tab=graph');
    await page.reload();
    await node(page, `${SEQ}/Conv2d[0]`).waitFor();
    expect(await page.getByRole('tab', { name: 'Graph' }).getAttribute('aria-selected')).toBe('true');
    expect(errors).toEqual([]);
    await page.close();
  });

  test('the graph downloads as SVG and PNG; a run opens its model in the editor', async () => {
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    await importRuns(page, [{ id: 'run-a', name: 'seed BS', lr: 0.1 }]);
    await page.getByRole('tab', { name: 'Graph' }).click();
    await node(page, `${SEQ}/Flatten[6]`).waitFor();
    const [svg] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'SVG' }).click()]);
    expect(svg.suggestedFilename()).toBe('seed_BS-graph.svg');
    const text = readFileSync(await svg.path(), 'utf8');
    expect(text).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(text).toContain('64×1024');
    expect(text).toContain('Sequential[model]');
    expect(text).not.toContain('var(--'); // theme colours resolved
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'PNG' }).click()]);
    const bytes = readFileSync(await png.path());
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

    const row = page.locator('li[data-run-id="run-a"]');
    await row.hover();
    await row.getByRole('button', { name: 'Open model of seed BS in the editor' }).click();
    await expect.poll(() => page.getByRole('tab', { name: 'Build' }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => page.getByRole('textbox', { name: 'Project name' }).inputValue()).toBe('seed BS (model)');
    expect(page.url()).not.toContain('#board');
    expect(errors).toEqual([]);
    await page.close();
  });

  test('compare: sortable hparams with final metrics, and the model difference', async () => {
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    await importRuns(page, [
      { id: 'run-a', name: 'lr 0.1', lr: 0.1 },
      { id: 'run-b', name: 'lr 0.01', lr: 0.01, created: Date.UTC(2026, 0, 6) },
      { id: 'run-c', name: 'lr 0.03', lr: 0.03, created: Date.UTC(2026, 0, 7) },
    ]);
    await page.getByRole('tab', { name: 'Compare' }).click();
    await page.getByRole('button', { name: 'Compare the 3 visible runs' }).click();
    const table = page.locator('table.hp');
    await table.waitFor();
    const runOrder = () => table.locator('tbody td.run').allTextContents();
    await table.getByRole('button', { name: /^lr/ }).click();
    expect(await runOrder()).toEqual(['lr 0.01', 'lr 0.03', 'lr 0.1']);
    await table.getByRole('button', { name: /^lr/ }).click();
    expect(await runOrder()).toEqual(['lr 0.1', 'lr 0.03', 'lr 0.01']);
    await table.getByRole('button', { name: /^accuracy\/val/ }).click();
    expect(await runOrder()).toEqual(['lr 0.01', 'lr 0.03', 'lr 0.1']);
    // same model in every run
    const diffs = page.getByTestId('model-diff');
    expect(await diffs.count()).toBe(2);
    expect(await diffs.first().textContent()).toContain('same model');
    // runs named by name, not by this browser's ids: the link opens the same runs elsewhere
    expect(page.url()).toContain('compare=lr+0.1');
    expect(page.url()).not.toMatch(/compare=run-/);
    expect(errors).toEqual([]);
    await page.close();
  });
});
