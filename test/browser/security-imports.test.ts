// Imports that never lose the good parts, in real Chromium: a logdir .zip with a good run,
// a damaged file (wrong wire types), a file of random bytes, an entry that climbs out of
// the archive, and another good run keeps every good run and names each bad file.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { openBoard } from './board-helpers.ts';
import { writeEventFile, type ScalarPoint } from '../../src/core/formats/tfevents/index.ts';
import { encodeScalarEvent } from '../../src/core/formats/tfevents/event.ts';
import { ProtoWriter } from '../../src/core/formats/tfevents/protobuf.ts';
import { writeRecords } from '../../src/core/formats/tfevents/records.ts';
import { writeZip } from '../../src/core/formats/zip.ts';
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { newFromTemplate, openApp, openTrain } from './train-helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const WALL0 = 1767607200;
const points = (values: number[]): ScalarPoint[] =>
  values.map((value, step) => ({ tag: 'loss', step, wallTime: WALL0 + step, value }));
const summary = (page: Page) => page.getByRole('status', { name: 'Import summary' });

async function importZip(page: Page, name: string, zip: Uint8Array): Promise<void> {
  await page.getByRole('button', { name: 'TensorBoard logs' }).click();
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.getByRole('menuitem', { name: 'Import TensorBoard logs…' }).click(),
  ]);
  await chooser.setFiles({ name, mimeType: 'application/zip', buffer: Buffer.from(zip) });
}

describe('security: imports keep the good parts', () => {
  test('a logdir .zip of good run, bad files and another good run keeps both good runs and names every bad file', async () => {
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    const wrongWire = writeRecords([new ProtoWriter().int(1, 5).int(2, 0).finish()]);
    const zip = await writeZip([
      { name: 'logs/first/events.out.tfevents.1.h', data: writeEventFile(points([3, 2, 1]), WALL0) },
      { name: 'logs/broken/events.out.tfevents.1.h', data: wrongWire },
      {
        name: 'logs/noise/events.out.tfevents.1.h',
        data: Uint8Array.from({ length: 512 }, (_, i) => (i * 131 + 7) & 0xff),
      },
      {
        name: 'logs/partly/events.out.tfevents.1.h',
        data: writeRecords([
          encodeScalarEvent('loss', 5, 0, WALL0),
          new ProtoWriter().double(1, WALL0).double(5, 1).finish(),
          encodeScalarEvent('loss', 4, 1, WALL0 + 1),
        ]),
      },
      { name: 'logs/last/events.out.tfevents.1.h', data: writeEventFile(points([9, 8]), WALL0) },
    ]);
    await importZip(page, 'logs.zip', zip);
    await expect.poll(() => summary(page).textContent()).toMatch(/Imported 3 runs/);
    const names = await summary(page).locator('.names').textContent();
    for (const run of ['first', 'partly', 'last']) expect(names).toContain(run);
    const problems = await summary(page).getByRole('list', { name: 'Import problems' }).locator('li').allTextContents();
    expect(problems).toHaveLength(3);
    expect(
      problems.find((p) => p.startsWith('logs/logs/broken/events.out.tfevents.1.h: skipped, no readable events')),
    ).toMatch(/field 1 has wire type varint, but a double needs fixed64 at byte 12/);
    expect(problems.find((p) => p.startsWith('logs/logs/noise/'))).toMatch(
      /skipped, no readable events \(bad length CRC at byte 0\)/,
    );
    expect(problems.find((p) => p.startsWith('logs/logs/partly/'))).toMatch(
      /field 5 has wire type fixed64, but a message needs length-delimited at byte \d+; its 2 good events were kept$/,
    );
    for (const run of ['first', 'partly', 'last'])
      await page.locator('li.run').filter({ hasText: run }).first().waitFor();
    expect(await page.locator('li.run').count()).toBe(3);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('a multi-member gzip (the built-in MNIST served as two gzip members) is read whole in the browser', async () => {
    const raw = gunzipSync(readFileSync(new URL('../../static/datasets/mnist.lbds.gz', import.meta.url)));
    const half = Math.floor(raw.length / 2);
    const twoMembers = Buffer.concat([gzipSync(raw.subarray(0, half)), gzipSync(raw.subarray(half))]);
    const { page, errors } = await openApp(browser);
    let served = 0;
    await page.context().route('**/datasets/mnist.lbds.gz', (route) => {
      served++;
      return route.fulfill({
        body: twoMembers,
        contentType: 'application/octet-stream',
        headers: { 'Cross-Origin-Resource-Policy': 'same-origin' },
      });
    });
    await newFromTemplate(page, /^MNIST ConvNet/);
    await openTrain(page);
    await page.getByTestId('dataset-shape').filter({ hasText: '1×28×28' }).waitFor();
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByTestId('run-status').filter({ hasText: 'Training' }).waitFor({ timeout: 60_000 });
    await expect
      .poll(
        async () =>
          Number(((await page.getByTestId('run-step').textContent()) ?? '0').split('/')[0].replace(/[^\d]/g, '')),
        { timeout: 60_000 },
      )
      .toBeGreaterThanOrEqual(2);
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    expect(served).toBeGreaterThanOrEqual(1);
    expect(errors).toEqual([]);
    await page.close();
  });
});
