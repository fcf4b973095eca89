// What a run logs for the Board's other dashboards, beyond the run logger's scalars:
// the final weights' histograms (add_histogram, one tag per parameter) and text as code.
import type { SummaryWriter } from '../../db/summary-writer.ts';
import type { StoredWeights } from './weights.ts';

/** Text shown as a code block by the Text dashboard's markdown (four-space indent). */
export const indentCode = (text: string) =>
  text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

/** A histogram of every parameter at the run's last global step (0-based). */
export async function logFinalWeights(writer: SummaryWriter, weights: StoredWeights, step: number): Promise<void> {
  for (const [name, w] of Object.entries(weights)) {
    if ((w as { dtype?: string }).dtype === 'int64') continue; // buffers such as num_batches_tracked
    await writer.addHistogram(`weights/${name}`, w.data, step);
  }
}
