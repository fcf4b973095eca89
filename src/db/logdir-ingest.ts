// Events of a live logdir (`layerboard board --logdir`) into IndexedDB: one run per
// folder with a stable id, so the Board's live queries show new points as they arrive.
import type { TfEvent } from '../core/formats/tfevents/index.ts';
import type { RawSummary } from '../core/formats/tfevents/summary-value.ts';
import { graphDefToModules } from '../core/formats/tfevents/graph-to-modules.ts';
import { newModelDocument } from '../core/model/model-json.ts';
import { hparamsOf } from './tfevents-exchange.ts';
import type { LayerboardDB, RunRecord, ScalarRecord } from './schema.ts';
import { appendScalars } from './scalar-blocks.ts';

export const logdirRunId = (folder: string) => `logdir:${folder}`;

/**
 * Stores events of one run folder. `fresh`: the first events of this run in this page
 * session — its summaries are replaced (they are re-read from the files' start, and
 * unlike scalars they have no natural key to overwrite).
 */
export async function ingestLogdirEvents(
  db: LayerboardDB,
  folder: string,
  name: string,
  events: TfEvent[],
  fresh: boolean,
): Promise<void> {
  const id = logdirRunId(folder);
  const scalars: ScalarRecord[] = [];
  const summaries: (RawSummary & { runId: string })[] = [];
  let graph: TfEvent | undefined;
  let first = Infinity,
    last = 0;
  for (const e of events) {
    if (e.graphDef) graph = e;
    if (e.wallTime) {
      first = Math.min(first, e.wallTime);
      last = Math.max(last, e.wallTime);
    }
    for (const v of e.values) {
      if (v.scalar !== undefined)
        scalars.push({ runId: id, tag: v.tag, step: e.step, wallTime: e.wallTime, value: v.scalar });
      else if (v.kind && v.raw)
        summaries.push({ runId: id, tag: v.tag, step: e.step, wallTime: e.wallTime, kind: v.kind, value: v.raw });
    }
  }
  const hparams = hparamsOf(summaries, scalars);
  await db.transaction('rw', [db.runs, db.scalarBlocks, db.summaries, db.graphs, db.hparams], async () => {
    const run = await db.runs.get(id);
    if (!run) {
      const record: RunRecord = {
        id,
        projectId: null,
        name,
        created: Number.isFinite(first) ? first * 1000 : Date.now(),
        ended: last ? last * 1000 : null,
        status: 'running',
        message: `following the logdir folder ${folder}`,
        doc: newModelDocument([1]),
        config: null,
        backend: 'tensorboard', // no training config: only its logs are known
      };
      await db.runs.add(record);
    } else if (last) await db.runs.update(id, { ended: Math.max(run.ended ?? 0, last * 1000) });
    if (fresh) await db.summaries.where('runId').equals(id).delete();
    await appendScalars(db, id, scalars);
    if (summaries.length) await db.summaries.bulkAdd(summaries);
    if (graph?.graph)
      await db.graphs.put({ runId: id, graph: graphDefToModules(graph.graph), graphDef: graph.graphDef });
    if (hparams) await db.hparams.put({ runId: id, ...hparams });
  });
}
