// Reading a TrainingConfig from JSON (a model file's `training`, a run file's `config`):
// every field checked for its type and bounds, unknown keys refused, each problem named by
// its JSON path ('training.optimizer.lr: must be a number ≥ 0'). The typed result then
// goes through validateTrainingConfig for the catalogue's keywords.
import {
  LIMITS,
  validateTrainingConfig,
  type BackendChoice,
  type Choice,
  type DatasetConfig,
  type EarlyStoppingConfig,
  type GradClipConfig,
  type KeywordValue,
  type TrainingConfig,
  type TransformsConfig,
} from './training-config.ts';

export interface PathError {
  path: string;
  message: string;
}
export type ParsedConfig = { ok: true; config: TrainingConfig } | { ok: false; errors: PathError[] };

type Json = { [key: string]: unknown };
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (Array.isArray(v)) return 'a list';
  if (isObject(v)) return 'an object';
  return String(v);
};

/** Collects problems while reading one object's fields. */
class Reader {
  constructor(readonly errors: PathError[]) {}

  fail(path: string, message: string): undefined {
    this.errors.push({ path, message });
    return undefined;
  }

  object(v: unknown, path: string, keys: readonly string[], required: readonly string[]): Json | undefined {
    if (!isObject(v)) return this.fail(path, `must be an object, got ${show(v)}`);
    for (const k of Object.keys(v))
      if (!keys.includes(k)) this.fail(`${path}.${k}`, `unknown key (known: ${keys.join(', ')})`);
    for (const k of required) if (v[k] === undefined) this.fail(`${path}.${k}`, 'missing');
    return v;
  }

  int(v: unknown, path: string, min: number, max: number): number | undefined {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max)
      return this.fail(path, `must be a whole number from ${min} to ${max}, got ${show(v)}`);
    return v;
  }

  number(v: unknown, path: string, ok: (x: number) => boolean, what: string): number | undefined {
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v))
      return this.fail(path, `must be ${what}, got ${show(v)}`);
    return v;
  }

  bool(v: unknown, path: string): boolean | undefined {
    if (typeof v !== 'boolean') return this.fail(path, `must be true or false, got ${show(v)}`);
    return v;
  }

  numbers(v: unknown, path: string, ok: (x: number) => boolean, what: string): number[] | undefined {
    if (!Array.isArray(v) || v.length === 0 || v.length > 4)
      return this.fail(path, `must be a list of 1 to 4 numbers, got ${show(v)}`);
    const bad = v.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x) || !ok(x));
    if (bad >= 0) return this.fail(`${path}[${bad}]`, `must be ${what}, got ${show(v[bad])}`);
    return v as number[];
  }
}

const DATASET_KEYS: Record<DatasetConfig['id'], readonly string[]> = {
  mnist: ['id'],
  'fashion-mnist': ['id'],
  cifar10: ['id'],
  imagefolder: ['id', 'imageSize', 'channels'],
  synthetic: ['id', 'classes', 'trainSize', 'testSize'],
  table: ['id', 'label', 'task', 'standardize'],
};

function dataset(r: Reader, v: unknown, path: string): DatasetConfig | undefined {
  if (!isObject(v)) return r.fail(path, `must be an object, got ${show(v)}`);
  const id = v.id;
  if (
    id !== 'mnist' &&
    id !== 'fashion-mnist' &&
    id !== 'cifar10' &&
    id !== 'imagefolder' &&
    id !== 'synthetic' &&
    id !== 'table'
  ) {
    return r.fail(
      `${path}.id`,
      `must be one of ${Object.keys(DATASET_KEYS)
        .map((k) => `'${k}'`)
        .join(', ')}, got ${show(id)}`,
    );
  }
  const o = r.object(v, path, DATASET_KEYS[id], ['id']);
  if (!o) return undefined;
  const opt = (key: string, min: number, max: number) =>
    o[key] === undefined ? undefined : r.int(o[key], `${path}.${key}`, min, max);
  switch (id) {
    case 'mnist':
    case 'fashion-mnist':
    case 'cifar10':
      return { id };
    case 'imagefolder': {
      const out: DatasetConfig = { id };
      const size = opt('imageSize', 1, LIMITS.imageSize);
      if (size !== undefined) out.imageSize = size;
      if (o.channels !== undefined) {
        if (o.channels === 1 || o.channels === 3) out.channels = o.channels;
        else r.fail(`${path}.channels`, `must be 1 or 3, got ${show(o.channels)}`);
      }
      return out;
    }
    case 'synthetic': {
      const out: DatasetConfig = { id };
      const classes = opt('classes', 2, LIMITS.classes),
        train = opt('trainSize', 1, LIMITS.examples),
        test = opt('testSize', 0, LIMITS.examples);
      if (classes !== undefined) out.classes = classes;
      if (train !== undefined) out.trainSize = train;
      if (test !== undefined) out.testSize = test;
      return out;
    }
    case 'table': {
      const out: DatasetConfig = { id };
      if (o.label !== undefined) {
        if (typeof o.label === 'string') out.label = o.label;
        else r.fail(`${path}.label`, `must be a column name, got ${show(o.label)}`);
      }
      if (o.task !== undefined) {
        if (o.task === 'classification' || o.task === 'regression') out.task = o.task;
        else r.fail(`${path}.task`, `must be 'classification' or 'regression', got ${show(o.task)}`);
      }
      if (o.standardize !== undefined) {
        if (typeof o.standardize === 'boolean') out.standardize = o.standardize;
        else r.fail(`${path}.standardize`, `must be true or false, got ${show(o.standardize)}`);
      }
      return out;
    }
  }
}

function transforms(r: Reader, v: unknown, path: string): TransformsConfig | undefined {
  const o = r.object(
    v,
    path,
    ['normalize', 'horizontalFlip', 'cropPadding'],
    ['normalize', 'horizontalFlip', 'cropPadding'],
  );
  if (!o) return undefined;
  let normalize: TransformsConfig['normalize'] = null;
  if (o.normalize !== null && o.normalize !== undefined) {
    const n = r.object(o.normalize, `${path}.normalize`, ['mean', 'std'], ['mean', 'std']);
    const mean = n && r.numbers(n.mean, `${path}.normalize.mean`, () => true, 'a number');
    const std = n && r.numbers(n.std, `${path}.normalize.std`, (x) => x > 0, 'a number > 0');
    if (mean && std && mean.length !== std.length)
      r.fail(`${path}.normalize`, `mean has ${mean.length} values but std has ${std.length}`);
    if (mean && std) normalize = { mean: [...mean], std: [...std] };
  }
  const horizontalFlip = r.bool(o.horizontalFlip, `${path}.horizontalFlip`);
  const cropPadding = r.int(o.cropPadding, `${path}.cropPadding`, 0, LIMITS.cropPadding);
  if (horizontalFlip === undefined || cropPadding === undefined) return undefined;
  return { normalize, horizontalFlip, cropPadding };
}

function keywordValue(r: Reader, v: unknown, path: string): KeywordValue | undefined {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : r.fail(path, `must be a finite number, got ${show(v)}`);
  if (Array.isArray(v) && v.length <= 1024 && v.every((x) => typeof x === 'number' && Number.isFinite(x)))
    return [...(v as number[])];
  return r.fail(path, `must be a number, true/false, a string, null or a list of numbers, got ${show(v)}`);
}

function choice(r: Reader, v: unknown, path: string): Choice | undefined {
  if (!isObject(v)) return r.fail(path, `must be an object like {"type": "…", …keywords}, got ${show(v)}`);
  if (typeof v.type !== 'string')
    return r.fail(`${path}.type`, v.type === undefined ? 'missing' : `must be a class name, got ${show(v.type)}`);
  const out: Choice = { type: v.type };
  for (const [k, x] of Object.entries(v)) {
    if (k === 'type') continue;
    const value = keywordValue(r, x, `${path}.${k}`);
    if (value !== undefined) out[k] = value;
  }
  return out;
}

function backend(r: Reader, v: unknown, path: string): BackendChoice | undefined {
  const o = r.object(v, path, ['backend', 'threads'], ['backend']);
  if (!o) return undefined;
  if (o.backend !== 'ts' && o.backend !== 'wasm')
    return r.fail(`${path}.backend`, `must be 'ts' or 'wasm', got ${show(o.backend)}`);
  const out: BackendChoice = { backend: o.backend };
  if (o.threads !== undefined) {
    const t = r.int(o.threads, `${path}.threads`, 1, LIMITS.threads);
    if (t !== undefined) out.threads = t;
  }
  return out;
}

const positive = (x: number) => x > 0;

function gradClip(r: Reader, v: unknown, path: string): GradClipConfig | undefined {
  if (!isObject(v))
    return r.fail(
      path,
      `must be an object like {"type": "norm", "max_norm": 1} or {"type": "value", "clip_value": 0.5}, got ${show(v)}`,
    );
  switch (v.type) {
    case 'norm': {
      const o = r.object(v, path, ['type', 'max_norm', 'norm_type'], ['type', 'max_norm']);
      const maxNorm =
        o && o.max_norm !== undefined ? r.number(o.max_norm, `${path}.max_norm`, positive, 'a number > 0') : undefined;
      const normType =
        o && o.norm_type !== undefined
          ? r.number(o.norm_type, `${path}.norm_type`, positive, 'a number > 0')
          : undefined;
      if (maxNorm === undefined) return undefined;
      return { type: 'norm', max_norm: maxNorm, ...(normType !== undefined && { norm_type: normType }) };
    }
    case 'value': {
      const o = r.object(v, path, ['type', 'clip_value'], ['type', 'clip_value']);
      const clipValue =
        o && o.clip_value !== undefined
          ? r.number(o.clip_value, `${path}.clip_value`, positive, 'a number > 0')
          : undefined;
      return clipValue === undefined ? undefined : { type: 'value', clip_value: clipValue };
    }
    default:
      return r.fail(`${path}.type`, `must be 'norm' or 'value', got ${show(v.type)}`);
  }
}

const EARLY_STOPPING_KEYS = ['monitor', 'patience', 'min_delta', 'mode', 'restore_best_weights'] as const;

function earlyStopping(r: Reader, v: unknown, path: string): EarlyStoppingConfig | undefined {
  const o = r.object(v, path, EARLY_STOPPING_KEYS, EARLY_STOPPING_KEYS);
  if (!o) return undefined;
  const oneOf = <T extends string>(key: string, options: readonly T[]): T | undefined => {
    const x = o[key];
    if (x === undefined) return undefined;
    if (typeof x === 'string' && (options as readonly string[]).includes(x)) return x as T;
    return r.fail(`${path}.${key}`, `must be one of ${options.map((k) => `'${k}'`).join(', ')}, got ${show(x)}`);
  };
  const monitor = oneOf('monitor', ['val_loss', 'val_accuracy', 'train_loss'] as const);
  const mode = oneOf('mode', ['min', 'max', 'auto'] as const);
  const patience = o.patience === undefined ? undefined : r.int(o.patience, `${path}.patience`, 1, LIMITS.epochs);
  const minDelta =
    o.min_delta === undefined ? undefined : r.number(o.min_delta, `${path}.min_delta`, (x) => x >= 0, 'a number ≥ 0');
  const restore =
    o.restore_best_weights === undefined ? undefined : r.bool(o.restore_best_weights, `${path}.restore_best_weights`);
  if (
    monitor === undefined ||
    mode === undefined ||
    patience === undefined ||
    minDelta === undefined ||
    restore === undefined
  )
    return undefined;
  return { monitor, patience, min_delta: minDelta, mode, restore_best_weights: restore };
}

const KEYS = [
  'dataset',
  'transforms',
  'loss',
  'optimizer',
  'scheduler',
  'batchSize',
  'epochs',
  'shuffle',
  'seed',
  'valSplit',
  'dropLast',
  'gradClip',
  'earlyStopping',
  'backend',
] as const;
const OPTIONAL: readonly string[] = ['scheduler', 'gradClip', 'earlyStopping', 'backend'];
const REQUIRED = KEYS.filter((k) => !OPTIONAL.includes(k));

/** A TrainingConfig from JSON: exact types, bounds, no unknown keys; problems by JSON path under `root`. */
export function parseTrainingConfig(value: unknown, root = 'training'): ParsedConfig {
  const r = new Reader([]);
  const o = r.object(value, root, KEYS, REQUIRED);
  if (!o) return { ok: false, errors: r.errors };
  const at = (k: string) => `${root}.${k}`;
  /** A field read when present (a missing one is already reported). */
  const field = <T>(k: string, read: (v: unknown, path: string) => T | undefined): T | undefined =>
    o[k] === undefined ? undefined : read(o[k], at(k));
  const parts = {
    dataset: field('dataset', (v, p) => dataset(r, v, p)),
    transforms: field('transforms', (v, p) => transforms(r, v, p)),
    loss: field('loss', (v, p) => choice(r, v, p)),
    optimizer: field('optimizer', (v, p) => choice(r, v, p)),
    scheduler: o.scheduler === null || o.scheduler === undefined ? null : choice(r, o.scheduler, at('scheduler')),
    batchSize: field('batchSize', (v, p) => r.int(v, p, 1, LIMITS.batchSize)),
    epochs: field('epochs', (v, p) => r.int(v, p, 1, LIMITS.epochs)),
    shuffle: field('shuffle', (v, p) => r.bool(v, p)),
    seed: field('seed', (v, p) => r.int(v, p, 0, Number.MAX_SAFE_INTEGER)),
    valSplit: field('valSplit', (v, p) => r.number(v, p, (x) => x >= 0 && x < 1, 'a fraction in [0, 1)')),
    dropLast: field('dropLast', (v, p) => r.bool(v, p)),
    gradClip: o.gradClip === null || o.gradClip === undefined ? o.gradClip : gradClip(r, o.gradClip, at('gradClip')),
    earlyStopping:
      o.earlyStopping === null || o.earlyStopping === undefined
        ? o.earlyStopping
        : earlyStopping(r, o.earlyStopping, at('earlyStopping')),
    backend: o.backend === undefined ? undefined : backend(r, o.backend, at('backend')),
  };
  const {
    dataset: d,
    transforms: t,
    loss,
    optimizer,
    scheduler,
    batchSize,
    epochs,
    shuffle,
    seed,
    valSplit,
    dropLast,
  } = parts;
  if (
    r.errors.length ||
    !d ||
    !t ||
    !loss ||
    !optimizer ||
    scheduler === undefined ||
    batchSize === undefined ||
    epochs === undefined ||
    shuffle === undefined ||
    seed === undefined ||
    valSplit === undefined ||
    dropLast === undefined
  ) {
    return { ok: false, errors: r.errors };
  }
  const config: TrainingConfig = {
    dataset: d,
    transforms: t,
    loss,
    optimizer,
    scheduler,
    batchSize,
    epochs,
    shuffle,
    seed,
    valSplit,
    dropLast,
  };
  // absent stays absent, null stays null: both mean none
  if (parts.gradClip !== undefined) config.gradClip = parts.gradClip;
  if (parts.earlyStopping !== undefined) config.earlyStopping = parts.earlyStopping;
  if (parts.backend) config.backend = parts.backend;
  const problems = validateTrainingConfig(config).map(pathError(root));
  return problems.length ? { ok: false, errors: problems } : { ok: true, config };
}

/** validateTrainingConfig's 'optimizer.lr: message' as a path error under `root`. */
function pathError(root: string): (message: string) => PathError {
  return (message) => {
    const m = /^([\w.]+): (.*)$/s.exec(message);
    return m ? { path: `${root}.${m[1]}`, message: m[2] } : { path: root, message };
  };
}

/** One line for the user: 'training.epochs: missing; training.optimizer.lr: …'. */
export function describeErrors(errors: readonly PathError[]): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join('; ');
}
