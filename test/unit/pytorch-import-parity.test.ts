// Imports held against real PyTorch (Debian's python3-torch at /usr/bin/python3): the
// official CIFAR-10 tutorial Net and the quickstart NeuralNetwork, read from source by
// Layerboard, against the same source built by PyTorch — parameter count, state_dict
// names and shapes, every printed module, and outputs on PyTorch's weights through the
// engine. torchvision's printouts (alexnet, vgg11_bn, resnet18, resnet50; python3-torchvision) the
// same way; resnet18's outputs too (its forward is the one print(model) does not show:
// BasicBlock recognized, torch.flatten assumed). Skips, with a visible note, when torch or torchvision is missing.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { flattenModel } from '../../src/core/model/flat-graph.ts';
import type { ModelDocument } from '../../src/core/model/module-types.ts';
import { countParams } from '../../src/core/model/summary.ts';
import { parseModelText } from '../../src/core/python/model-text.ts';
import { layerRepr } from '../../src/core/python/pytorch-export.ts';
import { readModelRepr } from '../../src/core/python/repr-import.ts';
import { Model } from '../../src/engine/model.ts';
import type { StateDict } from '../../src/engine/state-dict.ts';
import { numel } from '../../src/engine/tensor.ts';

const PYTHON = process.env.LAYERBOARD_PYTHON ?? '/usr/bin/python3';
const ORACLE = new URL('../python/import_oracle.py', import.meta.url).pathname;
const has = (module: string) => spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
const hasTorch = has('torch');
const hasTorchvision = hasTorch && has('torchvision');
if (!hasTorch) console.warn(`\n  NOTE: ${PYTHON} cannot import torch; the import parity tests are SKIPPED.\n`);
else if (!hasTorchvision)
  console.warn(
    `\n  NOTE: ${PYTHON} cannot import torchvision (apt-get install python3-torchvision); the torchvision printout parity tests are SKIPPED.\n`,
  );

interface Answer {
  params: number;
  state: [string, number[]][];
  repr: string;
  y_shape?: number[];
}
const oracle = (request: object): Answer =>
  JSON.parse(
    execFileSync(PYTHON, [ORACLE], { input: JSON.stringify(request), maxBuffer: 64 << 20 }).toString(),
  ) as Answer;

/**
 * The model's outputs in the engine on PyTorch's weights, against PyTorch's: the oracle
 * writes weights, a batch and its outputs as float32 files; the worst error relative to
 * |y|·rtol + atol is returned (< 1 passes).
 */
function compareOutputs(
  request: object,
  doc: ModelDocument,
  input: number[],
  tol: { atol: number; rtol: number },
): { worst: number; shape: number[]; want: number[]; torch: Answer } {
  const dir = mkdtempSync(join(tmpdir(), 'lb-import-parity-'));
  try {
    const torch = oracle({ ...request, outputs: { input, dir, seed: 3 } });
    const floats = (name: string) => new Float32Array(new Uint8Array(readFileSync(join(dir, name))).buffer);
    const weights = floats('weights.bin');
    const state: StateDict = {};
    let at = 0;
    for (const [name, shape] of torch.state) {
      if (name.endsWith('num_batches_tracked')) {
        state[name] = { shape, data: new Int32Array(1) };
        continue;
      }
      state[name] = { shape, data: weights.slice(at, at + numel(shape)) };
      at += numel(shape);
    }
    expect(at).toBe(weights.length);
    const model = new Model(flattenModel(doc), { className: doc.className });
    model.loadStateDict(state);
    model.eval();
    const y = model.forward({ shape: [2, ...input], data: floats('x.bin') });
    const want = floats('y.bin');
    const worst = Math.max(
      ...Array.from(want, (v, i) => Math.abs(v - y.data[i]) / (tol.atol + tol.rtol * Math.abs(v))),
    );
    return { worst, shape: y.shape, want: torch.y_shape!, torch };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fixturePath = (dir: string, name: string) => new URL(`../fixtures/${dir}/${name}`, import.meta.url).pathname;

function imported(path: string, input?: number[]): ModelDocument {
  const r = parseModelText(readFileSync(path, 'utf8'), input ? { input } : {});
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.doc;
}

/** Parameter count and state_dict entries (name, shape) of a document, as the engine builds it. */
function structure(doc: ModelDocument): { params: number; state: [string, number[]][] } {
  const model = new Model(flattenModel(doc), { className: doc.className });
  const state = Object.entries(model.stateDict()).map(([k, v]): [string, number[]] => [k, v.shape]);
  const params = flattenModel(doc).modules.reduce((s, m) => s + countParams(m.layer).total, 0);
  return { params, state };
}

/** Every leaf module as PyTorch prints it, by state_dict path: what print(model) lists. */
function printedLeaves(doc: ModelDocument): [string, string][] {
  return flattenModel(doc).modules.map((m) => [m.path, layerRepr(m.layer)]);
}

describe.skipIf(!hasTorch)('imports equal real PyTorch (/usr/bin/python3)', { timeout: 120_000 }, () => {
  test.each([
    ['CIFAR-10 tutorial Net', 'cifar10-tutorial-net.py', 'Net', [3, 32, 32], 62_006],
    ['quickstart NeuralNetwork', 'quickstart-neural-network.py', 'NeuralNetwork', [1, 28, 28], 669_706],
  ] as const)(
    '%s: parameters, state_dict, print(model) and outputs on the same weights',
    (_, file, cls, input, params) => {
      const path = fixturePath('pytorch-source', file);
      const doc = imported(path);
      expect(doc.input).toEqual(input);
      const out = compareOutputs({ source: path, class: cls }, doc, [...input], { atol: 1e-5, rtol: 1e-4 });
      expect(out.shape).toEqual(out.want);
      expect(out.worst).toBeLessThan(1);
      const { torch } = out;
      const ours = structure(doc);
      expect(ours.params).toBe(params);
      expect(torch.params).toBe(params);
      expect(ours.state).toEqual(torch.state);
      // PyTorch's print(model), read back, lists the same modules with the same text.
      const printed = readModelRepr(torch.repr);
      if (!printed.ok) throw new Error(JSON.stringify(printed.errors));
      expect(printedLeaves({ ...printed.doc, input: [...input] })).toEqual(printedLeaves(doc));
      expect(printed.doc.className).toBe(cls);
    },
  );
});

describe.skipIf(!hasTorchvision)(
  "torchvision printouts import with PyTorch's parameters and state_dict",
  { timeout: 120_000 },
  () => {
    test.each([
      ['alexnet', 61_100_840],
      ['vgg11_bn', 132_868_840],
      ['resnet18', 11_689_512],
      ['resnet50', 25_557_032],
    ] as const)('%s', (name, params) => {
      const torch = oracle({ torchvision: name });
      expect(readFileSync(fixturePath('pytorch-text', `${name}.txt`), 'utf8')).toBe(`${torch.repr}\n`);
      const doc = imported(fixturePath('pytorch-text', `${name}.txt`));
      const ours = structure(doc);
      expect(ours.params).toBe(params);
      expect(torch.params).toBe(params);
      expect(ours.state).toEqual(torch.state);
    });
  },
);

describe.skipIf(!hasTorchvision)("torchvision's own alexnet.py source", { timeout: 120_000 }, () => {
  test("refuses the logging call it cannot read, at its line; without it, gives AlexNet with PyTorch's parameters and state_dict", () => {
    const file = execFileSync(PYTHON, [
      '-c',
      'import os, torchvision.models as m; print(os.path.join(os.path.dirname(m.__file__), "alexnet.py"))',
    ])
      .toString()
      .trim();
    const source = readFileSync(file, 'utf8');
    const line = source.split('\n').findIndex((l) => l.trim() === '_log_api_usage_once(self)') + 1;
    const refused = parseModelText(source);
    expect(!refused.ok && refused.errors).toEqual([
      {
        line,
        message:
          "'_log_api_usage_once(self)' is not understood in AlexNet.__init__ (Layerboard reads super().__init__() and self.<name> = <module>)",
      },
    ]);
    const r = parseModelText(source.replace('_log_api_usage_once(self)', 'pass'));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.doc.className).toBe('AlexNet');
    const torch = oracle({ torchvision: 'alexnet' });
    const ours = structure(r.doc);
    expect(ours.params).toBe(61_100_840);
    expect(ours.state).toEqual(torch.state);
  });
});

describe.skipIf(!hasTorchvision)(
  "resnet18 from its printout computes torchvision's outputs on torchvision's weights",
  { timeout: 300_000 },
  () => {
    test('3×64×64, eval mode: recognized BasicBlocks (+ x, + downsample(x)) and the assumed flatten match forward()', () => {
      const input = [3, 64, 64];
      const out = compareOutputs(
        { torchvision: 'resnet18' },
        imported(fixturePath('pytorch-text', 'resnet18.txt'), input),
        input,
        { atol: 1e-4, rtol: 1e-3 },
      );
      expect(out.shape).toEqual(out.want);
      expect(out.worst).toBeLessThan(1);
    });
  },
);
