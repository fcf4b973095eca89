// Hostile model texts for the Paste/Import dialog and `layerboard import`: Python source
// and print(model) text, from the fixtures and the templates' own exports, broken on
// purpose (unbalanced brackets, sizes past the limits, floats for ints, 100,000-deep
// nesting, two forwards) or mutated at random. A residual forward must keep its add.
import { readdirSync, readFileSync } from 'node:fs';
import { flattenModel } from '../../src/core/model/flat-graph.ts';
import { graphModuleRepr, graphPythonSource } from '../../src/core/python/module-export.ts';
import { parseModelText } from '../../src/core/python/model-text.ts';
import type { Case, EntryPoint, Outcome } from './judge.ts';
import { acceptedModelProblem, MODEL_BASES } from './models.ts';
import { mutateText, Rng } from './mutate.ts';

const fixtures = (dir: string): string[] => {
  const url = new URL(`../fixtures/${dir}/`, import.meta.url);
  return readdirSync(url)
    .sort()
    .map((f) => readFileSync(new URL(f, url), 'utf8'));
};

const RESIDUAL_FORWARDS = [
  'y = self.a(x)\n        x = x + y\n        return self.b(x)',
  'x = x + self.a(x)\n        return self.b(x)',
  'residual = x\n        x = self.a(x)\n        x += residual\n        return self.b(x)',
  'return self.b(x) + self.a(x)',
  'out = self.a(x)\n        out = out + x\n        out = self.b(out)\n        return out + x',
];
const residualSource = (forward: string) => `import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(8, 8)
        self.b = nn.Linear(8, 8)

    def forward(self, x):
        ${forward}
`;

/** What an import gave; `adds`: the number of add nodes an accept must keep (a residual forward). */
function textOutcome(text: string, adds = 0): Outcome {
  const r = parseModelText(text);
  if (!r.ok) return { kind: 'error', messages: r.errors.map((e) => `line ${e.line}: ${e.message}`) };
  const kept = flattenModel(r.doc).nodes.filter((n) => 'op' in n && n.op === 'add').length;
  if (kept < adds) return { kind: 'accept', problem: `the forward's ${adds} add(s) came back as ${kept}` };
  return { kind: 'accept', problem: acceptedModelProblem(r.doc) };
}

const SIZE_LAYER = /((?:Conv2d|Linear|BatchNorm[12]d)\()(\d+)/g;
const BAD_SIZES = ['1e300', '100000000000000000000000', '2147483648', '3.0', '0', '1e21'];

/** A size argument (in_channels, in_features, num_features) past a limit or not an int: must be refused. */
function badSize(rng: Rng, text: string): { text: string; what: string } | null {
  const sites = [...text.matchAll(SIZE_LAYER)];
  if (!sites.length) return null;
  const m = rng.pick(sites);
  const bad = rng.pick(BAD_SIZES);
  const at = m.index + m[1].length;
  return { text: text.slice(0, at) + bad + text.slice(at + m[2].length), what: `${m[1]}${bad} at ${at}` };
}

/** A layer line with a ')' removed or added: must be refused. */
function unbalanced(rng: Rng, text: string): { text: string; what: string } | null {
  const lines = text.split('\n');
  const sites = lines.flatMap((l, i) =>
    /(?:Conv2d|Linear|ReLU|MaxPool2d)\(.*\)\s*,?\s*$/.test(l) && !/[#'"]/.test(l) ? [i] : [],
  );
  if (!sites.length) return null;
  const i = rng.pick(sites);
  const line = lines[i];
  const close = line.lastIndexOf(')');
  lines[i] = rng.int(2) ? line.slice(0, close) + line.slice(close + 1) : `${line.replace(/\s+$/, '')})`;
  return { text: lines.join('\n'), what: `line ${i + 1} unbalanced` };
}

function cases(seed: number, count: number, bases: string[], kind: 'python' | 'repr'): Case[] {
  const rng = new Rng(seed);
  const out: Case[] = bases.map((text, i) => ({
    name: `base ${i}`,
    expect: 'accept' as const,
    run: () => textOutcome(text),
  }));
  if (kind === 'python') {
    RESIDUAL_FORWARDS.forEach((f, i) => {
      const adds = (f.match(/\+/g) ?? []).length;
      out.push({ name: `residual forward ${i}`, expect: 'accept', run: () => textOutcome(residualSource(f), adds) });
    });
    out.push({
      name: 'forward defined twice',
      expect: 'refuse',
      run: () => textOutcome(residualSource('return self.b(x)\n\n    def forward(self, x):\n        return x')),
    });
    out.push({
      name: '100,000-deep parentheses',
      expect: 'refuse',
      run: () =>
        textOutcome(residualSource(`y = ${'('.repeat(100_000)}x${')'.repeat(100_000)}\n        return self.b(y)`)),
    });
  } else {
    const depth = 5000;
    const open = Array.from({ length: depth }, (_, i) => `${'  '.repeat(i)}(s${i}): Sequential(`).join('\n');
    const close = Array.from({ length: depth }, (_, i) => `${'  '.repeat(depth - 1 - i)})`).join('\n');
    out.push({
      name: '5,000-deep Sequential nesting',
      expect: 'refuse',
      run: () => textOutcome(`Sequential(\n${open}\n${'  '.repeat(depth)}(fc): Linear(4, 4, bias=True)\n${close}\n)`),
    });
    out.push({
      name: '100,000 open parentheses',
      expect: 'refuse',
      run: () => textOutcome(`Sequential(${'('.repeat(100_000)}`),
    });
  }
  while (out.length < count) {
    const base = rng.pick(bases);
    const pick = rng.int(4);
    const broken = pick === 0 ? badSize(rng, base) : pick === 1 ? unbalanced(rng, base) : null;
    if (broken) {
      out.push({ name: `broken: ${broken.what}`, expect: 'refuse', run: () => textOutcome(broken.text) });
      continue;
    }
    const { text, what } = mutateText(rng, base);
    out.push({ name: `text: ${what}`, expect: 'either', run: () => textOutcome(text) });
  }
  return out.slice(0, count);
}

const PLACE = /^line [1-9]\d*: \S/;

export const pythonSource: EntryPoint = {
  id: 'Python source import',
  place: PLACE,
  generate: (seed, count) =>
    cases(
      seed,
      count,
      [...fixtures('pytorch-source'), ...MODEL_BASES.filter((d) => d.modules.length).map(graphPythonSource)],
      'python',
    ),
};

export const printModel: EntryPoint = {
  id: 'print(model) import',
  place: PLACE,
  generate: (seed, count) =>
    cases(
      seed,
      count,
      [...fixtures('pytorch-text'), ...MODEL_BASES.filter((d) => d.modules.length).map(graphModuleRepr)],
      'repr',
    ),
};
