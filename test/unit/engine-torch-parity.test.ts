// Layers against PyTorch 1.13 beyond the shared conformance file: every padding mode,
// 'same' with even kernels, groups, ceil_mode × padding × dilation pooling, NaN and -inf
// windows, softmax dims (None included), BatchNorm1d 3-D, dropout p = 0 / 1 ...
// Recorded by test/unit/fixtures/gen-engine-torch-cases.py into engine-torch-cases.json.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { answerModuleCase, type ModuleCase } from '../../src/engine/conformance-cases.ts';
import { diff } from './helpers/torch-diff.ts';

const file = new URL('./fixtures/engine-torch-cases.json', import.meta.url);
const suite = JSON.parse(readFileSync(file, 'utf8')) as { cases: (ModuleCase & { expect: Record<string, unknown> })[] };

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
