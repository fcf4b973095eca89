// Arguments of `layerboard train`: the usage text and a parser that names the bad option.
import type { EarlyStoppingConfig, GradClipConfig } from '../core/run/training-config.ts';

export const TRAIN_USAGE = `usage: layerboard train MODEL.json [options]

Trains the model in Node with the engine (forward, loss, zero_grad, backward, step), with
per-epoch validation, then evaluates on the test split.

  --dataset synthetic|mnist|fashion-mnist
                              synthetic (default): seeded class blobs in the model's input shape;
                              mnist: the built-in MNIST, official 60,000 train / 10,000 test (Normalize(0.1307, 0.3081));
                              fashion-mnist: the built-in Fashion-MNIST, 60,000 / 10,000 (Normalize(0.2860, 0.3530))
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
  --save FILE.safetensors     write the trained weights (PyTorch state_dict names)
  --logdir DIR                write logs both ways: DIR/<run>/events.out.tfevents.* for TensorBoard
                              and DIR/<run>.layerboard-run.json for the app's Board (Import run file)
  --name NAME                 the run's name in those logs (default: the model file's name)
  --json                      print one JSON object (config, epochs, step losses, test metrics)
  --backend ts|wasm, --threads N   compute backend (default wasm on every available core;
                              ts is the TypeScript reference, one thread by default)`;

const OPTIMIZER_NAMES: Record<string, string> = { sgd: 'SGD', adam: 'Adam', adamw: 'AdamW', rmsprop: 'RMSprop', adagrad: 'Adagrad' };

export interface TrainArgs {
  file: string;
  dataset: 'synthetic' | 'mnist' | 'fashion-mnist';
  epochs: number;
  batchSize: number;
  optimizer: { type: string; [k: string]: unknown };
  loss: { type: string; [k: string]: unknown };
  scheduler: { type: string; [k: string]: unknown } | null;
  seed: number;
  valSplit: number;
  shuffle: boolean;
  dropLast: boolean;
  gradClip: GradClipConfig | null;
  earlyStopping: EarlyStoppingConfig | null;
  classes: number | null;
  trainSize: number;
  testSize: number;
  save: string | null;
  logdir: string | null;
  name: string | null;
  json: boolean;
  /** --restore-best-weights, applied to --early-stopping once every flag is read. */
  restoreBest: boolean;
  /** Run the lr range test instead of training. */
  lrFind: boolean;
}

/** A usage problem: the command prints it with the usage and exits 2. */
export class UsageError extends Error {}

function int(flag: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer >= ${min}, got '${v}'`);
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
function keyValue(flag: string, v: string): [string, unknown] {
  const eq = v.indexOf('=');
  if (eq <= 0) throw new UsageError(`${flag} takes KEY=VALUE, got '${v}'`);
  const raw = v.slice(eq + 1);
  try { return [v.slice(0, eq), JSON.parse(raw)]; } catch { return [v.slice(0, eq), raw]; }
}

interface Keywords { opt: Record<string, unknown>; loss: Record<string, unknown>; sched: Record<string, unknown> }
type ValueFlag = (a: TrainArgs, v: string, kw: Keywords) => void;

function optimizerType(v: string): string {
  const type = OPTIMIZER_NAMES[v.toLowerCase()];
  if (!type) throw new UsageError(`--optimizer must be one of ${Object.keys(OPTIMIZER_NAMES).join(', ')}, got '${v}'`);
  return type;
}

/** Options that take a value (`--flag value` or `--flag=value`). */
const VALUE_FLAGS: Record<string, ValueFlag> = {
  '--dataset': (a, v) => {
    if (v !== 'synthetic' && v !== 'mnist' && v !== 'fashion-mnist') throw new UsageError(`--dataset must be synthetic, mnist or fashion-mnist, got '${v}'`);
    a.dataset = v;
  },
  '--epochs': (a, v) => { a.epochs = int('--epochs', v, 1); },
  '--batch-size': (a, v) => { a.batchSize = int('--batch-size', v, 1); },
  '--optimizer': (a, v) => { a.optimizer.type = optimizerType(v); },
  '--lr': (_, v, kw) => { kw.opt.lr = float('--lr', v); },
  '--momentum': (_, v, kw) => { kw.opt.momentum = float('--momentum', v); },
  '--weight-decay': (_, v, kw) => { kw.opt.weight_decay = float('--weight-decay', v); },
  '--opt': (_, v, kw) => { const [k, x] = keyValue('--opt', v); kw.opt[k] = x; },
  '--loss': (a, v) => { a.loss.type = v; },
  '--loss-opt': (_, v, kw) => { const [k, x] = keyValue('--loss-opt', v); kw.loss[k] = x; },
  '--scheduler': (a, v) => { a.scheduler = { type: v }; },
  '--sched-opt': (_, v, kw) => { const [k, x] = keyValue('--sched-opt', v); kw.sched[k] = x; },
  '--seed': (a, v) => { a.seed = int('--seed', v, 0); },
  '--clip-grad-norm': (a, v) => {
    const [max, p] = v.split(',');
    a.gradClip = { type: 'norm', max_norm: positive('--clip-grad-norm', max), ...(p !== undefined && { norm_type: positive('--clip-grad-norm norm_type', p) }) };
  },
  '--early-stopping': (a, v) => {
    const [p, monitor = 'val_loss', delta = '0'] = v.split(',');
    if (monitor !== 'val_loss' && monitor !== 'val_accuracy' && monitor !== 'train_loss') throw new UsageError(`--early-stopping monitors val_loss, val_accuracy or train_loss, got '${monitor}'`);
    a.earlyStopping = { monitor, patience: int('--early-stopping patience', p, 1), min_delta: float('--early-stopping min_delta', delta), mode: 'auto', restore_best_weights: false };
  },
  '--clip-grad-value': (a, v) => { a.gradClip = { type: 'value', clip_value: positive('--clip-grad-value', v) }; },
  '--val-split': (a, v) => { a.valSplit = float('--val-split', v); },
  '--classes': (a, v) => { a.classes = int('--classes', v, 2); },
  '--train-size': (a, v) => { a.trainSize = int('--train-size', v, 1); },
  '--test-size': (a, v) => { a.testSize = int('--test-size', v, 0); },
  '--save': (a, v) => { a.save = v; },
  '--logdir': (a, v) => { a.logdir = v; },
  '--name': (a, v) => { a.name = v; },
};

const SWITCHES: Record<string, (a: TrainArgs) => void> = {
  '--no-shuffle': (a) => { a.shuffle = false; },
  '--drop-last': (a) => { a.dropLast = true; },
  '--json': (a) => { a.json = true; },
  '--restore-best-weights': (a) => { a.restoreBest = true; },
  '--lr-find': (a) => { a.lrFind = true; },
};

function defaults(): TrainArgs {
  return {
    file: '', dataset: 'synthetic', epochs: 1, batchSize: 64, optimizer: { type: 'SGD' }, loss: { type: 'CrossEntropyLoss' }, scheduler: null,
    seed: 0, valSplit: 0.1, shuffle: true, dropLast: false, gradClip: null, earlyStopping: null, restoreBest: false, lrFind: false, classes: null, trainSize: 2000, testSize: 400, save: null, logdir: null, name: null, json: false,
  };
}

function finish(a: TrainArgs, kw: Keywords): TrainArgs {
  if (!a.file) throw new UsageError('missing MODEL.json');
  if (!(a.valSplit >= 0 && a.valSplit < 1)) throw new UsageError(`--val-split must be in [0, 1), got ${a.valSplit}`);
  if (a.optimizer.type === 'SGD' && kw.opt.lr === undefined && !a.lrFind) throw new UsageError('--lr is required with SGD (PyTorch gives it no default)');
  if (Object.keys(kw.sched).length && !a.scheduler) throw new UsageError('--sched-opt needs --scheduler');
  if (a.restoreBest && !a.earlyStopping) throw new UsageError('--restore-best-weights needs --early-stopping');
  if (a.earlyStopping) a.earlyStopping.restore_best_weights = a.restoreBest;
  if (a.earlyStopping && a.earlyStopping.monitor !== 'train_loss' && a.valSplit === 0) throw new UsageError(`--early-stopping monitors ${a.earlyStopping.monitor}, which needs --val-split > 0`);
  Object.assign(a.optimizer, kw.opt);
  Object.assign(a.loss, kw.loss);
  if (a.scheduler) Object.assign(a.scheduler, kw.sched);
  return a;
}

export function parseTrainArgs(args: string[]): TrainArgs {
  const a = defaults(), kw: Keywords = { opt: {}, loss: {}, sched: {} };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].startsWith('--') ? (args[i].split(/=(.*)/s, 2) as [string, string | undefined]) : [args[i], undefined];
    if (flag in VALUE_FLAGS) {
      const v = inline ?? args[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      VALUE_FLAGS[flag](a, v, kw);
    } else if (flag in SWITCHES) {
      SWITCHES[flag](a);
    } else if (flag.startsWith('-')) {
      throw new UsageError(`unknown option '${flag}'`);
    } else if (a.file) {
      throw new UsageError(`unexpected argument '${flag}'`);
    } else {
      a.file = flag;
    }
  }
  return finish(a, kw);
}
