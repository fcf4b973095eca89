// The summaries of one kind (histograms, images, text, PR curves) of the visible runs,
// followed live from IndexedDB, decoded once and grouped by tag then run.
import { liveQuery } from 'dexie';
import type { SummaryKind } from '../../core/formats/tfevents/summary-value.ts';
import type { BoardState } from './board-state.svelte.ts';

export interface Decoded<T> {
  step: number;
  wallTime: number;
  data: T;
}
/** Tag → run id → points by step. */
export type TagRuns<T> = Map<string, Map<string, Decoded<T>[]>>;

export class SummaryFeed<T> {
  byTag = $state.raw<TagRuns<T>>(new Map());
  loaded = $state(false);
  readonly #board: BoardState;
  readonly #kind: SummaryKind;
  readonly #decode: (value: Uint8Array) => T | null;

  constructor(board: BoardState, kind: SummaryKind, decode: (value: Uint8Array) => T | null) {
    this.#board = board;
    this.#kind = kind;
    this.#decode = decode;
  }

  /** Follows the given runs; returns the unsubscribe (use in an $effect). */
  follow(runIds: string[]): () => void {
    const db = this.#board.db,
      kind = this.#kind;
    const sub = liveQuery(() =>
      db.summaries
        .where('[runId+kind]')
        .anyOf(runIds.map((id) => [id, kind]))
        .toArray(),
    ).subscribe({
      next: (records) => {
        const out: TagRuns<T> = new Map();
        for (const r of records) {
          const data = this.#decode(r.value);
          if (data === null) continue;
          if (!out.has(r.tag)) out.set(r.tag, new Map());
          const runs = out.get(r.tag)!;
          if (!runs.has(r.runId)) runs.set(r.runId, []);
          runs.get(r.runId)!.push({ step: r.step, wallTime: r.wallTime, data });
        }
        for (const runs of out.values()) for (const list of runs.values()) list.sort((a, b) => a.step - b.step);
        this.byTag = new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
        this.loaded = true;
      },
      error: (e: unknown) =>
        this.#board.notify(`could not read the ${kind} summaries: ${e instanceof Error ? e.message : String(e)}`, true),
    });
    return () => sub.unsubscribe();
  }
}
