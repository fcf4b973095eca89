// Imports held against real PyTorch (Debian's python3-torch at /usr/bin/python3): the
// official CIFAR-10 tutorial Net and the quickstart NeuralNetwork, read from source by
// Layerboard, against the same source built by PyTorch — parameter count, state_dict
// names and shapes, every printed module, and outputs on PyTorch's weights through the
// engine. torchvision's printouts (alexnet, vgg11_bn, resnet18; python3-torchvision) the
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
import { Model, type StateDict } from '../../src/engine/model.ts';
import { fromArray, numel } from '../../src/engine/tensor.ts';

const PYTHON = process.env.LAYERBOARD_PYTHON ?? '/usr/bin/python3';
const ORACLE = new URL('../python/import_oracle.py', import.meta.url).pathname;
const has = (module: string) => spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
const hasTorch = has('torch');
const hasTorchvision = hasTorch && has('torchvision');
if (!hasTorch) console.warn(`\n  NOTE: ${PYTHON} cannot import torch; the import parity tests are SKIPPED.\n`);
else if (!hasTorchvision) console.warn(`\n  NOTE: ${PYTHON} cannot import torchvision (apt-get install python3-torchvision); the torchvision printout parity tests are SKIPPED.\n`);

interface Answer { params: number; state: [string, number[]][]; repr: string; weights?: Record<string, number[]>; x?: number[]; y?: number[]; y_shape?: number[] }
const oracle = (request: object): Answer =>
  JSON.parse(execFileSync(PYTHON, [ORACLE], { input: JSON.stringify(request), maxBuffer: 256 << 20 }).toString()) as Answer;

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
  ] as const)('%s: parameters, state_dict, print(model) and outputs on the same weights', (_, file, cls, input, params) => {
    const path = fixturePath('pytorch-source', file);
    const torch = oracle({ source: path, class: cls, input, seed: 7, weights: true });
    const doc = imported(path);
    expect(doc.input).toEqual(input);
    const ours = structure(doc);
    expect(ours.params).toBe(params);
    expect(torch.params).toBe(params);
    expect(ours.state).toEqual(torch.state);
    // PyTorch's print(model), read back, lists the same modules with the same text.
    const printed = readModelRepr(torch.repr);
    if (!printed.ok) throw new Error(JSON.stringify(printed.errors));
    expect(printedLeaves({ ...printed.doc, input: [...input] })).toEqual(printedLeaves(doc));
    expect(printed.doc.className).toBe(cls);

    const model = new Model(flattenModel(doc), { className: cls });
    const state: StateDict = {};
    for (const [name, shape] of torch.state) state[name] = fromArray(shape, torch.weights![name]);
    model.loadStateDict(state);
    model.eval();
    const y = model.forward(fromArray([2, ...input], torch.x!));
    expect(y.shape).toEqual(torch.y_shape);
    const worst = Math.max(...torch.y!.map((v, i) => Math.abs(v - y.data[i]) / (1e-5 + 1e-4 * Math.abs(v))));
    expect(worst).toBeLessThan(1);
  });
});

describe.skipIf(!hasTorchvision)('torchvision printouts import with PyTorch\'s parameters and state_dict', { timeout: 120_000 }, () => {
  test.each([
    ['alexnet', 61_100_840],
    ['vgg11_bn', 132_868_840],
    ['resnet18', 11_689_512],
  ] as const)('%s', (name, params) => {
    const torch = oracle({ torchvision: name });
    expect(readFileSync(fixturePath('pytorch-text', `${name}.txt`), 'utf8')).toBe(`${torch.repr}\n`);
    const doc = imported(fixturePath('pytorch-text', `${name}.txt`));
    const ours = structure(doc);
    expect(ours.params).toBe(params);
    expect(torch.params).toBe(params);
    expect(ours.state).toEqual(torch.state);
  });
});

describe.skipIf(!hasTorchvision)('resnet18 from its printout computes torchvision\'s outputs on torchvision\'s weights', { timeout: 300_000 }, () => {
  test('3×64×64, eval mode: recognized BasicBlocks (+ x, + downsample(x)) and the assumed flatten match forward()', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lb-resnet18-'));
    try {
      const input = [3, 64, 64];
      const torch = oracle({ torchvision: 'resnet18', outputs: { input, dir, seed: 3 } });
      const doc = imported(fixturePath('pytorch-text', 'resnet18.txt'), input);
      const floats = (name: string) => new Float32Array(new Uint8Array(readFileSync(join(dir, name))).buffer);
      const weights = floats('weights.bin');
      const state: StateDict = {};
      let at = 0;
      for (const [name, shape] of torch.state) {
        if (name.endsWith('num_batches_tracked')) { state[name] = { shape, data: new Int32Array(1) }; continue; }
        state[name] = { shape, data: weights.slice(at, at + numel(shape)) };
        at += numel(shape);
      }
      expect(at).toBe(weights.length);
      const model = new Model(flattenModel(doc), { className: 'ResNet' });
      model.loadStateDict(state);
      model.eval();
      const y = model.forward({ shape: [2, ...input], data: floats('x.bin') });
      const want = floats('y.bin');
      expect(y.shape).toEqual(torch.y_shape);
      const worst = Math.max(...Array.from(want, (v, i) => Math.abs(v - y.data[i]) / (1e-4 + 1e-3 * Math.abs(v))));
      expect(worst).toBeLessThan(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
