// The run contract in the browser: a database written by the previous version (schema
// version 1, written straight through IndexedDB before the app ever loads) opens with its
// project and run unchanged; the Train form shows and writes the model's `training`, which
// is what `export --format pytorch-project` puts into train.py.
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { inject } from 'vitest';
import type { Browser } from 'playwright-core';
import { writeProject } from '../../src/cli/export-project.ts';
import { parseModelDocument } from '../../src/core/model/model-json.ts';
import { migrateV1 } from '../../src/core/model/model-v1.ts';
import type { ModelDocumentV1 } from '../../src/core/model/types.ts';
import { defaultTrainingConfig } from '../../src/core/run/training-config.ts';
import { launchChromium } from './chromium.ts';
import { menu } from './editor-helpers.ts';
import { openTrain, storedRecord, typeField } from './train-helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const doc = {
  format: 'layerboard-model',
  version: 1,
  input: [1, 28, 28],
  className: 'OldNet',
  layers: [
    { type: 'Flatten' },
    { type: 'Linear', in_features: 784, out_features: 32 },
    { type: 'ReLU' },
    { type: 'Linear', in_features: 32, out_features: 10 },
  ],
};
/** A `training` the previous version took in from a model file unchecked: partial, snake_case. */
const oldTraining = { batch_size: 32, epochs: 2, optimizer: { type: 'Adam', lr: 0.003 } };
/** The previous Train form's config (today's fields, no backend). */
const oldRunConfig = {
  ...defaultTrainingConfig('mnist'),
  optimizer: { type: 'SGD', lr: 0.05, momentum: 0.9 },
  batchSize: 128,
};
const dataset = {
  ref: { kind: 'builtin', id: 'mnist', baseUrl: 'http://old/' },
  name: 'MNIST',
  classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  shape: [1, 28, 28],
};
const testResult = { loss: 0.31, accuracy: 0.9123, examples: 10, confusion: [], classes: dataset.classes };

/** Dexie's schema version 1 (IndexedDB version 10), as the previous build created it, with one project and one run. */
function writeVersion1(data: {
  doc: unknown;
  training: unknown;
  config: unknown;
  dataset: unknown;
  test: unknown;
}): Promise<void> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('layerboard', 10);
    open.onupgradeneeded = () => {
      const db = open.result;
      const store = (
        name: string,
        keyPath: string | string[],
        indexes: [string, string | string[]][],
        autoIncrement = false,
      ) => {
        const s = db.createObjectStore(name, { keyPath, autoIncrement });
        for (const [n, k] of indexes) s.createIndex(n, k);
      };
      store('projects', 'id', [
        ['name', 'name'],
        ['updated', 'updated'],
      ]);
      store('runs', 'id', [
        ['projectId', 'projectId'],
        ['created', 'created'],
        ['status', 'status'],
      ]);
      store(
        'scalars',
        ['runId', 'tag', 'step'],
        [
          ['runId', 'runId'],
          ['[runId+tag]', ['runId', 'tag']],
        ],
      );
      store('graphs', 'runId', []);
      store(
        'texts',
        'id',
        [
          ['runId', 'runId'],
          ['[runId+tag]', ['runId', 'tag']],
        ],
        true,
      );
      store('hparams', 'runId', []);
      store('datasets', 'id', [
        ['name', 'name'],
        ['created', 'created'],
      ]);
      store('datasetChunks', ['datasetId', 'index'], [['datasetId', 'datasetId']]);
    };
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(['projects', 'runs', 'scalars', 'texts'], 'readwrite');
      const now = Date.now();
      tx.objectStore('projects').add({
        id: 'p-old',
        name: 'Old project',
        doc: { ...(data.doc as object), training: data.training },
        created: now - 5000,
        updated: now - 1000,
      });
      tx.objectStore('runs').add({
        id: 'r-old',
        projectId: 'p-old',
        name: 'old run',
        created: now - 4000,
        ended: now - 3000,
        status: 'finished',
        doc: data.doc,
        config: data.config,
        metrics: { 'accuracy/test': 0.9123, steps: 10, epochs: 1 },
        backend: 'wasm',
      });
      for (let step = 0; step < 10; step++)
        tx.objectStore('scalars').add({
          runId: 'r-old',
          tag: 'loss/train',
          step,
          wallTime: now / 1000,
          value: 2.3 - step * 0.1,
        });
      tx.objectStore('texts').add({ runId: 'r-old', tag: 'dataset', step: 0, text: JSON.stringify(data.dataset) });
      tx.objectStore('texts').add({ runId: 'r-old', tag: 'eval/test', step: 0, text: JSON.stringify(data.test) });
      tx.oncomplete = () => {
        db.close();
        localStorage.setItem('layerboard.lastProject', 'p-old');
        resolve();
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}

test('a project and a run saved by the previous version open unchanged after the upgrade', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const base = inject('baseUrl');
  // a page of the app's origin that does not run the app: the old data goes in first
  await page.route(`${base}previous-version.html`, (r) =>
    r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>previous version</title>' }),
  );
  await page.goto(`${base}previous-version.html`);
  await page.evaluate(writeVersion1, { doc, training: oldTraining, config: oldRunConfig, dataset, test: testResult });

  await page.goto(base);
  await page.locator('[data-testid="layer-node"]').first().waitFor();
  expect(await page.getByRole('textbox', { name: 'Project name' }).inputValue()).toBe('Old project');
  expect(await page.locator('[data-testid="layer-node"]').count()).toBe(doc.layers.length);

  // the Train form shows the model's old training settings, now typed
  await openTrain(page);
  expect(await page.locator('[data-field="batchSize"]').inputValue()).toBe('32');
  expect(await page.locator('[data-field="optimizer.lr"]').inputValue()).toBe('0.003');

  // the run: listed with its test accuracy, its dataset and test result read back
  const row = page.locator('[data-testid="train-runs"] [data-run="r-old"]');
  await row.waitFor();
  expect(await row.textContent()).toContain('old run');
  await row.click();
  await page.getByTestId('test-accuracy').waitFor();
  expect(await page.getByTestId('test-accuracy').textContent()).toContain('91.2');

  const run = await storedRecord<{
    config: unknown;
    dataset: unknown;
    test: unknown;
    doc: unknown;
    metrics: unknown;
    status: string;
  }>(page, 'runs', 'r-old');
  // the model itself is read as model format 2 (an nn.Sequential's modules), as every version-1 document is
  const v2 = migrateV1(doc as ModelDocumentV1);
  expect(run).toMatchObject({
    config: oldRunConfig,
    dataset,
    test: testResult,
    doc: v2,
    status: 'finished',
    metrics: { 'accuracy/test': 0.9123 },
  });
  const project = await storedRecord<{
    name: string;
    doc: { modules: unknown; input: unknown; className: string; training: unknown };
  }>(page, 'projects', 'p-old');
  expect(project?.doc).toMatchObject({
    modules: v2.modules,
    input: doc.input,
    className: 'OldNet',
    training: { batchSize: 32, epochs: 2, optimizer: { type: 'Adam', lr: 0.003 } },
  });
  expect(errors).toEqual([]);
  await context.close();
}, 120_000);

test("the Train form writes the model's training: the exported model carries it into train.py", async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(inject('baseUrl'));
  await page.locator('[data-testid="layer-node"]').first().waitFor();
  await openTrain(page);
  await typeField(page, 'batchSize', '48');
  await typeField(page, 'optimizer.lr', '0.025');
  await page
    .getByTestId('save-status')
    .filter({ hasText: /^Saved$/ })
    .waitFor();
  const download = page.waitForEvent('download');
  await menu(page, /^Export model JSON/);
  const parsed = parseModelDocument(readFileSync(await (await download).path(), 'utf8'));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  expect(parsed.doc.training).toMatchObject({ batchSize: 48, optimizer: { lr: 0.025 } });
  const dir = mkdtempSync(join(tmpdir(), 'lb-form-export-'));
  writeProject(parsed.doc, dir);
  const trainPy = readFileSync(join(dir, 'train.py'), 'utf8');
  expect(trainPy).toContain("'batchSize': 48,");
  expect(trainPy).toMatch(/'lr': 0\.025,/);
  await context.close();
}, 120_000);
