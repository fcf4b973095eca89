import { describe, expect, test, vi } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runImport, looksLikeRepr } from '../../src/cli/import.ts';
import { runExport } from '../../src/cli/export.ts';
import { parseModelDocument } from '../../src/core/model/model-json.ts';

const SEED_REPR = `BS(
  (model): Sequential(
    (0): Conv2d(3, 32, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))
    (1): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    (2): Flatten(start_dim=1, end_dim=-1)
    (3): Linear(in_features=8192, out_features=10, bias=True)
  )
)`;

function capture(): { out: () => string; err: () => string; restore: () => void } {
  let out = '',
    err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  const l = vi.spyOn(console, 'log').mockImplementation((...a) => {
    out += `${a.join(' ')}\n`;
  });
  const e = vi.spyOn(console, 'error').mockImplementation((...a) => {
    err += `${a.join(' ')}\n`;
  });
  return {
    out: () => out,
    err: () => err,
    restore: () => {
      o.mockRestore();
      l.mockRestore();
      e.mockRestore();
    },
  };
}

describe('layerboard import / export --format pytorch-project', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lb-cli-'));
  test('print(model) text becomes a model file with the class name and a guessed input', async () => {
    writeFileSync(join(dir, 'bs.txt'), SEED_REPR);
    expect(looksLikeRepr(SEED_REPR)).toBe(true);
    const io = capture();
    const code = await runImport([join(dir, 'bs.txt'), '--out', join(dir, 'bs.json')]);
    io.restore();
    expect(code).toBe(0);
    const doc = parseModelDocument(readFileSync(join(dir, 'bs.json'), 'utf8'));
    expect(doc.ok && doc.doc.className).toBe('BS');
    expect(doc.ok && doc.doc.input).toEqual([3, 32, 32]);
    expect(doc.ok && doc.doc.modules.length).toBe(4);
    expect(io.err()).toContain('bs.txt: note: input shape guessed as 3×32×32');
    expect(io.err()).toContain('bs.txt: imported BS from print(model): 4 layers, 84,362 parameters, 3×32×32 → 10');
  });
  test('Python source errors name file and line', async () => {
    writeFileSync(join(dir, 'bad.py'), 'import torch.nn as nn\nmodel = nn.Sequential(\n  nn.Conv3d(1, 2, 3))\n');
    const io = capture();
    const code = await runImport([join(dir, 'bad.py')]);
    io.restore();
    expect(code).toBe(1);
    expect(io.err()).toMatch(new RegExp(`bad\\.py:3: error: nn\\.Conv3d is not a layer Layerboard knows`));
  });
  test('the project export writes model.py, train.py and README.md', async () => {
    const io = capture();
    const code = await runExport([join(dir, 'bs.json'), '--format', 'pytorch-project', '--out', join(dir, 'project')]);
    io.restore();
    expect(code).toBe(0);
    for (const f of ['model.py', 'train.py', 'README.md']) expect(existsSync(join(dir, 'project', f))).toBe(true);
    expect(readFileSync(join(dir, 'project', 'train.py'), 'utf8')).toContain("'id': 'cifar10'");
  });
  test('a partial training object: each missing field named; none at all: the dataset from the input', async () => {
    const model = {
      format: 'layerboard-model',
      version: 1,
      input: [1, 28, 28],
      layers: [{ type: 'Flatten' }, { type: 'Linear', in_features: 784, out_features: 10 }],
    };
    writeFileSync(
      join(dir, 'partial.json'),
      JSON.stringify({ ...model, training: { optimizer: { type: 'Adam' }, epochs: 2 } }),
    );
    let io = capture();
    expect(await runExport([join(dir, 'partial.json'), '--format', 'pytorch-project', '--out', join(dir, 'p1')])).toBe(
      1,
    );
    io.restore();
    expect(io.err()).toContain('partial.json: training.loss: missing');
    expect(io.err()).toContain('partial.json: training.batchSize: missing');
    expect(existsSync(join(dir, 'p1'))).toBe(false);
    for (const [input, id] of [
      [[1, 28, 28], "'id': 'mnist'"],
      [[3, 64, 64], "'id': 'imagefolder',\n        'imageSize': 64"],
      [[5], "'id': 'synthetic'"],
    ] as const) {
      writeFileSync(join(dir, 'plain.json'), JSON.stringify({ ...model, input, layers: [] }));
      io = capture();
      expect(await runExport([join(dir, 'plain.json'), '--format', 'pytorch-project', '--out', join(dir, 'p2')])).toBe(
        0,
      );
      io.restore();
      expect(readFileSync(join(dir, 'p2', 'train.py'), 'utf8')).toContain(id);
    }
  });
});
