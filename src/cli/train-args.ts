// Arguments of `layerboard train`: the usage text and a parser that names the bad option.

export const TRAIN_USAGE = `usage: layerboard train MODEL.json [options]

Trains the model in Node with the engine (forward, loss, zero_grad, backward, step), with
per-epoch validation, then evaluates on the test split.

  --dataset synthetic|mnist   synthetic (default): seeded class blobs in the model's input shape;
                              mnist: the built-in 8,000/2,000 MNIST digits (Normalize(0.1307, 0.3081))
  --epochs N                  default 1
  --batch-size B              default 64
  --optimizer NAME            sgd (default), adam, adamw, rmsprop, adagrad
  --lr X                      learning rate (PyTorch's default for the optimizer; SGD has none)
  --momentum X                momentum (SGD, RMSprop)
  --weight-decay X
  --opt KEY=VALUE             any other optimizer keyword, value as JSON (repeatable): --opt nesterov=true
  --loss NAME                 default CrossEntropyLoss; --loss-opt KEY=VALUE for its keywords
  --scheduler NAME            StepLR, ExponentialLR, CosineAnnealingLR or OneCycleLR; --sched-opt KEY=VALUE
  --seed S                    seeds init, shuffling and the synthetic data (default 0)
  --val-split F               fraction of the training split held out for validation (default 0.1)
  --no-shuffle                keep the training order
  --drop-last                 drop the last incomplete batch
  --classes K                 synthetic: number of classes (default: the model's output width)
  --train-size N              synthetic: training examples (default 2000)
  --test-size N               synthetic: test examples (default 400)
  --save FILE.safetensors     write the trained weights (PyTorch state_dict names)
  --json                      print one JSON object (config, epochs, step losses, test metrics)
  --backend ts|wasm, --threads N   compute backend (default ts)`;

const OPTIMIZER_NAMES: Record<string, string> = { sgd: 'SGD', adam: 'Adam', adamw: 'AdamW', rmsprop: 'RMSprop', adagrad: 'Adagrad' };

export interface TrainArgs {
  file: string;
  dataset: 'synthetic' | 'mnist';
  epochs: number;
  batchSize: number;
  optimizer: { type: string; [k: string]: unknown };
  loss: { type: string; [k: string]: unknown };
  scheduler: { type: string; [k: string]: unknown } | null;
  seed: number;
  valSplit: number;
  shuffle: boolean;
  dropLast: boolean;
  classes: number | null;
  trainSize: number;
  testSize: number;
  save: string | null;
  json: boolean;
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

/** KEY=VALUE with VALUE as JSON (a bare word stays a string): momentum=0.9, betas=[0.8,0.9]. */
function keyValue(flag: string, v: string): [string, unknown] {
  const eq = v.indexOf('=');
  if (eq <= 0) throw new UsageError(`${flag} takes KEY=VALUE, got '${v}'`);
  const raw = v.slice(eq + 1);
  try { return [v.slice(0, eq), JSON.parse(raw)]; } catch { return [v.slice(0, eq), raw]; }
}

const FLAGS_WITH_VALUE = new Set([
  '--dataset', '--epochs', '--batch-size', '--optimizer', '--lr', '--momentum', '--weight-decay', '--opt', '--loss', '--loss-opt',
  '--scheduler', '--sched-opt', '--seed', '--val-split', '--classes', '--train-size', '--test-size', '--save',
]);

export function parseTrainArgs(args: string[]): TrainArgs {
  const a: TrainArgs = {
    file: '', dataset: 'synthetic', epochs: 1, batchSize: 64, optimizer: { type: 'SGD' }, loss: { type: 'CrossEntropyLoss' }, scheduler: null,
    seed: 0, valSplit: 0.1, shuffle: true, dropLast: false, classes: null, trainSize: 2000, testSize: 400, save: null, json: false,
  };
  const opt: Record<string, unknown> = {}, lossOpt: Record<string, unknown> = {}, schedOpt: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].startsWith('--') ? (args[i].split(/=(.*)/s, 2) as [string, string | undefined]) : [args[i], undefined];
    let value = inline;
    if (FLAGS_WITH_VALUE.has(flag) && value === undefined) {
      value = args[++i];
      if (value === undefined) throw new UsageError(`${flag} needs a value`);
    }
    const v = value as string;
    switch (flag) {
      case '--dataset':
        if (v !== 'synthetic' && v !== 'mnist') throw new UsageError(`--dataset must be synthetic or mnist, got '${v}'`);
        a.dataset = v; break;
      case '--epochs': a.epochs = int(flag, v, 1); break;
      case '--batch-size': a.batchSize = int(flag, v, 1); break;
      case '--optimizer': {
        const type = OPTIMIZER_NAMES[v.toLowerCase()];
        if (!type) throw new UsageError(`--optimizer must be one of ${Object.keys(OPTIMIZER_NAMES).join(', ')}, got '${v}'`);
        a.optimizer.type = type; break;
      }
      case '--lr': opt.lr = float(flag, v); break;
      case '--momentum': opt.momentum = float(flag, v); break;
      case '--weight-decay': opt.weight_decay = float(flag, v); break;
      case '--opt': { const [k, x] = keyValue(flag, v); opt[k] = x; break; }
      case '--loss': a.loss.type = v; break;
      case '--loss-opt': { const [k, x] = keyValue(flag, v); lossOpt[k] = x; break; }
      case '--scheduler': a.scheduler = { type: v }; break;
      case '--sched-opt': { const [k, x] = keyValue(flag, v); schedOpt[k] = x; break; }
      case '--seed': a.seed = int(flag, v, 0); break;
      case '--val-split': a.valSplit = float(flag, v); break;
      case '--classes': a.classes = int(flag, v, 2); break;
      case '--train-size': a.trainSize = int(flag, v, 1); break;
      case '--test-size': a.testSize = int(flag, v, 0); break;
      case '--save': a.save = v; break;
      case '--no-shuffle': a.shuffle = false; break;
      case '--drop-last': a.dropLast = true; break;
      case '--json': a.json = true; break;
      default:
        if (flag.startsWith('-')) throw new UsageError(`unknown option '${flag}'`);
        if (a.file) throw new UsageError(`unexpected argument '${flag}'`);
        a.file = flag;
    }
  }
  if (!a.file) throw new UsageError('missing MODEL.json');
  if (!(a.valSplit >= 0 && a.valSplit < 1)) throw new UsageError(`--val-split must be in [0, 1), got ${a.valSplit}`);
  if (a.optimizer.type === 'SGD' && opt.lr === undefined) throw new UsageError('--lr is required with SGD (PyTorch gives it no default)');
  if (Object.keys(schedOpt).length && !a.scheduler) throw new UsageError('--sched-opt needs --scheduler');
  Object.assign(a.optimizer, opt);
  Object.assign(a.loss, lossOpt);
  if (a.scheduler) Object.assign(a.scheduler, schedOpt);
  return a;
}
