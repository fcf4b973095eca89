// Holds the export against real PyTorch (Debian's python3-torch at /usr/bin/python3):
// repr of random layers of every type, float reprs, the names add_module refuses, and the
// generated source of every template run as a script. Skips, with a visible note, only
// when that Python has no torch.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { pythonNameError, PYTHON_KEYWORDS, SEQUENTIAL_ATTRIBUTES } from '../../src/core/python/python-names.ts';
import { pyFloat } from '../../src/core/python/python-literals.ts';
import { layerRepr, moduleRepr, pythonSource, sequentialRepr } from '../../src/core/python/pytorch-export.ts';
import { readModelRepr } from '../../src/core/python/repr-import.ts';
import { chainOf } from './helpers/chain-of.ts';
import { inferShapes } from '../../src/core/model/shapes.ts';
import { TEMPLATES } from '../../src/core/model/templates.ts';
import type { ModelDocument } from '../../src/core/model/types.ts';
import { makeRng, randomLayersOfEveryType } from './helpers/random-layers.ts';
import { newModelDocument } from '../../src/core/model/model-json.ts';
import { chainLayers } from '../../src/core/model/chain.ts';

const PYTHON = process.env.LAYERBOARD_PYTHON ?? '/usr/bin/python3';
const ORACLE = new URL('../python/torch_oracle.py', import.meta.url).pathname;
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
if (!hasTorch) console.warn(`\n  NOTE: ${PYTHON} cannot import torch; the PyTorch parity tests are SKIPPED.\n`);

function oracle<T>(request: object): T {
  const out = execFileSync(PYTHON, [ORACLE], { input: JSON.stringify(request), maxBuffer: 64 << 20 });
  return JSON.parse(out.toString()) as T;
}

/** Every catalogue layer in one shape-valid chain, with names and non-default keywords. */
const EVERY_LAYER: ModelDocument = {
  ...newModelDocument(
    [3, 16, 16],
    [
      {
        type: 'Conv2d',
        in_channels: 3,
        out_channels: 8,
        kernel_size: 3,
        padding: 'same',
        padding_mode: 'reflect',
        bias: false,
      },
      { type: 'BatchNorm2d', num_features: 8, momentum: null },
      { type: 'LeakyReLU', negative_slope: 0.2 },
      { type: 'MaxPool2d', kernel_size: 2, ceil_mode: true },
      { type: 'AvgPool2d', kernel_size: 3, stride: 1, padding: 1, count_include_pad: false },
      { type: 'AdaptiveAvgPool2d', output_size: [4, null] },
      { type: 'GELU', approximate: 'tanh' },
      { type: 'ELU', alpha: 0.5 },
      { type: 'Tanh' },
      { type: 'Sigmoid' },
      { type: 'Flatten' },
      { type: 'Dropout', p: 0.1 },
      { type: 'Linear', in_features: 256, out_features: 32 },
      { type: 'BatchNorm1d', num_features: 32, eps: 1e-3 },
      { type: 'ReLU', inplace: true },
      { type: 'Linear', in_features: 32, out_features: 10, bias: false },
      { type: 'Softmax', dim: 1 },
      { type: 'LogSoftmax', dim: -1 },
    ],
    [
      'conv',
      'bn2',
      'leaky',
      'maxpool',
      'avgpool',
      'adaptive',
      'gelu',
      'elu',
      'tanh',
      'sigmoid',
      'flatten',
      'drop',
      'fc1',
      'bn1',
      'relu',
      'fc2',
      'softmax',
      'log_softmax',
    ],
  ),
  className: 'EveryLayer',
};

describe.skipIf(!hasTorch)('parity with real PyTorch (/usr/bin/python3)', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'layerboard-parity-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('repr of 30 random layers of every type equals PyTorch, and reads back', () => {
    const layers = randomLayersOfEveryType(2025, 30);
    const { reprs } = oracle<{ reprs: (string | { error: string })[] }>({ op: 'reprs', layers });
    layers.forEach((layer, i) => {
      expect(layerRepr(layer), JSON.stringify(layer)).toBe(reprs[i]);
      const back = readModelRepr(`Sequential(\n  (0): ${reprs[i] as string}\n)`);
      expect(back.ok && layerRepr(chainOf(back.doc).layers[0])).toBe(reprs[i]);
    });
  });

  test('print(nn.Sequential(OrderedDict(...))) with names PyTorch takes but code cannot', () => {
    const layers = [{ type: 'ReLU' }, { type: 'Tanh' }, { type: 'Sigmoid' }, { type: 'Flatten' }];
    const names = ['0', 'x y', 'class', 'é'];
    const { text } = oracle<{ text: string }>({ op: 'sequential', layers, names });
    expect(sequentialRepr(layers, names)).toBe(text);
  });

  test("float repr equals Python's for 2000 random doubles", () => {
    const rng = makeRng(7);
    const values = Array.from({ length: 2000 }, (_, i) => {
      const bits = new DataView(new ArrayBuffer(8));
      bits.setUint32(0, Math.floor(rng() * 2 ** 32));
      bits.setUint32(4, Math.floor(rng() * 2 ** 32));
      const x = i % 2 ? bits.getFloat64(0) : rng() * 10 ** Math.floor(rng() * 40 - 20);
      return Number.isFinite(x) ? x : 1.5;
    });
    const { reprs } = oracle<{ reprs: string[] }>({ op: 'floats', values });
    values.forEach((x, i) => expect(pyFloat(x)).toBe(reprs[i]));
  });

  test('names: every attribute PyTorch refuses is refused, valid names are accepted', () => {
    const { names: attributes } = oracle<{ names: string[] }>({ op: 'attributes' });
    for (const name of attributes) expect(pythonNameError(name), name).not.toBeNull();
    for (const name of attributes) if (!name.startsWith('__')) expect(SEQUENTIAL_ATTRIBUTES).toContain(name);
    const valid = ['conv1', 'fc', 'match', 'case', '_', 'model', 'T_max', 'x9'];
    const { accepted } = oracle<{ accepted: boolean[] }>({
      op: 'names',
      names: [...valid, ...attributes.slice(0, 20), 'a.b', ''],
    });
    expect(accepted).toEqual([...valid.map(() => true), ...attributes.slice(0, 20).map(() => false), false, false]);
    const kw = spawnSync(PYTHON, ['-c', 'import keyword; print(" ".join(keyword.kwlist))'])
      .stdout.toString()
      .trim()
      .split(' ');
    expect([...PYTHON_KEYWORDS].sort()).toEqual(kw.sort());
  });

  test('generated source of every template (and an every-layer model) runs; print(model) equals moduleRepr', () => {
    // Chains here; graph templates: graph-export-pytorch.test.ts.
    const docs = [...TEMPLATES.map((t) => t.doc).filter((d) => chainLayers(d)), EVERY_LAYER];
    const files = docs.map((doc, i) => {
      const file = join(dir, `model_${i}.py`);
      writeFileSync(file, pythonSource(doc));
      return file;
    });
    const { outputs } = oracle<{ outputs: (string | { error: string })[] }>({ op: 'run', files });
    docs.forEach((doc, i) => {
      expect(typeof outputs[i], JSON.stringify(outputs[i])).toBe('string');
      const lines = (outputs[i] as string).trimEnd().split('\n');
      const shapeLine = lines.pop();
      expect(lines.join('\n')).toBe(moduleRepr(doc));
      const report = inferShapes(chainLayers(doc)!.layers, [2, ...doc.input]);
      const last = report.shapes.length ? report.shapes[report.shapes.length - 1] : report.input;
      expect(shapeLine).toBe(`output shape: (${last!.join(', ')})`);
    });
  });
});
