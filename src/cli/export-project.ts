// `layerboard export MODEL.json --format pytorch-project --out DIR`: model.py, train.py
// and a README that carry the model and its training configuration on in PyTorch.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pytorchProject } from '../core/python/pytorch-project.ts';
import { defaultTrainingConfig, validateTrainingConfig, type TrainingConfig } from '../core/run/training-config.ts';
import type { ModelDocument } from '../core/model/types.ts';

/** The dataset a model's input suggests: CIFAR-10 for 3×32×32, MNIST for 1×28×28 (or 784 features), else an image folder of that size. */
export function datasetFor(input: number[]): TrainingConfig['dataset'] {
  const [c, h, w] = input;
  if (c === 3 && h === 32 && w === 32) return { id: 'cifar10' };
  if ((c === 1 && h === 28 && w === 28) || (input.length === 1 && c === 784)) return { id: 'mnist' };
  if (input.length === 3 && (c === 1 || c === 3) && h === w) return { id: 'imagefolder', imageSize: h, channels: c };
  return { id: 'synthetic' };
}

/** Fields a training object must have, with an example of each for the message. */
const REQUIRED: [keyof TrainingConfig, string][] = [
  ['loss', '{"type": "CrossEntropyLoss"}'], ['optimizer', '{"type": "Adam", "lr": 0.001}'], ['batchSize', '64'], ['epochs', '1'],
  ['seed', '0'], ['valSplit', '0.1'], ['shuffle', 'true'], ['dropLast', 'false'],
  ['transforms', '{"normalize": null, "horizontalFlip": false, "cropPadding": 0}'],
];

/**
 * The document's own training config, else defaults for the dataset its input suggests.
 * A training object without `dataset` gets the one its input suggests; any other missing
 * field is an error that names it.
 */
export function trainingConfigOf(doc: ModelDocument): TrainingConfig {
  const dataset = datasetFor(doc.input);
  if (!doc.training) return { ...defaultTrainingConfig(dataset.id), dataset };
  const t = doc.training;
  const missing = REQUIRED.filter(([key]) => t[key] === undefined);
  if (missing.length) {
    throw new Error(`training: ${missing.map(([key, example]) => `'${key}' is missing (e.g. "${key}": ${example})`).join('; ')}`);
  }
  for (const key of ['loss', 'optimizer'] as const) {
    const v = t[key] as { type?: unknown } | null;
    if (typeof v !== 'object' || v === null || typeof v.type !== 'string') throw new Error(`training.${key}: must be an object with a "type" (e.g. ${REQUIRED.find(([k]) => k === key)![1]})`);
  }
  return { scheduler: null, dataset, ...(t as unknown as Omit<TrainingConfig, 'dataset' | 'scheduler'>) };
}

export function writeProject(doc: ModelDocument, dir: string): string[] {
  const config = trainingConfigOf(doc);
  const problems = validateTrainingConfig(config);
  if (problems.length) throw new Error(`training: ${problems.join('; ')}`);
  mkdirSync(dir, { recursive: true });
  const files = pytorchProject(doc, config);
  for (const f of files) writeFileSync(join(dir, f.path), f.content);
  return files.map((f) => join(dir, f.path));
}
