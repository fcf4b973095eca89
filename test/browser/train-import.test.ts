// Dataset imports in the Train tab, in real headless Chromium: a generated CIFAR-format
// cifar-10-binary.tar.gz is decompressed, untarred, checked and saved in the data worker
// with a progress bar; the model's Input follows (one undo step in Build); a reload does
// not import again; a truncated file gets its message; the seed's model trains on it. An
// ImageFolder .zip of real PNGs is decoded in the worker with class names from its folders.
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { crc32, writeZip } from '../../src/core/formats/zip.ts';
import { cifarTarGz } from '../unit/helpers/cifar-files.ts';
import { launchChromium } from './chromium.ts';
import { newFromTemplate, openApp, openTrain, typeField } from './train-helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** A w×h RGB PNG of one colour (8-bit, filter 0), as any encoder would write it. */
function png(w: number, h: number, rgb: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const rows = Buffer.alloc(h * (1 + 3 * w));
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rows.set(rgb, y * (1 + 3 * w) + 1 + 3 * x);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Records every phase the import progress bar shows (it can be brief). */
async function watchPhases(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { phases: string[] }).phases = seen;
    new MutationObserver(() => {
      const phase = document.querySelector('[data-testid="import-progress"]')?.getAttribute('data-phase');
      if (phase && seen.at(-1) !== phase) seen.push(phase);
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
}

const phases = (page: Page) => page.evaluate(() => (window as unknown as { phases: string[] }).phases);

describe('dataset imports', () => {
  test('CIFAR-10 tarball: progress, facts, the Input follows; a reload keeps it; a truncated file says so', async () => {
    const { page, errors } = await openApp(browser);
    await newFromTemplate(page, /^MNIST ConvNet/);
    await openTrain(page);
    await page.getByTestId('dataset-shape').filter({ hasText: '1×28×28' }).waitFor();
    await page.getByRole('radio', { name: 'CIFAR-10' }).click();
    await page.getByTestId('drop-cifar10').waitFor();

    const tarball = cifarTarGz(300);
    await watchPhases(page);
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Choose files…' }).click(),
    ]);
    await chooser.setFiles({
      name: 'cifar-10-binary.tar.gz',
      mimeType: 'application/gzip',
      buffer: Buffer.from(tarball),
    });
    await page.getByTestId('dataset-shape').filter({ hasText: '3×32×32' }).waitFor({ timeout: 60_000 });
    expect(await phases(page)).toEqual(expect.arrayContaining(['decompress', 'untar', 'validate', 'save']));
    expect(await page.getByTestId('dataset-facts').textContent()).toContain('1,500 train · 300 test');
    await expect
      .poll(() => page.getByTestId('dataset-preview').locator('figcaption').first().textContent())
      .toBe('airplane');

    // the model's Input became 3×32×32 and the sizes that follow were adapted (conv1's
    // in_channels 1 → 3, fc1's in_features 1568 → 2048): it can start at once
    expect(await page.getByTestId('model-input').textContent()).toContain('3×32×32 ✓');
    await expect.poll(() => page.getByRole('button', { name: 'Start', exact: true }).isDisabled()).toBe(false);
    // one undo in Build brings the MNIST input back
    await page.getByRole('tab', { name: 'Build' }).click();
    await page.locator('[data-testid="layer-node"]').first().click();
    await page.keyboard.press('ControlOrMeta+Z');
    await page.getByRole('tab', { name: 'Train' }).click();
    await expect.poll(() => page.getByTestId('model-input').textContent()).toContain('1×28×28 ✕');

    // a reload: CIFAR-10 is still imported (no drop zone), read back from IndexedDB
    await page.reload();
    await openTrain(page);
    await page.getByTestId('dataset-shape').filter({ hasText: '3×32×32' }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('drop-cifar10').count()).toBe(0);
    expect(await page.getByTestId('dataset-facts').textContent()).toContain('1,500 train · 300 test');

    // delete it, then a truncated tarball gets its message and nothing is kept
    await page.getByRole('button', { name: 'delete' }).click();
    await page.getByTestId('drop-cifar10').waitFor();
    const [chooser2] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Choose files…' }).click(),
    ]);
    await chooser2.setFiles({
      name: 'cifar-10-binary.tar.gz',
      mimeType: 'application/gzip',
      buffer: Buffer.from(tarball.subarray(0, tarball.length >> 1)),
    });
    const message = await page.getByTestId('import-error').textContent({ timeout: 30_000 });
    expect(message).toMatch(
      /^CIFAR-10 was not imported: cifar-10-binary.tar.gz could not be decompressed \(.*\): the file is damaged or truncated$/,
    );
    expect(await page.getByTestId('drop-cifar10').count()).toBe(1);

    // a file that is not gzip at all
    const [chooser3] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Choose files…' }).click(),
    ]);
    await chooser3.setFiles({
      name: 'cifar-10-binary.tar.gz',
      mimeType: 'application/gzip',
      buffer: Buffer.from('<html>404 Not Found</html>'),
    });
    await expect
      .poll(() => page.getByTestId('import-error').textContent())
      .toBe(
        'CIFAR-10 was not imported: cifar-10-binary.tar.gz is not gzip-compressed (starts with 3c 68, gzip starts with 1f 8b)',
      );
    expect(errors).toEqual([]);
    await page.context().close();
  }, 180_000);

  test("the seed's CIFAR-10 model trains on the imported CIFAR-10, read from IndexedDB by the engine worker", async () => {
    const { page, errors } = await openApp(browser);
    await newFromTemplate(page, /^CIFAR-10 BS/);
    await openTrain(page);
    await page.getByRole('radio', { name: 'CIFAR-10' }).click();
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Choose files…' }).click(),
    ]);
    await chooser.setFiles({
      name: 'cifar-10-binary.tar.gz',
      mimeType: 'application/gzip',
      buffer: Buffer.from(cifarTarGz(300)),
    });
    await page.getByTestId('dataset-shape').filter({ hasText: '3×32×32' }).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('model-input').textContent()).toContain('3×32×32 ✓');
    await typeField(page, 'epochs', '1'); // the template's CIFAR-10 recipe runs 10 epochs
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByTestId('run-status').filter({ hasText: 'Finished' }).waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('run-step').textContent()).toBe('22 / 22'); // 1,500 − 10% validation = 1,350 images / 64
    expect(await page.getByText('test accuracy').count()).toBe(1);
    expect(await page.locator('.results .sub').first().textContent()).toContain('300 test images of CIFAR-10');
    expect(await page.getByTestId('confusion-matrix').locator('thead th.col').allTextContents()).toEqual([
      'airplane',
      'automobile',
      'bird',
      'cat',
      'deer',
      'dog',
      'frog',
      'horse',
      'ship',
      'truck',
    ]);
    await expect.poll(() => page.getByTestId('prediction-gallery').locator('li').count()).toBe(48);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 180_000);

  test('an ImageFolder .zip of PNGs: decoded in the worker, classes from folder names', async () => {
    const { page, errors } = await openApp(browser);
    await newFromTemplate(page, /^MNIST ConvNet/);
    await openTrain(page);
    await page.getByRole('radio', { name: 'Your images' }).click();
    const colours: Record<string, [number, number, number]> = {
      cats: [200, 40, 40],
      dogs: [30, 60, 220],
      frogs: [20, 180, 60],
    };
    const entries = Object.entries(colours).flatMap(([name, rgb]) =>
      Array.from({ length: 5 }, (_, i) => ({
        name: `pets/${name}/${i}.png`,
        data: new Uint8Array(png(20 + i, 12, rgb)),
      })),
    );
    const zip = await writeZip(entries);
    await watchPhases(page);
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Choose .zip…' }).click(),
    ]);
    await chooser.setFiles({ name: 'pets.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) });
    await page.getByTestId('dataset-shape').filter({ hasText: '3×32×32' }).waitFor({ timeout: 60_000 });
    expect(await phases(page)).toEqual(expect.arrayContaining(['unzip', 'decode', 'save']));
    expect(await page.getByTestId('dataset-facts').textContent()).toContain('12 train · 3 test');
    const labels = await page.getByTestId('dataset-preview').locator('figcaption').allTextContents();
    expect([...new Set(labels)]).toEqual(['cats', 'dogs', 'frogs']);
    // decoded pixels: the first cat is red
    const pixel = await page
      .getByTestId('dataset-preview')
      .locator('canvas')
      .first()
      .evaluate((c: HTMLCanvasElement) => [...c.getContext('2d')!.getImageData(5, 5, 1, 1).data]);
    expect(pixel).toEqual([200, 40, 40, 255]);
    expect(await page.getByRole('combobox', { name: 'Imported image set' }).textContent()).toContain(
      'pets · 3 classes · 3×32×32',
    );
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);
});
