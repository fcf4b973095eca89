import { describe, expect, test } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pytorchProject, pyLiteral } from '../../src/core/python/pytorch-project.ts';
import { TEMPLATES } from '../../src/core/model/templates.ts';
import { defaultTrainingConfig } from '../../src/core/run/training-config.ts';
import { encodeLbds } from '../../src/core/formats/lbds.ts';
import { decodeSafetensors } from '../../src/core/formats/safetensors.ts';
import { chainLayers } from '../../src/core/model/chain.ts';

const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch']).status === 0;
if (!hasTorch)
  console.warn(
    'NOTE: /usr/bin/python3 has no torch (apt-get install python3-torch): exported-project tests in real PyTorch are skipped',
  );

const mnist = TEMPLATES.find((t) => t.id === 'mnist-convnet')!.doc;

/** A learnable 2-class dataset in Layerboard's dataset format: bright top half vs bright bottom half. */
function tinyDataset(): Uint8Array {
  const n = 96,
    pixels = new Uint8Array(n * 28 * 28),
    labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let p = 0; p < 784; p++) pixels[i * 784 + p] = p < 392 === (i % 2 === 0) ? 200 + (p % 50) : (i * 7 + p) % 40;
  }
  return gzipSync(
    encodeLbds({
      name: 'tiny',
      classes: ['top', 'bottom'],
      channels: 1,
      height: 28,
      width: 28,
      train: 80,
      test: 16,
      pixels,
      labels,
    }),
  );
}

describe('PyTorch project export', () => {
  test('the configuration becomes a Python literal, not code', () => {
    expect(pyLiteral({ a: [1, 2.5], b: null, c: "it's", d: true })).toBe(
      `{\n    'a': [1, 2.5],\n    'b': None,\n    'c': "it's",\n    'd': True,\n}`,
    );
    const config = { ...defaultTrainingConfig('mnist'), loss: { type: "CrossEntropyLoss'); import os; os.system('x" } };
    const train = pytorchProject(mnist, config).find((f) => f.path === 'train.py')!.content;
    expect(train).toContain(`'type': "CrossEntropyLoss'); import os; os.system('x"`);
  });
  test('files: model.py, train.py, README.md with the class and no absolute paths', () => {
    const files = pytorchProject({ ...mnist, className: 'MnistNet' }, defaultTrainingConfig('mnist'));
    expect(files.map((f) => f.path)).toEqual(['model.py', 'train.py', 'README.md']);
    expect(files[1].content).toContain('from model import MnistNet as MODEL_CLASS');
    for (const f of files) expect(f.content).not.toMatch(/\/(work|root|home|tmp)\//);
  });

  test.skipIf(!hasTorch)(
    'train.py trains one short epoch in real PyTorch, writes loadable weights, and --init reloads them',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'lb-project-'));
      // ReduceLROnPlateau steps with the validation loss, as in Layerboard
      const config = {
        ...defaultTrainingConfig('mnist'),
        optimizer: { type: 'SGD', lr: 0.05, momentum: 0.9 },
        scheduler: { type: 'ReduceLROnPlateau', patience: 0, factor: 0.5 },
        gradClip: { type: 'norm' as const, max_norm: 5 },
        earlyStopping: {
          monitor: 'val_loss' as const,
          patience: 3,
          min_delta: 0,
          mode: 'auto' as const,
          restore_best_weights: true,
        },
        batchSize: 16,
        valSplit: 0.2,
      };
      for (const f of pytorchProject(mnist, config)) writeFileSync(join(dir, f.path), f.content);
      writeFileSync(join(dir, 'tiny.lbds.gz'), tinyDataset());
      const run = (args: string[]) =>
        execFileSync(PYTHON, ['train.py', '--data', 'tiny.lbds.gz', ...args], {
          cwd: dir,
          encoding: 'utf8',
          env: { ...process.env, OMP_NUM_THREADS: '1' },
        });
      const out = run(['--epochs', '2']);
      expect(out).toMatch(/note: the tensorboard package is not installed|^epoch 1/m);
      const acc = Number(/test accuracy ([\d.]+)/.exec(out)![1]);
      expect(acc).toBeGreaterThanOrEqual(0.9);
      const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(join(dir, 'weights.safetensors'))));
      const first = `${mnist.modules[0].name}.weight`;
      expect(Object.keys(tensors)).toContain(first);
      expect(tensors[first].shape).toEqual([chainLayers(mnist)!.layers[0].out_channels as number, 1, 3, 3]);
      const again = run([
        '--epochs',
        '1',
        '--init',
        'weights.safetensors',
        '--save',
        'again.safetensors',
        '--max-steps',
        '2',
      ]);
      expect(again).toContain('loaded weights from weights.safetensors');
      expect(existsSync(join(dir, 'again.safetensors'))).toBe(true);
      // --epochs 0 only evaluates: the saved weights score exactly what the run printed for them
      const evaluated = run(['--epochs', '0', '--init', 'weights.safetensors', '--save', '']);
      expect(/test loss .*/.exec(evaluated)![0]).toBe(/test loss .*/.exec(out)![0]);
      expect(evaluated).not.toMatch(/^epoch /m);
    },
    120_000,
  );

  // What torchrun does: one process per rank with MASTER_ADDR/PORT, WORLD_SIZE, RANK and
  // LOCAL_RANK set. (Debian's torchrun launcher itself crashes on Python 3.11, so the test
  // starts the two ranks the way it would.)
  test.skipIf(!hasTorch)(
    'train.py runs as 2 DistributedDataParallel processes (gloo on CPU)',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lb-ddp-'));
      for (const f of pytorchProject(mnist, { ...defaultTrainingConfig('mnist'), batchSize: 8, valSplit: 0 }))
        writeFileSync(join(dir, f.path), f.content);
      writeFileSync(join(dir, 'tiny.lbds.gz'), tinyDataset());
      const port = String(29500 + Math.floor(Math.random() * 1000));
      const { spawn } = await import('node:child_process');
      const rank = (r: number) =>
        new Promise<string>((resolve, reject) => {
          const p = spawn(
            PYTHON,
            ['train.py', '--data', 'tiny.lbds.gz', '--epochs', '1', '--save', r === 0 ? 'ddp.safetensors' : ''],
            {
              cwd: dir,
              env: {
                ...process.env,
                MASTER_ADDR: '127.0.0.1',
                MASTER_PORT: port,
                WORLD_SIZE: '2',
                RANK: String(r),
                LOCAL_RANK: String(r),
                OMP_NUM_THREADS: '1',
              },
            },
          );
          let out = '';
          p.stdout.on('data', (d) => (out += d));
          p.stderr.on('data', (d) => (out += d));
          p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`rank ${r} exited ${code}: ${out}`))));
        });
      const [out0] = await Promise.all([rank(0), rank(1)]);
      expect(out0).toMatch(/test accuracy [\d.]+/);
      expect(existsSync(join(dir, 'ddp.safetensors'))).toBe(true);
    },
    120_000,
  );
});
