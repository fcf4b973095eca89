// `layerboard board --logdir DIR` in real headless Chromium: a process appends records to
// an event file while the board serves the folder; the new points appear within 2 s,
// without a reload — as `tensorboard --logdir` follows a PyTorch run.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { card, pathOf } from './board-helpers.ts';
import { writeEventFile } from '../../src/core/formats/tfevents/index.ts';
import { encodeScalarEvent } from '../../src/core/formats/tfevents/event.ts';
import { writeRecords } from '../../src/core/formats/tfevents/records.ts';

let browser: Browser;
let server: ChildProcess | null = null;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  server?.kill('SIGTERM');
  await browser?.close();
});

function startBoard(logdir: string): Promise<string> {
  server = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'board', '--logdir', logdir, '--port', '0', '--dist', inject('distDir')],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`board did not start: ${out}`)), 60_000);
    const read = (d: Buffer) => {
      out += d.toString();
      const m = /Layerboard: (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    server!.stdout!.on('data', read);
    server!.stderr!.on('data', read);
    server!.on('exit', (code) => reject(new Error(`board exited (${code}): ${out}`)));
  });
}

describe('board --logdir: a live logdir', () => {
  test('records appended to an event file appear within 2 s without a reload', async () => {
    const logdir = mkdtempSync(join(tmpdir(), 'live-logdir-'));
    mkdirSync(join(logdir, 'run1'));
    const file = join(logdir, 'run1', 'events.out.tfevents.1767607200.host');
    const t0 = 1767607200;
    writeFileSync(
      file,
      writeEventFile(
        Array.from({ length: 5 }, (_, s) => ({ tag: 'loss', step: s, wallTime: t0 + s, value: 2 - s * 0.1 })),
        t0,
      ),
    );
    const url = await startBoard(logdir);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    const runId = 'logdir:run1';
    await page.locator(`li[data-run-id="${runId}"]`).waitFor({ timeout: 20_000 });
    expect(await page.locator(`li[data-run-id="${runId}"] button.name`).textContent()).toBe('run1');
    const points = async () => (await pathOf(page, 'loss', runId, 'raw')).split(/[ML]/).filter(Boolean).length;
    await expect.poll(points, { timeout: 10_000 }).toBe(5);

    // another process (this test) appends 5 more steps, half a record first: the board waits for the rest
    const more = writeRecords(
      Array.from({ length: 5 }, (_, k) => encodeScalarEvent('loss', 1.5 - k * 0.1, 5 + k, t0 + 5 + k)),
    );
    const started = Date.now();
    appendFileSync(file, more.subarray(0, 30));
    await new Promise((r) => setTimeout(r, 300));
    appendFileSync(file, more.subarray(30));
    await expect.poll(points, { timeout: 2_000, interval: 100 }).toBe(10);
    const seenAfter = Date.now() - started;
    expect(seenAfter).toBeLessThan(2_000);
    console.log(`live logdir: appended points on the Board after ${seenAfter} ms`);
    // a new run folder appears too
    mkdirSync(join(logdir, 'run2'));
    writeFileSync(
      join(logdir, 'run2', 'events.out.tfevents.1767607300.host'),
      writeEventFile([{ tag: 'loss', step: 0, wallTime: t0 + 100, value: 1 }], t0 + 100),
    );
    await page.locator('li[data-run-id="logdir:run2"]').waitFor({ timeout: 2_000 });
    expect(await card(page, 'loss').count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });
});
