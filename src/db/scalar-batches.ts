// The scalars of an imported run, written in batches: an event or run file can hold
// hundreds of thousands of points, and one IndexedDB transaction of them all keeps the
// page without a word for minutes. Each batch is its own transaction, progress is told
// after each, a cancel stops between batches, and the run's own record is written last
// (by the caller), so a run is listed only once all of its points are stored; a failed or
// cancelled import removes the points it wrote.
import type { LayerboardDB, ScalarRecord } from './schema.ts';

/** Points per transaction: enough to amortise a commit, few enough to report progress often. */
export const SCALAR_BATCH = 5_000;

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
 * Adds a new run's points batch by batch (`records` hold one point per tag and step, see
 * lastPerStep). On a failure or a cancel it throws at once; the points written, and a
 * batch still being written, are deleted again in the background (deleting is as slow
 * as writing, and a cancel should not wait for it).
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
  let writing: Promise<unknown> = Promise.resolve();
  try {
    for (let from = 0; from < records.length; from += SCALAR_BATCH) {
      options.signal?.throwIfAborted();
      writing = db.scalars.bulkAdd(records.slice(from, from + SCALAR_BATCH));
      await unlessAborted(writing, options.signal);
      options.onProgress?.(what, Math.min(records.length, from + SCALAR_BATCH), records.length);
    }
    options.signal?.throwIfAborted();
  } catch (e) {
    void writing.catch(() => {}).then(() => deleteScalars(db, runId));
    throw e;
  }
}

/** Removes the points of a run that was not stored after all. */
export async function deleteScalars(db: LayerboardDB, runId: string): Promise<void> {
  await db.scalars
    .where('runId')
    .equals(runId)
    .delete()
    .catch(() => {});
}
