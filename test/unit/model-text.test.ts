// Pasted model text: print(model) output and Python source are told apart and each goes
// to its own parser; errors keep their lines.
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { looksLikeRepr, parseModelText } from '../../src/core/python/model-text.ts';
import { chainOf } from './helpers/chain-of.ts';

const SEED = readFileSync('/work/shared/seed/pytorch-sequential-tutorial.txt', 'utf8');
/** The seed's text from its first `import` through the closing line of the first Sequential. */
function firstSequentialSource(): string {
  const lines = SEED.split('\n');
  const start = lines.findIndex((l) => l.startsWith('import torch.nn as nn'));
  const end = lines.findIndex((l, i) => i > start && /^\s*\)\s*$/.test(l));
  return lines.slice(start, end + 1).join('\n');
}

describe('parseModelText', () => {
  test("the seed's first nn.Sequential example is Python source: Conv2d, ReLU, Conv2d, ReLU", () => {
    const text = firstSequentialSource();
    expect(looksLikeRepr(text)).toBe(false);
    const r = parseModelText(text);
    expect(r.kind).toBe('Python source');
    expect(r.ok && chainOf(r.doc).layers).toEqual([
      { type: 'Conv2d', in_channels: 1, out_channels: 20, kernel_size: 5 },
      { type: 'ReLU' },
      { type: 'Conv2d', in_channels: 20, out_channels: 64, kernel_size: 5 },
      { type: 'ReLU' },
    ]);
    expect(r.ok && r.doc.input).toEqual([1, 28, 28]);
  });

  test("the seed's print(model) output is print(model) text with its OrderedDict names", () => {
    const start = SEED.indexOf('Sequential(\n  (conv1)');
    const text = SEED.slice(start, SEED.indexOf('\n)', start) + 2);
    const r = parseModelText(text);
    expect(r.kind).toBe('print(model)');
    expect(r.ok && chainOf(r.doc).names).toEqual(['conv1', 'relu1', 'conv2', 'relu2']);
  });

  test("a class like the seed's BS, written as Python, keeps its class name", () => {
    const text =
      'import torch.nn as nn\n\nclass BS(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.model = nn.Sequential(\n            nn.Conv2d(3, 32, 5, padding=2),\n            nn.MaxPool2d(2),\n            nn.Flatten(),\n            nn.Linear(8192, 10),\n        )\n\n    def forward(self, x):\n        return self.model(x)\n';
    const r = parseModelText(text);
    expect(r.kind).toBe('Python source');
    expect(r.ok && r.doc.className).toBe('BS');
    expect(r.ok && chainOf(r.doc).layers.map((l) => l.type)).toEqual(['Conv2d', 'MaxPool2d', 'Flatten', 'Linear']);
  });

  test('the input shape: given, or guessed and said so in a note', () => {
    const text = 'model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU())';
    const given = parseModelText(text, { input: [3, 64, 64] });
    expect(given.ok && given.doc.input).toEqual([3, 64, 64]);
    expect(given.notes).toEqual([]);
    const guessed = parseModelText(text);
    expect(guessed.ok && guessed.doc.input).toEqual([3, 32, 32]);
    expect(guessed.notes).toEqual([
      {
        line: null,
        message:
          'input shape guessed as 3×32×32 (3 input channels: CIFAR-10 size); print(model) and the code do not say it — change it if your data differs',
      },
    ]);
  });

  test('unknown layers and non-constant keywords are named with their lines', () => {
    const r = parseModelText(
      'model = nn.Sequential(\n  nn.Conv2d(1, 20, 5),\n  nn.Foo(3),\n  nn.ReLU(inplace=maybe)\n)',
    );
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.map((e) => e.line)).toEqual([3, 4]);
    expect(!r.ok && r.errors[0].message).toMatch(/nn\.Foo is not a layer/);
  });
});
