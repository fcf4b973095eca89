// The board's copy of the scalar logs of the runs on screen. A run's tags, point counts and
// last steps come from the block index alone (a liveQuery: it wakes whenever the run's
// writer flushes); a tag's points are read only once a card showing it is near the screen
// (`need`), so a board of 100 runs × 10 tags reads the two tags in view, not all ten. Then
// only the points after a tag's last step are read and appended (no reload, no redraw
// from scratch). Listeners hear which tags of which run changed.
import type { RunRepository } from '../../../db/runs.ts';
import type { BlockKey } from '../../../db/scalar-blocks.ts';
import { Series } from './series-data.ts';

export interface StoreChange {
  runId: string;
  /** append: points added at the end; reset: series replaced or tags added; removed: run gone. */
  kind: 'append' | 'reset' | 'removed';
  tags: string[];
}

/** What the index says of one tag: its stored points and last step. */
interface TagKey {
  count: number;
  last: number;
}

interface RunData {
  /** From the block index; null until first read. */
  keys: Map<string, TagKey> | null;
  /** Tags whose points have been read. */
  series: Map<string, Series>;
  /** Every tag wanted (an export), not only the needed ones. */
  all: boolean;
  busy: boolean;
  dirty: boolean;
  closed: boolean;
  unsubscribe: () => void;
}

function tagKeys(keys: BlockKey[]): Map<string, TagKey> {
  const out = new Map<string, TagKey>();
  for (const k of keys) {
    const t = out.get(k.tag);
    if (t) {
      t.count += k.count;
      t.last = Math.max(t.last, k.last);
    } else out.set(k.tag, { count: k.count, last: k.last });
  }
  return out;
}

export class ScalarStore {
  readonly #repo: RunRepository;
  readonly #runs = new Map<string, RunData>();
  readonly #listeners = new Set<(change: StoreChange) => void>();
  /** Tags a card on (or near) the screen shows, with how many cards ask. */
  readonly #needed = new Map<string, number>();
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

  /** A card shows this tag: its points are read for every watched run. Returns the release. */
  need(tag: string): () => void {
    const n = this.#needed.get(tag) ?? 0;
    this.#needed.set(tag, n + 1);
    if (n === 0) for (const [id, data] of this.#runs) void this.#sync(id, data);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#needed.get(tag) ?? 1) - 1;
      // the points read stay: scrolling back shows them at once
      if (left > 0) this.#needed.set(tag, left);
      else this.#needed.delete(tag);
    };
  }

  /** Reads every tag of these runs (an export wants them all). */
  async loadEverything(runIds: Iterable<string>): Promise<void> {
    for (const id of runIds) {
      const data = this.#runs.get(id);
      if (!data) continue;
      data.all = true;
      void this.#sync(id, data);
    }
    await this.ready();
  }

  series(runId: string, tag: string): Series | undefined {
    return this.#runs.get(runId)?.series.get(tag);
  }

  /** Every tag the run has logged (read or not), sorted. */
  tagsOf(runId: string): string[] {
    return [...(this.#runs.get(runId)?.keys?.keys() ?? [])].sort();
  }

  /** The series read so far, by tag (all of them after loadEverything). */
  seriesOf(runId: string): Series[] {
    return this.tagsOf(runId).flatMap((t) => this.series(runId, t) ?? []);
  }

  /** Resolves once every watched run has its tags and the points of every tag wanted. */
  async ready(): Promise<void> {
    const pending = () => [...this.#runs.values()].some((r) => !r.closed && (!r.keys || r.busy || this.#missing(r)));
    while (pending()) await new Promise((r) => setTimeout(r, 20));
  }

  dispose(): void {
    for (const id of [...this.#runs.keys()]) this.#drop(id, false);
    this.#listeners.clear();
  }

  #wanted(data: RunData, tag: string): boolean {
    return data.all || this.#needed.has(tag);
  }

  /** A wanted tag whose points are not all read yet. */
  #missing(data: RunData): boolean {
    for (const [tag, k] of data.keys ?? []) {
      if (!this.#wanted(data, tag)) continue;
      const s = data.series.get(tag);
      // a read may be ahead of the last index emission, never behind it
      if (!s || s.length < k.count || s.lastStep < k.last) return true;
    }
    return false;
  }

  #emit(change: StoreChange): void {
    for (const listener of this.#listeners) listener(change);
  }

  #add(runId: string): void {
    const data: RunData = {
      keys: null,
      series: new Map(),
      all: false,
      busy: false,
      dirty: false,
      closed: false,
      unsubscribe: () => {},
    };
    this.#runs.set(runId, data);
    const sub = this.#repo.watchScalarKeys(runId).subscribe({
      next: (keys) => {
        const before = data.keys;
        data.keys = tagKeys(keys);
        const added = [...data.keys.keys()].filter((t) => !before?.has(t));
        const gone = [...(before?.keys() ?? [])].filter((t) => !data.keys!.has(t));
        for (const t of gone) data.series.delete(t);
        if (!before || added.length || gone.length) this.#emit({ runId, kind: 'reset', tags: [...added, ...gone] });
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
    if (emit) this.#emit({ runId, kind: 'removed', tags: [...(data.keys?.keys() ?? [])] });
  }

  /** One read at a time per run; a wake-up during a read runs one more read after it. */
  async #sync(runId: string, data: RunData): Promise<void> {
    if (!data.keys) return;
    if (data.busy) {
      data.dirty = true;
      return;
    }
    data.busy = true;
    try {
      do {
        data.dirty = false;
        await this.#readWanted(runId, data);
      } while (data.dirty && !data.closed);
    } catch (e) {
      this.#onError(`could not read the logs of run ${runId}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      data.busy = false;
    }
  }

  /** Brings every wanted tag up to what the index says is stored. */
  async #readWanted(runId: string, data: RunData): Promise<void> {
    const reset: string[] = [];
    const appended: string[] = [];
    for (const [tag, key] of data.keys ?? []) {
      if (!this.#wanted(data, tag) || data.closed) continue;
      let s = data.series.get(tag);
      if (s && key.last > s.lastStep) {
        const blocks = await this.#repo.scalarBlocksAfter(runId, tag, s.lastStep);
        let n = 0;
        for (const block of blocks) n += s.appendColumns(block);
        if (n) appended.push(tag);
      }
      // not read yet, or points were written before the last step: read it whole
      if (!s || s.length < (data.keys?.get(tag)?.count ?? key.count)) {
        const blocks = await this.#repo.scalarBlocksOf(runId, tag);
        if (data.closed) return;
        s = new Series(runId, tag);
        s.reserve(blocks.reduce((n, b) => n + b.count, 0));
        for (const block of blocks) s.appendColumns(block);
        data.series.set(tag, s);
        reset.push(tag);
      }
    }
    if (data.closed) return;
    if (reset.length) this.#emit({ runId, kind: 'reset', tags: reset });
    const onlyAppended = appended.filter((t) => !reset.includes(t));
    if (onlyAppended.length) this.#emit({ runId, kind: 'append', tags: onlyAppended });
  }
}
