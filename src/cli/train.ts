// `layerboard train MODEL.json [options]`: trains in Node with the same engine as the
// browser worker (Model, losses, optimizers, trainer), validates each epoch,
// evaluates on the test split, optionally saves the weights as safetensors.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseModelDocument } from '../core/model/model-json.ts';
import { stateToSafetensors } from '../core/formats/safetensors.ts';
import type { ModelDocument } from '../core/model/types.ts';
import type { ImageDataset } from '../core/formats/lbds.ts';
import { NORMALIZE_PRESETS, type TransformConfig } from '../engine/data/transforms.ts';
import { splitSource } from '../engine/dataset-source.ts';
import { evaluateSplit, type EvalResult } from '../engine/evaluate.ts';
import { Rng } from '../engine/rng.ts';
import { modelFromDocument } from '../engine/model.ts';
import { syntheticDataset } from '../engine/synthetic-dataset.ts';
import { NonFiniteLossError, train, type EpochRecord, type TrainerConfig, type TrainResult } from '../engine/trainer.ts';
import type { SchedulerSpec } from '../engine/optim/index.ts';
import { loadBuiltinDataset } from './assets/load-dataset.ts';
import { lrRangeTest, type LrFinderResult } from '../engine/lr-finder.ts';
import { gradClipOf } from '../engine/optim/clip.ts';
import { applyBackend, fastestBackend, takeBackendOptions } from './backend-option.ts';
import { parseTrainArgs, TRAIN_USAGE, UsageError, type TrainArgs } from './train-args.ts';
import { TrainLog } from './train-logs.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function readModel(file: string): ModelDocument {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) { throw new Error(`cannot read ${file}: ${(e as Error).message}`); }
  const parsed = parseModelDocument(text);
  if (!parsed.ok) throw new Error(`${file}: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  return parsed.doc;
}

/**
 * The model's output width, checked with the editor's shape rules in eval mode: a batch of
 * one in train mode is an error for BatchNorm1d on [N, F], not a fact about the model.
 */
function outputWidth(doc: ModelDocument): number | null {
  let out: number[];
  // messages name the place: 'layer 3: …' in a chain, the node ('layer1.0.add: …') in a graph;
  // a batch of 2, as one example in train mode is an error for BatchNorm1d, not a fact about the model
  try { out = modelFromDocument(doc).outputShape([2, ...doc.input]); } catch (e) { throw new Error(`shape error at ${(e as Error).message}`); }
  return out.length === 2 ? out[1] : null;
}

function loadData(a: TrainArgs, doc: ModelDocument): { ds: ImageDataset; transforms: TransformConfig } {
  if (a.dataset !== 'synthetic') return { ds: loadBuiltinDataset(a.dataset, ROOT), transforms: { normalize: NORMALIZE_PRESETS[a.dataset] } };
  const classes = a.classes ?? outputWidth(doc);
  if (classes === null || classes < 2) throw new Error('synthetic data needs --classes K (the model does not end in [N, K] logits with K >= 2)');
  return { ds: syntheticDataset({ input: doc.input, classes, train: a.trainSize, test: a.testSize, seed: a.seed }), transforms: {} };
}

const pct = (x: number | null) => (x === null ? '   -  ' : `${(100 * x).toFixed(2).padStart(6)}%`);

function epochLine(e: EpochRecord, epochs: number): string {
  const val = e.valLoss === null ? '' : `  val loss ${e.valLoss.toFixed(4)} acc ${pct(e.valAccuracy)}`;
  return `epoch ${e.epoch}/${epochs}  train loss ${e.trainLoss.toFixed(4)} acc ${pct(e.trainAccuracy)}${val}  lr ${e.lr.toPrecision(4)}  ${e.seconds.toFixed(1)} s  ${Math.round(e.examplesPerSecond)} img/s`;
}

interface Outcome { steps: number; stepLosses: number[]; epochs: EpochRecord[]; status: string; test: EvalResult | null; seconds: number; best?: TrainResult['best'] }

/** `--lr-find`: the range test on the training split; prints the curve (every 10th point) and the suggestion. */
async function findLr(a: TrainArgs, doc: ModelDocument): Promise<LrFinderResult> {
  const { ds, transforms } = loadData(a, doc);
  const model = modelFromDocument(doc, { seed: a.seed });
  const r = await lrRangeTest(model, splitSource(ds, 'train', doc.input, transforms, new Rng(a.seed)), { loss: a.loss, optimizer: a.optimizer, batchSize: a.batchSize }, { seed: a.seed });
  if (!a.json) {
    for (const p of r.points.filter((_, i) => i % 10 === 0)) console.log(`lr ${p.lr.toExponential(2).padStart(9)}  loss ${p.loss.toFixed(4)}  smoothed ${p.smoothed.toFixed(4)}`);
    console.log(r.suggestion === null ? 'no suggestion: the loss never fell steadily (try a wider range or more data)' : `suggested lr ${r.suggestion.toPrecision(3)} (${a.optimizer.type}, batch ${a.batchSize}${r.diverged ? `; the loss diverged at lr ${r.points.at(-1)!.lr.toExponential(2)}` : ''})`);
  }
  return r;
}

async function run(a: TrainArgs, doc: ModelDocument, log: (line: string) => void, logs: TrainLog | null): Promise<Outcome> {
  const { ds, transforms } = loadData(a, doc);
  const rng = new Rng(a.seed);
  const trainSrc = splitSource(ds, 'train', doc.input, transforms, rng);
  const testSrc = ds.test > 0 ? splitSource(ds, 'test', doc.input, transforms, rng) : null;
  const model = modelFromDocument(doc, { seed: a.seed });
  const config: TrainerConfig = {
    loss: a.loss, optimizer: a.optimizer, scheduler: a.scheduler as SchedulerSpec | null, batchSize: a.batchSize, epochs: a.epochs,
    seed: a.seed, shuffle: a.shuffle, valSplit: a.valSplit, dropLast: a.dropLast, clip: gradClipOf(a.gradClip), earlyStopping: a.earlyStopping,
  };
  log(`training on ${ds.name} (${ds.train} train / ${ds.test} test, ${ds.classes.length} classes), ${a.optimizer.type} ${JSON.stringify(a.optimizer)}`);
  const stepLosses: number[] = [];
  const t0 = performance.now();
  const result = await train(model, { train: trainSrc }, config, {
    progressIntervalMs: 1000,
    onProgress: (events) => {
      for (const e of events) {
        if (e.type === 'steps') { for (const s of e.steps) stepLosses.push(s.loss); logs?.steps(e.steps); }
        else if (e.type === 'epoch') { log(epochLine(e.record, a.epochs)); logs?.epoch(e.record); }
      }
    },
  });
  const test = testSrc ? await evaluateSplit(model, testSrc, a.loss, a.batchSize, ds.classes.length) : null;
  const seconds = (performance.now() - t0) / 1000;
  if (a.save) writeFileSync(a.save, stateToSafetensors(model.stateDict()));
  if (logs) {
    const metrics: Record<string, number> = {};
    if (test) metrics['loss/test'] = test.loss;
    if (test?.accuracy != null) { metrics['accuracy/test'] = test.accuracy; logs.test(a.epochs, test.accuracy); }
    if (stepLosses.length) metrics['loss/train'] = stepLosses[stepLosses.length - 1];
    for (const path of logs.write(a.logdir!, result.status === 'stopped' ? 'stopped' : 'finished', undefined, metrics, a.batchSize, model.stateDict())) log(`wrote ${path}`);
  }
  if (result.best) {
    const b = result.best;
    log(`${b.stoppedAt ? `stopped early after epoch ${b.stoppedAt}; ` : ''}best epoch ${b.epoch} (${a.earlyStopping!.monitor} ${b.value.toPrecision(5)}); ${b.restored ? `the weights are epoch ${b.epoch}'s (restore_best_weights)` : 'the weights are the last epoch\'s'}`);
  }
  return { steps: result.steps, stepLosses, epochs: result.epochs, status: result.status, test, seconds, ...(result.best && { best: result.best }) };
}

export async function runTrain(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(TRAIN_USAGE);
    return 0;
  }
  let a: TrainArgs;
  const { choice, rest } = takeBackendOptions(argv, process.env, fastestBackend());
  try {
    a = parseTrainArgs(rest);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`layerboard train: ${e.message}\n\n${TRAIN_USAGE}`);
    return 2;
  }
  const backend = await applyBackend(choice);
  const doc = readModel(a.file);
  if (a.lrFind) {
    const r = await findLr(a, doc);
    if (a.json) console.log(JSON.stringify({ model: a.file, backend: backend.description, ...r }));
    return 0;
  }
  // the output folders exist before training, so a run never ends in ENOENT with its results lost
  if (a.save) mkdirSync(dirname(a.save), { recursive: true });
  if (a.logdir) mkdirSync(a.logdir, { recursive: true });
  const log = a.json ? () => {} : (line: string) => console.log(line);
  const runName = a.name ?? (a.file.split('/').pop() ?? 'run').replace(/\.json$/, '');
  const logs = a.logdir ? new TrainLog(runName, doc, { ...a, file: undefined, json: undefined }) : null;
  try {
    const o = await run(a, doc, log, logs);
    if (a.json) {
      const { file, json, ...options } = a;
      console.log(JSON.stringify({ model: file, options, backend: backend.description, ...o }));
    } else {
      if (o.test) console.log(`test loss ${o.test.loss.toFixed(4)}  accuracy ${pct(o.test.accuracy).trim()} on ${o.test.examples} images`);
      console.log(`${o.steps} steps in ${o.seconds.toFixed(1)} s (${backend.description})${a.save ? `; weights saved to ${a.save}` : ''}`);
    }
    return 0;
  } catch (e) {
    if (!(e instanceof NonFiniteLossError)) throw e;
    // A failed run keeps its logs up to the last finite step, with the reason.
    if (logs) for (const path of logs.write(a.logdir!, 'failed', e.message, {}, a.batchSize)) log(`wrote ${path}`);
    if (a.json) console.log(JSON.stringify({ model: a.file, error: e.message, step: e.step, epoch: e.epoch, value: String(e.value) }));
    else console.error(`layerboard train: ${e.message}`);
    return 1;
  }
}
