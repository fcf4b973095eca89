// A SummaryWriter for IndexedDB, after torch.utils.tensorboard.SummaryWriter: scalars
// are buffered and written in batches; graph, text and hparams go straight through.
// Write errors (an IndexedDB quota error, say) reach onError: shown, never swallowed.
import type { LayerboardDB, ScalarRecord } from './schema.ts';

export interface SummaryWriterOptions {
  /** Flush buffered scalars at least this often (ms). */
  flushMs?: number;
  /** ... or when this many are buffered. */
  maxBuffered?: number;
  onError?: (error: Error) => void;
}

const seconds = () => Date.now() / 1000;

export class SummaryWriter {
  readonly runId: string;
  readonly #db: LayerboardDB;
  readonly #options: Required<Omit<SummaryWriterOptions, 'onError'>> & Pick<SummaryWriterOptions, 'onError'>;
  #buffer: ScalarRecord[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  #pending: Promise<void> = Promise.resolve();

  constructor(db: LayerboardDB, runId: string, options: SummaryWriterOptions = {}) {
    this.#db = db;
    this.runId = runId;
    this.#options = { flushMs: 500, maxBuffered: 2000, ...options };
  }

  addScalar(tag: string, value: number, step: number, wallTime = seconds()): void {
    this.#buffer.push({ runId: this.runId, tag, step, wallTime, value });
    if (this.#buffer.length >= this.#options.maxBuffered) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.#options.flushMs);
  }

  /** Several related scalars at one step: tags `${mainTag}/${key}`. */
  addScalars(mainTag: string, values: Record<string, number>, step: number, wallTime = seconds()): void {
    for (const [key, value] of Object.entries(values)) this.addScalar(`${mainTag}/${key}`, value, step, wallTime);
  }

  addGraph(graph: unknown): Promise<void> {
    return this.#write(() => this.#db.graphs.put({ runId: this.runId, graph }).then(() => undefined));
  }

  addText(tag: string, text: string, step = 0): Promise<void> {
    return this.#write(() => this.#db.texts.add({ runId: this.runId, tag, step, text }).then(() => undefined));
  }

  addHparams(hparams: Record<string, unknown>, metrics: Record<string, number>): Promise<void> {
    return this.#write(() => this.#db.hparams.put({ runId: this.runId, hparams, metrics }).then(() => undefined));
  }

  /** Writes every buffered scalar; resolves when they are stored. */
  flush(): Promise<void> {
    if (this.#timer) { clearTimeout(this.#timer); this.#timer = null; }
    const batch = this.#buffer;
    this.#buffer = [];
    if (batch.length === 0) return this.#pending;
    return this.#write(() => this.#db.scalars.bulkPut(batch).then(() => undefined));
  }

  close(): Promise<void> { return this.flush(); }

  /** Serializes writes so that a later flush never overtakes an earlier one. */
  #write(op: () => Promise<void>): Promise<void> {
    const next = this.#pending.then(op).catch((err: unknown) => {
      const error = err instanceof Error ? err : new Error(String(err));
      const quota = error.name === 'QuotaExceededError' || /quota/i.test(error.message);
      const reported = quota ? new Error(`the browser's storage is full (IndexedDB quota): logs of run ${this.runId} could not be written`, { cause: error }) : error;
      if (this.#options.onError) this.#options.onError(reported);
      else throw reported;
    });
    this.#pending = next.catch(() => undefined);
    return next;
  }
}
