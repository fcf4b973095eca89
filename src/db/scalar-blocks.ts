// Scalars are stored in blocks: up to SCALAR_BLOCK points of one run's tag per record, as
// three Float64Arrays (steps, wall times, values — doubles stay doubles, steps up to 2^53−1
// stay exact). A point per IndexedDB record wrote ~13,000 points/s with its indexes (a
// 300,000-point run file took half a minute); a block is one structured clone of three
// arrays. Invariant: the blocks of one (run, tag) hold disjoint step ranges, each sorted by
// step with one point per step (the last one written wins, as TensorBoard shows it).
import { Dexie } from 'dexie';
import type { LayerboardDB, ScalarBlockRecord, ScalarRecord } from './schema.ts';

/** Points per block: a tail block rewritten on each flush stays small (~100 KB). */
export const SCALAR_BLOCK = 4096;

/** What the block index says of one block without reading it. */
export interface BlockKey {
  tag: string;
  last: number;
  count: number;
}

/** Sorted by step, one point per step: the last of equal steps wins. */
function sortedUnique<T extends { step: number }>(points: readonly T[]): T[] {
  let sorted = true;
  for (let i = 1; i < points.length && sorted; i++) sorted = points[i].step > points[i - 1].step;
  if (sorted) return points as T[];
  const order = points.map((p, i) => ({ p, i })).sort((a, b) => a.p.step - b.p.step || a.i - b.i);
  const out: T[] = [];
  for (const { p } of order) {
    if (out.length && out[out.length - 1].step === p.step) out[out.length - 1] = p;
    else out.push(p);
  }
  return out;
}

/** Blocks of one tag's points, which are sorted by step with one point per step. */
export function blocksOf(runId: string, tag: string, points: readonly ScalarRecord[]): ScalarBlockRecord[] {
  const blocks: ScalarBlockRecord[] = [];
  for (let from = 0; from < points.length; from += SCALAR_BLOCK) {
    const slice = points.slice(from, from + SCALAR_BLOCK);
    const block: ScalarBlockRecord = {
      runId,
      tag,
      first: slice[0].step,
      last: slice[slice.length - 1].step,
      count: slice.length,
      steps: new Float64Array(slice.length),
      wallTimes: new Float64Array(slice.length),
      values: new Float64Array(slice.length),
    };
    slice.forEach((p, i) => {
      block.steps[i] = p.step;
      block.wallTimes[i] = p.wallTime;
      block.values[i] = p.value;
    });
    blocks.push(block);
  }
  return blocks;
}

/** A block's points as records. */
export function pointsOf(block: ScalarBlockRecord, afterStep = -Infinity): ScalarRecord[] {
  const out: ScalarRecord[] = [];
  for (let i = 0; i < block.count; i++) {
    if (block.steps[i] <= afterStep) continue;
    out.push({
      runId: block.runId,
      tag: block.tag,
      step: block.steps[i],
      wallTime: block.wallTimes[i],
      value: block.values[i],
    });
  }
  return out;
}

/** Points grouped by tag, each group sorted with one point per step. */
export function byTag(points: readonly ScalarRecord[]): Map<string, ScalarRecord[]> {
  const groups = new Map<string, ScalarRecord[]>();
  for (const p of points) {
    const group = groups.get(p.tag);
    if (group) group.push(p);
    else groups.set(p.tag, [p]);
  }
  for (const [tag, group] of groups) groups.set(tag, sortedUnique(group));
  return groups;
}

/** The whole index range of one run's tag ([runId, tag, last, count] keys). */
const tagRange = (db: LayerboardDB, runId: string, tag: string) =>
  db.scalarBlocks
    .where('[runId+tag+last+count]')
    .between([runId, tag, -Infinity, -Infinity], [runId, tag, Infinity, Infinity]);

/**
 * Appends points of one run (any tags, any order): a tag's points after its last stored
 * step fill its tail block, then new blocks; points at or before stored steps are merged
 * into the blocks they overlap (rare: a rewritten step), which are written again.
 */
export async function appendScalars(db: LayerboardDB, runId: string, points: readonly ScalarRecord[]): Promise<void> {
  if (!points.length) return;
  await db.transaction('rw', db.scalarBlocks, async () => {
    for (const [tag, group] of byTag(points)) {
      // blocks whose last step is at or after the first new one, found by the index
      const overlapped = await db.scalarBlocks
        .where('[runId+tag+last+count]')
        .between([runId, tag, group[0].step, -Infinity], [runId, tag, Infinity, Infinity])
        .toArray();
      const tail = overlapped.length ? undefined : await tagRange(db, runId, tag).last();
      const joined = overlapped.length ? overlapped : tail && tail.count < SCALAR_BLOCK ? [tail] : [];
      const merged = joined.length
        ? sortedUnique([...joined.sort((a, b) => a.first - b.first).flatMap((b) => pointsOf(b)), ...group])
        : group;
      const blocks = blocksOf(runId, tag, merged);
      // the first block keeps the id of the first one it replaces (an in-place rewrite)
      joined.forEach((b, i) => {
        if (i < blocks.length) blocks[i].id = b.id;
      });
      const stale = joined.slice(blocks.length).map((b) => b.id!);
      if (stale.length) await db.scalarBlocks.bulkDelete(stale);
      await db.scalarBlocks.bulkPut(blocks);
    }
  });
}

/** The blocks of a run (or of one tag), by tag then step: index order is tag, then last step. */
export function readBlocks(db: LayerboardDB, runId: string, tag?: string): Promise<ScalarBlockRecord[]> {
  return tag === undefined
    ? db.scalarBlocks.where('[runId+tag+last+count]').between([runId], [runId, Dexie.maxKey]).toArray()
    : tagRange(db, runId, tag).toArray();
}

/** The blocks of one tag holding a step after afterStep, by step. */
export function readBlocksAfter(
  db: LayerboardDB,
  runId: string,
  tag: string,
  afterStep: number,
): Promise<ScalarBlockRecord[]> {
  // blocks whose last step is after it: [runId, tag, afterStep, Infinity] excludes last == afterStep
  return db.scalarBlocks
    .where('[runId+tag+last+count]')
    .between([runId, tag, afterStep, Infinity], [runId, tag, Infinity, Infinity], false, true)
    .toArray();
}

/** Every point of a run (or of one tag), by tag then step. */
export async function readScalars(db: LayerboardDB, runId: string, tag?: string): Promise<ScalarRecord[]> {
  return (await readBlocks(db, runId, tag)).flatMap((b) => pointsOf(b));
}

/** Points of one tag after a step, by step (what a live chart has not seen yet). */
export async function readScalarsAfter(
  db: LayerboardDB,
  runId: string,
  tag: string,
  afterStep: number,
): Promise<ScalarRecord[]> {
  return (await readBlocksAfter(db, runId, tag, afterStep)).flatMap((b) => pointsOf(b, afterStep));
}

/** The run's blocks as the index says them (tag, last step, count), without reading a point. */
export async function blockKeys(db: LayerboardDB, runId: string): Promise<BlockKey[]> {
  const keys = await db.scalarBlocks.where('[runId+tag+last+count]').between([runId], [runId, Dexie.maxKey]).keys();
  return keys.map((k) => {
    const [, tag, last, count] = k as unknown as [string, string, number, number];
    return { tag, last, count };
  });
}

/** Removes every point of a run. */
export async function deleteRunScalars(db: LayerboardDB, runId: string): Promise<void> {
  await db.scalarBlocks.where('runId').equals(runId).delete();
}
