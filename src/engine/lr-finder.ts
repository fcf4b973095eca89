// The learning-rate range test (Leslie Smith, "Cyclical Learning Rates", 2017; as fastai's
// and torch-lr-finder's lr_find): train from the current weights while the lr grows
// exponentially from start to end, one batch per lr, and record the loss, smoothed by an
// exponential moving average (debiased; β 0.95 as torch-lr-finder's smooth_f 0.05 — a
// slower average lags the loss by tens of steps and pushes the suggestion too high). The
// sweep stops when the smoothed loss exceeds `divergeFactor` × its best (5, as torch-lr-finder). The suggested lr is where the smoothed loss falls fastest
// against log(lr) (torch-lr-finder's steepest-gradient suggestion).
import { suggestLr, type LrFinderResult, type LrPoint } from '../core/run/lr-range.ts';
import type { LossSpec } from './losses.ts';
import { createLoss } from './losses.ts';
import { lossTarget } from './losses/targets.ts';
import { DataLoader, type BatchSource } from './data-loader.ts';
import type { Model } from './model.ts';
import { createOptimizer, type OptimizerSpec } from './optim/index.ts';

export interface LrFinderOptions {
  startLr?: number;
  endLr?: number;
  steps?: number;
  /** β of the loss's moving average (default 0.95). */
  smoothing?: number;
  divergeFactor?: number;
  seed?: number;
  /** Asked before every step: true ends the sweep there (the result has `stopped`). */
  shouldStop?: () => boolean;
  /** Called every 10 steps with the points measured since the last call. */
  onPoints?: (points: LrPoint[]) => void;
}

export { suggestLr, type LrFinderResult, type LrPoint };

/** Runs the range test on `model` (its weights change: pass a copy you can throw away). */
export async function lrRangeTest(
  model: Model,
  source: BatchSource,
  config: { loss: LossSpec; optimizer: OptimizerSpec; batchSize: number },
  o: LrFinderOptions = {},
): Promise<LrFinderResult> {
  const startLr = o.startLr ?? 1e-7,
    endLr = o.endLr ?? 10,
    steps = o.steps ?? 100,
    beta = o.smoothing ?? 0.95,
    diverge = o.divergeFactor ?? 5;
  if (!(startLr > 0 && endLr > startLr)) throw new Error(`the lr range must grow: start ${startLr}, end ${endLr}`);
  if (!(Number.isInteger(steps) && steps >= 2))
    throw new Error(`the lr range test needs at least 2 steps, got ${steps}`);
  const loss = createLoss(config.loss);
  const opt = createOptimizer({ ...config.optimizer, lr: startLr }, model.parameters());
  const loader = new DataLoader(source, { batchSize: config.batchSize, shuffle: true, seed: o.seed ?? 0, train: true });
  model.train();
  const points: LrPoint[] = [];
  let avg = 0,
    best = Infinity,
    diverged = false,
    stopped = false,
    reported = 0,
    batches = loader.batches();
  for (let i = 0; i < steps; i++) {
    if (o.shouldStop?.()) {
      stopped = true;
      break;
    }
    let next = batches.next();
    if (next.done) {
      batches = loader.batches();
      next = batches.next();
    } // more steps than batches: next epoch
    const batch = next.value!;
    const lr = startLr * (endLr / startLr) ** (i / (steps - 1));
    opt.lr = lr;
    const out = model.forwardView(batch.input);
    const value = loss.forward(out, lossTarget(loss.type, out, batch.target)).data[0];
    if (!Number.isFinite(value)) {
      diverged = true;
      break;
    }
    avg = beta * avg + (1 - beta) * value;
    const smoothed = avg / (1 - beta ** (i + 1));
    points.push({ lr, loss: value, smoothed });
    if (smoothed > diverge * best) {
      diverged = true;
      break;
    }
    best = Math.min(best, smoothed);
    opt.zeroGrad();
    model.backwardParams(loss.backward());
    opt.step();
    if (i % 10 === 9) {
      o.onPoints?.(points.slice(reported));
      reported = points.length;
      await new Promise((r) => setTimeout(r, 0)); // let messages (a cancel) through
    }
  }
  if (reported < points.length) o.onPoints?.(points.slice(reported));
  return { points, suggestion: suggestLr(points), diverged, ...(stopped && { stopped }) };
}
