// Benchmark (not a test): the Scalars board drawing and panning 10 runs × 100,000
// points in headless Chromium. Runs come in through the board's own Import (run files),
// then the loss card is panned with real shift-drags, zoomed out and zoomed in, and every
// animation frame's interval is recorded, with Chromium's script/layout time per frame.
//
//   npx tsx test/bench/board-bench.ts [--runs 10] [--points 100000] [--no-build] [--profile]
// --profile builds unminified and prints the functions with the most self time while panning.
import { loadavg } from 'node:os';
import { build, preview } from 'vite';
import type { Page } from 'playwright-core';
import { launchChromium } from '../browser/chromium.ts';
import { fixtureRunFile } from '../browser/board-fixtures.ts';
import { toJsonNumber } from '../../src/db/run-file.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = arg('runs', 10);
const POINTS = arg('points', 100_000);

/** A run file with a noisy, spiky loss of `POINTS` steps. */
function bigRun(k: number): { name: string; mimeType: string; buffer: Buffer } {
  const file = fixtureRunFile({
    id: `bench-${k}`,
    name: `bench run ${k}`,
    lr: 0.02 + k * 0.01,
    steps: 10,
    created: Date.UTC(2026, 0, 1, k),
  });
  const loss = file.scalars['loss/train'];
  loss.step = [];
  loss.wallTime = [];
  loss.value = [];
  let seed = 12345 + k;
  const rand = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  for (let s = 0; s < POINTS; s++) {
    loss.step.push(s);
    loss.wallTime.push(file.run.created / 1000 + s * 0.05);
    const spike = rand() < 0.0005 ? 3 : 0;
    loss.value.push(toJsonNumber(2.3 * Math.exp(-s / (15_000 + 2_000 * k)) + 0.1 + 0.15 * rand() + spike));
  }
  return { name: `bench-${k}.run.json`, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) };
}

const stats = (xs: number[]) => {
  if (xs.length === 0) return { frames: 0, median: 0, p95: 0, max: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { frames: s.length, median: +q(0.5).toFixed(1), p95: +q(0.95).toFixed(1), max: +s[s.length - 1].toFixed(1) };
};

async function frames<T>(
  page: Page,
  action: () => Promise<T>,
): Promise<{
  interval: ReturnType<typeof stats>;
  chartRenderMs: ReturnType<typeof stats>;
  scriptMsPerFrame: number;
  layoutMsPerFrame: number;
}> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metric = async () =>
    Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  // A string: tsx's name-keeping helper does not exist in the page.
  await page.evaluate(`(() => {
    window.__frames = []; window.__on = true;
    let last = performance.now();
    const loop = (t) => { window.__frames.push(t - last); last = t; if (window.__on) requestAnimationFrame(loop); };
    requestAnimationFrame(loop);
  })()`);
  await page.evaluate(() => performance.clearMeasures());
  const m0 = await metric();
  await action();
  const m1 = await metric();
  const renders = await page.evaluate(() => performance.getEntriesByName('scalar-chart:render').map((e) => e.duration));
  const intervals = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __on: boolean };
    w.__on = false;
    return w.__frames.slice(1);
  });
  const n = Math.max(1, intervals.length);
  return {
    interval: stats(intervals),
    chartRenderMs: stats(renders),
    scriptMsPerFrame: +((1000 * (m1.ScriptDuration - m0.ScriptDuration)) / n).toFixed(2),
    layoutMsPerFrame: +(
      (1000 * (m1.LayoutDuration + m1.RecalcStyleDuration - m0.LayoutDuration - m0.RecalcStyleDuration)) /
      n
    ).toFixed(2),
  };
}

async function drag(
  page: Page,
  from: [number, number],
  to: [number, number],
  steps: number,
  shift: boolean,
): Promise<void> {
  if (shift) await page.keyboard.down('Shift');
  await page.mouse.move(...from);
  await page.mouse.down();
  for (let i = 1; i <= steps; i++) {
    await page.mouse.move(from[0] + ((to[0] - from[0]) * i) / steps, from[1] + ((to[1] - from[1]) * i) / steps);
    await page.evaluate(() => new Promise(requestAnimationFrame));
  }
  await page.mouse.up();
  if (shift) await page.keyboard.up('Shift');
}

/** Top self-time functions of a CPU profile taken while `action` runs. */
async function printProfile(page: Page, action: () => Promise<void>): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.start');
  await action();
  const { profile } = await cdp.send('Profiler.stop');
  const self = new Map<string, number>();
  const dt = profile.timeDeltas ?? [];
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  (profile.samples ?? []).forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0) / 1000);
  });
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 20);
  console.error(top.map(([k, ms]) => `${ms.toFixed(1).padStart(8)} ms  ${k}`).join('\n'));
}

async function main(): Promise<void> {
  const profile = process.argv.includes('--profile');
  if (!process.argv.includes('--no-build')) await build({ logLevel: 'warn', build: { minify: !profile } });
  const server = await preview({ preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
  const url = server.resolvedUrls!.local[0];
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(`${url}#board?tags=loss`);
    const t0 = Date.now();
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Import' }).click(),
    ]);
    await chooser.setFiles(Array.from({ length: RUNS }, (_, k) => bigRun(k)));
    const card = page.locator('article[data-tag="loss/train"]');
    const drawn = () =>
      page.waitForFunction(
        (n) => document.querySelectorAll('article[data-tag="loss/train"] g.line path.smooth[d^="M"]').length === n,
        RUNS,
        { timeout: 600_000, polling: 50 },
      );
    await page.getByText(`Imported ${RUNS} runs.`).waitFor({ timeout: 600_000 });
    const importMs = Date.now() - t0;
    await drawn();
    const importAndDrawMs = Date.now() - t0;
    console.error(`imported ${RUNS} × ${POINTS} points in ${importMs} ms, all drawn at ${importAndDrawMs} ms`);
    // A reload reads every point back from IndexedDB and draws it.
    const t1 = Date.now();
    await page.reload();
    await drawn();
    const reloadDrawMs = Date.now() - t1;
    const box = (await card.locator('.chart').boundingBox())!;
    const y = box.y + box.height / 2;
    const [left, right] = [box.x + 80, box.x + box.width - 30];

    const redraw = await frames(page, async () => {
      for (const v of ['0.7', '0.8', '0.9', '0.6']) {
        await page.getByRole('spinbutton', { name: 'Smoothing value' }).fill(v);
        await page.keyboard.press('Enter');
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      }
    });
    if (profile) await printProfile(page, () => drag(page, [left + 200, y], [left + 20, y], 40, true));
    // Whole range in view: every frame decimates all 10 × 100,000 points.
    const zoomOut = await frames(page, () => drag(page, [left + 200, y], [left + 20, y], 40, true));
    // Zoomed to about a tenth of the steps, then panned.
    await drag(page, [left + 100, y], [left + 100 + (right - left) / 10, y], 5, false);
    const zoomIn = await frames(page, () => drag(page, [left + 300, y], [left + 100, y], 40, true));
    const pointsDrawn = await card
      .locator('g.line path.raw')
      .evaluateAll((els) => els.reduce((n, e) => n + (e.getAttribute('d')?.split(/[ML]/).length ?? 1) - 1, 0));
    console.log(
      JSON.stringify(
        {
          runs: RUNS,
          pointsPerRun: POINTS,
          chromium: await browser.version(),
          importMs,
          importAndDrawMs,
          reloadDrawMs,
          loadAverage: loadavg().map((x) => +x.toFixed(1)),
          fullRedrawOnSmoothingChange: redraw,
          panWholeRange: zoomOut,
          panZoomedToTenth: zoomIn,
          rawPointsDrawnAfterZoom: pointsDrawn,
        },
        null,
        2,
      ),
    );
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
