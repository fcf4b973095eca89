// Numeric limits wherever a model or its training enters: sizes PyTorch could not allocate
// (it takes any int64 and fails only when allocating: Conv2d(3, 2**31, 3) asks for 232 GB)
// are refused up front, each message naming the place, the limit and the value. The
// issue's wrong accepts of hostile files (run-file texts, encrypted zip entries, headers) too.
import { describe, expect, test } from 'vitest';
import { MODEL_LIMITS } from '../../src/core/model/catalogue.ts';
import { inferModelShapes } from '../../src/core/model/graph-shapes.ts';
import { inferShapes } from '../../src/core/model/shapes.ts';
import { newModelDocument, parseModelDocument } from '../../src/core/model/model-json.ts';
import type { LayerSpec } from '../../src/core/model/types.ts';
import { parseModelText } from '../../src/core/python/model-text.ts';
import { parseTrainingConfig } from '../../src/core/run/config-parse.ts';
import { defaultTrainingConfig } from '../../src/core/run/training-config.ts';
import { decodeLbds } from '../../src/core/formats/lbds.ts';
import { decodeSafetensors } from '../../src/core/formats/safetensors.ts';
import { readZipArchive, writeZip } from '../../src/core/formats/zip.ts';
import { parseRunFile } from '../../src/db/run-file.ts';
import { templateDocument } from '../../src/core/model/templates.ts';

const refused = (input: number[], layer: LayerSpec) => {
  const r = parseModelDocument(newModelDocument(input, [layer]));
  return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
};

describe('model limits: the JSON path, the limit and the value', () => {
  test.each<[string, LayerSpec, string]>([
    [
      'kernel_size 1e300',
      { type: 'Conv2d', in_channels: 3, out_channels: 8, kernel_size: 1e300 },
      'modules[0].layer.kernel_size: must be at most 1000000 (the limit), got 1e+300',
    ],
    [
      'out_channels 1e21',
      { type: 'Conv2d', in_channels: 3, out_channels: 1e21, kernel_size: 3 },
      'modules[0].layer.out_channels: must be at most 2147483647 (the limit), got 1e+21',
    ],
    [
      'out_channels 2**31',
      { type: 'Conv2d', in_channels: 3, out_channels: 2 ** 31, kernel_size: 3 },
      'modules[0].layer.out_channels: must be at most 2147483647 (the limit), got 2147483648',
    ],
    [
      'in_features 1e21',
      { type: 'Linear', in_features: 1e21, out_features: 10 },
      'modules[0].layer.in_features: must be at most 2147483647 (the limit), got 1e+21',
    ],
    [
      'stride [1, 1e300]',
      { type: 'MaxPool2d', kernel_size: 2, stride: [1, 1e300] },
      'modules[0].layer.stride[1]: must be at most 1000000 (the limit), got 1e+300',
    ],
    [
      'Flatten start_dim 1e21',
      { type: 'Flatten', start_dim: 1e21 },
      `modules[0].layer.start_dim: must be a whole number within ±${Number.MAX_SAFE_INTEGER} (a safe integer), got 1e+21`,
    ],
  ])('%s', (_, layer, message) => {
    expect(refused([3, 32, 32], layer)).toContain(message);
  });

  test('a weight past 2^31 − 1 values: the factors, the total and the limit', () => {
    expect(refused([65536], { type: 'Linear', in_features: 65536, out_features: 65536 })).toEqual([
      "modules[0].layer: Linear's weight would hold out_features × in_features = 65,536 × 65,536 = 4,294,967,296 values; the limit is 2,147,483,647 per tensor (8 GiB of float32)",
    ]);
    const conv = refused([3, 32, 32], { type: 'Conv2d', in_channels: 3, out_channels: 2 ** 30, kernel_size: 3 });
    expect(conv[0]).toMatch(
      /^modules\[0\]\.layer: Conv2d's weight would hold .* = 28,991,029,248 values; the limit is 2,147,483,647/,
    );
    // the largest allowed sizes themselves are fine when the weight is small
    expect(refused([1], { type: 'Linear', in_features: 1, out_features: MODEL_LIMITS.size })).toEqual([]);
  });

  test('an input or an activation past 2^31 − 1 values per sample', () => {
    expect(refused([3, 1_000_000, 1_000_000], { type: 'ReLU' })).toEqual([
      'input: 3×1000000×1000000 = 3,000,000,000,000 values per sample; the limit is 2,147,483,647 per tensor (8 GiB of float32)',
    ]);
    // PyTorch asks for 389 GB here (Conv2d(3, 4, 3, padding=30000) on 8×8)
    const parsed = parseModelDocument(
      newModelDocument(
        [3, 8, 8],
        [{ type: 'Conv2d', in_channels: 3, out_channels: 4, kernel_size: 3, padding: 30000 }],
      ),
    );
    expect(parsed.ok).toBe(true);
    const report = inferModelShapes(parsed.ok ? parsed.doc : (null as never));
    expect(report.error?.message).toBe(
      'Conv2d output N×4×60006×60006 holds 14,402,880,144 values per sample; the limit is 2,147,483,647 per tensor (8 GiB of float32)',
    );
    // an input shape given outside a model file (the CLI's summary --input, the editor's batch)
    expect(inferShapes([{ type: 'ReLU' }], [1, 3, 99_999_999, 99_999_999]).error?.message).toBe(
      'input N×3×99999999×99999999 holds 29,999,999,400,000,004 values per sample; the limit is 2,147,483,647 per tensor (8 GiB of float32)',
    );
  });
});

describe('model text: floats and huge ints for int keywords are refused with their line', () => {
  const seq = (body: string) => `import torch.nn as nn\nmodel = nn.Sequential(${body})\n`;
  test.each([
    [
      seq('nn.Linear(4.0, 3)'),
      'line 2: Linear: in_features must be an integer, got 4.0 (a Python float, which PyTorch refuses here)',
    ],
    [
      seq('nn.Linear(1e21, 3)'),
      'line 2: Linear: in_features must be an integer, got 1e+21 (a Python float, which PyTorch refuses here)',
    ],
    [
      seq('nn.Conv2d(3, 100000000000000000000000, 3)'),
      'line 2: Conv2d: out_channels must be at most 2147483647 (the limit), got 1e+23',
    ],
    [
      'Sequential(\n  (0): Conv2d(3.0, 16, kernel_size=(3, 3), stride=(1, 1))\n)',
      'line 2: Conv2d: in_channels must be an integer, got 3.0 (written as a Python float, which PyTorch refuses here)',
    ],
    [
      'Sequential(\n  (0): Conv2d(3, 16, kernel_size=(1e300, 3), stride=(1, 1))\n)',
      'line 2: Conv2d: kernel_size must be an integer, got (1e+300, 3.0) (written as a Python float, which PyTorch refuses here)',
    ],
  ])('%j', (text, message) => {
    const r = parseModelText(text, { input: [3, 32, 32] });
    expect(r.ok ? [] : r.errors.map((e) => `line ${e.line}: ${e.message}`)).toEqual([message]);
  });
});

describe('training: the typed parser refuses what the issue saw accepted', () => {
  const config = defaultTrainingConfig('cifar10');
  test.each<[string, unknown, string]>([
    ['batchSize', 1e300, 'training.batchSize: must be a whole number from 1 to 65536, got 1e+300'],
    ['epochs', 1e21, 'training.epochs: must be a whole number from 1 to 10000, got 1e+21'],
    [
      'transforms',
      { ...config.transforms, normalize: { mean: ['0.5', 0.5, 0.5], std: [0.2, 0.2, 0.2] } },
      'training.transforms.normalize.mean[0]: must be a number, got "0.5"',
    ],
    [
      'training',
      config,
      'training.training: unknown key (known: dataset, transforms, loss, optimizer, scheduler, batchSize, epochs, shuffle, seed, valSplit, dropLast, gradClip, earlyStopping, backend)',
    ],
    [
      'batch_size',
      64,
      'training.batch_size: unknown key (known: dataset, transforms, loss, optimizer, scheduler, batchSize, epochs, shuffle, seed, valSplit, dropLast, gradClip, earlyStopping, backend)',
    ],
  ])('%s = %j', (key, value, message) => {
    const r = parseTrainingConfig({ ...config, [key]: value });
    expect(r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`)).toContain(message);
  });
  test('a model file with nested training is refused at its path', () => {
    const doc = { ...templateDocument('mlp'), training: { ...config, training: { epochs: 1 } } };
    const r = parseModelDocument(JSON.stringify(doc));
    expect(r.ok ? [] : r.errors.map((e) => e.path)).toEqual(['training.training']);
  });
});

describe('hostile files the issue saw accepted', () => {
  const run = {
    format: 'layerboard-run',
    version: 1,
    run: {
      id: 'r',
      projectId: null,
      name: 'n',
      created: 1,
      ended: null,
      status: 'finished',
      doc: templateDocument('mlp'),
    },
    scalars: { loss: { step: [0], wallTime: [1], value: [0.5] } },
    graph: null,
    hparams: null,
    texts: [{ tag: 'a', step: 0, text: 'ok' }],
  };
  test.each<[unknown, string]>([
    [null, 'texts[0]: must be { "tag": string, "step": whole number, "text": string }, got null'],
    [{ tag: 5, step: 0, text: 'x' }, 'texts[0].tag: must be a string'],
    [{ tag: 'a', step: 1e300, text: 'x' }, 'texts[0].step: must be a whole number, got 1e+300'],
    [{ tag: 'a', step: 0, text: { x: 1 } }, 'texts[0].text: must be a string'],
  ])('a run file with texts[0] = %j', (entry, message) => {
    const r = parseRunFile(JSON.stringify({ ...run, texts: [entry] }));
    expect(r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`)).toEqual([message]);
    expect(parseRunFile(JSON.stringify(run)).ok).toBe(true);
  });

  test('an encrypted zip entry is refused, not read as an image', async () => {
    const zip = await writeZip([{ name: 'cat/1.png', data: new Uint8Array([1, 2, 3]) }], { compress: false });
    const dv = new DataView(zip.buffer);
    const central = dv.getUint32(zip.length - 22 + 16, true);
    dv.setUint16(central + 8, 1, true);
    dv.setUint16(6, 1, true);
    await expect(readZipArchive(zip)).rejects.toThrow(
      "zip entry 'cat/1.png' is encrypted; zip it again without a password",
    );
  });

  test('a zip entry whose sizes were zeroed with its CRC is refused (the stored size disagrees)', async () => {
    const zip = await writeZip([{ name: 'a.txt', data: new TextEncoder().encode('hello hello hello') }], {
      compress: true,
    });
    const dv = new DataView(zip.buffer);
    const central = dv.getUint32(zip.length - 22 + 16, true);
    dv.setUint16(central + 10, 0, true); // stored
    for (const at of [16, 20]) dv.setUint32(central + at, 0, true); // CRC and compressed size
    await expect(readZipArchive(zip)).rejects.toThrow("zip entry 'a.txt' holds 0 bytes, but declares 17: damaged data");
  });

  test('print(model) with 100,000 nested parentheses in a keyword is an error, not a stack overflow', () => {
    const r = parseModelText(
      `Sequential(\n  (0): MaxPool2d(kernel_size=${'('.repeat(100_000)}2${')'.repeat(100_000)})\n)`,
    );
    expect(r.ok ? [] : r.errors.map((e) => `line ${e.line}: ${e.message}`)).toEqual([
      `line 2: cannot read MaxPool2d(kernel_size=${'('.repeat(68)}…): tuples are nested more than 16 levels deep at column 29`,
    ]);
  });

  test('safetensors and LBDS headers of the wrong shape are named, not a TypeError', () => {
    const json = new TextEncoder().encode('[1, 2]');
    const st = new Uint8Array(8 + json.length);
    new DataView(st.buffer).setBigUint64(0, BigInt(json.length), true);
    st.set(json, 8);
    expect(() => decodeSafetensors(st)).toThrow('not a safetensors file: the header is not a JSON object of tensors');
    const lbds = new Uint8Array([0x4c, 0x42, 0x44, 0x53, 1, 0, 0, 0, 3, 0, 0, 0, 0x7b, 0x22, 0x6e]);
    expect(() => decodeLbds(lbds)).toThrow('dataset header (3 bytes at byte 12) is not JSON: the file is damaged');
  });
});
