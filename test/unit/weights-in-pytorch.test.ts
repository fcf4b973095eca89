// Weights trained here, loaded into the exported module in real PyTorch, give the same
// outputs on a batch as the engine (issue 5's safetensors promise).
import { describe, expect, test } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythonSource } from '../../src/core/python/pytorch-export.ts';
import { safetensorsToState, stateToSafetensors } from '../../src/core/formats/safetensors.ts';
import { TEMPLATES } from '../../src/core/model/templates.ts';
import { chainLayers } from '../../src/core/model/chain.ts';
import { newModelDocument } from '../../src/core/model/model-json.ts';
import type { LayerSpec, ModelDocument } from '../../src/core/model/types.ts';
import { Sequential } from '../../src/engine/sequential.ts';
import { Model, modelFromDocument } from '../../src/engine/model.ts';
import { INCEPTION_NET, RESNET20 } from '../../src/core/model/graph-templates.ts';
import { Rng } from '../../src/engine/rng.ts';
import { createLoss } from '../../src/engine/losses.ts';
import { createOptimizer } from '../../src/engine/optim/index.ts';

const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch']).status === 0;
if (!hasTorch) console.warn('NOTE: no torch in /usr/bin/python3: the safetensors-in-PyTorch check is skipped');

// A few lines of Python read the safetensors format (the safetensors package is not on Debian).
const LOAD_AND_RUN = String.raw`
import json, struct, sys, torch
sys.path.insert(0, sys.argv[1])
from model import *
cls = globals()[sys.argv[2]]
raw = open(sys.argv[3], 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8 + n])
types = {'F32': torch.float32, 'I64': torch.int64}
state = {k: torch.frombuffer(bytearray(raw[8 + n + v['data_offsets'][0]:8 + n + v['data_offsets'][1]]), dtype=types[v['dtype']]).reshape(v['shape'])
         for k, v in header.items() if k != '__metadata__'}
model = cls()
# a chain's class holds nn.Sequential as self.model; a graph's class is the module itself
(model.model if sys.argv[5] == 'chain' else model).load_state_dict(state)
model.eval()
batch = json.load(open(sys.argv[4]))
x = torch.tensor(batch['data'], dtype=torch.float32).reshape(batch['shape'])
with torch.no_grad():
    print(json.dumps(model(x).flatten().tolist()))
`;

/** `steps` SGD steps on a seeded batch (train mode, so BatchNorm running stats move), then eval. */
function trainedEngine(doc: ModelDocument, steps: number, batch = 8) {
  const chain = chainLayers(doc);
  const model: Model = chain
    ? new Sequential(chain.layers, { seed: 7, names: chain.names })
    : modelFromDocument(doc, { seed: 7 });
  const rng = new Rng(1);
  const shape = [batch, ...doc.input];
  const n = shape.reduce((a, b) => a * b, 1);
  const x = { shape, data: Float32Array.from({ length: n }, () => rng.normal()) };
  const y = { shape: [batch], data: Int32Array.from({ length: batch }, (_, i) => i % 10) };
  const loss = createLoss({ type: 'CrossEntropyLoss' });
  const opt = createOptimizer({ type: 'SGD', lr: 0.05, momentum: 0.9 }, model.parameters());
  model.train();
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    loss.forward(model.forward(x), y);
    model.backward(loss.backward());
    opt.step();
  }
  model.eval();
  return { model, x };
}

describe('safetensors into real PyTorch', () => {
  test('state_dict round trips through safetensors, counters included', () => {
    const layers: LayerSpec[] = [
      { type: 'Conv2d', in_channels: 3, out_channels: 4, kernel_size: 3 },
      { type: 'BatchNorm2d', num_features: 4 },
    ];
    const { model } = trainedEngine(
      newModelDocument(
        [3, 8, 8],
        [...layers, { type: 'Flatten' }, { type: 'Linear', in_features: 144, out_features: 10 }],
      ),
      3,
    );
    const state = model.stateDict();
    const back = safetensorsToState(stateToSafetensors(state as never));
    expect(Object.keys(back).sort()).toEqual(Object.keys(state).sort());
    expect(back['1.num_batches_tracked'].data).toEqual(Int32Array.from([3]));
    expect(back['0.weight'].data).toEqual(state['0.weight'].data);
  });

  /** The engine's outputs for `doc` after `steps` steps vs the exported module's in PyTorch with the same safetensors; worst |a-b| / (atol + rtol|b|). */
  function worstInPytorch(id: string, doc: ModelDocument, steps: number, batch?: number): number {
    const { model, x } = trainedEngine(doc, steps, batch);
    const ours = model.forward(x).data;
    const dir = mkdtempSync(join(tmpdir(), 'lb-st-'));
    writeFileSync(join(dir, 'model.py'), pythonSource(doc));
    writeFileSync(join(dir, 'w.safetensors'), stateToSafetensors(model.stateDict() as never));
    writeFileSync(join(dir, 'x.json'), JSON.stringify({ shape: x.shape, data: Array.from(x.data) }));
    const kind = chainLayers(doc) ? 'chain' : 'graph';
    const out = JSON.parse(
      execFileSync(
        PYTHON,
        ['-c', LOAD_AND_RUN, dir, doc.className!, join(dir, 'w.safetensors'), join(dir, 'x.json'), kind],
        { encoding: 'utf8' },
      ),
    ) as number[];
    expect(out.length).toBe(ours.length);
    let worst = 0;
    out.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(v - ours[i]) / (1e-5 + 1e-4 * Math.abs(v)));
    });
    console.log(
      `${id} (${kind}): ${out.length} outputs, worst difference ${worst.toFixed(3)}× the conformance tolerance (rtol 1e-4, atol 1e-5)`,
    );
    return worst;
  }

  for (const id of ['cifar10-bs', 'mnist-convnet']) {
    test.skipIf(!hasTorch)(
      `${id}: trained weights give the engine's outputs in PyTorch`,
      () => {
        expect(worstInPytorch(id, TEMPLATES.find((t) => t.id === id)!.doc, 5)).toBeLessThanOrEqual(1);
      },
      60_000,
    );
  }

  // graph models: nn.Module with forward (residual adds, downsampling shortcuts in blocks, cat), built by modelFromDocument
  for (const [id, doc] of [
    ['resnet20', RESNET20],
    ['inception-net', INCEPTION_NET],
  ] as const) {
    test.skipIf(!hasTorch)(
      `${id}: a graph model's trained weights give the engine's outputs in PyTorch (load_state_dict)`,
      () => {
        expect(worstInPytorch(id, doc, 2, 4)).toBeLessThanOrEqual(1);
      },
      120_000,
    );
  }
});
