// The board's state: the runs (live from IndexedDB), which are visible, the view
// settings that live in the URL hash, the linked hover and zoom of the scalar cards,
// and the named commands the sidebar and panels call.
import { createContext } from 'svelte';
import { schemeTableau10 } from 'd3';
import type { RunRepository } from '../../db/runs.ts';
import type { LayerboardDB, RunRecord } from '../../db/schema.ts';
import { ScalarStore, type StoreChange } from './scalars/scalar-store.ts';
import { DEFAULT_VIEW, readView, resolveRunRefs, type BoardView } from './url-state.ts';
import { logdirZip, runEventFile } from '../../db/tfevents-exchange.ts';
import type { PathFile } from '../train/dropped-files.ts';
import { downloadBlob } from './download.ts';
import { RunColors } from './run-colors.ts';
import { hasTraceableModel } from './graph/graph-source.ts';
import { liveQuery } from 'dexie';
import { fromFiles, importBoardFiles } from './log-import.ts';

const EXTRA_COLORS = [
  '#2f4b7c',
  '#d45087',
  '#00a6a6',
  '#8f6b00',
  '#6a4c93',
  '#e76f51',
  '#2a9d8f',
  '#7d8597',
  '#b5179e',
  '#588157',
];
export const RUN_COLORS = [...schemeTableau10, ...EXTRA_COLORS];

/** A regex from user input; a bad pattern is reported and matches everything. */
export function userRegex(pattern: string): { test: (s: string) => boolean; error: string | null } {
  if (!pattern.trim()) return { test: () => true, error: null };
  try {
    const re = new RegExp(pattern, 'i');
    return { test: (s) => re.test(s), error: null };
  } catch (e) {
    return {
      test: () => true,
      error: e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e),
    };
  }
}

export class BoardState {
  readonly db: LayerboardDB;
  readonly repo: RunRepository;
  readonly store: ScalarStore;
  /** Newest first. */
  runs = $state.raw<RunRecord[]>([]);
  runsLoaded = $state(false);
  view = $state<BoardView>({ ...DEFAULT_VIEW });
  /** Shared hover x (the x-axis's units) and zoomed x-domain of every scalar card. */
  hoverX = $state<number | null>(null);
  zoomX = $state.raw<[number, number] | null>(null);
  /** Bumped when runs gain or lose tags (new card lists). */
  structure = $state(0);
  /** Bumped at most a few times a second while points arrive (tables of last values). */
  liveTick = $state(0);
  message = $state<{ text: string; error: boolean } | null>(null);
  /** What the last import brought in (run names) and every problem it met, verbatim. */
  importSummary = $state.raw<{ runs: string[]; problems: string[] } | null>(null);
  importing = $state(false);
  /** What the import in progress is doing ('run1: 40,000 of 100,000 points stored'). */
  importProgress = $state<string | null>(null);
  #importAbort: AbortController | null = null;
  #known: Set<string> | null = null;
  #tickTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(db: LayerboardDB, repo: RunRepository, hash = '') {
    this.db = db;
    this.repo = repo;
    this.store = new ScalarStore(repo, (m) => this.notify(m, true));
    this.view = readView(hash);
    this.store.onChange((c) => this.#onData(c));
  }

  /** Follows the runs table; returns the unsubscribe. */
  connect(): () => void {
    const sub = this.repo.watchList().subscribe({
      next: (runs) => this.#setRuns(runs),
      error: (e: unknown) =>
        this.notify(`could not read the runs: ${e instanceof Error ? e.message : String(e)}`, true),
    });
    const graphs = liveQuery(() => this.db.graphs.toCollection().primaryKeys()).subscribe({
      next: (ids) => {
        this.loggedGraphs = new Set(ids);
      },
      error: () => {
        /* the Graph tab reads each run's graph itself and reports there */
      },
    });
    return () => {
      sub.unsubscribe();
      graphs.unsubscribe();
      this.store.dispose();
      if (this.#tickTimer) clearTimeout(this.#tickTimer);
    };
  }

  /** Runs with a logged graph (add_graph). */
  loggedGraphs = $state.raw(new Set<string>());

  /** The first visible run (newest first) with a graph, logged or traceable from its model. */
  firstRunWithGraph(): string | undefined {
    const has = (r: RunRecord) => this.loggedGraphs.has(r.id) || hasTraceableModel(r);
    return (this.visibleRuns.find(has) ?? this.runs.find(has))?.id;
  }

  #setRuns(runs: RunRecord[]): void {
    // The first list resolves the runs a link names (by name, or by id from older links).
    // (Fields set one by one: panels hold on to the view object.)
    if (!this.#known) {
      const { runs: visible, graphRun, compare } = resolveRunRefs(this.view, runs);
      Object.assign(this.view, { runs: visible, graphRun, compare });
    }
    // Runs that appear while the board is open are shown, even with a saved selection.
    else if (this.view.runs) {
      const fresh = runs.filter((r) => !this.#known!.has(r.id)).map((r) => r.id);
      if (fresh.length) this.view.runs = [...this.view.runs, ...fresh];
    }
    this.#known = new Set(runs.map((r) => r.id));
    this.colors = this.#colorAssigner.assign(runs);
    this.runs = runs;
    this.runsLoaded = true;
  }

  #onData(change: StoreChange): void {
    if (change.kind !== 'append') this.structure++;
    this.#tickTimer ??= setTimeout(() => {
      this.#tickTimer = null;
      this.liveTick++;
    }, 250);
  }

  notify(text: string, error = false): void {
    this.message = { text, error };
  }

  /** Each run keeps the colour it first got (see RunColors): imports never recolour the others. */
  colors = $state.raw(new Map<string, string>());
  readonly #colorAssigner = new RunColors(RUN_COLORS, typeof localStorage === 'undefined' ? null : localStorage);

  colorOf(runId: string): string {
    return this.colors.get(runId) ?? 'var(--faint)';
  }

  runFilter = $derived(userRegex(this.view.runFilter));
  tagFilter = $derived(userRegex(this.view.tagFilter));

  /** Runs the filter lets through (newest first). */
  filteredRuns = $derived(this.runs.filter((r) => this.runFilter.test(r.name)));

  isVisible(id: string): boolean {
    return this.view.runs === null || this.view.runs.includes(id);
  }

  /** Filtered and toggled on: the runs drawn. */
  visibleRuns = $derived(this.filteredRuns.filter((r) => this.isVisible(r.id)));

  /** Tags of the visible runs that pass the tag filter, sorted. */
  tags = $derived.by(() => {
    void this.structure;
    const all = new Set(this.visibleRuns.flatMap((r) => this.store.tagsOf(r.id)));
    return [...all].filter((t) => this.tagFilter.test(t)).sort();
  });

  toggle(id: string): void {
    const current = this.view.runs ?? this.runs.map((r) => r.id);
    this.view.runs = current.includes(id) ? current.filter((x) => x !== id) : [...current, id];
  }

  /** Every run passing the filter on (or off); runs filtered out keep their state. */
  setAllVisible(on: boolean): void {
    const ids = new Set(this.filteredRuns.map((r) => r.id));
    const current = new Set(this.view.runs ?? this.runs.map((r) => r.id));
    for (const id of ids)
      if (on) current.add(id);
      else current.delete(id);
    this.view.runs = current.size === this.runs.length ? null : [...current];
  }

  showOnly(id: string): void {
    this.view.runs = [id];
  }

  run(id: string | null): RunRecord | undefined {
    return id ? this.runs.find((r) => r.id === id) : undefined;
  }

  async rename(id: string, name: string): Promise<void> {
    try {
      await this.repo.rename(id, name);
    } catch (e) {
      this.notify(e instanceof Error ? e.message : String(e), true);
    }
  }

  async remove(id: string): Promise<void> {
    const run = this.run(id);
    await this.repo.delete(id);
    if (this.view.runs) this.view.runs = this.view.runs.filter((x) => x !== id);
    this.view.compare = this.view.compare.filter((x) => x !== id);
    if (this.view.graphRun === id) this.view.graphRun = null;
    this.notify(`Deleted run “${run?.name ?? id}” with its logs.`);
  }

  /** Run files, event files, logdir zips and folders; runs already on the board stay. */
  async importFiles(files: PathFile[]): Promise<void> {
    if (!files.length) return;
    this.importing = true;
    const abort = (this.#importAbort = new AbortController());
    try {
      const result = await importBoardFiles(this.db, fromFiles(files), {
        signal: abort.signal,
        onProgress: (what, done, total) =>
          (this.importProgress = total
            ? `${what}: ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} points stored`
            : `reading ${what}`),
      });
      this.importSummary = { runs: result.runs.map((r) => r.name), problems: result.problems };
    } catch (e) {
      this.importSummary = { runs: [], problems: [e instanceof Error ? e.message : String(e)] };
    } finally {
      this.importing = false;
      this.importProgress = null;
      this.#importAbort = null;
    }
  }

  /** Stops the import in progress between batches; the runs already stored stay. */
  cancelImport(): void {
    this.#importAbort?.abort(new Error('the import was cancelled'));
  }

  /** The run's scalars as a TensorBoard event file (events.out.tfevents.<time>.layerboard). */
  async downloadEventFile(id: string): Promise<void> {
    try {
      const file = await runEventFile(this.db, id);
      downloadBlob(file.name, new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
    } catch (e) {
      this.notify(e instanceof Error ? e.message : String(e), true);
    }
  }

  /** The visible runs as a logdir .zip (a folder per run) that `tensorboard --logdir` opens. */
  async downloadLogdir(): Promise<void> {
    const ids = this.visibleRuns.map((r) => r.id);
    if (!ids.length) {
      this.notify('No visible runs to download: tick runs in the sidebar.', true);
      return;
    }
    try {
      const bytes = await logdirZip(this.db, ids);
      downloadBlob('layerboard-logdir.zip', new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
    } catch (e) {
      this.notify(e instanceof Error ? e.message : String(e), true);
    }
  }

  toggleCompare(id: string): void {
    const c = this.view.compare;
    this.view.compare = c.includes(id) ? c.filter((x) => x !== id) : [...c, id];
  }

  setXAxis(axis: BoardView['xAxis']): void {
    if (axis === this.view.xAxis) return;
    this.view.xAxis = axis;
    this.zoomX = null;
    this.hoverX = null;
  }
}

export const [getBoard, setBoard] = createContext<BoardState>();
