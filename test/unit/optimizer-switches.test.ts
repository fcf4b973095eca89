// torch 1.13's optimizer switches (foreach, differentiable, capturable, fused): every
// keyword of each constructor is known, False is accepted, True fails with PyTorch's CPU
// reason. The signatures come live from /usr/bin/python3 when PyTorch is installed.
import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { createOptimizer, OPTIMIZER_KEYWORDS } from '../../src/engine/optim/index.ts';
import { torchVersion } from './torch/run-torch.ts';

const param = () => [{ name: 'w', value: { shape: [2], data: new Float32Array(2) }, grad: null }];

const script = `import torch, inspect, json
print(json.dumps({n: list(inspect.signature(getattr(torch.optim, n).__init__).parameters)[2:] for n in ${JSON.stringify(Object.keys(OPTIMIZER_KEYWORDS))}}))`;
// read once, before the tests (importing torch takes seconds on a busy machine)
const signatures = torchVersion
  ? (JSON.parse(
      spawnSync(process.env.TORCH_PYTHON || '/usr/bin/python3', ['-c', script], { encoding: 'utf8' }).stdout,
    ) as Record<string, string[]>)
  : null;

test.skipIf(!signatures)('the engine knows every keyword of each torch.optim constructor', () => {
  for (const [type, names] of Object.entries(signatures!))
    expect(Object.keys(OPTIMIZER_KEYWORDS[type as keyof typeof OPTIMIZER_KEYWORDS]).sort(), type).toEqual(
      [...names].sort(),
    );
});

test('False is accepted; True names the keyword and why it cannot be on a CPU', () => {
  expect(() =>
    createOptimizer({ type: 'Adam', fused: false, capturable: false, differentiable: false, foreach: true }, param()),
  ).not.toThrow();
  expect(() => createOptimizer({ type: 'Adam', fused: true }, param())).toThrow(
    /^Adam\.fused: True selects the fused CUDA kernel/,
  );
  expect(() => createOptimizer({ type: 'AdamW', capturable: true }, param())).toThrow(
    /^AdamW\.capturable: True is for CUDA graph capture/,
  );
  expect(() => createOptimizer({ type: 'SGD', lr: 0.1, differentiable: true }, param())).toThrow(
    /^SGD\.differentiable: /,
  );
  expect(() => createOptimizer({ type: 'Adagrad', fused: false }, param())).toThrow(
    /unknown keyword 'fused' for Adagrad/,
  );
});
