// The summaries a run logs beyond scalars, computed where the tensors are (the worker or
// the CLI's process), as TensorBoard encodes them (core/run/summary-tags.ts has the tags
// and steps): histograms of every parameter and its gradient, the input grid at step 0,
// the first convolution's filters after each epoch, and on the test split the PR curve
// of each class and the misclassified images. PNG encoding is asynchronous: `take()`
// hands out what is ready, in order; `drain()` waits for the rest.
import {
  encodeHistogramValue,
  encodeImageValue,
  encodePrCurveValue,
  encodeTextValue,
  histogramOf,
  mergeEmptyBuckets,
  prCurveOf,
  type RawSummary,
} from '../core/formats/tfevents/index.ts';
import { encodePng } from '../core/formats/png.ts';
import { imageGrid, type GridOptions, type ImageStack } from '../core/run/image-grid.ts';
import { GRID_IMAGES, histogramsAt, SUMMARY_TAGS } from '../core/run/summary-tags.ts';
import type { LogOffsets } from '../core/run/run-log.ts';
import type { Batch } from './data-loader.ts';
import type { Model } from './model.ts';
import type { IntTensor, Param, Tensor } from './tensor.ts';

export interface SummaryRecorderOptions {
  /** Steps this run is to train (epochs × steps per epoch): sets the histogram interval. */
  totalSteps: number;
  /** Class names (PR curves are labelled by them), empty when not a classification. */
  classes: string[];
  /** Where this run's steps and epochs start (a continued run's are its parent's). */
  offsets?: LogOffsets;
}

const now = () => Date.now() / 1000;

/** Softmax of row i of [N, C] logits, into `out`. */
function softmaxRow(data: Float32Array, i: number, c: number, out: Float64Array): void {
  let max = -Infinity,
    sum = 0;
  for (let j = 0; j < c; j++) max = Math.max(max, data[i * c + j]);
  for (let j = 0; j < c; j++) sum += out[j] = Math.exp(data[i * c + j] - max);
  for (let j = 0; j < c; j++) out[j] /= sum;
}

/** The test split's predictions, gathered batch by batch for the PR curves and the misclassified grid. */
class TestCollector {
  readonly probabilities: number[][];
  readonly labels: number[] = [];
  readonly wrong: { pixels: Float32Array; truth: number; predicted: number }[] = [];
  #inputShape: number[] = [];
  #classification = true;

  constructor(readonly classes: number) {
    this.probabilities = Array.from({ length: classes }, () => []);
  }

  observe(out: Tensor, batch: Batch): void {
    const c = this.classes;
    const target = batch.target as Tensor | IntTensor;
    if (!(target.data instanceof Int32Array) || out.shape.length !== 2 || out.shape[1] !== c || c < 2) {
      this.#classification = false;
      return;
    }
    this.#inputShape = batch.input.shape.slice(1);
    const per = batch.input.data.length / batch.size;
    const p = new Float64Array(c);
    for (let i = 0; i < batch.size; i++) {
      softmaxRow(out.data, i, c, p);
      let best = 0;
      for (let j = 0; j < c; j++) {
        this.probabilities[j].push(p[j]);
        if (p[j] > p[best]) best = j;
      }
      const truth = target.data[i];
      this.labels.push(truth);
      if (best !== truth && this.wrong.length < GRID_IMAGES)
        this.wrong.push({ pixels: batch.input.data.slice(i * per, (i + 1) * per), truth, predicted: best });
    }
  }

  get classification(): boolean {
    return this.#classification && this.labels.length > 0;
  }
  get inputShape(): number[] {
    return this.#inputShape;
  }
}

/** [C, H, W] images as a stack, or null for inputs that are not images. */
function stackOf(data: ArrayLike<number>, count: number, shape: readonly number[]): ImageStack | null {
  if (shape.length !== 3 || count < 1) return null;
  const [channels, height, width] = shape;
  return { data, count, channels, height, width };
}

export class SummaryRecorder {
  readonly #model: Model;
  readonly #options: SummaryRecorderOptions;
  readonly #offsets: LogOffsets;
  /** Settles once every summary logged so far is ready (or one failed). */
  #tail: Promise<void> = Promise.resolve();
  #failure: unknown = null;
  #ready: RawSummary[] = [];
  #lastHistogramStep = -1;
  #test: TestCollector | null = null;

  constructor(model: Model, options: SummaryRecorderOptions) {
    this.#model = model;
    this.#options = options;
    this.#offsets = options.offsets ?? { step: 0, epoch: 0 };
  }

  /** After the optimizer step of local step `step` (0-based): the weights are updated, the gradients still there. */
  afterStep(step: number, batch: Batch): void {
    const at = this.#offsets.step + step;
    if (step === 0) {
      const stack = stackOf(batch.input.data, batch.size, batch.input.shape.slice(1));
      if (stack) this.#image(SUMMARY_TAGS.inputs, stack, at, { limit: GRID_IMAGES });
    }
    if (histogramsAt(step, this.#options.totalSteps)) this.#histograms(step);
  }

  /** At the end of an epoch whose last local step was `lastStep`. */
  afterEpoch(lastStep: number): void {
    const conv = this.#firstConv();
    if (!conv) return;
    const [out, inC, kh, kw] = conv.value.shape;
    this.#image(
      SUMMARY_TAGS.filters(conv.name),
      { data: conv.value.data, count: out, channels: inC, height: kh, width: kw },
      this.#offsets.step + lastStep,
      { scaleEach: true, padding: 1, limit: GRID_IMAGES },
    );
  }

  /** The last step's histograms when the schedule did not log it (a stopped run). */
  finish(lastStep: number): void {
    if (lastStep >= 0 && this.#lastHistogramStep !== lastStep) this.#histograms(lastStep);
  }

  /** Hooks into the test split's evaluation (evaluateSplit's `observe`). */
  testObserver(): (out: Tensor, batch: Batch) => void {
    const test = (this.#test = new TestCollector(this.#options.classes.length));
    return (out, batch) => test.observe(out, batch);
  }

  /** PR curves and misclassified images of the observed test split, at the test step (epochs trained, offset included). */
  afterTest(epochsTrained: number): void {
    const test = this.#test;
    this.#test = null;
    if (!test?.classification) return;
    const step = this.#offsets.epoch + epochsTrained,
      wall = now();
    const names = this.#options.classes;
    const values = test.probabilities.map((probs, k) => ({
      tag: SUMMARY_TAGS.prCurve(names[k] ?? String(k)),
      step,
      wallTime: wall,
      kind: 'pr_curve' as const,
      value: encodePrCurveValue(
        SUMMARY_TAGS.prCurve(names[k] ?? String(k)),
        prCurveOf(
          test.labels.map((l) => l === k),
          probs,
        ),
      ),
    }));
    this.#push(...values);
    const wrong = test.wrong;
    const shape = test.inputShape;
    const per = wrong[0]?.pixels.length ?? 0;
    const data = new Float32Array(wrong.length * per);
    wrong.forEach((w, i) => data.set(w.pixels, i * per));
    const stack = stackOf(data, wrong.length, shape);
    if (!stack) return;
    this.#image(SUMMARY_TAGS.misclassified, stack, step, {});
    // The labels of the tiles, row by row as the grid shows them (true → predicted).
    const label = (k: number) => names[k] ?? String(k);
    const rows = ['| tile | true | predicted |', '|---:|---|---|'].concat(
      wrong.map((w, i) => `| ${i + 1} | ${label(w.truth)} | ${label(w.predicted)} |`),
    );
    this.#push({
      tag: SUMMARY_TAGS.misclassifiedLabels,
      step,
      wallTime: wall,
      kind: 'text',
      value: encodeTextValue(SUMMARY_TAGS.misclassifiedLabels, rows.join('\n')),
    });
  }

  /** The summaries ready so far, in the order they were logged; they are handed out once. */
  take(): RawSummary[] {
    const out = this.#ready;
    this.#ready = [];
    return out;
  }

  /** Waits for the images still being encoded, then hands out everything left. */
  async drain(): Promise<RawSummary[]> {
    await this.#tail;
    if (this.#failure !== null)
      throw new Error(
        `a summary image could not be encoded: ${this.#failure instanceof Error ? this.#failure.message : String(this.#failure)}`,
      );
    return this.take();
  }

  #histograms(step: number): void {
    this.#lastHistogramStep = step;
    const at = this.#offsets.step + step,
      wall = now();
    const out: RawSummary[] = [];
    const add = (tag: string, values: Float32Array) =>
      out.push({
        tag,
        step: at,
        wallTime: wall,
        kind: 'histogram',
        value: encodeHistogramValue(tag, mergeEmptyBuckets(histogramOf(values))),
      });
    for (const p of this.#model.parameters()) {
      add(SUMMARY_TAGS.weights(p.name), p.value.data);
      if (p.grad) add(SUMMARY_TAGS.grads(p.name), p.grad.data);
    }
    this.#push(...out);
  }

  #firstConv(): Param | undefined {
    return this.#model.parameters().find((p) => p.value.shape.length === 4 && p.name.endsWith('weight'));
  }

  #image(tag: string, stack: ImageStack, step: number, options: GridOptions): void {
    const grid = imageGrid(stack, options),
      wall = now();
    this.#enqueue(
      encodePng(grid).then((encoded) => [
        {
          tag,
          step,
          wallTime: wall,
          kind: 'image' as const,
          value: encodeImageValue(tag, {
            height: grid.height,
            width: grid.width,
            colorspace: grid.channels,
            encoded,
          }),
        },
      ]),
    );
  }

  #push(...items: RawSummary[]): void {
    this.#enqueue(Promise.resolve(items));
  }

  /** Keeps the logged order: an item becomes ready once everything before it is. */
  #enqueue(items: Promise<RawSummary[]>): void {
    this.#tail = this.#tail
      .then(() => items)
      .then(
        (ready) => void this.#ready.push(...ready),
        (err: unknown) => void (this.#failure ??= err),
      );
  }
}
