// A CSV table in the Train tab, in real headless Chromium: the Iris MLP template, the
// example iris.csv picked with the file chooser, its label column chosen, imported (the
// Input becomes [4]), a short run to more than 90% test accuracy; a CSV with a bad cell is
// refused with its row and column named.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { newFromTemplate, openApp, openTrain, typeField } from './train-helpers.ts';

const IRIS = fileURLToPath(new URL('../../static/datasets/iris.csv', import.meta.url));

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Picks a CSV with the file chooser the "Choose .csv…" button opens. */
async function chooseCsv(page: Page, path: string): Promise<void> {
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.getByRole('button', { name: 'Choose .csv…' }).click(),
  ]);
  await chooser.setFiles(path);
}

test('import iris.csv, choose the label column, train the Iris MLP: more than 90% test accuracy', async () => {
  const { page, errors } = await openApp(browser);
  await newFromTemplate(page, /^Iris MLP/);
  await openTrain(page);
  await page.getByRole('radio', { name: 'Table (CSV)' }).click();
  await chooseCsv(page, IRIS);
  await page.locator('[data-field="table.label"]').selectOption('species');
  expect(await page.getByTestId('table-import').textContent()).toContain(
    'Features: sepal_length, sepal_width, petal_length, petal_width',
  );
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.getByTestId('dataset-facts').filter({ hasText: '120 train · 30 test' }).waitFor({ timeout: 60_000 });
  expect(await page.getByTestId('dataset-shape').textContent()).toBe('4');
  expect(await page.getByTestId('model-input').textContent()).toContain('4 ✓');
  expect(await page.getByTestId('table-facts').textContent()).toContain('(setosa, versicolor, virginica)');

  await typeField(page, 'epochs', '40');
  await typeField(page, 'batchSize', '16');
  await typeField(page, 'optimizer.lr', '0.01');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.getByTestId('run-status').filter({ hasText: 'Finished' }).waitFor({ timeout: 120_000 });
  const accuracy = Number((await page.getByTestId('test-accuracy').textContent())!.replace('%', ''));
  expect(accuracy).toBeGreaterThan(90);
  expect(errors).toEqual([]);
  await page.context().close();
}, 240_000);

test('a CSV with a non-numeric feature cell is refused, naming its row and column', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lb-csv-'));
  const bad = join(dir, 'bad.csv');
  const rows = Array.from({ length: 12 }, (_, i) => `${i},${i === 4 ? 'oops' : i / 2},${i % 2 ? 'a' : 'b'}`);
  writeFileSync(bad, `x,y,label\n${rows.join('\n')}\n`);
  const { page } = await openApp(browser);
  await openTrain(page);
  await page.getByRole('radio', { name: 'Table (CSV)' }).click();
  await chooseCsv(page, bad);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect
    .poll(() => page.getByTestId('import-error').textContent())
    .toMatch(/bad\.csv was not imported:.*row 6, column 'y': 'oops' is not a number/);
  await page.context().close();
}, 120_000);
