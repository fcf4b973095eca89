// Graph models against PyTorch 1.13 beyond the shared conformance file: a torchvision-style
// BasicBlock with a downsampling shortcut under nested names ('layer1.0.downsample.1.weight'),
// Inception-like cats with a broadcast gate and one value twice, shared Linear / BatchNorm1d
// modules called twice, a node off the output's path, cat along the batch dim — module cases
// in train and eval mode and training runs. Recorded by
// test/unit/fixtures/gen-graph-torch-cases.py into graph-torch-cases.json.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setBackend, useBackend } from '../../src/engine/backend.ts';
import { tsBackend } from '../../src/engine/backends/ts-backend.ts';
import type { FlatGraph } from '../../src/core/model/flat-graph.ts';
import { runModuleCase, runTrainCase, type ModuleCase, type TrainCase } from '../../src/engine/conformance-cases.ts';
import { Model } from '../../src/engine/model.ts';
import { diff, MODULE_TOL, TRAIN_TOL } from './helpers/torch-diff.ts';

type Recorded = (ModuleCase | TrainCase) & {
  kind: 'module' | 'train';
  flat: FlatGraph;
  expect: Record<string, unknown>;
};
const file = new URL('./fixtures/graph-torch-cases.json', import.meta.url);
const suite = JSON.parse(readFileSync(file, 'utf8')) as { cases: Recorded[] };

function check(c: Recorded): void {
  const { expect: want, flat, ...stripped } = c;
  const model = new Model(flat);
  // the state_dict names and order are PyTorch's
  expect(Object.keys(model.stateDict())).toEqual(Object.keys(c.state ?? {}));
  const got =
    c.kind === 'module' ? runModuleCase(model, stripped as ModuleCase) : runTrainCase(model, stripped as TrainCase);
  const problems: string[] = [];
  diff(want, got, c.id, problems, c.kind === 'module' ? MODULE_TOL : TRAIN_TOL);
  expect(problems.slice(0, 5)).toEqual([]);
}

describe('graph models match PyTorch 1.13 (recorded cases)', () => {
  test('the fixture holds module and train cases', () => {
    expect(suite.cases.filter((c) => c.kind === 'module').length).toBeGreaterThanOrEqual(7);
    expect(suite.cases.filter((c) => c.kind === 'train').length).toBeGreaterThanOrEqual(2);
  });
  for (const c of suite.cases) test(c.id, () => check(c));
});

describe('the same on the WASM backend, 2 threads', () => {
  beforeAll(async () => {
    await useBackend({ backend: 'wasm', threads: 2 });
  });
  afterAll(() => {
    setBackend(tsBackend);
  });
  for (const c of suite.cases) test(c.id, () => check(c));
});
