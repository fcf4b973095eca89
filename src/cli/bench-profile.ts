// `layerboard bench --profile`: where a training step's time goes on the active backend —
// each layer type's forward and backward, the loss, zero_grad, the optimizer step, the graph
// ops (add/cat and gradient sums: the rest of forward/backward), and, on the wasm backend,
// how much of it is copying operands into and out of WebAssembly memory. The clock is the
// process's CPU time (all threads), which other processes on a busy machine disturb far
// less than wall time; totals over timed steps after warm-up.
import { Arena } from '../engine/wasm/arena.ts';
import { createLoss } from '../engine/losses.ts';
import { createOptimizer } from '../engine/optim/index.ts';
import type { Tensor } from '../engine/tensor.ts';
import { batchOf, type BenchModel } from './bench-measure.ts';

export interface ProfileRow {
  op: string;
  ms: number;
  share: number;
}

type Clock = Map<string, number>;

/** CPU ms of this process (user + system, every thread). */
function now(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

/** Replaces obj[key] (a method) with a version adding its wall time to clock[label]. */
function timeMethod<T extends object>(obj: T, key: keyof T & string, label: string, clock: Clock): void {
  const f = obj[key] as unknown as (...a: unknown[]) => unknown;
  const timed = function (this: unknown, ...a: unknown[]) {
    const t = now();
    try {
      return f.apply(this, a);
    } finally {
      clock.set(label, (clock.get(label) ?? 0) + now() - t);
    }
  };
  Object.defineProperty(obj, key, { value: timed, configurable: true, writable: true });
}

const LOSS = 'loss (CrossEntropyLoss forward + backward)',
  OPT = 'optimizer step (SGD, momentum)';
const COPIES = ['put', 'putRange', 'putInts', 'get', 'getRange', 'getInts'] as const;

/** The per-op shares of `steps` training steps (after 2 warm-up steps) at `batch`. */
export function profileStep(bench: BenchModel, batch: number, steps: number): ProfileRow[] {
  const { model, input } = bench.build();
  const out = model.outputShape([1, ...input]);
  const { x, y } = batchOf(batch, input, out.length === 2 ? out[1] : 10);
  const loss = createLoss({ type: 'CrossEntropyLoss' });
  const opt = createOptimizer({ type: 'SGD', lr: 0.01, momentum: 0.9 }, model.parameters());
  const clock: Clock = new Map();
  const lap = (label: string, run: () => void) => {
    const t = now();
    run();
    clock.set(label, (clock.get(label) ?? 0) + now() - t);
  };
  const step = () => {
    let out!: Tensor, g!: Tensor;
    lap('forward', () => {
      out = model.forwardView(x);
    });
    lap(LOSS, () => {
      loss.forward(out, y);
      g = loss.backward();
    });
    lap('zero_grad', () => opt.zeroGrad());
    lap('backward', () => model.backwardParams(g));
    lap(OPT, () => opt.step());
  };
  for (let i = 0; i < 2; i++) step();
  clock.clear();
  // time every layer and the wasm arena's copies from here on
  model.layers.forEach((l) => {
    timeMethod(l, 'forward', `${l.type} forward`, clock);
    timeMethod(l, 'backward', `${l.type} backward`, clock);
  });
  const saved = COPIES.map((k) => [k, Arena.prototype[k]] as const);
  for (const k of COPIES) timeMethod(Arena.prototype, k, 'copies into/out of wasm memory', clock);
  try {
    for (let i = 0; i < steps; i++) step();
  } finally {
    for (const [k, f] of saved)
      Object.defineProperty(Arena.prototype, k, { value: f, configurable: true, writable: true });
  }
  const total = ['forward', LOSS, 'zero_grad', 'backward', OPT]
    .map((k) => clock.get(k) ?? 0)
    .reduce((a, b) => a + b, 0);
  const layerMs = (dir: string) => [...clock].filter(([k]) => k.endsWith(` ${dir}`)).reduce((s, [, v]) => s + v, 0);
  clock.set(
    'graph ops (add, cat, gradient sums)',
    clock.get('forward')! - layerMs('forward') + (clock.get('backward')! - layerMs('backward')),
  );
  clock.delete('forward');
  clock.delete('backward');
  const rows = [...clock].map(([op, ms]) => ({ op, ms: ms / steps, share: ms / total })).sort((a, b) => b.ms - a.ms);
  return [...rows, { op: 'training step', ms: total / steps, share: 1 }];
}

export function profileTable(rows: ProfileRow[]): string {
  const lines = rows.map(
    (r) =>
      `| ${r.op}${r.op.startsWith('copies') ? ' (inside the layers above)' : ''} | ${r.ms.toFixed(2)} | ${(100 * r.share).toFixed(1)}% |`,
  );
  return ['| op | CPU ms per step | share |', '| --- | --- | --- |', ...lines].join('\n');
}
