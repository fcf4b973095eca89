// Training objects written by older builds, read into today's TrainingConfig: the form's
// config (already this shape), a CLI run's arguments ({dataset: 'mnist', classes, …}), a
// hand-written model file's `training` (snake_case keys). Every field that reads as valid
// is kept, the rest take the defaults; the caller keeps the original when `dropped` is not
// empty, so nothing a user saved is lost.
import { parseTrainingConfig } from './config-parse.ts';
import {
  defaultTrainingConfig,
  defaultTrainingConfigFor,
  type DatasetId,
  type TrainingConfig,
} from './training-config.ts';

const ALIASES: Record<string, string> = { batch_size: 'batchSize', val_split: 'valSplit', drop_last: 'dropLast' };
const DATASETS: readonly DatasetId[] = ['mnist', 'cifar10', 'imagefolder', 'synthetic'];
/** Keys of a CLI run's arguments that were about the command, not the training (the file, output paths). */
const COMMAND_KEYS = new Set(['file', 'json', 'save', 'logdir', 'name']);

export interface MigratedConfig {
  config: TrainingConfig;
  dropped: string[];
}

type Json = { [key: string]: unknown };
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The old object's dataset in today's form ('mnist' → {id: 'mnist'}; a CLI run's synthetic sizes). */
function datasetOf(o: Json): unknown {
  const d = o.dataset;
  if (typeof d === 'string' && (DATASETS as readonly string[]).includes(d)) {
    if (d !== 'synthetic') return { id: d };
    const out: Json = { id: d };
    if (typeof o.classes === 'number') out.classes = o.classes;
    if (typeof o.trainSize === 'number') out.trainSize = o.trainSize;
    if (typeof o.testSize === 'number') out.testSize = o.testSize;
    return out;
  }
  return d;
}

export function migrateTrainingConfig(raw: unknown, modelInput: readonly number[]): MigratedConfig {
  const o: Json = isObject(raw) ? raw : {};
  const dataset = datasetOf(o);
  const id =
    isObject(dataset) && (DATASETS as readonly unknown[]).includes(dataset.id) ? (dataset.id as DatasetId) : null;
  const config: TrainingConfig = id ? defaultTrainingConfig(id) : defaultTrainingConfigFor(modelInput);
  const dropped: string[] = isObject(raw) ? [] : raw === undefined ? [] : ['(not an object)'];
  const consumed = new Set(['dataset', 'classes', 'trainSize', 'testSize']);
  const fields: [string, unknown][] = [['dataset', dataset]];
  for (const [k, v] of Object.entries(o)) {
    if (consumed.has(k)) continue;
    if (COMMAND_KEYS.has(k)) continue;
    fields.push([ALIASES[k] ?? k, v]);
  }
  for (const [key, value] of fields) {
    if (value === undefined) continue;
    const candidate = { ...config, [key]: value };
    const parsed = parseTrainingConfig(candidate);
    if (parsed.ok) Object.assign(config, { [key]: parsed.config[key as keyof TrainingConfig] });
    else dropped.push(key);
  }
  return { config, dropped };
}
