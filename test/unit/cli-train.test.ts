// `layerboard train`: trains on the synthetic dataset with the engine, text and --json
// output, reproducible from --seed, safetensors out, NaN and usage errors.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { runTrain } from '../../src/cli/train.ts';
import { safetensorsToState } from '../../src/core/formats/safetensors.ts';
import { serializeModelDocument } from '../../src/core/model/model-json.ts';
import { resnetDoc } from './helpers/resnet-doc.ts';

const dir = mkdtempSync(join(tmpdir(), 'lb-train-'));
const MODEL = join(dir, 'mlp.json');
writeFileSync(
  MODEL,
  JSON.stringify({
    format: 'layerboard-model',
    version: 1,
    input: [1, 6, 6],
    layers: [
      { type: 'Flatten' },
      { type: 'Linear', in_features: 36, out_features: 12 },
      { type: 'ReLU' },
      { type: 'Linear', in_features: 12, out_features: 4 },
    ],
  }),
);
const SMALL = ['--train-size', '240', '--test-size', '80', '--batch-size', '16'];

let out: string[];
let err: string[];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    out.push(a.join(' '));
  });
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => {
    err.push(a.join(' '));
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

test('trains with text output: one line per epoch, then the test accuracy', async () => {
  expect(
    await runTrain([MODEL, ...SMALL, '--epochs', '3', '--optimizer', 'sgd', '--lr', '0.1', '--momentum', '0.9']),
  ).toBe(0);
  expect(out[0]).toMatch(/^training on synthetic \(240 train \/ 80 test, 4 classes\), SGD/);
  expect(out.filter((l) => l.startsWith('epoch '))).toHaveLength(3);
  expect(out.find((l) => l.startsWith('test loss'))).toMatch(/accuracy +\d+\.\d\d% on 80 images/);
  expect(out.at(-1)).toMatch(/^42 steps in/);
});

test('--json: step losses fall, test accuracy well above chance, identical for the same seed', async () => {
  const args = [
    MODEL,
    ...SMALL,
    '--epochs',
    '4',
    '--optimizer',
    'adam',
    '--lr',
    '0.03',
    '--seed',
    '3',
    '--json',
    '--scheduler',
    'StepLR',
    '--sched-opt',
    'step_size=2',
  ];
  expect(await runTrain(args)).toBe(0);
  const a = JSON.parse(out[0]);
  expect(a.steps).toBe(56);
  expect(a.stepLosses).toHaveLength(56);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  expect(mean(a.stepLosses.slice(-10))).toBeLessThan(0.5 * mean(a.stepLosses.slice(0, 10)));
  expect(a.test.accuracy).toBeGreaterThan(0.6);
  // StepLR(step_size=2) steps after each epoch; an epoch reports the lr it trained with
  a.epochs.forEach((e: { lr: number }, i: number) => expect(e.lr).toBeCloseTo([0.03, 0.03, 0.003, 0.003][i], 12));
  expect(a.config.optimizer).toEqual({ type: 'Adam', lr: 0.03 });
  expect(a.config).toMatchObject({
    dataset: { id: 'synthetic', trainSize: 240, testSize: 80 },
    batchSize: 16,
    epochs: 4,
    seed: 3,
    scheduler: { type: 'StepLR', step_size: 2 },
  });
  out = [];
  expect(await runTrain(args)).toBe(0);
  expect(JSON.parse(out[0]).stepLosses).toEqual(a.stepLosses);
});

test('--save writes the weights as safetensors with state_dict names', async () => {
  const file = join(dir, 'w.safetensors');
  expect(await runTrain([MODEL, ...SMALL, '--optimizer', 'rmsprop', '--save', file])).toBe(0);
  const state = safetensorsToState(new Uint8Array(readFileSync(file)));
  expect(Object.keys(state).sort()).toEqual(['1.bias', '1.weight', '3.bias', '3.weight']);
  expect(state['1.weight'].shape).toEqual([12, 36]);
});

test('a graph model (a small ResNet with downsampling shortcuts) trains, and saves nested state_dict names', async () => {
  const model = join(dir, 'resnet.json'),
    file = join(dir, 'resnet.safetensors');
  writeFileSync(model, serializeModelDocument(resnetDoc(1, 4, [3, 8, 8])));
  const logdir = join(dir, 'graph-logs');
  const args = [
    model,
    '--train-size',
    '160',
    '--test-size',
    '40',
    '--batch-size',
    '16',
    '--classes',
    '10',
    '--epochs',
    '3',
    '--optimizer',
    'adam',
    '--lr',
    '0.01',
    '--json',
    '--save',
    file,
    '--logdir',
    logdir,
  ];
  expect(await runTrain(args)).toBe(0);
  const a = JSON.parse(out[0]);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  expect(mean(a.stepLosses.slice(-5))).toBeLessThan(mean(a.stepLosses.slice(0, 5)));
  const state = safetensorsToState(new Uint8Array(readFileSync(file)));
  expect(Object.keys(state)).toContain('layer2.0.downsample.0.weight');
  expect(state['layer2.0.downsample.0.weight'].shape).toEqual([8, 4, 1, 1]);
  expect(state['layer3.0.bn2.num_batches_tracked'].data[0]).toBe(a.steps);
  // the run's logs are written too: an event file and a run file with the nested weights
  const runFile = readdirSync(logdir).find((f) => f.endsWith('.layerboard-run.json'))!;
  expect(Object.keys(JSON.parse(readFileSync(join(logdir, runFile), 'utf8')).weights)).toContain(
    'layer1.0.conv1.weight',
  );
});

test('a loss that becomes non-finite stops training with the step (exit 1)', async () => {
  expect(await runTrain([MODEL, ...SMALL, '--optimizer', 'sgd', '--lr', '1e30', '--epochs', '3'])).toBe(1);
  expect(err.join('\n')).toMatch(/loss became (NaN|Infinity) at step \d+ \(epoch \d\)/);
});

test.each([
  [['--optimizer', 'sgd'], '--lr is required with SGD'],
  [['--optimizer', 'lbfgs', '--lr', '1'], '--optimizer must be one of sgd, adam, adamw, rmsprop, adagrad'],
  [['--dataset', 'cifar'], '--dataset must be synthetic, mnist, fashion-mnist or a FILE.csv'],
  [['--epochs', '0', '--optimizer', 'adam'], '--epochs must be an integer >= 1'],
  [['--optimiser', 'adam'], "unknown option '--optimiser'"],
  [['--opt', 'momentum', '--optimizer', 'adam'], '--opt takes KEY=VALUE'],
])('usage error %j (exit 2)', async (extra, message) => {
  expect(await runTrain([MODEL, ...extra])).toBe(2);
  expect(err[0]).toContain(message);
});

test("bad keywords and models fail with the engine's message", async () => {
  await expect(runTrain([MODEL, ...SMALL, '--optimizer', 'adam', '--opt', 'betas=[0.9,1.5]'])).rejects.toThrow(
    'training config: optimizer.betas: must be two numbers ≥ 0 and ≤ 1',
  );
  const bad = join(dir, 'bad.json');
  writeFileSync(
    bad,
    JSON.stringify({
      format: 'layerboard-model',
      version: 1,
      input: [1, 6, 6],
      layers: [{ type: 'Linear', in_features: 5, out_features: 2 }],
    }),
  );
  await expect(runTrain([bad, '--optimizer', 'adam'])).rejects.toThrow(/shape error at layer 0/);
});

test('--save and --logdir into folders that do not exist yet: created, the weights and logs written', async () => {
  const file = join(dir, 'new', 'deeper', 'w.safetensors');
  expect(
    await runTrain([
      MODEL,
      ...SMALL,
      '--backend',
      'ts',
      '--optimizer',
      'adam',
      '--save',
      file,
      '--logdir',
      join(dir, 'new', 'logs'),
      '--name',
      'n',
    ]),
  ).toBe(0);
  expect(Object.keys(safetensorsToState(new Uint8Array(readFileSync(file))))).toContain('1.weight');
  expect(readFileSync(join(dir, 'new', 'logs', 'n.layerboard-run.json'), 'utf8')).toContain('"loss/train"');
});

test('a model with BatchNorm1d trains on synthetic data without --classes', async () => {
  const bn = join(dir, 'bn.json');
  writeFileSync(
    bn,
    JSON.stringify({
      format: 'layerboard-model',
      version: 1,
      input: [8],
      layers: [
        { type: 'Linear', in_features: 8, out_features: 16 },
        { type: 'BatchNorm1d', num_features: 16 },
        { type: 'ReLU' },
        { type: 'Linear', in_features: 16, out_features: 3 },
      ],
    }),
  );
  expect(await runTrain([bn, ...SMALL, '--backend', 'ts', '--optimizer', 'adam', '--json'])).toBe(0);
  const r = JSON.parse(out[0]);
  expect(r.test.examples).toBe(80);
  expect(r.test.confusion).toHaveLength(3);
});

test('the fastest backend by default (WASM SIMD on every available core); --backend ts overrides; both in the config', async () => {
  expect(await runTrain([MODEL, ...SMALL, '--optimizer', 'adam', '--json'])).toBe(0);
  const fast = JSON.parse(out[0]);
  expect(fast.backend).toMatch(new RegExp(`^wasm SIMD.*, ${availableParallelism()} thread`));
  expect(fast.config.backend).toEqual({ backend: 'wasm', threads: availableParallelism() });
  out = [];
  expect(await runTrain([MODEL, ...SMALL, '--optimizer', 'adam', '--json', '--backend', 'ts'])).toBe(0);
  const ref = JSON.parse(out[0]);
  expect(ref.backend).toMatch(/^TypeScript/);
  expect(ref.config.backend).toMatchObject({ backend: 'ts' });
});
