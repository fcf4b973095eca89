// Gradient clipping against live PyTorch 1.13 (test/unit/torch/clip_reference.py under
// /usr/bin/python3; skipped with a note when it is absent).
import { describe, expect, test } from 'vitest';
import { clipGradNorm, clipGradValue } from '../../src/engine/optim/clip.ts';
import type { Param } from '../../src/engine/tensor.ts';
import { floatTensorFromJson, type TensorJson } from '../../src/engine/tensor-json.ts';
import { runTorch, torchVersion } from './torch/run-torch.ts';

type Case = ({ kind: 'norm'; max_norm: number; norm_type: number | 'inf' } | { kind: 'value'; clip_value: number }) & {
  scale: number;
  none?: string[];
};
interface Result {
  grads: Record<string, TensorJson>;
  clipped: Record<string, TensorJson>;
  total: number | null;
}

const CASES: Case[] = [
  { kind: 'norm', max_norm: 1.0, norm_type: 2, scale: 1 }, // clipped hard
  { kind: 'norm', max_norm: 100, norm_type: 2, scale: 0.1 }, // below the limit: coefficient clamped to 1
  { kind: 'norm', max_norm: 0.5, norm_type: 1, scale: 3, none: ['bias'] },
  { kind: 'norm', max_norm: 0.25, norm_type: 'inf', scale: 2 },
  { kind: 'norm', max_norm: 2, norm_type: 3, scale: 1 },
  { kind: 'value', clip_value: 0.5, scale: 1 },
  { kind: 'value', clip_value: 0.01, scale: 0.02, none: ['conv'] },
];

const torch = torchVersion ? runTorch<{ cases: Result[] }>('clip_reference.py', { cases: CASES }) : null;

describe.skipIf(!torch)(`clip_grad_norm_ / clip_grad_value_ match PyTorch ${torchVersion ?? '(absent)'}`, () => {
  CASES.forEach((c, k) => {
    test(JSON.stringify(c), () => {
      const run = torch!.cases[k];
      const params: Param[] = ['weight', 'bias', 'conv'].map((name) => ({
        name,
        value: { shape: [1], data: new Float32Array(1) },
        grad: run.grads[name] ? floatTensorFromJson(run.grads[name]) : null,
      }));
      if (c.kind === 'norm') {
        const total = clipGradNorm(params, c.max_norm, c.norm_type === 'inf' ? Infinity : c.norm_type);
        expect(Math.abs(total - run.total!) / run.total!).toBeLessThan(1e-6);
      } else {
        clipGradValue(params, c.clip_value);
      }
      for (const p of params) {
        if (!run.clipped[p.name]) {
          expect(p.grad).toBeNull();
          continue;
        }
        const want = floatTensorFromJson(run.clipped[p.name]).data;
        // float32 like PyTorch; the norm's summation order may differ in the last bit
        p.grad!.data.forEach((v, i) =>
          expect(Math.abs(v - want[i]), `${p.name}[${i}]`).toBeLessThanOrEqual(Math.abs(want[i]) * 1e-6 + 1e-12),
        );
      }
    });
  });
});
