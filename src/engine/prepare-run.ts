// One run's setup, the same for the browser's worker and the CLI: the model from its
// document (seeded init, or given weights), the dataset's splits in the model's input shape
// with the configuration's transforms, the loaders (and so the steps per epoch), and what
// to call to train and to evaluate on the test split.
//
//   const run = prepareRun(doc, config, dataset);
//   const result = await run.train({ onProgress });
//   const test = result.status === 'finished' ? await run.evaluateTest() : null;
import type { ImageDataset } from '../core/formats/lbds.ts';
import type { ModelDocument } from '../core/model/types.ts';
import type { EvalResult } from '../core/run/records.ts';
import { validateTrainingConfig, type TrainingConfig } from '../core/run/training-config.ts';
import type { Batch, BatchSource } from './data-loader.ts';
import type { Tensor } from './tensor.ts';
import { splitSource, transformsOf } from './dataset-source.ts';
import { evaluateSplit } from './evaluate.ts';
import { Rng } from './rng.ts';
import { modelFromDocument, type Model } from './model.ts';
import type { StateDict } from './state-dict.ts';
import { makeLoaders, trainWith, type RunLoaders, type TrainOptions, type TrainResult } from './trainer.ts';

export interface PreparedRun {
  readonly model: Model;
  readonly config: TrainingConfig;
  readonly dataset: ImageDataset;
  readonly loaders: RunLoaders;
  /** The test split in the model's input shape, or null when the dataset has none. */
  readonly test: BatchSource | null;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  train(options?: TrainOptions): Promise<TrainResult>;
  /** Evaluates the model on the test split; `pause` runs after every batch (a worker yields there), `observe` sees each batch's output. */
  evaluateTest(pause?: () => Promise<void>, observe?: (out: Tensor, batch: Batch) => void): Promise<EvalResult | null>;
}

/** The configuration's problems as one error, before anything is built. */
export function checkTrainingConfig(config: TrainingConfig): void {
  const problems = validateTrainingConfig(config);
  if (problems.length) throw new Error(`training config: ${problems.join('; ')}`);
}

/** The model of a document: seeded PyTorch init, then `weights` when given ("continue training"). */
export function buildModel(doc: ModelDocument, seed: number, weights?: StateDict): Model {
  const model = modelFromDocument(doc, { seed });
  if (weights) model.loadStateDict(weights);
  return model;
}

/** The test split of `dataset` for a model of `doc` trained with `config`. */
export function testSource(
  doc: ModelDocument,
  config: TrainingConfig,
  dataset: ImageDataset,
  rng = new Rng(config.seed),
): BatchSource | null {
  return dataset.test > 0 ? splitSource(dataset, 'test', doc.input, transformsOf(config), rng) : null;
}

export function prepareRun(
  doc: ModelDocument,
  config: TrainingConfig,
  dataset: ImageDataset,
  weights?: StateDict,
): PreparedRun {
  checkTrainingConfig(config);
  const model = buildModel(doc, config.seed, weights);
  const rng = new Rng(config.seed);
  const trainSrc = splitSource(dataset, 'train', doc.input, transformsOf(config), rng);
  const test = testSource(doc, config, dataset, rng);
  const loaders = { ...makeLoaders({ train: trainSrc }, config), augment: rng };
  const stepsPerEpoch = loaders.train.length;
  return {
    model,
    config,
    dataset,
    loaders,
    test,
    stepsPerEpoch,
    totalSteps: stepsPerEpoch * config.epochs,
    train: (options) => trainWith(model, loaders, config, options),
    evaluateTest: async (pause, observe) =>
      test ? evaluateSplit(model, test, config.loss, config.batchSize, dataset.classes.length, pause, observe) : null,
  };
}
