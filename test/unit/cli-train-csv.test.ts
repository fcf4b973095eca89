// `layerboard train --dataset FILE.csv --label COLUMN`: the example Iris CSV trains an MLP
// (input [4]) to >90% test accuracy; a regression target trains with MSELoss on [1] float
// targets; CSV problems and missing flags are named.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { runTrain } from '../../src/cli/train.ts';
import { serializeModelDocument } from '../../src/core/model/model-json.ts';
import { templateDocument } from '../../src/core/model/templates.ts';

const dir = mkdtempSync(join(tmpdir(), 'lb-train-csv-'));
const IRIS = fileURLToPath(new URL('../../static/datasets/iris.csv', import.meta.url));
const IRIS_MODEL = join(dir, 'iris.json');
writeFileSync(IRIS_MODEL, serializeModelDocument(templateDocument('iris-mlp')));

let out: string[];
beforeEach(() => {
  out = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
});
afterEach(() => vi.restoreAllMocks());

test('the example iris.csv trains the Iris MLP template to more than 90% test accuracy', async () => {
  const code = await runTrain([
    IRIS_MODEL,
    '--dataset',
    IRIS,
    '--label',
    'species',
    '--optimizer',
    'adam',
    '--lr',
    '0.01',
    '--batch-size',
    '16',
    '--epochs',
    '40',
    '--json',
  ]);
  expect(code, out.join('\n')).toBe(0);
  const r = JSON.parse(out.join('\n')) as { test: { accuracy: number; examples: number } };
  expect(r.test.examples).toBe(30);
  expect(r.test.accuracy).toBeGreaterThan(0.9);
}, 60_000);

test('a regression column trains with MSELoss against [1] float targets and the loss falls', async () => {
  // y = 2a − b + 1 with a little structure-free jitter
  const rows = Array.from({ length: 200 }, (_, i) => {
    const a = (i % 17) / 4,
      b = ((i * 7) % 13) / 3;
    return `${a},${b},${(2 * a - b + 1 + ((i % 5) - 2) * 0.01).toFixed(4)}`;
  });
  const csv = join(dir, 'line.csv');
  writeFileSync(csv, `a,b,y\n${rows.join('\n')}\n`);
  const model = join(dir, 'linear.json');
  writeFileSync(
    model,
    JSON.stringify({
      format: 'layerboard-model',
      version: 1,
      input: [2],
      layers: [{ type: 'Linear', in_features: 2, out_features: 1 }],
    }),
  );
  const code = await runTrain([
    model,
    '--dataset',
    csv,
    '--label',
    'y',
    '--task',
    'regression',
    '--loss',
    'MSELoss',
    '--optimizer',
    'adam',
    '--lr',
    '0.05',
    '--batch-size',
    '16',
    '--epochs',
    '30',
    '--json',
  ]);
  expect(code, out.join('\n')).toBe(0);
  const r = JSON.parse(out.join('\n')) as {
    epochs: { trainLoss: number }[];
    test: { loss: number; accuracy: number | null };
  };
  expect(r.epochs.at(-1)!.trainLoss).toBeLessThan(r.epochs[0].trainLoss / 10);
  expect(r.test.loss).toBeLessThan(0.05);
  expect(r.test.accuracy).toBeNull();
}, 60_000);

test('CSV problems and missing flags are named', async () => {
  const bad = join(dir, 'bad.csv');
  writeFileSync(
    bad,
    `a,b,label\n${Array.from({ length: 12 }, (_, i) => `${i},${i === 7 ? 'x' : i},c${i % 2}`).join('\n')}`,
  );
  await expect(runTrain([IRIS_MODEL, '--dataset', bad, '--label', 'label', '--lr', '0.1'])).rejects.toThrow(
    /row 9, column 'b': 'x' is not a number/,
  );
  out = [];
  expect(await runTrain([IRIS_MODEL, '--dataset', IRIS, '--lr', '0.1'])).toBe(2);
  expect(out.join('\n')).toMatch(/--dataset FILE\.csv needs --label COLUMN/);
});

test('--no-standardize keeps the features as they are (the config says so)', async () => {
  const args = [IRIS_MODEL, '--dataset', IRIS, '--label', 'species', '--lr', '0.01', '--epochs', '1', '--json'];
  expect(await runTrain([...args, '--no-standardize'])).toBe(0);
  const raw = JSON.parse(out.join('\n')) as { config: { dataset: unknown }; epochs: { trainLoss: number }[] };
  expect(raw.config.dataset).toEqual({ id: 'table', label: 'species', task: 'classification', standardize: false });
  out = [];
  expect(await runTrain(args)).toBe(0);
  const std = JSON.parse(out.join('\n')) as { config: { dataset: unknown }; epochs: { trainLoss: number }[] };
  expect(std.config.dataset).toEqual({ id: 'table', label: 'species', task: 'classification', standardize: true });
  // the same seed and model: only the inputs differ, so the losses do
  expect(std.epochs[0].trainLoss).not.toBe(raw.epochs[0].trainLoss);
}, 60_000);
