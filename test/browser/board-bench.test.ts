// `npm run bench:board` (README, docs/board-bench.md) in its smoke form: every scenario
// runs on tiny data against this run's build and reports what the docs describe.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, inject, test } from 'vitest';

test('npm run bench:board -- --quick prints pan, grid and histogram measurements as JSON', async () => {
  const { stdout } = await promisify(execFile)(
    'npm',
    ['run', '-s', 'bench:board', '--', '--quick', '--dist', inject('distDir')],
    { maxBuffer: 1 << 24, timeout: 600_000 },
  );
  const r = JSON.parse(stdout);
  expect(r.pan.runs).toBe(2);
  expect(r.pan.panWholeRange.chartRenderMs.count).toBeGreaterThan(0);
  expect(r.pan.panWholeRange.interval.median).toBeGreaterThan(0);
  expect(r.grid.totalPoints).toBe(3 * 2 * 200);
  expect(r.grid.firstPaintMs.count).toBeGreaterThan(0);
  expect(r.grid.firstPaintMs.median).toBeGreaterThan(0);
  expect(r.grid.cardsInView).toBe(2);
  expect(r.grid.panWholeRange.chartRenderMs.count).toBeGreaterThan(0);
  for (const tab of [r.histograms.histogramsTabMs, r.histograms.distributionsTabMs]) {
    expect(tab.count).toBe(2);
    expect(tab.p95).toBeGreaterThanOrEqual(tab.median);
  }
}, 600_000);
