// The one message contract between the UI and the engine worker: a discriminated union of
// requests (UI → worker, each with an id the reply carries back) and one of events
// (worker → UI). Both sides switch exhaustively over `type` (`satisfies never`), so adding
// a message without handling it everywhere is a type error. Weights travel as raw
// ArrayBuffers listed for transfer (zero copy), never as JSON arrays.
import type { TrainingConfig } from '../core/run/training-config.ts';
import type { ModelDocument } from '../core/model/types.ts';
import type { BuiltinDatasetId } from '../engine/data/builtin.ts';
import { envelopeProblem, type Reply } from './rpc.ts';

/** Where the worker gets its examples. */
export type DatasetRef =
  /** Class-dependent blobs generated from a seed (learnable; for tests, demos and the CLI). */
  | { kind: 'synthetic'; classes: number; train: number; test: number; seed: number; noise?: number }
  /** A dataset shipped with the app (MNIST, Fashion-MNIST), fetched from `baseUrl` (the app's URL), cached in IndexedDB. */
  | { kind: 'builtin'; id: BuiltinDatasetId; baseUrl: string }
  /** A dataset imported in the Train tab (CIFAR-10, ImageFolder), read from IndexedDB (src/db/dataset-store.ts). */
  | { kind: 'stored'; id: string };

/** One state_dict entry; `buffer` holds float32 (or int32 for int64 counters) values. */
export interface WeightEntry { name: string; shape: number[]; dtype: 'float32' | 'int64'; buffer: ArrayBuffer }
/** A state_dict in PyTorch's names and layouts, ready to transfer. */
export interface WeightsPayload { entries: WeightEntry[] }

/** Which kernels run the model: the TypeScript reference, or WASM SIMD on `threads` threads. */
export interface BackendChoice { backend: 'ts' | 'wasm'; threads?: number }

export interface TrainRequestBody {
  /** Chosen by the UI; every event of the run carries it. */
  runId: string;
  model: ModelDocument;
  config: TrainingConfig;
  dataset: DatasetRef;
  /** Start from these weights ("continue training") instead of a fresh seeded init. */
  weights?: WeightsPayload;
  /** How often progress is posted, in ms (steps are batched in between). Default 250. */
  progressIntervalMs?: number;
  /** Kernels to run on (default: the worker's current backend, the TS one at first). */
  backend?: BackendChoice;
}

export interface EvaluateRequestBody {
  model: ModelDocument;
  config: TrainingConfig;
  dataset: DatasetRef;
  weights: WeightsPayload;
  backend?: BackendChoice;
}

/** Requests, UI → worker. */
export type Request =
  | { type: 'ping'; id: number }
  | ({ type: 'train'; id: number } & TrainRequestBody)
  | { type: 'pause'; id: number; runId: string }
  | { type: 'resume'; id: number; runId: string }
  | { type: 'stop'; id: number; runId: string }
  | ({ type: 'evaluate'; id: number } & EvaluateRequestBody);

export type RequestType = Request['type'];

export interface EvalResult {
  loss: number;
  /** null when the output is not [N, classes] logits against class labels. */
  accuracy: number | null;
  examples: number;
  /** confusion[true][predicted] counts ([] when accuracy is null). */
  confusion: number[][];
  /** Predicted class of every example of the split, in dataset order (classification only). */
  predictions?: number[];
}

/** What each request's reply carries when it succeeds. */
export interface ReplyResults {
  ping: { pong: true };
  /** The run started; progress follows as events. */
  train: { runId: string; totalSteps: number; stepsPerEpoch: number; backend?: string };
  pause: { runId: string };
  resume: { runId: string };
  stop: { runId: string };
  evaluate: EvalResult;
}

export interface StepRecord {
  /** Global step, 1-based. */
  step: number;
  /** 1-based epoch. */
  epoch: number;
  loss: number;
  lr: number;
}

export interface EpochRecord {
  epoch: number;
  /** Mean training loss over the epoch's examples. */
  trainLoss: number;
  /** Training accuracy (classification), else null. */
  trainAccuracy: number | null;
  valLoss: number | null;
  valAccuracy: number | null;
  /** Learning rate at the end of the epoch. */
  lr: number;
  seconds: number;
  examplesPerSecond: number;
}

export type RunStatus = 'running' | 'paused' | 'finished' | 'stopped' | 'failed';

/** Events, worker → UI. */
export type WorkerEvent =
  | Reply<ReplyResults[RequestType]>
  /** Batched: every step and epoch since the last progress event. */
  | { type: 'progress'; runId: string; status: RunStatus; steps: StepRecord[]; epochs: EpochRecord[]; totalSteps: number; imagesPerSecond: number }
  | { type: 'done'; runId: string; status: 'finished' | 'stopped'; weights: WeightsPayload; steps: number; test: EvalResult | null }
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
    case 'train': return weightBuffers(r.weights);
    case 'evaluate': return weightBuffers(r.weights);
    case 'ping': case 'pause': case 'resume': case 'stop': return [];
    default: return r satisfies never;
  }
}

/** Buffers to transfer with an event. */
export function eventTransfer(e: WorkerEvent): ArrayBuffer[] {
  switch (e.type) {
    case 'done': return weightBuffers(e.weights);
    case 'reply': case 'progress': case 'error': return [];
    default: return e satisfies never;
  }
}

export const REQUEST_TYPES: readonly RequestType[] = ['ping', 'train', 'pause', 'resume', 'stop', 'evaluate'];

/** Checks the envelope of an incoming message; the reason when it is not a request. */
export function requestProblem(msg: unknown): string | null {
  return envelopeProblem(msg, REQUEST_TYPES);
}
