// Evaluation on a held-out split in eval mode: mean loss, accuracy and the confusion matrix.
import { lossTarget } from './losses/targets.ts';
import { DataLoader, type Batch, type BatchSource } from './data-loader.ts';
import { createLoss, type LossSpec } from './losses.ts';
import type { Model } from './model.ts';
import type { Tensor } from './tensor.ts';
import type { EvalResult } from '../core/run/records.ts';

/** Index of the largest value of row i of an [N, C] array (the first one on ties, as argmax). */
function argmax(data: Float32Array, i: number, c: number): number {
  let best = 0;
  for (let j = 1; j < c; j++) if (data[i * c + j] > data[i * c + best]) best = j;
  return best;
}

/** Evaluates in eval mode; `pause` runs after each batch (a worker yields there), `observe` sees each batch's output. */
export async function evaluateSplit(
  model: Model,
  source: BatchSource,
  lossSpec: LossSpec,
  batchSize: number,
  classes: number,
  pause: () => Promise<void> = async () => {},
  observe?: (out: Tensor, batch: Batch) => void,
): Promise<EvalResult> {
  const loss = createLoss(lossSpec),
    perBatchMean = (lossSpec.reduction ?? 'mean') === 'mean';
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const wasTraining = model.training;
  model.eval();
  let sum = 0,
    seen = 0,
    correct = 0,
    classification = source.targetKind === 'class';
  const predictions: number[] = [];
  try {
    for (const batch of new DataLoader(source, { batchSize }).batches()) {
      const out = model.forwardView(batch.input);
      const value = loss.forward(out, lossTarget(loss.type, out, batch.target)).data[0];
      observe?.(out, batch);
      sum += perBatchMean ? value * batch.size : value;
      seen += batch.size;
      if (out.shape.length !== 2 || out.shape[1] !== classes) classification = false;
      if (classification) {
        for (let i = 0; i < batch.size; i++) {
          const truth = batch.target.data[i],
            pred = argmax(out.data, i, classes);
          confusion[truth][pred]++;
          predictions.push(pred);
          if (truth === pred) correct++;
        }
      }
      await pause();
    }
  } finally {
    model.train(wasTraining);
  }
  // batch means weighted by batch size: the mean over the split, as the trainer reports it
  return {
    loss: sum / Math.max(seen, 1),
    accuracy: classification && seen ? correct / seen : null,
    examples: seen,
    confusion: classification ? confusion : [],
    ...(classification && { predictions }),
  };
}
