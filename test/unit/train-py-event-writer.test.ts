// The exported train.py in real PyTorch without the tensorboard package (Debian's has
// none): its built-in event writer logs scalars, histograms, images, text, PR curves and
// hparams — the tags and steps Layerboard's own training logs; Google's
// protobuf library reads every record over TensorBoard's protos, `inspect` lists them and
// the Board imports each kind.
import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { pytorchProject } from '../../src/core/python/pytorch-project.ts';
import { TEMPLATES } from '../../src/core/model/templates.ts';
import { defaultTrainingConfig } from '../../src/core/run/training-config.ts';
import { encodeLbds } from '../../src/core/formats/lbds.ts';
import { createDatabase } from '../../src/db/schema.ts';
import { importEventFiles } from '../../src/db/tfevents-exchange.ts';
import { inspectLogdir } from '../../src/cli/inspect.ts';

const PYTHON = '/usr/bin/python3';
const PROTO_ROOT = resolve(process.env.SHARED_DIR ?? '../shared', 'tfevents/proto');
const PY_DIR = resolve('test/unit/python');
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch']).status === 0;
const hasTensorboard = spawnSync(PYTHON, ['-c', 'import tensorboard']).status === 0;
const hasProtobuf =
  existsSync(PROTO_ROOT) &&
  spawnSync('protoc', ['--version']).status === 0 &&
  spawnSync(PYTHON, ['-c', 'import google.protobuf']).status === 0;
const ready = hasTorch && !hasTensorboard && hasProtobuf;
if (!ready)
  console.warn(
    'NOTE: needs python3-torch without tensorboard, protoc and python3-protobuf: the train.py event-writer test is skipped',
  );

function tinyDataset(): Uint8Array {
  const n = 64,
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
      train: 48,
      test: 16,
      pixels,
      labels,
    }),
  );
}

describe.skipIf(!ready)("train.py's fallback event writer", () => {
  test('a run of train.py is read by Google protobuf, listed by inspect and imported with every kind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lb-fallback-'));
    const mnist = TEMPLATES.find((t) => t.id === 'mnist-convnet')!.doc;
    const config = {
      ...defaultTrainingConfig('mnist'),
      optimizer: { type: 'SGD', lr: 0.05, momentum: 0.9 },
      batchSize: 16,
      valSplit: 0.25,
    };
    for (const f of pytorchProject(mnist, config)) writeFileSync(join(dir, f.path), f.content);
    writeFileSync(join(dir, 'tiny.lbds.gz'), tinyDataset());
    const out = execFileSync(PYTHON, ['train.py', '--data', 'tiny.lbds.gz', '--epochs', '1', '--logdir', 'runs/tiny'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    expect(out).toContain('through a built-in event writer');
    const files = readdirSync(join(dir, 'runs/tiny')).filter((f) => f.includes('tfevents'));
    expect(files).toHaveLength(1);
    const path = join(dir, 'runs/tiny', files[0]);

    // Google's library over TensorBoard's protos: every record frames (CRC-32C) and parses
    const protoOut = mkdtempSync(join(tmpdir(), 'tb-proto-'));
    const compat = readdirSync(join(PROTO_ROOT, 'tensorboard/compat/proto'))
      .filter((f) => f.endsWith('.proto'))
      .map((f) => `tensorboard/compat/proto/${f}`);
    execFileSync('protoc', ['-I', PROTO_ROOT, `--python_out=${protoOut}`, ...compat]);
    execFileSync('protoc', ['-I', PY_DIR, '-I', '/usr/include', `--python_out=${protoOut}`, 'hparams_plugin.proto']);
    const oracle = execFileSync(PYTHON, [join(PY_DIR, 'tfevents_oracle.py'), protoOut, 'read', path], {
      encoding: 'utf8',
    });
    expect(oracle).toContain('brain.Event:2');
    const records = execFileSync(PYTHON, [join(PY_DIR, 'tfevents_roundtrip.py'), protoOut, 'dump', path], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: `${protoOut}:${PY_DIR}` },
    })
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            kind: string;
            tag: string;
            num?: number;
            text?: string[];
            part?: string;
            detail?: Record<string, unknown>;
            step: number;
            size?: number[];
            shape?: number[];
            limits?: number[];
          },
      );
    const kinds = [...new Set(records.map((r) => r.kind))].sort();
    expect(kinds).toEqual(['histogram', 'hparams', 'image', 'pr_curve', 'scalar', 'text']);
    // Layerboard's tags and steps (core/run/summary-tags.ts): 36 training examples in batches
    // of 16 = 3 steps, histograms every ceil(3/50) = 1 step, of every parameter and its gradient
    const stepsOf = (tag: string) => records.filter((r) => r.tag === tag).map((r) => r.step);
    const conv = `${mnist.modules[0].name}.weight`;
    expect(stepsOf(`weights/${conv}`)).toEqual([0, 1, 2]);
    expect(stepsOf(`grads/${conv}`)).toEqual([0, 1, 2]);
    const histogram = records.find((r) => r.tag === `weights/${conv}`)!;
    expect(histogram.num).toBeGreaterThan(0);
    // TensorFlow's bucket edges (±1e-12 · 1.1^k), as the engine's histograms
    const power = (l: number) => Math.log(Math.abs(l) / 1e-12) / Math.log(1.1);
    expect(histogram.limits!.every((l) => l === 0 || Math.abs(power(l) - Math.round(power(l))) < 1e-6)).toBe(true);
    expect(stepsOf('images/inputs')).toEqual([0]);
    expect(records.find((r) => r.tag === 'images/inputs')!.size).toEqual([8 * 30 + 2, 2 * 30 + 2, 1]);
    expect(stepsOf(`filters/${conv}`)).toEqual([2]);
    expect(stepsOf('pr_curve/top')).toEqual([1]);
    expect(stepsOf('pr_curve/bottom')).toEqual([1]);
    expect(records.find((r) => r.tag === 'pr_curve/top')!.shape).toEqual([6, 127]);
    expect(records.find((r) => r.tag === 'model/text_summary')!.text![0]).toContain('Conv2d(');
    expect(records.find((r) => r.part === 'session_start_info')!.detail).toMatchObject({
      'optimizer.lr': ['number_value', 0.05],
    });

    // inspect lists the tags of each kind; the Board imports them
    const [run] = await inspectLogdir(join(dir, 'runs'));
    const tagKinds = new Set(run.tags.map((t) => t.kind));
    expect([...tagKinds].sort()).toEqual(['histogram', 'hparams', 'image', 'pr_curve', 'scalar', 'text']);
    console.log(
      `train.py fallback writer: ${run.events} events, ${statSync(path).size} bytes, ${run.tags.length} tags (${run.tags.filter((t) => t.kind === 'histogram').length} histograms, ${run.tags.filter((t) => t.kind === 'scalar').length} scalars)`,
    );
    const db = createDatabase('fallback', { indexedDB: new IDBFactory(), IDBKeyRange });
    const result = await importEventFiles(db, [
      { path: `runs/tiny/${files[0]}`, bytes: new Uint8Array(readFileSync(path)) },
    ]);
    expect(result.problems).toEqual([]);
    const id = result.runs[0].id;
    expect((await db.summaries.where('runId').equals(id).toArray()).filter((s) => s.kind === 'histogram').length).toBe(
      run.tags.filter((t) => t.kind === 'histogram').reduce((n, t) => n + t.count, 0),
    );
    expect((await db.hparams.get(id))!.hparams).toMatchObject({ 'optimizer.type': 'SGD', batchSize: 16 });
    expect(Object.keys((await db.hparams.get(id))!.metrics)).toEqual(['hparam/accuracy/test', 'hparam/loss/test']);
    db.close();
  }, 180_000);
});
