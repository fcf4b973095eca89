// Models beyond a chain in real PyTorch (/usr/bin/python3): the exported source of every
// graph template runs unchanged, print(model) is byte-identical to ours, the parameter
// count and the output shape equal ours. Skipped with a note when torch is missing.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { chainLayers } from '../../src/core/model/chain.ts';
import { inferModelShapes } from '../../src/core/model/graph-shapes.ts';
import { countParams } from '../../src/core/model/summary.ts';
import { TEMPLATES } from '../../src/core/model/templates.ts';
import { functionalText } from '../../src/core/python/module-export.ts';
import { layerConstructor, moduleRepr, pythonSource } from '../../src/core/python/pytorch-export.ts';
import type { LayerSpec } from '../../src/core/model/types.ts';

const PYTHON = process.env.LAYERBOARD_PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
if (!hasTorch)
  console.warn(`\n  NOTE: ${PYTHON} cannot import torch; the graph export tests in PyTorch are SKIPPED.\n`);

/** Runs model.py as a module: its own __main__ output, then the parameter count. */
const RUNNER = `
import runpy, sys, io, contextlib
out = io.StringIO()
with contextlib.redirect_stdout(out):
    ns = runpy.run_path(sys.argv[1], run_name='__main__')
model = ns[sys.argv[2]]()
print(out.getvalue(), end='')
print('params:', sum(p.numel() for p in model.parameters()))
`;

const graphs = TEMPLATES.filter((t) => !chainLayers(t.doc));

describe.skipIf(!hasTorch)('graph templates in real PyTorch', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'layerboard-graphs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  test('there are graph templates to check', () =>
    expect(graphs.map((t) => t.id)).toEqual(['cifar10-resnet20', 'cifar10-inception', 'mnist-resnet']));
  test.each(graphs.map((t) => [t.id, t.doc] as const))(
    '%s: source runs; print(model), parameters and output shape equal ours',
    (id, doc) => {
      const file = join(dir, `${id}.py`);
      writeFileSync(file, pythonSource(doc));
      const out = execFileSync(PYTHON, ['-c', RUNNER, file, doc.className!], { encoding: 'utf8' });
      const lines = out.trimEnd().split('\n');
      const params = Number(lines.pop()!.replace('params: ', ''));
      const shapeLine = lines.pop();
      expect(lines.join('\n')).toBe(moduleRepr(doc));
      const report = inferModelShapes(doc, { batch: 2 });
      expect(report.error).toBeNull();
      expect(shapeLine).toBe(`output shape: (${report.shapes.at(-1)!.join(', ')})`);
      expect(params).toBe(report.graph.modules.reduce((n, m) => n + countParams(m.layer).total, 0));
    },
  );
  test('ResNet-20 has the 0.27 M parameters of He et al. (with 1×1 projection shortcuts)', () => {
    const doc = TEMPLATES.find((t) => t.id === 'cifar10-resnet20')!.doc;
    const total = inferModelShapes(doc).graph.modules.reduce((n, m) => n + countParams(m.layer).total, 0);
    expect(total).toBe(272_474);
  });
});

/** Every functional form, with non-default keywords, against its module in PyTorch on one random input. */
const FUNCTIONAL: LayerSpec[] = [
  { type: 'ReLU' },
  { type: 'ReLU', inplace: true },
  { type: 'LeakyReLU', negative_slope: 0.2 },
  { type: 'Sigmoid' },
  { type: 'Tanh' },
  { type: 'GELU', approximate: 'tanh' },
  { type: 'ELU', alpha: 0.5 },
  { type: 'Softmax', dim: 1 },
  { type: 'LogSoftmax', dim: -1 },
  { type: 'MaxPool2d', kernel_size: 3, stride: 2, padding: 1, ceil_mode: true },
  { type: 'MaxPool2d', kernel_size: [2, 3] },
  { type: 'AvgPool2d', kernel_size: 3, stride: 1, padding: 1, count_include_pad: false },
  { type: 'AdaptiveAvgPool2d', output_size: [3, null] },
  { type: 'Flatten' },
  { type: 'Flatten', start_dim: 2 },
  { type: 'Flatten', start_dim: 1, end_dim: 2 },
];

describe.skipIf(!hasTorch)('functional forms in real PyTorch', { timeout: 60_000 }, () => {
  test("F.* / torch.* as exported give the module's result exactly", () => {
    const script = [
      'import torch',
      'import torch.nn as nn',
      'import torch.nn.functional as F',
      'torch.manual_seed(0)',
      ...FUNCTIONAL.map(
        (l, i) =>
          `x = torch.randn(2, 3, 7, 7)\nprint(${i}, torch.equal(${layerConstructor(l)}(x.clone()), ${functionalText(l, 'x.clone()')}))`,
      ),
    ].join('\n');
    const out = execFileSync(PYTHON, ['-c', script], { encoding: 'utf8' });
    expect(out.trim().split('\n')).toEqual(FUNCTIONAL.map((_, i) => `${i} True`));
  });
});
