// `layerboard export MODEL.json --format pytorch-project --out DIR`: model.py, train.py
// and a README that carry the model and its training configuration on in PyTorch.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pytorchProject } from '../core/python/pytorch-project.ts';
import { defaultTrainingConfig, validateTrainingConfig, type TrainingConfig } from '../core/run/training-config.ts';
import type { ModelDocument } from '../core/model/types.ts';

/** The document's own training config, else defaults for the dataset its input suggests. */
export function trainingConfigOf(doc: ModelDocument): TrainingConfig {
  if (doc.training) return doc.training as unknown as TrainingConfig;
  const [c, h] = doc.input;
  return defaultTrainingConfig(c === 3 && h === 32 ? 'cifar10' : 'mnist');
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
