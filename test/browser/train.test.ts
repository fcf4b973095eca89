// Train mode in real headless Chromium: the MNIST template trained on the built-in MNIST in
// the engine worker, Pause/Resume, the loss chart filling and the logged loss falling with
// no long task on the main thread, Stop, Continue training from the weights, a reload
// that finds the run with its scalars and graph (Train tab and Board), Evaluate on the
// test split, download the weights and the PyTorch project and run it in real PyTorch to
// the same test accuracy; a reload during training leaves the run 'interrupted' with its
// logs; a loss that blows up fails the run with its step and value.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { readZip } from '../../src/core/formats/zip.ts';
import { launchChromium } from './chromium.ts';
import { loggedScalars, mean, newFromTemplate, openApp, openTrain, storedRecord, typeField } from './train-helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Clicks a download button and returns the file's bytes. */
async function download(page: Page, button: string): Promise<Buffer> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
  return readFileSync((await file.path())!);
}

/**
 * Unpacks the exported project and runs its train.py in real PyTorch from the downloaded
 * weights with lr 0 (one step that changes nothing), so its test accuracy is the weights';
 * null when PyTorch is missing.
 */
function runExportedProject(entries: { name: string; data: Uint8Array }[]): { accuracy: number; loss: number } | null {
  if (spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'layerboard-export-'));
  try {
    for (const e of entries) {
      mkdirSync(join(dir, dirname(e.name)), { recursive: true });
      writeFileSync(join(dir, e.name), e.data);
    }
    const cwd = join(dir, 'MnistConvNet');
    const run = spawnSync(
      '/usr/bin/python3',
      ['train.py', '--init', 'weights.safetensors', '--epochs', '0', '--save', '', '--device', 'cpu'],
      { cwd, encoding: 'utf8', timeout: 240_000 },
    );
    const m = /test loss ([\d.]+), test accuracy ([\d.]+)/.exec(run.stdout);
    if (run.status !== 0 || !m) throw new Error(`train.py failed (${run.status}): ${run.stderr || run.stdout}`);
    return { loss: Number(m[1]), accuracy: Number(m[2]) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const stepNow = async (page: Page) =>
  Number(((await page.getByTestId('run-step').textContent()) ?? '0').split('/')[0].replace(/[^\d]/g, ''));
const firstRun = (page: Page) => page.locator('[data-testid="train-runs"] [data-run]').first();

async function startMnist(page: Page): Promise<void> {
  await newFromTemplate(page, /^MNIST ConvNet/);
  await openTrain(page);
  await page.getByTestId('dataset-shape').filter({ hasText: '1×28×28' }).waitFor();
  expect(await page.getByTestId('model-input').textContent()).toContain('1×28×28 ✓');
  expect(await page.getByTestId('dataset-facts').textContent()).toContain('60,000 train · 10,000 test');
  expect(await page.getByTestId('dataset-preview').locator('canvas').count()).toBe(40);
}

describe('train mode', () => {
  test('MNIST template: a few hundred steps, the chart fills, the loss falls; stop, reload, the run is there with scalars and graph', async () => {
    const { page, errors } = await openApp(browser);
    await startMnist(page);
    await typeField(page, 'batchSize', '32');
    await typeField(page, 'epochs', '3');
    await page.evaluate(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.longTasks.push(e.duration);
      }).observe({ type: 'longtask' });
    });
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByTestId('run-status').filter({ hasText: 'Training' }).waitFor();
    expect(await page.getByTestId('run-step').textContent()).toMatch(/\/ 5,064$/); // 54,000 train images / 32 = 1,688 × 3 epochs

    // Pause holds the step count, Resume carries on
    await expect.poll(() => stepNow(page), { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(20);
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.getByTestId('run-status').filter({ hasText: 'Paused' }).waitFor();
    const held = await stepNow(page);
    await page.waitForTimeout(800);
    expect(await stepNow(page)).toBe(held);
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await page.getByTestId('run-status').filter({ hasText: 'Training' }).waitFor();

    await expect.poll(() => stepNow(page), { timeout: 150_000, interval: 1000 }).toBeGreaterThanOrEqual(260);
    const chart = page.locator('figure[data-tag="loss/train"]');
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThanOrEqual(200);
    expect((await chart.locator('path.smooth').getAttribute('d'))?.length).toBeGreaterThan(500);
    expect(Number((await page.getByTestId('run-rate').textContent())?.replace(/,/g, ''))).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.getByTestId('run-status').filter({ hasText: 'Stopped' }).waitFor({ timeout: 30_000 });
    // the main thread stayed free while training: no long task anywhere near a frame drop streak
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    console.log(
      `main thread during training: ${longTasks.length} long tasks (> 50 ms), longest ${Math.round(Math.max(0, ...longTasks))} ms`,
    );
    expect(Math.max(0, ...longTasks)).toBeLessThan(200);
    expect((await page.getByTestId('run-message').textContent())?.trim()).toMatch(/^stopped at step [\d,]+ of 5,064$/);
    const runId = (await firstRun(page).getAttribute('data-run'))!;
    await expect.poll(() => firstRun(page).getAttribute('data-status')).toBe('stopped');

    // the logged losses: steps 0, 1, 2, … and the last 20 well below the first 20
    const loss = await loggedScalars(page, runId, 'loss/train');
    expect(loss.length).toBeGreaterThanOrEqual(260);
    expect(loss.map((p) => p.step)).toEqual(loss.map((_, i) => i));
    const first = mean(loss.slice(0, 20).map((p) => p.value)),
      last = mean(loss.slice(-20).map((p) => p.value));
    console.log(
      `MNIST in the browser: loss/train mean of steps 0–19 ${first.toFixed(3)}, of the last 20 (to step ${loss.length - 1}) ${last.toFixed(3)}`,
    );
    expect(first).toBeGreaterThan(1.4); // ln 10 = 2.30 at step 0; BatchNorm brings it down within 20 steps
    expect(last).toBeLessThan(first * 0.5);
    expect((await loggedScalars(page, runId, 'lr')).length).toBe(loss.length);

    // reload: the run, its chart from IndexedDB, its graph, its weights
    await page.reload();
    await openTrain(page);
    const row = page.locator(`[data-testid="train-runs"] [data-run="${runId}"]`);
    expect(await row.getAttribute('data-status')).toBe('stopped');
    await row.click();
    await expect
      .poll(() => page.locator('figure[data-tag="loss/train"]').getAttribute('data-points'))
      .toBe(String(loss.length));
    const graph = await storedRecord<{
      graph: { root: { type: string; children: { children: { id: string; outputShape: number[] }[] }[] } };
    }>(page, 'graphs', runId);
    expect(graph!.graph.root.type).toBe('MnistConvNet');
    expect(graph!.graph.root.children[0].children.map((n) => n.id).slice(0, 2)).toEqual([
      'MnistConvNet/Sequential[model]/Conv2d[conv1]',
      'MnistConvNet/Sequential[model]/BatchNorm2d[bn1]',
    ]);
    const record = await storedRecord<{
      status: string;
      metrics: Record<string, number>;
      weights: Record<string, { shape: number[] }>;
    }>(page, 'runs', runId);
    expect(record!.status).toBe('stopped');
    expect(record!.metrics.steps).toBe(loss.length);
    expect(record!.weights['conv1.weight'].shape).toEqual([16, 1, 3, 3]);
    const hparams = await storedRecord<{ hparams: Record<string, unknown>; metrics: Record<string, number> }>(
      page,
      'hparams',
      runId,
    );
    expect(hparams!.hparams).toMatchObject({
      'optimizer.type': 'Adam',
      'optimizer.lr': 0.001,
      batchSize: 32,
      epochs: 3,
      'loss.type': 'CrossEntropyLoss',
    });
    expect(hparams!.metrics.steps).toBe(loss.length);

    // Evaluate the stopped run's weights on the 10,000 test images
    await page.getByRole('button', { name: 'Evaluate' }).click();
    await page.getByTestId('test-accuracy').waitFor({ timeout: 60_000 });
    const accuracy = Number((await page.getByTestId('test-accuracy').textContent())!.replace('%', ''));
    console.log(`MNIST in the browser: test accuracy ${accuracy}% after ${loss.length} steps of batch 32`);
    expect(accuracy).toBeGreaterThan(85);
    expect(await page.getByTestId('confusion-matrix').locator('tbody tr').count()).toBe(11); // 10 classes + precision
    await expect.poll(() => page.getByTestId('prediction-gallery').locator('li').count()).toBe(48);
    expect(await page.getByTestId('prediction-gallery').locator('li').first().getAttribute('class')).toContain('bad'); // misclassified first

    // downloads: the weights, and the PyTorch project that runs them in real PyTorch
    const weightsFile = await download(page, '.safetensors');
    const header = JSON.parse(weightsFile.subarray(8, 8 + Number(weightsFile.readBigUInt64LE(0))).toString('utf8'));
    expect(header['conv1.weight']).toMatchObject({ dtype: 'F32', shape: [16, 1, 3, 3] });
    expect(
      Object.keys(header)
        .filter((k) => k !== '__metadata__')
        .sort(),
    ).toEqual(Object.keys(record!.weights).sort());
    const zip = await readZip(await download(page, 'PyTorch project .zip'));
    expect(zip.map((e) => e.name).sort()).toEqual([
      'MnistConvNet/README.md',
      'MnistConvNet/mnist.lbds.gz',
      'MnistConvNet/model.py',
      'MnistConvNet/train.py',
      'MnistConvNet/weights.safetensors',
    ]);
    const pytorch = runExportedProject(zip);
    if (pytorch === null)
      console.log('PyTorch is not installed (/usr/bin/python3 -c "import torch"): the exported project was not run');
    else {
      console.log(
        `the same weights in PyTorch: test accuracy ${pytorch.accuracy} (browser ${accuracy}%), test loss ${pytorch.loss} (browser: ${await page.locator('.results .sub').first().textContent()})`,
      );
      // the same weights and the same eval-mode model (train.py --epochs 0 takes no step, so
      // BatchNorm's running statistics are the browser's): only a prediction whose two best
      // logits lie within float32 rounding (~1e-5) of each other may flip
      expect(Math.abs(pytorch.accuracy * 100 - accuracy)).toBeLessThan(0.021);
      const browserLoss = Number(
        /loss ([\d.]+)/.exec((await page.locator('.results .sub').first().textContent())!)![1],
      );
      expect(Math.abs(pytorch.loss - browserLoss)).toBeLessThan(0.00015);
    }

    // Continue training: a new run from these weights, its steps after the parent's, its loss already low
    await page.getByRole('button', { name: 'Continue training' }).click();
    await page.getByTestId('run-status').filter({ hasText: 'Training' }).waitFor();
    await expect.poll(() => stepNow(page), { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(10);
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.getByTestId('run-status').filter({ hasText: 'Stopped' }).waitFor({ timeout: 30_000 });
    const child = (await firstRun(page).getAttribute('data-run'))!;
    expect(child).not.toBe(runId);
    // the status lands first, the stop message with the step a moment later
    await expect
      .poll(() => firstRun(page).getAttribute('title'), { timeout: 15_000, interval: 100 })
      .toMatch(/^stopped at step/);
    const continued = await loggedScalars(page, child, 'loss/train');
    expect(continued[0].step).toBe(loss.length);
    expect(mean(continued.slice(0, 10).map((p) => p.value))).toBeLessThan(0.6);

    // the Board lists the run and draws its graph
    await page.getByRole('tab', { name: 'Board' }).click();
    const boardRow = page.locator(`li[data-run-id="${runId}"]`);
    await boardRow.hover();
    await boardRow.getByRole('button', { name: /^Show graph of run 1/ }).click();
    await page.locator('.module-graph g.node[data-id="MnistConvNet/Sequential[model]/Conv2d[conv1]"]').waitFor();
    expect(errors).toEqual([]);
    await page.context().close();
  }, 300_000);

  test('a reload during training leaves the run interrupted, with its logs up to the last written step', async () => {
    const { page, errors } = await openApp(browser);
    await startMnist(page);
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect.poll(() => stepNow(page), { timeout: 60_000, interval: 500 }).toBeGreaterThanOrEqual(20);
    const runId = (await firstRun(page).getAttribute('data-run'))!;
    await page.waitForTimeout(700); // one SummaryWriter flush
    await page.reload();
    await openTrain(page);
    const row = page.locator(`[data-testid="train-runs"] [data-run="${runId}"]`);
    await expect.poll(() => row.getAttribute('data-status')).toBe('interrupted');
    const logged = await loggedScalars(page, runId, 'loss/train');
    expect(logged.length).toBeGreaterThanOrEqual(15);
    expect(await row.getAttribute('title')).toBe(
      `interrupted after step ${logged.at(-1)!.step}: the page was closed or reloaded during training; its logs are kept`,
    );
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  test('a bad keyword is named next to its field; a loss that becomes NaN/Inf fails the run with the step and value', async () => {
    const { page, errors } = await openApp(browser);
    await startMnist(page);
    // a bad keyword: its message next to the field, Start says why it waits
    await typeField(page, 'optimizer.lr', '-1');
    expect(await page.locator('[data-error-for="optimizer.lr"]').textContent()).toBe('must be a number ≥ 0');
    expect(await page.getByRole('button', { name: 'Start', exact: true }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Start', exact: true }).getAttribute('title')).toBe(
      'fix the configuration: optimizer.lr must be a number ≥ 0',
    );
    await typeField(page, 'optimizer.lr', '1e30'); // Adam's step is about lr: the logits overflow float32
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByTestId('run-status').filter({ hasText: 'Failed' }).waitFor({ timeout: 60_000 });
    const message = (await page.getByTestId('run-message').textContent())!.trim();
    expect(message).toMatch(
      /^loss became (NaN|Infinity) at step (\d+) \(epoch 1\); training stopped before applying it/,
    );
    const runId = (await firstRun(page).getAttribute('data-run'))!;
    const record = await storedRecord<{ status: string; message: string }>(page, 'runs', runId);
    expect(record).toMatchObject({ status: 'failed', message });
    // every step logged before the failure is kept, none after it
    const step = Number(/at step (\d+)/.exec(message)![1]);
    const logged = await loggedScalars(page, runId, 'loss/train');
    expect(logged.map((p) => p.step)).toEqual(Array.from({ length: step }, (_, i) => i)); // 0-based global steps, as train.py: the failing step is not logged
    expect(logged.every((p) => Number.isFinite(p.value))).toBe(true);
    // and Start works again
    expect(await page.getByRole('button', { name: 'Start', exact: true }).isEnabled()).toBe(true);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);
});
