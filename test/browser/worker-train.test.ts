// The engine worker in headless Chromium: a small ConvNet trains on the synthetic dataset
// inside the real, Vite-bundled Web Worker behind EngineClient, and its loss decreases.
// The test page (test/browser/pages/worker.html) is built here, by itself, with the same
// worker bundling as the app (worker.format 'es'), so it never ships in the app's dist/.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import type { TrainReport } from './pages/worker-page.ts';

const root = resolve(import.meta.dirname, 'pages');
const outDir = mkdtempSync(join(tmpdir(), 'layerboard-worker-page-'));
let server: PreviewServer, browser: Browser, page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  const shared = { configFile: false as const, root, logLevel: 'warn' as const, publicDir: false as const };
  await build({
    ...shared,
    worker: { format: 'es' },
    build: { outDir, emptyOutDir: true, rollupOptions: { input: join(root, 'worker.html') } },
  });
  server = await preview({ ...shared, build: { outDir }, preview: { port: 0, host: '127.0.0.1' } });
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  await page.goto(new URL('worker.html', server.resolvedUrls!.local[0]).href);
  await page.waitForFunction(() => 'workerTests' in window);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(outDir, { recursive: true, force: true });
});

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('the worker trains a ConvNet and the loss decreases; progress is batched; weights come back as buffers', async () => {
  const r: TrainReport = await page.evaluate(() => window.workerTests.train());
  expect(r.errors).toEqual([]);
  expect(r.status).toBe('finished');
  expect(r.reply).toEqual({
    runId: 'browser-run',
    totalSteps: 96,
    stepsPerEpoch: 24,
    backend: 'TypeScript reference kernels, 1 thread',
  });
  expect(r.steps.map((s) => s.step)).toEqual(Array.from({ length: 96 }, (_, i) => i));
  expect(r.progressMessages).toBeLessThan(r.steps.length);
  const losses = r.steps.map((s) => s.loss);
  expect(mean(losses.slice(-10))).toBeLessThan(0.5 * mean(losses.slice(0, 10)));
  expect(r.epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
  expect(r.epochs[3].trainLoss).toBeLessThan(r.epochs[0].trainLoss);
  expect(r.epochs[3].valAccuracy).toBeGreaterThan(0.9);
  expect(r.test!.examples).toBe(96);
  expect(r.test!.accuracy).toBeGreaterThan(0.9);
  expect(r.weights).toEqual([
    { name: '0.weight', shape: [4, 1, 3, 3], isArrayBuffer: true, bytes: 144 },
    { name: '0.bias', shape: [4], isArrayBuffer: true, bytes: 16 },
    { name: '4.weight', shape: [3, 64], isArrayBuffer: true, bytes: 768 },
    { name: '4.bias', shape: [3], isArrayBuffer: true, bytes: 12 },
  ]);
  console.log(
    `worker: ${r.steps.length} steps in ${r.progressMessages} progress messages; loss ${losses[0].toFixed(3)} → ${losses.at(-1)!.toFixed(3)}; test accuracy ${r.test!.accuracy}`,
  );
  expect(pageErrors).toEqual([]);
});

test('pause holds the worker between steps; resume and stop work through the client', async () => {
  const r = await page.evaluate(() => window.workerTests.pauseAndStop());
  expect(r.statuses).toEqual(['running', 'paused', 'running']);
  expect(r.stepsWhilePaused).toBe(0);
  expect(r.final).toBe('stopped');
  expect(pageErrors).toEqual([]);
});
