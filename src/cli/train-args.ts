// Arguments of `layerboard train`: the usage text and a parser that names the bad option
// and maps the flags onto a TrainingConfig (core/run), the one the app and train.py read.
import {
  defaultTrainingConfig,
  type BackendChoice,
  type Choice,
  type DatasetConfig,
  type KeywordValue,
  type TrainingConfig,
} from '../core/run/training-config.ts';

export const TRAIN_USAGE = `usage: layerboard train MODEL.json [options]

Trains the model in Node with the engine (forward, loss, zero_grad, backward, step), with
per-epoch validation, then evaluates on the test split.

  --dataset synthetic|mnist|fashion-mnist|FILE.csv
                              synthetic (default): seeded class blobs in the model's input shape;
                              mnist: the built-in MNIST, official 60,000 train / 10,000 test (Normalize(0.1307, 0.3081));
                              fashion-mnist: the built-in Fashion-MNIST, 60,000 / 10,000 (Normalize(0.2860, 0.3530));
                              FILE.csv: a header row, numeric feature columns and a --label column, split
                              80/20 (seeded) into train/test, features standardized with the train split's statistics
  --label COLUMN              FILE.csv: the label column (class names, or numbers with --task regression)
  --task classification|regression
                              FILE.csv: classes from the label's distinct values (default), or a float target [1] (MSELoss)
  --no-standardize            FILE.csv: keep the features as they are
  --epochs N                  default 1
  --batch-size B              default 64
  --optimizer NAME            sgd (default), adam, adamw, rmsprop, adagrad
  --lr X                      learning rate (PyTorch's default for the optimizer; SGD has none)
  --momentum X                momentum (SGD, RMSprop)
  --weight-decay X
  --opt KEY=VALUE             any other optimizer keyword, value as JSON (repeatable): --opt nesterov=true
  --loss NAME                 default CrossEntropyLoss; --loss-opt KEY=VALUE for its keywords
  --scheduler NAME            StepLR, ExponentialLR, CosineAnnealingLR or OneCycleLR; --sched-opt KEY=VALUE
  --clip-grad-norm X[,P]      clip_grad_norm_(max_norm=X, norm_type=P (default 2)) after each backward
  --clip-grad-value X         clip_grad_value_(clip_value=X) after each backward
  --early-stopping P[,MONITOR[,MIN_DELTA]]
                              stop after P epochs without improvement of MONITOR (val_loss (default),
                              val_accuracy or train_loss) by more than MIN_DELTA (default 0)
  --restore-best-weights      with --early-stopping: end with the best epoch's weights (what --save writes)
  --lr-find                   instead of training: the lr range test (Smith), lr 1e-7 → 10 exponentially over
                              100 batches; prints the suggested lr (steepest fall of the smoothed loss)
  --seed S                    seeds init, shuffling and the synthetic data (default 0)
  --val-split F               fraction of the training split held out for validation (default 0.1)
  --no-shuffle                keep the training order
  --drop-last                 drop the last incomplete batch
  --classes K                 synthetic: number of classes (default: the model's output width)
  --train-size N              synthetic: training examples (default 2000)
  --test-size N               synthetic: test examples (default 400)
  --save FILE.safetensors     write the trained weights (PyTorch state_dict names); folders are created
  --logdir DIR                write logs both ways: DIR/<run>/events.out.tfevents.* for TensorBoard
                              and DIR/<run>.layerboard-run.json for the app's Board (Import run file)
  --name NAME                 the run's name in those logs (default: the model file's name)
  --json                      print one JSON object (config, epochs, step losses, test metrics)
  --backend ts|wasm, --threads N   compute backend (default wasm on every available core;
                              ts is the TypeScript reference, one thread by default)`;

const OPTIMIZER_NAMES: Record<string, string> = {
  sgd: 'SGD',
  adam: 'Adam',
  adamw: 'AdamW',
  rmsprop: 'RMSprop',
  adagrad: 'Adagrad',
};

/** The command line of `layerboard train`: the model file, its TrainingConfig, and where the results go. */
export interface TrainArgs {
  file: string;
  config: TrainingConfig;
  save: string | null;
  logdir: string | null;
  name: string | null;
  json: boolean;
  /** Run the lr range test instead of training. */
  lrFind: boolean;
  /** --dataset FILE.csv: the CSV's path (config.dataset says its label, task and standardization). */
  table: string | null;
}

/** A usage problem: the command prints it with the usage and exits 2. */
export class UsageError extends Error {}

function int(flag: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag} must be an integer >= ${min}, got '${v}'`);
  return n;
}

function float(flag: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag} must be a number, got '${v}'`);
  return n;
}

function positive(flag: string, v: string): number {
  const n = float(flag, v);
  if (!(n > 0)) throw new UsageError(`${flag} must be > 0, got '${v}'`);
  return n;
}

/** KEY=VALUE with VALUE as JSON (a bare word stays a string): momentum=0.9, betas=[0.8,0.9]. */
function keyValue(flag: string, v: string): [string, KeywordValue] {
  const eq = v.indexOf('=');
  if (eq <= 0) throw new UsageError(`${flag} takes KEY=VALUE, got '${v}'`);
  const key = v.slice(0, eq),
    raw = v.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    /* a bare word: the string itself */
  }
  const ok =
    value === null ||
    ['number', 'boolean', 'string'].includes(typeof value) ||
    (Array.isArray(value) && value.every((x) => typeof x === 'number'));
  if (!ok)
    throw new UsageError(
      `${flag} ${key}: expected a number, true/false, a string, null or a list of numbers, got '${raw}'`,
    );
  return [key, value as KeywordValue];
}

/** What the flags set, before it becomes a TrainingConfig. */
interface Draft {
  dataset: 'synthetic' | 'mnist' | 'fashion-mnist' | 'table';
  /** --dataset FILE.csv, its --label, --task and standardization. */
  table: { path: string; label: string | null; task: 'classification' | 'regression'; standardize: boolean };
  classes: number | null;
  trainSize: number;
  testSize: number;
  optimizer: string;
  loss: string;
  scheduler: string | null;
  /** --restore-best-weights, applied to --early-stopping once every flag is read. */
  restoreBest: boolean;
  kw: { opt: Choice; loss: Choice; sched: Choice };
  config: Omit<TrainingConfig, 'dataset' | 'transforms' | 'loss' | 'optimizer' | 'scheduler' | 'backend'>;
  out: Omit<TrainArgs, 'config'>;
}
type ValueFlag = (d: Draft, v: string) => void;

function optimizerType(v: string): string {
  const type = OPTIMIZER_NAMES[v.toLowerCase()];
  if (!type) throw new UsageError(`--optimizer must be one of ${Object.keys(OPTIMIZER_NAMES).join(', ')}, got '${v}'`);
  return type;
}

/** Options that take a value (`--flag value` or `--flag=value`). */
const VALUE_FLAGS: Record<string, ValueFlag> = {
  '--dataset': (d, v) => {
    if (/\.csv$/i.test(v)) {
      d.dataset = 'table';
      d.table.path = v;
      return;
    }
    if (v !== 'synthetic' && v !== 'mnist' && v !== 'fashion-mnist')
      throw new UsageError(`--dataset must be synthetic, mnist, fashion-mnist or a FILE.csv, got '${v}'`);
    d.dataset = v;
  },
  '--label': (d, v) => {
    d.table.label = v;
  },
  '--task': (d, v) => {
    if (v !== 'classification' && v !== 'regression')
      throw new UsageError(`--task must be classification or regression, got '${v}'`);
    d.table.task = v;
  },
  '--epochs': (d, v) => {
    d.config.epochs = int('--epochs', v, 1);
  },
  '--batch-size': (d, v) => {
    d.config.batchSize = int('--batch-size', v, 1);
  },
  '--optimizer': (d, v) => {
    d.optimizer = optimizerType(v);
  },
  '--lr': (d, v) => {
    d.kw.opt.lr = float('--lr', v);
  },
  '--momentum': (d, v) => {
    d.kw.opt.momentum = float('--momentum', v);
  },
  '--weight-decay': (d, v) => {
    d.kw.opt.weight_decay = float('--weight-decay', v);
  },
  '--opt': (d, v) => {
    const [k, x] = keyValue('--opt', v);
    d.kw.opt[k] = x;
  },
  '--loss': (d, v) => {
    d.loss = v;
  },
  '--loss-opt': (d, v) => {
    const [k, x] = keyValue('--loss-opt', v);
    d.kw.loss[k] = x;
  },
  '--scheduler': (d, v) => {
    d.scheduler = v;
  },
  '--sched-opt': (d, v) => {
    const [k, x] = keyValue('--sched-opt', v);
    d.kw.sched[k] = x;
  },
  '--seed': (d, v) => {
    d.config.seed = int('--seed', v, 0);
  },
  '--clip-grad-norm': (d, v) => {
    const [max, p] = v.split(',');
    d.config.gradClip = {
      type: 'norm',
      max_norm: positive('--clip-grad-norm', max),
      ...(p !== undefined && { norm_type: positive('--clip-grad-norm norm_type', p) }),
    };
  },
  '--clip-grad-value': (d, v) => {
    d.config.gradClip = { type: 'value', clip_value: positive('--clip-grad-value', v) };
  },
  '--early-stopping': (d, v) => {
    const [p, monitor = 'val_loss', delta = '0'] = v.split(',');
    if (monitor !== 'val_loss' && monitor !== 'val_accuracy' && monitor !== 'train_loss')
      throw new UsageError(`--early-stopping monitors val_loss, val_accuracy or train_loss, got '${monitor}'`);
    d.config.earlyStopping = {
      monitor,
      patience: int('--early-stopping patience', p, 1),
      min_delta: float('--early-stopping min_delta', delta),
      mode: 'auto',
      restore_best_weights: false,
    };
  },
  '--val-split': (d, v) => {
    d.config.valSplit = float('--val-split', v);
  },
  '--classes': (d, v) => {
    d.classes = int('--classes', v, 2);
  },
  '--train-size': (d, v) => {
    d.trainSize = int('--train-size', v, 1);
  },
  '--test-size': (d, v) => {
    d.testSize = int('--test-size', v, 0);
  },
  '--save': (d, v) => {
    d.out.save = v;
  },
  '--logdir': (d, v) => {
    d.out.logdir = v;
  },
  '--name': (d, v) => {
    d.out.name = v;
  },
};

const SWITCHES: Record<string, (d: Draft) => void> = {
  '--no-shuffle': (d) => {
    d.config.shuffle = false;
  },
  '--drop-last': (d) => {
    d.config.dropLast = true;
  },
  '--json': (d) => {
    d.out.json = true;
  },
  '--restore-best-weights': (d) => {
    d.restoreBest = true;
  },
  '--lr-find': (d) => {
    d.out.lrFind = true;
  },
  '--no-standardize': (d) => {
    d.table.standardize = false;
  },
};

function draft(): Draft {
  return {
    dataset: 'synthetic',
    table: { path: '', label: null, task: 'classification', standardize: true },
    classes: null,
    trainSize: 2000,
    testSize: 400,
    optimizer: 'SGD',
    loss: 'CrossEntropyLoss',
    scheduler: null,
    restoreBest: false,
    kw: { opt: { type: '' }, loss: { type: '' }, sched: { type: '' } },
    config: {
      batchSize: 64,
      epochs: 1,
      shuffle: true,
      seed: 0,
      valSplit: 0.1,
      dropLast: false,
      gradClip: null,
      earlyStopping: null,
    },
    out: { file: '', save: null, logdir: null, name: null, json: false, lrFind: false, table: null },
  };
}

/** The flags as a TrainingConfig (synthetic data sized by --classes/--train-size/--test-size; MNIST and Fashion-MNIST normalized as in the app). */
function finish(d: Draft, backend: BackendChoice): TrainArgs {
  if (!d.out.file) throw new UsageError('missing MODEL.json');
  const c = d.config;
  if (!(c.valSplit >= 0 && c.valSplit < 1)) throw new UsageError(`--val-split must be in [0, 1), got ${c.valSplit}`);
  if (d.optimizer === 'SGD' && d.kw.opt.lr === undefined && !d.out.lrFind)
    throw new UsageError('--lr is required with SGD (PyTorch gives it no default)');
  if (Object.keys(d.kw.sched).length > 1 && !d.scheduler) throw new UsageError('--sched-opt needs --scheduler');
  if (d.restoreBest && !c.earlyStopping) throw new UsageError('--restore-best-weights needs --early-stopping');
  if (c.earlyStopping) c.earlyStopping.restore_best_weights = d.restoreBest;
  if (c.earlyStopping && c.earlyStopping.monitor !== 'train_loss' && c.valSplit === 0)
    throw new UsageError(`--early-stopping monitors ${c.earlyStopping.monitor}, which needs --val-split > 0`);
  if (d.dataset === 'table' && !d.table.label) throw new UsageError('--dataset FILE.csv needs --label COLUMN');
  if (d.dataset !== 'table' && (d.table.label !== null || d.table.task !== 'classification' || !d.table.standardize))
    throw new UsageError('--label, --task and --no-standardize go with --dataset FILE.csv');
  const table = d.table;
  if (d.dataset === 'table') d.out.table = table.path;
  const dataset: DatasetConfig =
    d.dataset === 'table'
      ? { id: 'table', label: table.label!, task: table.task, standardize: table.standardize }
      : d.dataset === 'synthetic'
        ? {
            id: 'synthetic',
            trainSize: d.trainSize,
            testSize: d.testSize,
            ...(d.classes !== null && { classes: d.classes }),
          }
        : { id: d.dataset };
  const config: TrainingConfig = {
    ...defaultTrainingConfig(d.dataset),
    ...c,
    dataset,
    loss: { ...d.kw.loss, type: d.loss },
    optimizer: { ...d.kw.opt, type: d.optimizer },
    scheduler: d.scheduler ? { ...d.kw.sched, type: d.scheduler } : null,
    backend,
  };
  return { ...d.out, config };
}

/** `layerboard train`'s arguments; `backend` is what --backend/--threads (or the environment, or the default) chose. */
export function parseTrainArgs(args: string[], backend: BackendChoice = { backend: 'ts' }): TrainArgs {
  const d = draft();
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].startsWith('--')
      ? (args[i].split(/=(.*)/s, 2) as [string, string | undefined])
      : [args[i], undefined];
    if (flag in VALUE_FLAGS) {
      const v = inline ?? args[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      VALUE_FLAGS[flag](d, v);
    } else if (flag in SWITCHES) {
      SWITCHES[flag](d);
    } else if (flag.startsWith('-')) {
      throw new UsageError(`unknown option '${flag}'`);
    } else if (d.out.file) {
      throw new UsageError(`unexpected argument '${flag}'`);
    } else {
      d.out.file = flag;
    }
  }
  return finish(d, backend);
}
