// Benchmark (not a test) of the Board in headless Chromium, three scenarios:
//  pan:        10 runs × 100,000 points imported as run files; smoothing redraws and
//              real shift-drag pans, whole range and zoomed to a tenth.
//  grid:       100 runs × 10 scalar tags × 10,000 points (10 M points, written straight
//              into IndexedDB beside one imported run cloned 100 times); time to first paint of the Scalars dashboard after a
//              reload, and frame times while panning.
//  histograms: 20 histogram tags × 200 steps; render time of the Histograms and the
//              Distributions dashboards (tab switches, repeated).
// Prints one JSON object; medians and 95th percentiles throughout.
//
//   npx tsx test/bench/board-bench.ts [--only pan,grid,histograms] [--quick] [--no-build | --dist DIR]
//     [--runs 10 --points 100000] [--grid-runs 100 --grid-tags 10 --grid-points 10000]
//     [--hist-tags 20 --hist-steps 200] [--repeats 5] [--profile]
// --quick: every scenario tiny (a smoke run); --profile: unminified build, top functions while panning.
import { loadavg } from 'node:os';
import { build, preview } from 'vite';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../browser/chromium.ts';
import { bigRun, cloneGridRuns, gridRun, gridTag, histogramEvents, seedGrid } from './board-bench-data.ts';
import { drag, frames, painted, printProfile, stats } from './board-bench-measure.ts';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const arg = (name: string, full: number, quick: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : QUICK ? quick : full;
};
const text = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const PROFILE = argv.includes('--profile');
const ONLY = (text('only') ?? 'pan,grid,histograms').split(',');
const REPEATS = arg('repeats', 5, 2);
const VIEWPORT = { width: 1440, height: 900 };

/** Waits until `tag`'s card draws `n` smooth lines. */
const cardDrawn = (page: Page, tag: string, n: number) =>
  page.waitForFunction(
    ([tag, n]) => document.querySelectorAll(`article[data-tag="${tag}"] g.line path.smooth[d^="M"]`).length === n,
    [tag, n] as const,
    { timeout: 1_800_000, polling: 50 },
  );

async function importFiles(
  page: Page,
  files: Parameters<import('playwright-core').FileChooser['setFiles']>[0],
  runs: number,
) {
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.getByRole('button', { name: 'Import' }).click(),
  ]);
  await chooser.setFiles(files, { timeout: 600_000 });
  console.error(`importing ${runs} run(s)…`);
  const summary = page.getByRole('status', { name: 'Import summary' });
  await summary.waitFor({ timeout: 1_800_000 }).catch(async (e: unknown) => {
    await page.screenshot({ path: 'board-bench-import.png' });
    throw e;
  });
  const said = (await summary.textContent()) ?? '';
  if (!said.includes(`Imported ${runs} run`)) throw new Error(`the import said: ${said}`);
}

async function panScenario(browser: Browser, url: string) {
  const RUNS = arg('runs', 10, 2),
    POINTS = arg('points', 100_000, 1000);
  const page = await browser.newPage({ viewport: VIEWPORT });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${url}#board?tags=loss`);
  const t0 = Date.now();
  await importFiles(
    page,
    Array.from({ length: RUNS }, (_, k) => bigRun(k, POINTS)),
    RUNS,
  );
  const importMs = Date.now() - t0;
  await cardDrawn(page, 'loss/train', RUNS);
  const importAndDrawMs = Date.now() - t0;
  const t1 = Date.now();
  await page.reload();
  await cardDrawn(page, 'loss/train', RUNS);
  const reloadDrawMs = Date.now() - t1;
  const card = page.locator('article[data-tag="loss/train"]');
  const box = (await card.locator('.chart').boundingBox())!;
  const y = box.y + box.height / 2;
  const [left, right] = [box.x + 80, box.x + box.width - 30];
  const redraw = await frames(page, async () => {
    for (const v of ['0.7', '0.8', '0.9', '0.6']) {
      await page.getByRole('spinbutton', { name: 'Smoothing value' }).fill(v);
      await page.keyboard.press('Enter');
      await painted(page);
    }
  });
  if (PROFILE) await printProfile(page, () => drag(page, [left + 200, y], [left + 20, y], 40, true));
  const panWholeRange = await frames(page, () => drag(page, [left + 200, y], [left + 20, y], 40, true));
  await drag(page, [left + 100, y], [left + 100 + (right - left) / 10, y], 5, false);
  const panZoomedToTenth = await frames(page, () => drag(page, [left + 300, y], [left + 100, y], 40, true));
  await page.close();
  return {
    runs: RUNS,
    pointsPerRun: POINTS,
    importMs,
    importAndDrawMs,
    reloadDrawMs,
    fullRedrawOnSmoothingChange: redraw,
    panWholeRange,
    panZoomedToTenth,
  };
}

/** In-page time (ms since navigation) when every card in the viewport draws `n` lines. */
const visibleCardsDrawn = (page: Page, n: number) =>
  page.waitForFunction(
    (n) => {
      const cards = [...document.querySelectorAll('article[data-tag]')].filter((c) => {
        const r = c.getBoundingClientRect();
        return r.bottom > 0 && r.top < innerHeight;
      });
      const done =
        cards.length > 0 && cards.every((c) => c.querySelectorAll('g.line path.smooth[d^="M"]').length === n);
      return done ? { at: performance.now(), cards: cards.length } : null;
    },
    n,
    { timeout: 1_800_000, polling: 'raf' },
  );

async function gridScenario(browser: Browser, url: string) {
  const RUNS = arg('grid-runs', 100, 3),
    TAGS = arg('grid-tags', 10, 2),
    POINTS = arg('grid-points', 10_000, 200);
  const page = await browser.newPage({ viewport: VIEWPORT });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${url}#board`);
  await importFiles(page, [gridRun(0)], 1);
  const t0 = Date.now();
  await cloneGridRuns(page, RUNS);
  await seedGrid(page, RUNS, TAGS, POINTS);
  const seedMs = Date.now() - t0;
  console.error(`grid: ${RUNS} × ${TAGS} × ${POINTS} points written in ${seedMs} ms`);
  const firstPaint: number[] = [];
  let cardsInView = 0;
  for (let i = 0; i < Math.max(1, Math.min(REPEATS, 3)); i++) {
    await page.reload({ waitUntil: 'commit' });
    const handle = await visibleCardsDrawn(page, RUNS);
    const r = (await handle.jsonValue()) as { at: number; cards: number };
    firstPaint.push(r.at);
    cardsInView = r.cards;
  }
  if (PROFILE)
    await printProfile(page, async () => {
      await page.reload({ waitUntil: 'commit' });
      await visibleCardsDrawn(page, RUNS);
    });
  await painted(page);
  const box = (await page.locator(`article[data-tag="${gridTag(0)}"] .chart`).boundingBox())!;
  const y = box.y + box.height / 2,
    left = box.x + 80;
  if (PROFILE) await printProfile(page, () => drag(page, [left + 200, y], [left + 20, y], 40, true));
  const pan = await frames(page, () => drag(page, [left + 200, y], [left + 20, y], 40, true));
  const cardsWithChart = await page.locator('article[data-tag] .chart svg').count();
  await page.close();
  return {
    runs: RUNS,
    tags: TAGS,
    pointsPerSeries: POINTS,
    totalPoints: RUNS * TAGS * POINTS,
    seedMs,
    firstPaintMs: stats(firstPaint),
    cardsInView,
    cardsWithChartAfterPan: cardsWithChart,
    panWholeRange: pan,
  };
}

async function histogramScenario(browser: Browser, url: string) {
  const TAGS = arg('hist-tags', 20, 2),
    STEPS = arg('hist-steps', 200, 5);
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${url}#board`);
  const file = histogramEvents(TAGS, STEPS);
  const t0 = Date.now();
  await importFiles(page, [file], 1);
  const importMs = Date.now() - t0;
  const times: Record<'histograms' | 'distributions', number[]> = { histograms: [], distributions: [] };
  const drawn = { histograms: 'path.ridge', distributions: 'path.median' };
  for (let i = 0; i < REPEATS; i++)
    for (const tab of ['histograms', 'distributions'] as const) {
      await page.getByRole('tab', { name: 'Scalars' }).click();
      await painted(page);
      const t = await page.evaluate(() => performance.now());
      await page.getByRole('tab', { name: tab === 'histograms' ? 'Histograms' : 'Distributions' }).click();
      const at = await page.waitForFunction(
        ([sel, steps]) => {
          const first = document.querySelector('article[data-tag]');
          const n = first?.querySelectorAll(sel).length ?? 0;
          return n >= (sel === 'path.ridge' ? steps : 1) ? performance.now() : null;
        },
        [drawn[tab], STEPS] as const,
        { timeout: 600_000, polling: 'raf' },
      );
      await painted(page);
      times[tab].push(((await at.jsonValue()) as number) - t);
    }
  const svgs = await page.locator('article[data-tag] svg path').count();
  await context.close();
  return {
    tags: TAGS,
    steps: STEPS,
    eventFileBytes: file.buffer.length,
    importMs,
    histogramsTabMs: stats(times.histograms),
    distributionsTabMs: stats(times.distributions),
    pathsInDomOnDistributions: svgs,
  };
}

async function main(): Promise<void> {
  const dist = text('dist');
  if (!dist && !argv.includes('--no-build')) await build({ logLevel: 'warn', build: { minify: !PROFILE } });
  const server = await preview({
    preview: { port: 0, host: '127.0.0.1' },
    build: dist ? { outDir: dist } : {},
    logLevel: 'warn',
  });
  const url = server.resolvedUrls!.local[0];
  const browser = await launchChromium();
  try {
    const out: Record<string, unknown> = { chromium: browser.version(), viewport: VIEWPORT };
    // Each scenario's result also goes to stderr as soon as it is measured.
    const scenarios = { pan: panScenario, grid: gridScenario, histograms: histogramScenario };
    for (const [name, scenario] of Object.entries(scenarios))
      if (ONLY.includes(name)) {
        out[name] = await scenario(browser, url);
        console.error(`${name}: ${JSON.stringify(out[name])}`);
      }
    out.loadAverage = loadavg().map((x) => +x.toFixed(1));
    console.log(JSON.stringify(out, null, 2));
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
