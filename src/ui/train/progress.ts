// What the progress bar shows of a run: steps done, throughput as a moving average of the
// worker's batched reports, and the time left. Pure, so the numbers are tested.

export interface ProgressView {
  step: number;
  totalSteps: number;
  epoch: number;
  epochs: number;
  fraction: number;
  imagesPerSecond: number | null;
  /** Seconds left, null until the rate is known. */
  etaSeconds: number | null;
  elapsedSeconds: number;
}

/** Follows a run's progress reports; time is passed in (tests) or read from performance.now. */
export class ProgressTracker {
  #rate: number | null = null;
  #activeMs = 0;
  #lastAt: number;
  #paused = false;
  step = 0;
  epoch = 1;

  constructor(
    readonly totalSteps: number,
    readonly stepsPerEpoch: number,
    readonly batchSize: number,
    now = performance.now(),
  ) {
    this.#lastAt = now;
  }

  /** A report: the last step and epoch reached and the worker's images/s over its batch. */
  report(step: number, epoch: number, imagesPerSecond: number, now = performance.now()): void {
    if (!this.#paused) this.#activeMs += now - this.#lastAt;
    this.#lastAt = now;
    this.step = Math.max(this.step, step);
    this.epoch = Math.max(this.epoch, epoch);
    if (Number.isFinite(imagesPerSecond) && imagesPerSecond > 0) {
      // a smooth rate: the batched reports jitter with timer slack and validation passes
      this.#rate = this.#rate === null ? imagesPerSecond : 0.8 * this.#rate + 0.2 * imagesPerSecond;
    }
  }

  setPaused(paused: boolean, now = performance.now()): void {
    if (!this.#paused) this.#activeMs += now - this.#lastAt;
    this.#lastAt = now;
    this.#paused = paused;
  }

  view(now = performance.now()): ProgressView {
    const active = this.#activeMs + (this.#paused ? 0 : now - this.#lastAt);
    const left = Math.max(0, this.totalSteps - this.step);
    const stepsPerSecond = this.#rate === null ? null : this.#rate / this.batchSize;
    return {
      step: this.step,
      totalSteps: this.totalSteps,
      epoch: this.epoch,
      epochs: Math.max(1, Math.round(this.totalSteps / Math.max(1, this.stepsPerEpoch))),
      fraction: this.totalSteps ? Math.min(1, this.step / this.totalSteps) : 0,
      imagesPerSecond: this.#rate,
      etaSeconds: stepsPerSecond ? left / stepsPerSecond : null,
      elapsedSeconds: active / 1000,
    };
  }
}

/** 75 → '1:15', 3725 → '1:02:05', null → '—'. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600),
    m = Math.floor((s % 3600) / 60),
    r = s % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${two(m)}:${two(r)}` : `${m}:${two(r)}`;
}

/** 1234.5 → '1,235', 12.34 → '12.3', 0.5 → '0.50'. */
export function formatRate(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '—';
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  return n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

/** 0.98765 → '98.77%'. */
export function formatPercent(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(digits)}%`;
}

/** A loss value: 4 significant digits, exponent for tiny or huge ones. */
export function formatLoss(x: number | null | undefined): string {
  if (x === null || x === undefined) return '—';
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? x.toExponential(3) : x.toPrecision(4);
}
