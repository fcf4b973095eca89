// A graph model trains in the browser (issue 11): the ResNet-20 (CIFAR-10) template, picked
// from the template menu, trains in the engine worker on an imported (generated) CIFAR-10
// with real mouse and keyboard events; the loss is logged and finite; Stop; the Board lists
// the run and its Graph view draws the model with its nested blocks (layer1 → BasicBlocks).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { cifarTarGz } from '../unit/helpers/cifar-files.ts';
import { launchChromium } from './chromium.ts';
import { loggedScalars, newFromTemplate, openApp, openTrain, typeField } from './train-helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const stepNow = async (page: Page) =>
  Number(((await page.getByTestId('run-step').textContent()) ?? '0').split('/')[0].replace(/[^\d]/g, ''));

describe('a graph model in Train mode', () => {
  test('ResNet-20 (CIFAR-10) template: trains on an imported CIFAR-10, stops, and the Board draws its nested blocks', async () => {
    const started = Date.now();
    const { page, errors } = await openApp(browser);
    await newFromTemplate(page, /^CIFAR-10 ResNet-20/);

    // the canvas shows the template's blocks (the three stages as modules) and a clean status
    const modules = page.locator('[data-testid="module-node"]');
    await modules.first().waitFor();
    const moduleLabels = await modules.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    for (const stage of ['layer1', 'layer2', 'layer3'])
      expect(moduleLabels.some((l) => l.includes(` ${stage},`))).toBe(true);
    const status = page.getByTestId('model-status');
    await expect.poll(() => status.textContent()).toContain('✓ shapes OK');
    expect(await status.textContent()).toMatch(/^272K params .*out N×10 /); // ResNet-20's 0.27 M (He et al. 2016)

    // Train: import a small generated CIFAR-10; the model's input already fits it
    await openTrain(page);
    await page.getByRole('radio', { name: 'CIFAR-10' }).click();
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Choose files…' }).click(),
    ]);
    await chooser.setFiles({
      name: 'cifar-10-binary.tar.gz',
      mimeType: 'application/gzip',
      buffer: Buffer.from(cifarTarGz(40)),
    });
    await page.getByTestId('dataset-shape').filter({ hasText: '3×32×32' }).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('dataset-facts').textContent()).toContain('200 train · 40 test');
    expect(await page.getByTestId('model-input').textContent()).toContain('3×32×32 ✓');

    // small batches, one epoch: 200 − 10% validation = 180 images / 8 = 23 steps
    await typeField(page, 'batchSize', '8');
    await typeField(page, 'epochs', '1');
    const start = page.getByRole('button', { name: 'Start', exact: true });
    await expect.poll(() => start.isEnabled()).toBe(true);
    await start.click();
    await page.getByTestId('run-status').filter({ hasText: 'Training' }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('run-step').textContent()).toMatch(/\/ 23$/);

    // several steps logged, each loss finite, then Stop
    await expect.poll(() => stepNow(page), { timeout: 60_000, interval: 250 }).toBeGreaterThanOrEqual(5);
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.getByTestId('run-status').filter({ hasText: 'Stopped' }).waitFor({ timeout: 30_000 });
    expect((await page.getByTestId('run-message').textContent())?.trim()).toMatch(/^stopped at step [\d,]+ of 23$/);
    const run = page.locator('[data-testid="train-runs"] [data-run]').first();
    const runId = (await run.getAttribute('data-run'))!;
    await expect.poll(() => run.getAttribute('data-status')).toBe('stopped');
    const loss = await loggedScalars(page, runId, 'loss/train');
    console.log(`ResNet-20 in the browser: loss/train ${loss.map((p) => p.value.toFixed(3)).join(', ')}`);
    expect(loss.length).toBeGreaterThanOrEqual(5);
    expect(loss.map((p) => p.step)).toEqual(loss.map((_, i) => i));
    for (const p of loss) expect(Number.isFinite(p.value)).toBe(true);
    // 10 classes from a fresh init: the first loss is near ln 10, not 0 or exploding
    expect(loss[0].value).toBeGreaterThan(1);
    expect(loss[0].value).toBeLessThan(5);
    expect(await page.getByTestId('run-loss').textContent()).toMatch(/\d/);

    // Board: the run is listed, and its Graph view nests layer1 → BasicBlocks
    await page.getByRole('tab', { name: 'Board' }).click();
    await page.locator(`li[data-run-id="${runId}"]`).waitFor();
    await page.getByRole('tab', { name: 'Graph' }).click();
    const heads = page.locator('.module-graph g.group-head');
    await heads.first().waitFor({ timeout: 30_000 });
    const groups = await heads.evaluateAll((els) => els.map((e) => e.getAttribute('data-id') ?? ''));
    console.log(`board graph groups: ${groups.join(' | ')}`);
    const layer1 = groups.find((g) => /\[layer1\]$/.test(g));
    expect(layer1).toBeDefined();
    const blocks = groups.filter((g) => g.startsWith(`${layer1}/`) && /BasicBlock\[\d+\]$/.test(g));
    expect(blocks.length).toBe(3);
    // the downsampling blocks keep their 1×1 conv shortcut as a group of its own
    for (const stage of ['layer2', 'layer3'])
      expect(groups.some((g) => g.endsWith(`[${stage}]/DownBlock[0]/Sequential[shortcut]`))).toBe(true);
    // inside a BasicBlock: its convolutions as leaves, with shapes on the edges
    const leaves = await page
      .locator('.module-graph g.node')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-id') ?? ''));
    expect(leaves.filter((id) => id.startsWith(`${blocks[0]}/`)).map((id) => id.split('/').at(-1))).toEqual(
      expect.arrayContaining(['Conv2d[conv1]', 'Conv2d[conv2]']),
    );
    expect(await page.locator('.module-graph text.shape').count()).toBeGreaterThan(leaves.length);

    expect(errors).toEqual([]);
    console.log(`train-graph test: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await page.context().close();
  }, 180_000);
});
