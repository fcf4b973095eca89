// The board's copy of the scalar logs of the runs on screen. A run is read whole once;
// then a liveQuery on its point count wakes it whenever its writer flushes, and only
// the points after each tag's last step are read and appended (no reload, no redraw
// from scratch). Listeners hear which tags of which run changed.
import type { RunRepository } from '../../../db/runs.ts';
import type { ScalarBlockRecord } from '../../../db/schema.ts';
import { Series } from './series-data.ts';

export interface StoreChange {
  runId: string;
  /** append: points added at the end; reset: series replaced or tags added; removed: run gone. */
  kind: 'append' | 'reset' | 'removed';
  tags: string[];
}

interface RunData {
  series: Map<string, Series>;
  loaded: boolean;
  count: number;
  busy: boolean;
  dirty: boolean;
  closed: boolean;
  unsubscribe: () => void;
}

export class ScalarStore {
  readonly #repo: RunRepository;
  readonly #runs = new Map<string, RunData>();
  readonly #listeners = new Set<(change: StoreChange) => void>();
  /** Where read failures go (an IndexedDB failure is shown, not swallowed). */
  readonly #onError: (message: string) => void;

  constructor(repo: RunRepository, onError: (message: string) => void = (m) => console.error(m)) {
    this.#repo = repo;
    this.#onError = onError;
  }

  onChange(listener: (change: StoreChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Keeps exactly these runs loaded and live. */
  watch(runIds: Iterable<string>): void {
    const want = new Set(runIds);
    for (const id of [...this.#runs.keys()]) if (!want.has(id)) this.#drop(id);
    for (const id of want) if (!this.#runs.has(id)) this.#add(id);
  }

  series(runId: string, tag: string): Series | undefined {
    return this.#runs.get(runId)?.series.get(tag);
  }

  tagsOf(runId: string): string[] {
    return [...(this.#runs.get(runId)?.series.keys() ?? [])].sort();
  }

  seriesOf(runId: string): Series[] {
    return this.tagsOf(runId).map((t) => this.series(runId, t)!);
  }

  isLoaded(runId: string): boolean {
    return this.#runs.get(runId)?.loaded ?? false;
  }

  /** Resolves once every watched run has had its first read. */
  async ready(): Promise<void> {
    while ([...this.#runs.values()].some((r) => !r.loaded && !r.closed)) await new Promise((r) => setTimeout(r, 20));
  }

  dispose(): void {
    for (const id of [...this.#runs.keys()]) this.#drop(id, false);
    this.#listeners.clear();
  }

  #emit(change: StoreChange): void {
    for (const listener of this.#listeners) listener(change);
  }

  #add(runId: string): void {
    const data: RunData = {
      series: new Map(),
      loaded: false,
      count: -1,
      busy: false,
      dirty: false,
      closed: false,
      unsubscribe: () => {},
    };
    this.#runs.set(runId, data);
    const sub = this.#repo.watchScalarCount(runId).subscribe({
      next: (count) => {
        data.count = count;
        void this.#sync(runId, data);
      },
      error: (e: unknown) =>
        this.#onError(`could not read the logs of run ${runId}: ${e instanceof Error ? e.message : String(e)}`),
    });
    data.unsubscribe = () => sub.unsubscribe();
  }

  #drop(runId: string, emit = true): void {
    const data = this.#runs.get(runId);
    if (!data) return;
    data.closed = true;
    data.unsubscribe();
    this.#runs.delete(runId);
    if (emit) this.#emit({ runId, kind: 'removed', tags: [...data.series.keys()] });
  }

  /** One read at a time per run; a wake-up during a read runs one more read after it. */
  async #sync(runId: string, data: RunData): Promise<void> {
    if (data.busy) {
      data.dirty = true;
      return;
    }
    data.busy = true;
    try {
      do {
        data.dirty = false;
        if (!data.loaded) await this.#loadAll(runId, data);
        else await this.#loadNew(runId, data);
      } while (data.dirty && !data.closed);
    } catch (e) {
      this.#onError(`could not read the logs of run ${runId}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      data.busy = false;
    }
  }

  async #loadAll(runId: string, data: RunData): Promise<void> {
    const blocks = await this.#repo.scalarBlocks(runId);
    if (data.closed) return;
    data.series.clear();
    // Blocks come ordered by tag then step: each appends its columns to its tag's series.
    for (const block of blocks) {
      let s = data.series.get(block.tag);
      if (!s) data.series.set(block.tag, (s = new Series(runId, block.tag)));
      s.appendColumns(block);
    }
    data.loaded = true;
    this.#emit({ runId, kind: 'reset', tags: [...data.series.keys()] });
  }

  async #loadNew(runId: string, data: RunData): Promise<void> {
    const tags = await this.#repo.tagsFast(runId);
    const fresh: Record<string, ScalarBlockRecord[]> = {};
    await Promise.all(
      tags.map(async (tag) => {
        fresh[tag] = await this.#repo.scalarBlocksAfter(runId, tag, data.series.get(tag)?.lastStep ?? -Infinity);
      }),
    );
    if (data.closed) return;
    const added: string[] = [];
    const created: string[] = [];
    for (const tag of tags) {
      if (!fresh[tag].length) continue;
      let s = data.series.get(tag);
      if (!s) {
        data.series.set(tag, (s = new Series(runId, tag)));
        created.push(tag);
      }
      let n = 0;
      for (const block of fresh[tag]) n += s.appendColumns(block);
      if (n) added.push(tag);
    }
    const held = [...data.series.values()].reduce((n, s) => n + s.length, 0);
    // Fewer points held than stored: points were written before the last step or deleted.
    if (held < data.count || tags.length < data.series.size) return this.#loadAll(runId, data);
    if (created.length) this.#emit({ runId, kind: 'reset', tags: added });
    else if (added.length) this.#emit({ runId, kind: 'append', tags: added });
  }
}
