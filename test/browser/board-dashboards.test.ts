// The Board's other dashboards in real headless Chromium, fed by an imported event file
// with every kind PyTorch logs: histograms (offset/overlay), distributions, images with a
// step slider, text (markdown as text nodes, never HTML), PR curves, HParams, and the
// scalar cards grouped by tag prefix.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { deflateSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { openBoard } from './board-helpers.ts';
import { crc32 } from 'node:zlib';
import {
  encodeHistogramValue,
  encodeHparamsValues,
  encodeImageValue,
  encodePrCurveValue,
  encodeTextValue,
  histogramOf,
  prCurveOf,
  writeEventFile,
  type RawSummary,
} from '../../src/core/formats/tfevents/index.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

function png(w: number, h: number, seed: number): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 0;
  const rows = Buffer.concat(
    Array.from({ length: h }, (_, y) =>
      Buffer.from([0, ...Array.from({ length: w }, (_, x) => (x * 40 + y * 20 + seed * 60) % 256)]),
    ),
  );
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(rows)),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}

function logFile(): Buffer {
  const t0 = 1767607200;
  const scalars = [0, 1, 2].flatMap((s) => [
    { tag: 'loss/train', step: s, wallTime: t0 + s, value: 2 / (s + 1) },
    { tag: 'loss/val', step: s, wallTime: t0 + s, value: 2.2 / (s + 1) },
    { tag: 'accuracy/val', step: s, wallTime: t0 + s, value: 0.5 + s / 10 },
  ]);
  const summaries: RawSummary[] = [];
  const add = (tag: string, step: number, kind: RawSummary['kind'], value: Uint8Array) =>
    summaries.push({ tag, step, wallTime: t0 + step, kind, value });
  for (let s = 0; s < 3; s++) {
    const values = Array.from({ length: 500 }, (_, i) => Math.sin(i * 12.9898) * (1 + s));
    add('fc1.weight', s, 'histogram', encodeHistogramValue('fc1.weight', histogramOf(values)));
    add(
      'inputs',
      s,
      'image',
      encodeImageValue('inputs', { width: 8, height: 4, colorspace: 1, encoded: png(8, 4, s) }),
    );
  }
  add(
    'model',
    0,
    'text',
    encodeTextValue('model', '# Net\n\n`Linear(4, 2)` is **small** <img src=x onerror="window.__xss=1">'),
  );
  add(
    'pr/class_0',
    2,
    'pr_curve',
    encodePrCurveValue('pr/class_0', prCurveOf([true, false, true, false, true], [0.9, 0.2, 0.7, 0.6, 0.4], 11)),
  );
  for (const v of encodeHparamsValues({ lr: 0.1, optimizer: 'SGD' }, ['accuracy/val'])) add('', 0, 'hparams', v);
  return Buffer.from(writeEventFile({ scalars, summaries }, t0));
}

async function importLog(page: Page): Promise<void> {
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.getByRole('button', { name: 'Import' }).click(),
  ]);
  await chooser.setFiles([
    { name: 'events.out.tfevents.1767607200.host', mimeType: 'application/octet-stream', buffer: logFile() },
  ]);
  await page.locator('li[data-run-id]').first().waitFor();
}

describe('board: every dashboard', () => {
  test('scalars by prefix, histograms, distributions, images, text, PR curves and hparams from one event file', async () => {
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    await importLog(page);
    // scalar sections by prefix, collapsible
    await page.locator('details[data-group="loss"] article[data-tag="loss/train"]').waitFor();
    expect(await page.locator('details.group > summary').allTextContents()).toEqual(['accuracy1', 'loss2']);
    await page.locator('details[data-group="loss"] > summary').click();
    await expect.poll(() => page.locator('article[data-tag="loss/train"]').isVisible()).toBe(false);

    await page.getByRole('tab', { name: 'Histograms' }).click();
    const ridges = page.locator('article[data-tag="fc1.weight"] path.ridge');
    await expect.poll(() => ridges.count()).toBe(3);
    const offset = await ridges.evaluateAll((ps) => ps.map((p) => p.getAttribute('d')));
    await page.getByRole('radio', { name: 'Overlay' }).click();
    await expect
      .poll(async () => await ridges.evaluateAll((ps) => ps.map((p) => p.getAttribute('d'))))
      .not.toEqual(offset);

    await page.getByRole('tab', { name: 'Distributions' }).click();
    await expect.poll(() => page.locator('article[data-tag="fc1.weight"] path.band').count()).toBe(4);

    await page.getByRole('tab', { name: 'Images' }).click();
    const img = page.locator('article[data-tag="inputs"] img');
    await img.waitFor();
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(8);
    expect(await page.getByTestId('image-step').textContent()).toBe('2');
    const slider = page.getByRole('slider', { name: /Step of inputs/ });
    await slider.focus();
    await page.keyboard.press('Home');
    await expect.poll(() => page.getByTestId('image-step').textContent()).toBe('0');

    await page.getByRole('tab', { name: 'Text' }).click();
    const text = page.locator('section[data-tag="model"]');
    await text.locator('code', { hasText: 'Linear(4, 2)' }).waitFor();
    expect(await text.locator('strong').textContent()).toBe('small');
    expect(await text.locator('img').count()).toBe(0);
    expect(await text.textContent()).toContain('<img src=x onerror="window.__xss=1">');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();

    await page.getByRole('tab', { name: 'PR Curves' }).click();
    await expect.poll(() => page.locator('article[data-tag="pr/class_0"] path.curve').count()).toBe(1);

    await page.getByRole('tab', { name: 'HParams' }).click();
    const table = page.locator('table.hp-board');
    await table.waitFor();
    expect(await table.locator('thead').textContent()).toContain('optimizer');
    expect(await table.locator('tbody td').allTextContents()).toEqual(expect.arrayContaining(['0.1', 'SGD', '0.7']));
    expect(await page.locator('svg.parallel path.run-line').count()).toBe(1);
    expect(await page.locator('svg.scatter circle').count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('each dashboard says how to get data when it has none', async () => {
    const { page, errors } = await openBoard(browser, inject('baseUrl'));
    for (const tab of ['Histograms', 'Images', 'Text', 'PR Curves', 'HParams']) {
      await page.getByRole('tab', { name: tab }).click();
      await expect
        .poll(() => page.getByRole('status').filter({ hasText: /^No / }).first().textContent())
        .toMatch(/Train a (model|classifier).*import/i);
    }
    expect(errors).toEqual([]);
    await page.close();
  });
});
