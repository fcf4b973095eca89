// The exported train.py trains a classification table (LBDS version 2) in real PyTorch: the
// example iris.csv, imported as the app does, and the Iris MLP template.
import { expect, test } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pytorchProject } from '../../src/core/python/pytorch-project.ts';
import { TEMPLATES } from '../../src/core/model/templates.ts';
import { defaultTrainingConfig } from '../../src/core/run/training-config.ts';
import { encodeLbds } from '../../src/core/formats/lbds.ts';
import { tabularFromCsv } from '../../src/core/formats/tabular.ts';

const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch']).status === 0;

test.skipIf(!hasTorch)(
  'train.py trains the Iris MLP on the iris table to more than 85% test accuracy',
  () => {
    const csv = readFileSync(new URL('../../static/examples/iris.csv', import.meta.url), 'utf8');
    const table = tabularFromCsv(csv, { label: 'species', task: 'classification', standardize: true });
    const iris = TEMPLATES.find((t) => t.id === 'iris-mlp')!.doc;
    const config = {
      ...defaultTrainingConfig('mnist'),
      dataset: { id: 'table' as const, label: 'species', task: 'classification' as const, standardize: true },
      optimizer: { type: 'Adam', lr: 0.01 },
      batchSize: 16,
      epochs: 40,
      transforms: { normalize: null, horizontalFlip: false, cropPadding: 0 },
    };
    const dir = mkdtempSync(join(tmpdir(), 'lb-table-'));
    for (const f of pytorchProject(iris, config)) writeFileSync(join(dir, f.path), f.content);
    writeFileSync(join(dir, 'table.lbds.gz'), gzipSync(encodeLbds(table)));
    const out = execFileSync(PYTHON, ['train.py'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    const acc = Number(/test accuracy ([\d.]+)/.exec(out)![1]);
    console.log(`train.py on iris: test accuracy ${acc}`);
    expect(acc).toBeGreaterThan(0.85);
  },
  120_000,
);
