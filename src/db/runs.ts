// Runs and their logs: the run repository and a SummaryWriter-like logger with
// batched writes. Tags follow DESIGN.md (loss/train, loss/val, accuracy/val, ...).
import { liveQuery, type Observable } from 'dexie';
import {
  type BlockKey,
  blockKeys,
  deleteRunScalars,
  readBlocks,
  readBlocksAfter,
  readScalars,
  readScalarsAfter,
} from './scalar-blocks.ts';
import type {
  GraphRecord,
  HparamsRecord,
  LayerboardDB,
  RunRecord,
  RunStatus,
  ScalarBlockRecord,
  ScalarRecord,
  SummaryRecord,
  TextRecord,
} from './schema.ts';
import type { SummaryKind } from '../core/formats/tfevents/summary-value.ts';

export type NewRun = Omit<RunRecord, 'id' | 'created' | 'ended' | 'status'> & { id?: string };

export class RunRepository {
  readonly #db: LayerboardDB;
  readonly #newId: () => string;

  constructor(db: LayerboardDB, newId: () => string = () => crypto.randomUUID()) {
    this.#db = db;
    this.#newId = newId;
  }

  async create(run: NewRun): Promise<RunRecord> {
    const record: RunRecord = {
      ...run,
      id: run.id ?? this.#newId(),
      created: Date.now(),
      ended: null,
      status: 'running',
    };
    await this.#db.runs.add(record);
    return record;
  }

  get(id: string): Promise<RunRecord | undefined> {
    return this.#db.runs.get(id);
  }

  /** Newest first. */
  list(): Promise<RunRecord[]> {
    return this.#db.runs.orderBy('created').reverse().toArray();
  }

  watchList(): Observable<RunRecord[]> {
    return liveQuery(() => this.list());
  }

  async update(id: string, changes: Partial<Omit<RunRecord, 'id'>>): Promise<void> {
    const changed = await this.#db.runs.update(id, changes);
    if (changed === 0 && !(await this.#db.runs.get(id))) throw new Error(`run ${id} does not exist`);
  }

  rename(id: string, name: string): Promise<void> {
    const clean = name.trim().replace(/\s+/g, ' ');
    if (!clean) return Promise.reject(new Error('a run name cannot be empty'));
    return this.update(id, { name: clean.slice(0, 120) });
  }

  /** Ends a run: its status, why, and its final metrics. */
  end(
    id: string,
    status: Exclude<RunStatus, 'running'>,
    message?: string,
    metrics?: Record<string, number>,
  ): Promise<void> {
    return this.update(id, {
      status,
      ended: Date.now(),
      ...(message !== undefined && { message }),
      ...(metrics && { metrics }),
    });
  }

  /** Runs left 'running' by a page that went away (reload, crash) become 'interrupted'. */
  async markInterrupted(message = 'the page was closed or reloaded during training'): Promise<string[]> {
    const stale = await this.#db.runs.where('status').equals('running').primaryKeys();
    await Promise.all(stale.map((id) => this.end(id, 'interrupted', message)));
    return stale;
  }

  /** Deletes a run with every log it has. */
  async delete(id: string): Promise<void> {
    const db = this.#db;
    await db.transaction('rw', [db.runs, db.scalarBlocks, db.graphs, db.texts, db.hparams, db.summaries], async () => {
      await deleteRunScalars(db, id);
      await db.summaries.where('runId').equals(id).delete();
      await db.texts.where('runId').equals(id).delete();
      await db.graphs.delete(id);
      await db.hparams.delete(id);
      await db.runs.delete(id);
    });
  }

  /** Every point of one tag, by step. */
  scalars(runId: string, tag: string): Promise<ScalarRecord[]> {
    return readScalars(this.#db, runId, tag);
  }

  /** The run's scalar tags, from the block index without reading any point. */
  async tags(runId: string): Promise<string[]> {
    return [...new Set((await blockKeys(this.#db, runId)).map((k) => k.tag))];
  }

  /** Every scalar of a run, ordered by tag then step. */
  allScalars(runId: string): Promise<ScalarRecord[]> {
    return readScalars(this.#db, runId);
  }

  /** Every point of one tag as stored blocks of columns, by step. */
  scalarBlocksOf(runId: string, tag: string): Promise<ScalarBlockRecord[]> {
    return readBlocks(this.#db, runId, tag);
  }

  /** The run's block index (tag, last step, count per block), again whenever a block of the run is written. */
  watchScalarKeys(runId: string): Observable<BlockKey[]> {
    return liveQuery(() => blockKeys(this.#db, runId));
  }

  /** The blocks of one tag holding points after afterStep, by step. */
  scalarBlocksAfter(runId: string, tag: string, afterStep: number): Promise<ScalarBlockRecord[]> {
    return readBlocksAfter(this.#db, runId, tag, afterStep);
  }

  /** Points of one tag with step > afterStep, by step (what a live chart has not seen yet). */
  scalarsAfter(runId: string, tag: string, afterStep: number): Promise<ScalarRecord[]> {
    return readScalarsAfter(this.#db, runId, tag, afterStep);
  }

  async scalarCount(runId: string): Promise<number> {
    return (await blockKeys(this.#db, runId)).reduce((n, k) => n + k.count, 0);
  }

  graph(runId: string): Promise<GraphRecord | undefined> {
    return this.#db.graphs.get(runId);
  }

  hparams(runId: string): Promise<HparamsRecord | undefined> {
    return this.#db.hparams.get(runId);
  }

  async hparamsOf(runIds: string[]): Promise<Map<string, HparamsRecord>> {
    const records = await this.#db.hparams.bulkGet(runIds);
    return new Map(records.filter((r): r is HparamsRecord => r !== undefined).map((r) => [r.runId, r]));
  }

  texts(runId: string): Promise<TextRecord[]> {
    return this.#db.texts.where('runId').equals(runId).toArray();
  }

  /** A run's summaries of one kind (histograms, images, ...), by tag then step. */
  async summaries(runId: string, kind: SummaryKind): Promise<SummaryRecord[]> {
    const list = await this.#db.summaries.where('[runId+kind]').equals([runId, kind]).toArray();
    return list.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : a.step - b.step));
  }
}
