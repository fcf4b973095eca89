// Layers against PyTorch 1.13 beyond the shared conformance file: every padding mode,
// 'same' with even kernels, groups, ceil_mode × padding × dilation pooling, NaN and -inf
// windows, softmax dims (None included), BatchNorm1d 3-D, dropout p = 0 / 1 ...
// Recorded by test/unit/fixtures/gen-engine-torch-cases.py into engine-torch-cases.json.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { answerModuleCase, type ModuleCase } from '../../src/engine/conformance-cases.ts';
import { decodeFloat, type TensorJson } from '../../src/engine/tensor-json.ts';

const file = new URL('./fixtures/engine-torch-cases.json', import.meta.url);
const suite = JSON.parse(readFileSync(file, 'utf8')) as { cases: (ModuleCase & { expect: Record<string, unknown> })[] };
const RTOL = 1e-4, ATOL = 1e-5;

/** Mismatches between a recorded value and ours, walking only what the recording holds. */
function diff(want: unknown, got: unknown, at: string, out: string[]): void {
  if (want && typeof want === 'object' && 'shape' in want && 'data' in want) {
    const w = want as TensorJson, g = got as TensorJson | undefined;
    if (!g || JSON.stringify(g.shape) !== JSON.stringify(w.shape)) { out.push(`${at}: shape ${JSON.stringify(g?.shape)} != ${JSON.stringify(w.shape)}`); return; }
    w.data.forEach((wv, i) => {
      const a = decodeFloat(g.data[i]), b = decodeFloat(wv);
      const ok = Number.isFinite(b) ? Math.abs(a - b) <= ATOL + RTOL * Math.abs(b) : Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
      if (!ok) out.push(`${at}[${i}]: got ${a}, want ${b}`);
    });
    return;
  }
  if (want && typeof want === 'object') {
    for (const [k, v] of Object.entries(want)) diff(v, (got as Record<string, unknown> | undefined)?.[k], `${at}.${k}`, out);
  }
}

describe('layers match PyTorch 1.13 (recorded cases)', () => {
  test('the fixture holds the cases', () => {
    expect(suite.cases.length).toBeGreaterThan(90);
  });
  for (const c of suite.cases) {
    test(c.id, () => {
      const { expect: want, ...stripped } = c;
      const got = answerModuleCase(stripped);
      const problems: string[] = [];
      diff(want, got, c.id, problems);
      expect(problems.slice(0, 5)).toEqual([]);
    });
  }
});
