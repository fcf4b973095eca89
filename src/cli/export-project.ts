// `layerboard export MODEL.json --format pytorch-project --out DIR`: model.py, train.py
// and a README that carry the model and its training configuration on in PyTorch.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pytorchProject } from '../core/python/pytorch-project.ts';
import { defaultTrainingConfigFor, validateTrainingConfig, type TrainingConfig } from '../core/run/training-config.ts';
import type { ModelDocument } from '../core/model/types.ts';

/** The document's own training config (checked field by field when it was read), else defaults for the dataset its input suggests. */
export function trainingConfigOf(doc: ModelDocument): TrainingConfig {
  return doc.training ?? defaultTrainingConfigFor(doc.input);
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
