// The one message contract between the UI and the engine worker: a discriminated union of
// requests (UI → worker, each with an id the reply carries back) and one of events
// (worker → UI). Both sides switch exhaustively over `type` (`satisfies never`), so adding
// a message without handling it everywhere is a type error. Weights travel as raw
// ArrayBuffers listed for transfer (zero copy), never as JSON arrays.
// Run records, statuses and dataset references are core's run contract (core/run).
import type { DatasetRef, EpochRecord, EvalResult, RunStatus, StepRecord, TrainOutcome } from '../core/run/records.ts';
import type { BackendChoice, TrainingConfig } from '../core/run/training-config.ts';
import type { ModelDocument } from '../core/model/types.ts';
import type { LrFinderResult, LrPoint } from '../core/run/lr-range.ts';
import type { TrainState } from '../core/run/train-state.ts';
import type { RawSummary } from '../core/formats/tfevents/summary-value.ts';
import type { LogOffsets } from '../core/run/run-log.ts';
import { envelopeProblem, type Reply } from './rpc.ts';

export type { BackendChoice, DatasetRef, EpochRecord, EvalResult, RawSummary, StepRecord };

/** One state_dict entry; `buffer` holds float32 (or int32 for int64 counters) values. */
export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int64';
  buffer: ArrayBuffer;
}
/** A state_dict in PyTorch's names and layouts, ready to transfer. */
export interface WeightsPayload {
  entries: WeightEntry[];
}

export interface TrainRequestBody {
  /** Chosen by the UI; every event of the run carries it. */
  runId: string;
  model: ModelDocument;
  /** Its `backend` picks the kernels (default: the worker's current backend, the TS one at first). */
  config: TrainingConfig;
  dataset: DatasetRef;
  /** Start from these weights ("continue training") instead of a fresh seeded init. */
  weights?: WeightsPayload;
  /** With `weights`: the parent run's optimizer, scheduler and generator states, to resume rather than restart them. */
  resume?: TrainState;
  /** How often progress is posted, in ms (steps are batched in between). Default 250. */
  progressIntervalMs?: number;
  /** Where the run's logged steps and epochs start (a continued run's are its parent's). Default 0, 0. */
  offsets?: LogOffsets;
}

export interface EvaluateRequestBody {
  model: ModelDocument;
  config: TrainingConfig;
  dataset: DatasetRef;
  weights: WeightsPayload;
}

// ── LR range test (Smith): 'lrFind' sweeps the lr exponentially on the training split from
// fresh seeded weights (or `weights`), replying when the sweep ends; 'lrFindStop' cancels it
// (the reply then has `stopped`). 'lrFindProgress' events carry the points as they come.
export interface LrFindRequestBody {
  /** Chosen by the UI; progress events carry it. */
  findId: string;
  model: ModelDocument;
  config: TrainingConfig;
  dataset: DatasetRef;
  weights?: WeightsPayload;
  /** The sweep: `steps` batches from startLr to endLr (defaults 100, 1e-7, 10). */
  startLr?: number;
  endLr?: number;
  steps?: number;
}
export type LrFindRequest =
  ({ type: 'lrFind'; id: number } & LrFindRequestBody) | { type: 'lrFindStop'; id: number; findId: string };
export interface LrFindReplies {
  lrFind: LrFinderResult & { findId: string };
  lrFindStop: { findId: string };
}
export type LrFindEvent = { type: 'lrFindProgress'; findId: string; points: LrPoint[] };
// ── end of the LR range test's messages

/** Requests, UI → worker. */
export type Request =
  | LrFindRequest
  | { type: 'ping'; id: number }
  | ({ type: 'train'; id: number } & TrainRequestBody)
  | { type: 'pause'; id: number; runId: string }
  | { type: 'resume'; id: number; runId: string }
  | { type: 'stop'; id: number; runId: string }
  | ({ type: 'evaluate'; id: number } & EvaluateRequestBody);

export type RequestType = Request['type'];

/** What each request's reply carries when it succeeds. */
export interface ReplyResults extends LrFindReplies {
  ping: { pong: true };
  /** The run started; progress follows as events. */
  train: { runId: string; totalSteps: number; stepsPerEpoch: number; backend?: string };
  pause: { runId: string };
  resume: { runId: string };
  stop: { runId: string };
  evaluate: EvalResult;
}

/** A live run's status in progress events. */
export type LiveStatus = Extract<RunStatus, 'running' | 'paused'>;

/** Events, worker → UI. */
export type WorkerEvent =
  | LrFindEvent
  | Reply<ReplyResults[RequestType]>
  /** Batched: every step and epoch since the last progress event. */
  | {
      type: 'progress';
      runId: string;
      status: LiveStatus;
      steps: StepRecord[];
      epochs: EpochRecord[];
      totalSteps: number;
      imagesPerSecond: number;
    }
  /**
   * Histograms, images, PR curves and text the run logged (core/run/summary-tags.ts), each
   * encoded as TensorBoard stores it, at its logged step; batched with progress, buffers transferred.
   */
  | { type: 'summaries'; runId: string; summaries: RawSummary[] }
  | {
      type: 'done';
      runId: string;
      status: TrainOutcome;
      weights: WeightsPayload;
      /** Where training ended: what "continue training" resumes from. */
      state: TrainState;
      steps: number;
      test: EvalResult | null;
    }
  /** A run failed (NaN/Inf loss: `step` and `value` say where), or a message could not be read. */
  | { type: 'error'; runId: string | null; message: string; step?: number; value?: number };

export type WorkerEventType = WorkerEvent['type'];

/** The buffers of a weights payload, for postMessage's transfer list. */
export function weightBuffers(w: WeightsPayload | undefined): ArrayBuffer[] {
  return w ? w.entries.map((e) => e.buffer) : [];
}

/** Buffers to transfer with a request (its weights, if any). */
export function requestTransfer(r: Request): ArrayBuffer[] {
  switch (r.type) {
    case 'train':
      return weightBuffers(r.weights);
    case 'evaluate':
      return weightBuffers(r.weights);
    case 'lrFind':
      return weightBuffers(r.weights);
    case 'lrFindStop':
    case 'ping':
    case 'pause':
    case 'resume':
    case 'stop':
      return [];
    default:
      return r satisfies never;
  }
}

/** The buffers of encoded summaries, each once (several values may share one). */
export function summaryBuffers(summaries: readonly RawSummary[]): ArrayBuffer[] {
  return [...new Set(summaries.map((s) => s.value.buffer as ArrayBuffer))];
}

/** Buffers to transfer with an event. */
export function eventTransfer(e: WorkerEvent): ArrayBuffer[] {
  switch (e.type) {
    case 'done':
      return weightBuffers(e.weights);
    case 'summaries':
      return summaryBuffers(e.summaries);
    case 'reply':
    case 'progress':
    case 'error':
    case 'lrFindProgress':
      return [];
    default:
      return e satisfies never;
  }
}

export const REQUEST_TYPES: readonly RequestType[] = [
  'ping',
  'train',
  'pause',
  'resume',
  'stop',
  'evaluate',
  'lrFind',
  'lrFindStop',
];

/** Checks the envelope of an incoming message; the reason when it is not a request. */
export function requestProblem(msg: unknown): string | null {
  return envelopeProblem(msg, REQUEST_TYPES);
}
