// The scalars of an imported run, written in batches: an event or run file can hold
// hundreds of thousands of points, and one IndexedDB transaction of them all keeps the
// page without a word for minutes. Each batch is its own transaction, progress is told
// after each, a cancel stops between batches, and the run's own record is written last
// (by the caller), so a run is listed only once all of its points are stored; a failed or
// cancelled import removes the points it wrote.
import type { LayerboardDB, ScalarRecord } from './schema.ts';
import { blocksOf, byTag, deleteRunScalars, SCALAR_BLOCK } from './scalar-blocks.ts';

/** Points per transaction: enough to amortise a commit, few enough to report progress often. */
export const SCALAR_BATCH = 8 * SCALAR_BLOCK;

/** Points written so far of the total, with what is being imported ('run1'). */
export type ImportProgress = (what: string, done: number, total: number) => void;

export interface ImportOptions {
  onProgress?: ImportProgress;
  signal?: AbortSignal;
}

/** One point per (tag, step): the last one written wins, as TensorBoard shows it. */
export function lastPerStep<T extends { tag: string; step: number }>(points: T[]): T[] {
  const byKey = new Map<string, T>();
  for (const p of points) byKey.set(`${p.step}\u0000${p.tag}`, p);
  return byKey.size === points.length ? points : [...byKey.values()];
}

/** `work`, or the signal's reason as soon as it is aborted (the work itself runs on). */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    }),
  ]);
}

/**
 * Adds a new run's points (any tags, any order; the last of a tag's equal steps wins) in
 * blocks, SCALAR_BATCH points per transaction. On a failure or a cancel it throws at once;
 * the points written, and a batch still being written, are deleted again in the background.
 */
export async function addScalarsInBatches(
  db: LayerboardDB,
  runId: string,
  what: string,
  records: ScalarRecord[],
  options: ImportOptions = {},
): Promise<void> {
  // points under this id without a run are left from an import that never finished
  await deleteScalars(db, runId);
  const blocks = [...byTag(records)].flatMap(([tag, points]) => blocksOf(runId, tag, points));
  const total = blocks.reduce((n, b) => n + b.count, 0);
  const perBatch = SCALAR_BATCH / SCALAR_BLOCK;
  let writing: Promise<unknown> = Promise.resolve();
  let done = 0;
  try {
    for (let from = 0; from < blocks.length; from += perBatch) {
      options.signal?.throwIfAborted();
      const batch = blocks.slice(from, from + perBatch);
      writing = db.scalarBlocks.bulkAdd(batch);
      await unlessAborted(writing, options.signal);
      done += batch.reduce((n, b) => n + b.count, 0);
      options.onProgress?.(what, done, total);
    }
    options.signal?.throwIfAborted();
  } catch (e) {
    void writing.catch(() => {}).then(() => deleteScalars(db, runId));
    throw e;
  }
}

/** Removes the points of a run that was not stored after all. */
export async function deleteScalars(db: LayerboardDB, runId: string): Promise<void> {
  await deleteRunScalars(db, runId).catch(() => {});
}
