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
import type { EpochRecord, EvalResult } from '../core/run/records.ts';
import type { TrainingConfig } from '../core/run/training-config.ts';
import { modelFromDocument } from '../engine/model.ts';
import { prepareRun } from '../engine/prepare-run.ts';
import { syntheticDataset } from '../engine/synthetic-dataset.ts';
import { NonFiniteLossError, type TrainResult } from '../engine/trainer.ts';
import { SummaryRecorder } from '../engine/run-summaries.ts';
import { transformsOf, splitSource } from '../engine/dataset-source.ts';
import { lrRangeTest, type LrFinderResult } from '../engine/lr-finder.ts';
import { Rng } from '../engine/rng.ts';
import { loadBuiltinDataset } from './assets/load-dataset.ts';
import { applyBackend, fastestBackend, takeBackendOptions } from './backend-option.ts';
import { parseTrainArgs, TRAIN_USAGE, UsageError, type TrainArgs } from './train-args.ts';
import { TrainLog } from './train-logs.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function readModel(file: string): ModelDocument {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as Error).message}`);
  }
  const parsed = parseModelDocument(text);
  if (!parsed.ok) throw new Error(`${file}: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  return parsed.doc;
}

/** The model's output width in eval mode for a batch of 1 (BatchNorm1d in train mode needs more than 1 value per channel), with the editor's shape rules. */
function outputWidth(doc: ModelDocument): number | null {
  let out: number[];
  // messages name the place: 'layer 3: …' in a chain, the node ('layer1.0.add: …') in a graph; eval mode,
  // so that BatchNorm1d does not ask for a batch of 2
  try {
    const model = modelFromDocument(doc);
    model.eval();
    out = model.outputShape([1, ...doc.input]);
  } catch (e) {
    throw new Error(`shape error at ${(e as Error).message}`);
  }
  return out.length === 2 ? out[1] : null;
}

function loadData(config: TrainingConfig, doc: ModelDocument): ImageDataset {
  const d = config.dataset;
  switch (d.id) {
    case 'mnist':
    case 'fashion-mnist':
      return loadBuiltinDataset(d.id, ROOT);
    case 'synthetic': {
      const classes = d.classes ?? outputWidth(doc);
      if (classes === null || classes < 2)
        throw new Error('synthetic data needs --classes K (the model does not end in [N, K] logits with K >= 2)');
      return syntheticDataset({
        input: doc.input,
        classes,
        train: d.trainSize ?? 2000,
        test: d.testSize ?? 400,
        seed: config.seed,
      });
    }
    case 'cifar10':
    case 'imagefolder':
      throw new Error(`the CLI trains on synthetic data or the built-in MNIST and Fashion-MNIST, not ${d.id}`);
    default:
      return d satisfies never;
  }
}

const pct = (x: number | null) => (x === null ? '   -  ' : `${(100 * x).toFixed(2).padStart(6)}%`);

/** An epoch as people count them: `epoch 1/3` for the first (records are 0-based). */
function epochLine(e: EpochRecord, epochs: number): string {
  const val = e.valLoss === null ? '' : `  val loss ${e.valLoss.toFixed(4)} acc ${pct(e.valAccuracy)}`;
  return `epoch ${e.epoch + 1}/${epochs}  train loss ${e.trainLoss.toFixed(4)} acc ${pct(e.trainAccuracy)}${val}  lr ${e.lr.toPrecision(4)}  ${e.seconds.toFixed(1)} s  ${Math.round(e.examplesPerSecond)} img/s`;
}

interface Outcome {
  steps: number;
  stepLosses: number[];
  epochs: EpochRecord[];
  status: string;
  test: EvalResult | null;
  seconds: number;
  best?: TrainResult['best'];
}

/** `--lr-find`: the range test on the training split; prints the curve (every 10th point) and the suggestion. */
async function findLr(a: TrainArgs, doc: ModelDocument): Promise<LrFinderResult> {
  const { config } = a;
  const ds = loadData(config, doc);
  const model = modelFromDocument(doc, { seed: config.seed });
  const r = await lrRangeTest(
    model,
    splitSource(ds, 'train', doc.input, transformsOf(config), new Rng(config.seed)),
    config,
    { seed: config.seed },
  );
  if (!a.json) {
    for (const p of r.points.filter((_, i) => i % 10 === 0))
      console.log(
        `lr ${p.lr.toExponential(2).padStart(9)}  loss ${p.loss.toFixed(4)}  smoothed ${p.smoothed.toFixed(4)}`,
      );
    console.log(
      r.suggestion === null
        ? 'no suggestion: the loss never fell steadily (try a wider range or more data)'
        : `suggested lr ${r.suggestion.toPrecision(3)} (${config.optimizer.type}, batch ${config.batchSize}${r.diverged ? `; the loss diverged at lr ${r.points.at(-1)!.lr.toExponential(2)}` : ''})`,
    );
  }
  return r;
}

function writeFileIn(path: string, data: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

async function run(
  a: TrainArgs,
  doc: ModelDocument,
  log: (line: string) => void,
  logs: TrainLog | null,
): Promise<Outcome> {
  const { config } = a;
  const ds = loadData(config, doc);
  const prepared = prepareRun(doc, config, ds);
  log(
    `training on ${ds.name} (${ds.train} train / ${ds.test} test, ${ds.classes.length} classes), ${config.optimizer.type} ${JSON.stringify(config.optimizer)}`,
  );
  const stepLosses: number[] = [];
  const t0 = performance.now();
  // histograms, images and PR curves for the event file (the browser's worker logs the same)
  const recorder = logs
    ? new SummaryRecorder(prepared.model, { totalSteps: prepared.totalSteps, classes: ds.classes })
    : null;
  if (logs && recorder) logs.recorder = recorder;
  const result = await prepared.train({
    ...(recorder && { observer: recorder }),
    progressIntervalMs: 1000,
    onProgress: (events) => {
      for (const e of events) {
        if (e.type === 'steps') {
          for (const s of e.steps) stepLosses.push(s.loss);
          logs?.log.steps(e.steps);
        } else if (e.type === 'epoch') {
          log(epochLine(e.record, config.epochs));
          logs?.log.epoch(e.record);
        }
      }
    },
  });
  recorder?.finish(result.steps - 1);
  const test = await prepared.evaluateTest(undefined, recorder?.testObserver());
  if (test) recorder?.afterTest(result.epochs.length);
  const seconds = (performance.now() - t0) / 1000;
  if (a.save) writeFileIn(a.save, stateToSafetensors(prepared.model.stateDict()));
  if (logs) {
    if (test) logs.log.test(test);
    await logs.collect();
    for (const path of logs.write(
      a.logdir!,
      result.status,
      undefined,
      logs.log.metrics(),
      config.batchSize,
      prepared.model.stateDict(),
    ))
      log(`wrote ${path}`);
  }
  if (result.best) {
    const b = result.best;
    // epochs as people count them (records are 0-based)
    log(
      `${b.stoppedAt !== null ? `stopped early after epoch ${b.stoppedAt + 1}; ` : ''}best epoch ${b.epoch + 1} (${config.earlyStopping!.monitor} ${b.value.toPrecision(5)}); ${b.restored ? `the weights are epoch ${b.epoch + 1}'s (restore_best_weights)` : "the weights are the last epoch's"}`,
    );
  }
  return {
    steps: result.steps,
    stepLosses,
    epochs: result.epochs,
    status: result.status,
    test,
    seconds,
    ...(result.best && { best: result.best }),
  };
}

export async function runTrain(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(TRAIN_USAGE);
    return 0;
  }
  let a: TrainArgs;
  const { choice, rest } = takeBackendOptions(argv, process.env, fastestBackend());
  try {
    a = parseTrainArgs(rest, choice);
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
  const logs = a.logdir ? new TrainLog(runName, doc, a.config) : null;
  try {
    const o = await run(a, doc, log, logs);
    if (a.json) {
      console.log(JSON.stringify({ model: a.file, config: a.config, backend: backend.description, ...o }));
    } else {
      if (o.test)
        console.log(
          `test loss ${o.test.loss.toFixed(4)}  accuracy ${pct(o.test.accuracy).trim()} on ${o.test.examples} images`,
        );
      console.log(
        `${o.steps} steps in ${o.seconds.toFixed(1)} s (${backend.description})${a.save ? `; weights saved to ${a.save}` : ''}`,
      );
    }
    return 0;
  } catch (e) {
    if (!(e instanceof NonFiniteLossError)) throw e;
    // A failed run keeps its logs up to the last finite step, with the reason.
    if (logs) await logs.collect();
    if (logs)
      for (const path of logs.write(a.logdir!, 'failed', e.message, logs.log.metrics(), a.config.batchSize))
        log(`wrote ${path}`);
    if (a.json)
      console.log(
        JSON.stringify({ model: a.file, error: e.message, step: e.step, epoch: e.epoch, value: String(e.value) }),
      );
    else console.error(`layerboard train: ${e.message}`);
    return 1;
  }
}
