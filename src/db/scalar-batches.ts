// The scalars of an imported run, written in batches: an event or run file can hold
// hundreds of thousands of points, and one IndexedDB transaction of them all keeps the
// page without a word for minutes. Each batch is its own transaction, progress is told
// after each, a cancel stops between batches, and the run's own record is written last
// (by the caller), so a run is listed only once all of its points are stored; a failed or
// cancelled import removes the points it wrote.
import type { LayerboardDB, ScalarRecord } from './schema.ts';

/** Points per transaction: enough to amortise a commit, few enough to report progress often. */
export const SCALAR_BATCH = 10_000;

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

/**
 * Adds a new run's points batch by batch (`records` hold one point per tag and step, see
 * lastPerStep). On any failure, or a cancel, the points written are deleted again.
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
  try {
    for (let from = 0; from < records.length; from += SCALAR_BATCH) {
      options.signal?.throwIfAborted();
      await db.scalars.bulkAdd(records.slice(from, from + SCALAR_BATCH));
      options.onProgress?.(what, Math.min(records.length, from + SCALAR_BATCH), records.length);
    }
    options.signal?.throwIfAborted();
  } catch (e) {
    await deleteScalars(db, runId);
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
