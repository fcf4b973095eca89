// The wasm backend in headless Chromium: a module worker trains the same ConvNet on the TS
// reference backend and on the wasm backend with 2 threads (helper Web Workers sharing the
// WebAssembly memory), under cross-origin isolation; the losses agree. Without isolation the
// backend falls back to one thread and says why. The page is built here by itself (like
// worker-train.test.ts) and served with and without the COOP/COEP headers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import type { WasmReport, WasmRequest } from './pages/wasm-backend-worker.ts';
import { securityHeaders } from '../../vite.config.ts';

const root = resolve(import.meta.dirname, 'pages');
const outDir = mkdtempSync(join(tmpdir(), 'layerboard-wasm-page-'));
// The app's own headers: COOP/COEP and the Content-Security-Policy the threads must work under.
const isolation = securityHeaders;
let isolated: PreviewServer, plain: PreviewServer, browser: Browser;

beforeAll(async () => {
  const shared = { configFile: false as const, root, logLevel: 'warn' as const, publicDir: false as const };
  await build({
    ...shared,
    worker: { format: 'es' },
    build: { outDir, emptyOutDir: true, rollupOptions: { input: join(root, 'wasm-backend.html') } },
  });
  isolated = await preview({
    ...shared,
    build: { outDir },
    preview: { port: 0, host: '127.0.0.1', headers: isolation },
  });
  plain = await preview({ ...shared, build: { outDir }, preview: { port: 0, host: '127.0.0.1' } });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await isolated?.close();
  await plain?.close();
  rmSync(outDir, { recursive: true, force: true });
});

async function runOn(
  server: PreviewServer,
  request: WasmRequest,
): Promise<{ report: WasmReport; pageIsolated: boolean; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  try {
    await page.goto(new URL('wasm-backend.html', server.resolvedUrls!.local[0]).href);
    await page.waitForFunction(() => 'wasmTests' in window);
    const pageIsolated = await page.evaluate(() => window.wasmTests.isolated);
    const report = await page.evaluate((r) => window.wasmTests.run(r), request);
    return { report, pageIsolated, errors };
  } finally {
    await page.close();
  }
}

test("cross-origin isolated: the wasm backend trains on 2 threads with the TS backend's losses", async () => {
  const {
    report: r,
    pageIsolated,
    errors,
  } = await runOn(isolated, { threads: 2, steps: 12, bench: { batch: 32, steps: 3 } });
  expect(r.error).toBeUndefined();
  expect(pageIsolated).toBe(true);
  expect(r.isolated).toBe(true);
  expect(r.threads).toBe(2);
  expect(r.note).toBeNull();
  expect(r.description).toMatch(/^wasm SIMD .*2 threads/);
  expect(r.wasm).toHaveLength(12);
  // float32 sums in another order: the curves agree closely step by step
  r.wasm.forEach((l, i) =>
    expect(Math.abs(l - r.ts[i]), `step ${i}: wasm ${l} vs ts ${r.ts[i]}`).toBeLessThan(1e-3 * (1 + Math.abs(r.ts[i]))),
  );
  expect(r.wasm.at(-1)!).toBeLessThan(r.wasm[0]);
  expect(r.benchImagesPerSecond).toBeGreaterThan(0);
  console.log(
    `browser: ${r.description}; losses ${r.ts[0].toFixed(4)} → ${r.ts.at(-1)!.toFixed(4)} (ts) / ${r.wasm[0].toFixed(4)} → ${r.wasm.at(-1)!.toFixed(4)} (wasm); BS model batch 32: ${r.benchImagesPerSecond} img/s`,
  );
  expect(errors).toEqual([]);
});

test('without cross-origin isolation the wasm backend runs on one thread and says why', async () => {
  const { report: r, pageIsolated, errors } = await runOn(plain, { threads: 2, steps: 4 });
  expect(r.error).toBeUndefined();
  expect(pageIsolated).toBe(false);
  expect(r.threads).toBe(1);
  expect(r.note).toMatch(/not cross-origin isolated/);
  expect(r.description).toMatch(/1 thread — running on 1 thread/);
  r.wasm.forEach((l, i) => expect(Math.abs(l - r.ts[i])).toBeLessThan(1e-3 * (1 + Math.abs(r.ts[i]))));
  expect(errors).toEqual([]);
});
