import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { defaultTrainingConfig } from '../../core/run/training-config.ts';
import { LOSSES, OPTIMIZERS, SCHEDULERS, type OptionSpec } from '../../core/run/training-catalogue.ts';
import { decodeSafetensors, encodeSafetensors } from '../../core/formats/safetensors.ts';
import { createDatabase, type LayerboardDB } from '../../db/schema.ts';
import { RunRepository } from '../../db/runs.ts';
import { SummaryWriter } from '../../db/summary-writer.ts';
import { callText, fieldErrors, parseOption, switchType, withKeyword } from './config-fields.ts';
import { flatHparams, RunLog } from '../../core/run/run-log.ts';
import { ProgressTracker, formatDuration, formatLoss, formatPercent, formatRate } from './progress.ts';
import { inputFor, outputProblem, runName, startBlocker, transformProblem, type BlockerInput } from './train-rules.ts';
import { payloadOf, safetensorsOf, storedWeights } from './weights.ts';
import { newModelDocument } from '../../core/model/model-json.ts';

const spec = (over: Partial<OptionSpec>): OptionSpec => ({ name: 'x', kind: 'float', doc: '', ...over });

describe('configuration form', () => {
  test('keyword text parses in Python spelling, with messages naming the keyword', () => {
    expect(parseOption('0.01', spec({ name: 'lr' }))).toEqual({ ok: true, value: 0.01 });
    expect(parseOption('1e-3', spec({ name: 'lr' }))).toEqual({ ok: true, value: 0.001 });
    expect(parseOption('', spec({ name: 'lr', default: 0.01 }))).toEqual({ ok: true, value: undefined });
    expect(parseOption('fast', spec({ name: 'lr' }))).toEqual({ ok: false, message: 'lr must be a number' });
    expect(parseOption('2.5', spec({ name: 'step_size', kind: 'int' }))).toEqual({
      ok: false,
      message: 'step_size must be a whole number',
    });
    expect(parseOption('(0.9, 0.99)', spec({ name: 'betas', kind: 'floatPair' }))).toEqual({
      ok: true,
      value: [0.9, 0.99],
    });
    expect(parseOption('0.9', spec({ name: 'betas', kind: 'floatPair' }))).toEqual({
      ok: false,
      message: 'betas must be two numbers, e.g. 0.9, 0.999',
    });
    expect(parseOption('1, 2, 0.5', spec({ name: 'weight', kind: 'floats', nullable: true }))).toEqual({
      ok: true,
      value: [1, 2, 0.5],
    });
    expect(parseOption('None', spec({ name: 'weight', kind: 'floats', nullable: true }))).toEqual({
      ok: true,
      value: null,
    });
    expect(parseOption('None', spec({ name: 'lr' }))).toEqual({ ok: false, message: 'lr cannot be None' });
    expect(parseOption('True', spec({ name: 'nesterov', kind: 'bool' }))).toEqual({ ok: true, value: true });
  });

  test("switching the optimizer or loss resets to PyTorch's defaults, keeping the user's edits both take", () => {
    const sgd = { type: 'SGD', lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 1e-4 };
    expect(switchType(OPTIMIZERS, sgd, 'Adam')).toEqual({ type: 'Adam', lr: 0.05, weight_decay: 1e-4 });
    // SGD's lr left at the form's 0.01 is no edit: Adam gets its own default, 1e-3
    expect(switchType(OPTIMIZERS, { type: 'SGD', lr: 0.01, momentum: 0.9 }, 'Adam')).toEqual({
      type: 'Adam',
      lr: 0.001,
    });
    expect(switchType(OPTIMIZERS, { type: 'Adam', lr: 0.001 }, 'SGD')).toEqual({ type: 'SGD', lr: 0.01 });
    // AdamW's weight_decay default (0.01) is not an edit either: Adam's is 0
    expect(switchType(OPTIMIZERS, { type: 'AdamW', lr: 0.001, weight_decay: 0.01 }, 'Adam')).toEqual({
      type: 'Adam',
      lr: 0.001,
    });
    expect(switchType(OPTIMIZERS, { type: 'Adam', lr: 0.003, betas: [0.8, 0.99] }, 'AdamW')).toEqual({
      type: 'AdamW',
      lr: 0.003,
      betas: [0.8, 0.99],
    });
    expect(switchType(OPTIMIZERS, null, 'SGD')).toEqual({ type: 'SGD', lr: 0.01 });
    expect(switchType(SCHEDULERS, null, 'StepLR')).toEqual({ type: 'StepLR', step_size: 10 });
    expect(switchType(LOSSES, { type: 'CrossEntropyLoss', reduction: 'sum', label_smoothing: 0.1 }, 'NLLLoss')).toEqual(
      { type: 'NLLLoss', reduction: 'sum' },
    );
    expect(withKeyword({ type: 'SGD', lr: 0.1, momentum: 0.9 }, 'momentum', undefined)).toEqual({
      type: 'SGD',
      lr: 0.1,
    });
    expect(callText({ type: 'Adam', lr: 0.001, betas: [0.9, 0.99], amsgrad: true })).toBe(
      'Adam(lr=0.001, betas=(0.9, 0.99), amsgrad=True)',
    );
    expect(callText({ type: 'CrossEntropyLoss', reduction: 'sum' })).toBe("CrossEntropyLoss(reduction='sum')");
  });

  test("validateTrainingConfig's messages land on their fields", () => {
    const c = {
      ...defaultTrainingConfig(),
      batchSize: 0,
      optimizer: { type: 'SGD', lr: -1, momentum: 0.9 },
      scheduler: { type: 'StepLR', step_size: 0 },
    };
    const errors = fieldErrors(c);
    expect(errors.get('batchSize')).toBe('must be a whole number from 1 to 65536, got 0');
    expect(errors.get('optimizer.lr')).toBe('must be a number ≥ 0');
    expect(errors.get('scheduler.step_size')).toBe('must be a whole number ≥ 1');
    expect(fieldErrors(defaultTrainingConfig()).size).toBe(0);
  });

  test('hyper-parameters flatten to dotted keys', () => {
    const flat = flatHparams({
      ...defaultTrainingConfig('mnist'),
      optimizer: { type: 'SGD', lr: 0.01, momentum: 0.9 },
    });
    expect(flat).toMatchObject({
      'optimizer.type': 'SGD',
      'optimizer.lr': 0.01,
      'optimizer.momentum': 0.9,
      batchSize: 64,
      'transforms.normalize.mean': '0.1307',
      'dataset.id': 'mnist',
    });
    expect('scheduler' in flat).toBe(false);
  });
});

describe('progress', () => {
  test('rate, ETA and elapsed time, pauses not counted', () => {
    const t = new ProgressTracker(1000, 100, 50, 0);
    expect(t.view(0).etaSeconds).toBeNull();
    t.report(100, 1, 500, 10_000); // 500 images/s = 10 steps/s
    expect(t.view(10_000)).toMatchObject({
      step: 100,
      fraction: 0.1,
      epochs: 10,
      imagesPerSecond: 500,
      etaSeconds: 90,
      elapsedSeconds: 10,
    });
    t.setPaused(true, 12_000);
    expect(t.view(60_000).elapsedSeconds).toBe(12);
    t.setPaused(false, 60_000);
    t.report(200, 2, 1000, 70_000);
    // smoothed rate 0.8·500 + 0.2·1000 = 600 images/s = 12 steps/s; 800 steps left
    expect(t.view(70_000)).toMatchObject({ step: 200, epoch: 2, imagesPerSecond: 600, elapsedSeconds: 22 });
    expect(t.view(70_000).etaSeconds).toBeCloseTo(800 / 12, 9);
    t.report(200, 2, 0, 71_000); // a report with no steps (a pause) does not move the rate
    expect(t.view(71_000).imagesPerSecond).toBe(600);
  });

  test('numbers as the progress bar shows them', () => {
    expect([formatDuration(75), formatDuration(3725), formatDuration(null)]).toEqual(['1:15', '1:02:05', '—']);
    expect([formatRate(1234.5), formatRate(12.34), formatRate(0.5), formatRate(null)]).toEqual([
      '1,235',
      '12.3',
      '0.50',
      '—',
    ]);
    expect([formatPercent(0.98765), formatPercent(null)]).toEqual(['98.77%', '—']);
    expect([formatLoss(2.302585), formatLoss(1.5e-5), formatLoss(NaN), formatLoss(Infinity)]).toEqual([
      '2.303',
      '1.500e-5',
      'NaN',
      'Infinity',
    ]);
  });
});

describe('start rules', () => {
  const info = {
    name: 'MNIST',
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    channels: 1,
    height: 28,
    width: 28,
    train: 8000,
    test: 2000,
    counts: { train: [], test: [] },
  };
  const doc = (input: number[]) => newModelDocument(input, [{ type: 'Flatten' }]);
  const input = (over: Partial<BlockerInput> = {}, out = [1, 10], docInput = [1, 28, 28]): BlockerInput => ({
    analysis: {
      problems: [],
      report: { input: [1, ...docInput], shapes: [out], error: null } as unknown as BlockerInput['analysis']['report'],
      doc: doc(docInput),
    },
    datasets: { info, loading: false, loadError: null, importing: null, choice: { kind: 'mnist' } },
    errors: new Map(),
    config: defaultTrainingConfig('mnist'),
    running: false,
    ...over,
  });

  test('a dataset sets the Input unless the model already takes its images', () => {
    expect(inputFor([3, 32, 32], info)).toEqual([1, 28, 28]);
    expect(inputFor([1, 28, 28], info)).toBeNull();
    expect(inputFor([784], info)).toBeNull();
    expect(inputFor([1, 32, 32], { channels: 3, height: 32, width: 32 })).toEqual([3, 32, 32]);
  });

  test('Start says what to do', () => {
    expect(startBlocker(input())).toBeNull();
    expect(startBlocker(input({ running: true }))).toBe('a run is training: stop it before starting another');
    expect(startBlocker(input({}, [1, 10], [3, 32, 32]))).toBe(
      "the model's Input is 3×32×32 but MNIST images are 1×28×28: adapt the model to them (its Input, and the in_channels / in_features that follow), or change it in Build",
    );
    expect(startBlocker(input({}, [1, 5]))).toBe(
      "the model outputs 5 class scores but MNIST has 10 classes: set the last layer's out_features to 10",
    );
    expect(startBlocker(input({}, [1, 10, 4, 4]))).toBe(
      'CrossEntropyLoss needs class scores of shape N×10, but the model outputs N×10×4×4: end the model with Flatten and a Linear with out_features=10',
    );
    expect(
      startBlocker(
        input({
          datasets: { info: null, loading: false, loadError: null, importing: null, choice: { kind: 'cifar10' } },
        }),
      ),
    ).toBe('import CIFAR-10 first: drop cifar-10-binary.tar.gz on the dataset card');
    expect(startBlocker(input({ errors: new Map([['optimizer.lr', 'must be a number ≥ 0']]) }))).toBe(
      'fix the configuration: optimizer.lr must be a number ≥ 0',
    );
    const problems = [{ nodeId: 'n1', message: 'Linear(in_features=1000) gets 1024 features (64×4×4)' }];
    expect(startBlocker(input({ analysis: { ...input().analysis, problems } }))).toBe(
      'the model has a problem: Linear(in_features=1000) gets 1024 features (64×4×4) (fix it in Build)',
    );
    expect(outputProblem(input().analysis, info, { ...defaultTrainingConfig(), loss: { type: 'MSELoss' } })).toBeNull();
  });

  test('transforms must fit the images', () => {
    const c = defaultTrainingConfig('cifar10');
    expect(transformProblem(c, 3)).toBeNull();
    expect(transformProblem(c, 1)).toBe(
      'Normalize has 3 mean values but the images have 1 channel: pick a Normalize preset again',
    );
    expect(transformProblem({ ...c, transforms: { ...c.transforms, cropPadding: NaN } }, 3)).toBe(
      'RandomCrop padding must be a whole number ≥ 0, got NaN',
    );
  });

  test('run names say what ran', () => {
    expect(runName({ ...doc([1, 28, 28]), className: 'Net' }, 'MNIST', defaultTrainingConfig(), 3)).toBe(
      'run 3 · Net · MNIST · Adam lr=0.001 · bs 64',
    );
  });
});

describe('run logs and weights', () => {
  let db: LayerboardDB;
  beforeEach(() => {
    db = createDatabase('train-logic', { indexedDB: new IDBFactory(), IDBKeyRange });
  });
  afterEach(() => db.close());

  test("tags and steps as train.py writes them, a continued run after its parent's", async () => {
    const runs = new RunRepository(db, () => 'r1');
    const run = await runs.create({ projectId: null, name: 'r', doc: newModelDocument([4], []), config: null });
    const writer = new SummaryWriter(db, run.id);
    const log = new RunLog((tag, v, step, wall) => writer.addScalar(tag, v, step, wall), { step: 100, epoch: 2 });
    log.steps(
      [
        { step: 0, epoch: 0, loss: 2.3, lr: 0.1 },
        { step: 1, epoch: 0, loss: 2.1, lr: 0.1 },
      ],
      1000,
    );
    log.epoch(
      {
        epoch: 0,
        trainLoss: 2.2,
        trainAccuracy: 0.3,
        valLoss: 2.0,
        valAccuracy: 0.4,
        lr: 0.1,
        seconds: 1,
        examplesPerSecond: 640,
      },
      1001,
    );
    log.test({ loss: 1.9, accuracy: 0.45, examples: 10, confusion: [] }, 1002);
    await writer.close();
    const points = async (tag: string) => (await runs.scalars(run.id, tag)).map((p) => [p.step, p.value]);
    expect(await points('loss/train')).toEqual([
      [100, 2.3],
      [101, 2.1],
    ]);
    expect(await points('lr')).toEqual([
      [100, 0.1],
      [101, 0.1],
    ]);
    expect(await points('loss/val')).toEqual([[2, 2.0]]);
    expect(await points('accuracy/val')).toEqual([[2, 0.4]]);
    expect(await points('throughput/images_per_sec')).toEqual([[2, 640]]);
    expect(await points('accuracy/test')).toEqual([[3, 0.45]]);
    expect(log.metrics()).toMatchObject({
      'loss/train': 2.1,
      'accuracy/test': 0.45,
      'loss/val': 2.0,
      steps: 102,
      epochs: 3,
    });
  });

  test('weights: payload → run record → payload and safetensors (I64 counters)', () => {
    const f = new Float32Array([1.5, -2, 3.25, 0]);
    const payload = {
      entries: [
        { name: '0.weight', shape: [2, 2], dtype: 'float32' as const, buffer: f.slice().buffer },
        { name: '1.num_batches_tracked', shape: [], dtype: 'int64' as const, buffer: new Int32Array([37]).buffer },
      ],
    };
    const stored = storedWeights(payload);
    expect([...stored['0.weight'].data]).toEqual([...f]);
    const back = payloadOf(stored);
    expect(back.entries.map((e) => [e.name, e.dtype, e.shape])).toEqual([
      ['0.weight', 'float32', [2, 2]],
      ['1.num_batches_tracked', 'int64', []],
    ]);
    expect([...new Int32Array(back.entries[1].buffer)]).toEqual([37]);
    expect(back.entries[0].buffer).not.toBe(stored['0.weight'].data.buffer); // transferable without detaching the stored copy
    const file = decodeSafetensors(encodeSafetensors(safetensorsOf(stored)));
    expect(file.tensors['1.num_batches_tracked']).toEqual({ dtype: 'I64', shape: [], data: new BigInt64Array([37n]) });
    expect([...(file.tensors['0.weight'].data as Float32Array)]).toEqual([...f]);
  });
});
