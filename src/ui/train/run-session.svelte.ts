// One run as the Train tab shows it: live while it trains (status, progress, the series
// its charts draw), or read back from IndexedDB when picked from the run list. The
// series are the board's growable columns; charts are told which tags grew.
import type { RunRepository } from '../../db/runs.ts';
import type { RunRecord } from '../../db/schema.ts';
import type { EpochRecord, RunDataset, RunStatus, TestResult } from '../../core/run/records.ts';
import { TAGS } from '../../core/run/run-log.ts';
import { Series } from '../board/scalars/series-data.ts';
import type { ProgressView } from './progress.ts';
import type { StoredWeights } from './weights.ts';
import type { TrainState } from '../../core/run/train-state.ts';

/** A run's status as the Train tab shows it: the run's own, plus the moments before it starts and while it stops. */
export type SessionStatus = 'starting' | 'stopping' | RunStatus;

const CHART_TAGS = [TAGS.trainLoss, TAGS.valLoss, TAGS.valAccuracy] as const;
export type ChartTag = (typeof CHART_TAGS)[number];

export class RunSession {
  readonly id: string;
  record = $state.raw<RunRecord>() as RunRecord;
  status = $state<SessionStatus>('starting');
  message = $state<string | null>(null);
  progress = $state.raw<ProgressView | null>(null);
  epochs = $state.raw<EpochRecord[]>([]);
  lastLoss = $state<number | null>(null);
  test = $state.raw<TestResult | null>(null);
  evaluating = $state(false);
  weights = $state.raw<StoredWeights | null>(null);
  /** Where its training ended (optimizer, scheduler, generators), kept with the weights for "Continue training". */
  trainState = $state.raw<TrainState | null>(null);
  dataset = $state.raw<RunDataset | null>(null);
  /** The kernels it ran on, as the worker describes them ('wasm SIMD (…), 2 threads'). */
  backend = $state<string | null>(null);
  /** Where this run's steps and epochs start (a continued run carries on from its parent's). */
  offsets = { step: 0, epoch: 0 };
  readonly series: Record<ChartTag, Series>;
  #listeners = new Set<(tags: ChartTag[]) => void>();

  constructor(record: RunRecord, status: SessionStatus = record.status) {
    this.id = record.id;
    this.record = record;
    this.status = status;
    this.message = record.message ?? null;
    this.backend = record.backend ?? null;
    this.series = Object.fromEntries(CHART_TAGS.map((t) => [t, new Series(record.id, t)])) as Record<ChartTag, Series>;
  }

  get live(): boolean {
    return (
      this.status === 'starting' || this.status === 'running' || this.status === 'paused' || this.status === 'stopping'
    );
  }

  /** Called with the tags whose series grew. */
  onData(listener: (tags: ChartTag[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  append(tag: ChartTag, points: { step: number; value: number }[], wallTime = Date.now() / 1000): void {
    if (points.length === 0) return;
    const added = this.series[tag].append(points.map((p) => ({ step: p.step, value: p.value, wallTime })));
    if (added) for (const l of this.#listeners) l([tag]);
  }

  /** A past run, read back: record, chart series, dataset and test result. */
  static async load(repo: RunRepository, record: RunRecord): Promise<RunSession> {
    const s = new RunSession(record);
    const series = await Promise.all(CHART_TAGS.map((t) => repo.scalars(record.id, t)));
    CHART_TAGS.forEach((t, i) => s.series[t].replace(series[i]));
    s.dataset = record.dataset ?? null;
    s.test = record.test ?? null;
    s.weights = record.weights ?? null;
    s.trainState = record.trainState ?? null;
    const steps = record.metrics?.steps,
      epochs = record.metrics?.epochs;
    if (steps !== undefined && epochs !== undefined) s.offsets = { step: steps, epoch: epochs };
    s.lastLoss = s.series[TAGS.trainLoss].length
      ? s.series[TAGS.trainLoss].values[s.series[TAGS.trainLoss].length - 1]
      : null;
    return s;
  }
}
