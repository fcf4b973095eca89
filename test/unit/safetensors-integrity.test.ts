// Weights that leave as .safetensors always read back: a run file whose weights' shape
// and data disagree is refused at import with the tensor named, the writer refuses such a
// tensor instead of writing a file our reader (and PyTorch) would reject, and what it
// does write reads back with our reader and with PyTorch.
import { describe, expect, test } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors } from '../../src/core/formats/safetensors.ts';
import { encodeFloat32, parseRunFile } from '../../src/db/run-file.ts';

const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch']).status === 0;

function runFileWith(weights: Record<string, unknown>) {
  return {
    format: 'layerboard-run',
    version: 1,
    run: {
      id: 'r',
      projectId: null,
      name: 'r',
      created: 0,
      ended: 0,
      status: 'finished',
      doc: {
        format: 'layerboard-model',
        version: 1,
        input: [4],
        layers: [{ type: 'Linear', in_features: 4, out_features: 2 }],
      },
      config: {},
    },
    scalars: {},
    graph: null,
    hparams: null,
    texts: [],
    weights,
  };
}

describe('safetensors integrity', () => {
  test('a run file with mismatched weights is refused at import, naming the tensor', () => {
    const r = parseRunFile(
      runFileWith({
        '0.weight': { shape: [2, 4], dtype: 'F32', data: encodeFloat32(new Float32Array(6)) },
        '0.bias': { shape: [2, -1], dtype: 'F32', data: encodeFloat32(new Float32Array(2)) },
        x: { shape: [3], dtype: 'F32', data: 'AAA' },
      }),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toContainEqual({
      path: 'weights["0.weight"]',
      message: '0.weight: shape [2, 4] holds 8 values but the data has 6',
    });
    expect(r.errors).toContainEqual({
      path: 'weights["0.bias"]',
      message: '0.bias: shape [2, -1] has -1 at dimension 1; dimensions are whole numbers ≥ 0',
    });
    expect(r.errors).toContainEqual({ path: 'weights["x"]', message: 'x: data is not base64' });
    expect(
      parseRunFile(
        runFileWith({ '0.weight': { shape: [2, 4], dtype: 'F32', data: encodeFloat32(new Float32Array(8)) } }),
      ).ok,
    ).toBe(true);
  });

  test('the writer refuses a tensor whose shape and data disagree', () => {
    expect(() => encodeSafetensors({ w: { dtype: 'F32', shape: [3, 3], data: new Float32Array(8) } })).toThrow(
      'cannot write the weights as safetensors: w: shape [3, 3] holds 9 values but the data has 8',
    );
    expect(() => encodeSafetensors({ __metadata__: { dtype: 'F32', shape: [1], data: new Float32Array(1) } })).toThrow(
      'reserved',
    );
  });

  test.skipIf(!hasTorch)(
    'what it writes reads back with our reader and with PyTorch',
    () => {
      const w = Float32Array.from({ length: 12 }, (_, i) => i / 4 - 1);
      const bytes = encodeSafetensors(
        {
          'layer.weight': { dtype: 'F32', shape: [3, 4], data: w },
          'bn.num_batches_tracked': { dtype: 'I64', shape: [], data: BigInt64Array.of(7n) },
          empty: { dtype: 'F32', shape: [0, 5], data: new Float32Array(0) },
        },
        { format: 'pt' },
      );
      const back = decodeSafetensors(bytes);
      expect([...back.tensors['layer.weight'].data]).toEqual([...w]);
      const dir = mkdtempSync(join(tmpdir(), 'st-'));
      writeFileSync(join(dir, 'w.safetensors'), bytes);
      const out = execFileSync(
        PYTHON,
        [
          '-c',
          String.raw`
import json, struct, sys, torch
raw = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8 + n])
types = {'F32': torch.float32, 'I64': torch.int64}
state = {k: torch.frombuffer(bytearray(raw[8 + n + v['data_offsets'][0]:8 + n + v['data_offsets'][1]]), dtype=types[v['dtype']]).reshape(v['shape']) if v['data_offsets'][1] > v['data_offsets'][0] else torch.zeros(v['shape'], dtype=types[v['dtype']])
         for k, v in header.items() if k != '__metadata__'}
print(json.dumps({k: [list(t.shape), t.flatten().tolist()] for k, t in state.items()}))
`,
          join(dir, 'w.safetensors'),
        ],
        { encoding: 'utf8' },
      );
      const torchView = JSON.parse(out) as Record<string, [number[], number[]]>;
      expect(torchView['layer.weight']).toEqual([[3, 4], [...w]]);
      expect(torchView['bn.num_batches_tracked']).toEqual([[], [7]]);
      expect(torchView.empty).toEqual([[0, 5], []]);
    },
    60_000,
  );
});
