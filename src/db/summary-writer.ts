// A SummaryWriter for IndexedDB, after torch.utils.tensorboard.SummaryWriter: scalars
// are buffered and written in batches; graph, text, hparams and summaries go straight through.
// Write errors (an IndexedDB quota error, say) reach onError: shown, never swallowed.
import type { LayerboardDB, ScalarRecord, SummaryRecord } from './schema.ts';
import { appendScalars } from './scalar-blocks.ts';
import {
  encodeHistogramValue,
  encodeImageValue,
  encodePrCurveValue,
  histogramOf,
  prCurveOf,
  type SummaryImage,
} from '../core/formats/tfevents/index.ts';
import type { RawSummary, SummaryKind } from '../core/formats/tfevents/summary-value.ts';

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

  /** add_histogram: the histogram of `values` (TensorFlow's buckets), stored as TensorBoard encodes it. */
  addHistogram(tag: string, values: ArrayLike<number>, step: number, wallTime = seconds()): Promise<void> {
    return this.#summary('histogram', tag, encodeHistogramValue(tag, histogramOf(values)), step, wallTime);
  }

  /** add_image: an encoded image (PNG) with its size; colorspace 1 grey, 3 RGB, 4 RGBA. */
  addImage(tag: string, image: SummaryImage, step: number, wallTime = seconds()): Promise<void> {
    return this.#summary('image', tag, encodeImageValue(tag, image), step, wallTime);
  }

  /** add_pr_curve: binary labels and the predicted probabilities of the positive class. */
  addPrCurve(
    tag: string,
    labels: ArrayLike<boolean>,
    probabilities: ArrayLike<number>,
    step: number,
    numThresholds = 127,
    wallTime = seconds(),
  ): Promise<void> {
    return this.#summary(
      'pr_curve',
      tag,
      encodePrCurveValue(tag, prCurveOf(labels, probabilities, numThresholds)),
      step,
      wallTime,
    );
  }

  /** Summaries already encoded (the engine's, from the worker), stored in one batch. */
  addSummaries(summaries: readonly RawSummary[]): Promise<void> {
    if (summaries.length === 0) return this.#pending;
    const records: SummaryRecord[] = summaries.map(({ tag, step, wallTime, kind, value }) => ({
      runId: this.runId,
      tag,
      step,
      wallTime,
      kind,
      value,
    }));
    return this.#write(() => this.#db.summaries.bulkAdd(records).then(() => undefined));
  }

  #summary(kind: SummaryKind, tag: string, value: Uint8Array, step: number, wallTime: number): Promise<void> {
    const record: SummaryRecord = { runId: this.runId, tag, step, wallTime, kind, value };
    return this.#write(() => this.#db.summaries.add(record).then(() => undefined));
  }

  /** Writes every buffered scalar; resolves when they are stored. */
  flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    const batch = this.#buffer;
    this.#buffer = [];
    if (batch.length === 0) return this.#pending;
    return this.#write(() => appendScalars(this.#db, this.runId, batch));
  }

  close(): Promise<void> {
    return this.flush();
  }

  /** Serializes writes so that a later flush never overtakes an earlier one. */
  #write(op: () => Promise<void>): Promise<void> {
    const next = this.#pending.then(op).catch((err: unknown) => {
      const error = err instanceof Error ? err : new Error(String(err));
      const quota = error.name === 'QuotaExceededError' || /quota/i.test(error.message);
      const reported = quota
        ? new Error(`the browser's storage is full (IndexedDB quota): logs of run ${this.runId} could not be written`, {
            cause: error,
          })
        : error;
      if (this.#options.onError) this.#options.onError(reported);
      else throw reported;
    });
    this.#pending = next.catch(() => undefined);
    return next;
  }
}
