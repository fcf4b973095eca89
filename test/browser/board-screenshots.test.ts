// Screenshots of the board at 1440×900: Scalars (four runs, hovered) and Graph (the
// seed's BS model). They go to docs/screenshots/ when LAYERBOARD_SCREENSHOTS=1, else
// to a temporary folder, so a plain test run leaves the working tree clean.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { screenshotDir } from './screenshot-dir.ts';
import { card, expectLines, importRuns, openBoard } from './board-helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const outDir = screenshotDir();

test('board screenshots: scalars and graph, 1440×900', async () => {
  const { page, errors } = await openBoard(browser, inject('baseUrl'));
  const day = Date.UTC(2026, 0, 5, 9);
  await importRuns(page, [
    { id: 'run-1', name: 'sgd lr=0.1 momentum=0.9', lr: 0.1, steps: 800, created: day, rich: true },
    { id: 'run-2', name: 'sgd lr=0.03', lr: 0.03, steps: 800, created: day + 3_600_000, rich: true },
    { id: 'run-3', name: 'sgd lr=0.06', lr: 0.06, steps: 800, created: day + 7_200_000, rich: true },
    {
      id: 'run-4',
      name: 'sgd lr=0.3 (diverged)',
      lr: 0.3,
      steps: 500,
      created: day + 10_800_000,
      rich: true,
      status: 'stopped',
    },
  ]);
  await expectLines(page, 'loss/train', ['run-1', 'run-2', 'run-3', 'run-4']);
  const box = (await card(page, 'loss/train').locator('.chart').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.55, box.y + box.height * 0.45);
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(outDir, 'board-scalars.png') });

  await page.getByRole('tab', { name: 'Graph' }).click();
  await page.locator('.module-graph g.node[data-id="BS/Sequential[model]/Flatten[6]"]').click();
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(outDir, 'board-graph.png') });
  expect(errors).toEqual([]);
});
