// `layerboard export MODEL.json --format pytorch-project --out DIR`: model.py, train.py
// and a README that carry the model and its training configuration on in PyTorch.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pytorchProject } from '../core/python/pytorch-project.ts';
import { defaultTrainingConfig, validateTrainingConfig, type TrainingConfig } from '../core/run/training-config.ts';
import type { ModelDocument } from '../core/model/types.ts';

/** The dataset a model's input suggests: CIFAR-10 for 3×32×32, MNIST for 1×28×28 (or 784 features), else an image folder of that size, else synthetic data. */
export function datasetFor(input: readonly number[]): TrainingConfig['dataset'] {
  const [c, h, w] = input;
  if (c === 3 && h === 32 && w === 32) return { id: 'cifar10' };
  if ((c === 1 && h === 28 && w === 28) || (input.length === 1 && c === 784)) return { id: 'mnist' };
  if (input.length === 3 && (c === 1 || c === 3) && h === w) return { id: 'imagefolder', imageSize: h, channels: c };
  return { id: 'synthetic' };
}

/** The document's own training config (checked field by field when it was read), else defaults for the dataset its input suggests. */
export function trainingConfigOf(doc: ModelDocument): TrainingConfig {
  if (doc.training) return doc.training;
  const dataset = datasetFor(doc.input);
  return { ...defaultTrainingConfig(dataset.id), dataset };
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
