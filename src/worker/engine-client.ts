// The UI's handle on the engine worker: promise-based requests matched to replies by id,
// typed event subscriptions, stale run events dropped, and a crashed worker turned into an
// error event (and rejected pending requests). The UI imports this, never src/engine.
import {
  requestTransfer,
  type EvaluateRequestBody,
  type ReplyResults,
  type Request,
  type RequestType,
  type TrainRequestBody,
  type WorkerEvent,
  type WorkerEventType,
} from './protocol.ts';
import { PendingRequests } from './rpc.ts';

/** What the client needs of a Worker (a real one, or a fake in tests). */
export interface WorkerLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  terminate(): void;
  onmessage: ((e: MessageEvent) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
  onmessageerror?: ((e: MessageEvent) => void) | null;
}

type EventOf<T extends WorkerEventType> = Extract<WorkerEvent, { type: T }>;
type Listener<T extends WorkerEventType> = (e: EventOf<T>) => void;
type Body<T extends RequestType> = Omit<Extract<Request, { type: T }>, 'id' | 'type'>;

export class EngineClient {
  private readonly pending = new PendingRequests();
  private readonly listeners = new Map<WorkerEventType, Set<(e: WorkerEvent) => void>>();
  /** The run whose events are delivered; events of any other run are stale and dropped. */
  private currentRun: string | null = null;
  private dead: string | null = null;

  constructor(private readonly worker: WorkerLike) {
    worker.onmessage = (e) => this.receive(e.data as WorkerEvent);
    worker.onerror = (e) => {
      e.preventDefault?.();
      this.crash(`engine worker crashed: ${e.message || 'unknown error'}`);
    };
    worker.onmessageerror = () =>
      this.emit({
        type: 'error',
        runId: this.currentRun,
        message: 'a message from the engine worker could not be read',
      });
  }

  /** Starts the worker bundled by Vite (module worker). */
  static start(): EngineClient {
    return new EngineClient(
      new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name: 'layerboard-engine' }),
    );
  }

  on<T extends WorkerEventType>(type: T, listener: Listener<T>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    const l = listener as (e: WorkerEvent) => void;
    set.add(l);
    return () => set.delete(l);
  }

  request<T extends RequestType>(type: T, body: Body<T>): Promise<ReplyResults[T]> {
    if (this.dead) return Promise.reject(new Error(this.dead));
    return this.pending.send<ReplyResults[T]>((id) => {
      // a Body<T> with its type and id is that request; TypeScript cannot see it through the generic
      const msg = { ...body, type, id } as unknown as Request;
      this.worker.postMessage(msg, requestTransfer(msg));
    });
  }

  ping(): Promise<ReplyResults['ping']> {
    return this.request('ping', {});
  }

  /** Starts a run; from now on only this run's events are delivered. */
  train(body: TrainRequestBody): Promise<ReplyResults['train']> {
    this.currentRun = body.runId;
    return this.request('train', body);
  }

  pause(runId: string): Promise<ReplyResults['pause']> {
    return this.request('pause', { runId });
  }
  resume(runId: string): Promise<ReplyResults['resume']> {
    return this.request('resume', { runId });
  }
  stop(runId: string): Promise<ReplyResults['stop']> {
    return this.request('stop', { runId });
  }
  evaluate(body: EvaluateRequestBody): Promise<ReplyResults['evaluate']> {
    return this.request('evaluate', body);
  }

  terminate(): void {
    this.worker.terminate();
    this.failPending('engine worker terminated');
    this.dead = 'engine worker terminated';
  }

  private receive(e: WorkerEvent): void {
    switch (e.type) {
      case 'reply':
        this.pending.settle(e);
        return;
      case 'progress':
      case 'summaries':
      case 'done':
      case 'error':
        if (e.runId !== null && e.runId !== this.currentRun) return; // stale: an earlier run
        this.emit(e);
        return;
      default:
        e satisfies never;
    }
  }

  private emit(e: WorkerEvent): void {
    for (const l of this.listeners.get(e.type) ?? []) l(e);
  }

  private crash(message: string): void {
    this.dead = message;
    this.failPending(message);
    this.emit({ type: 'error', runId: this.currentRun, message });
  }

  private failPending(message: string): void {
    this.pending.failAll(message);
  }
}
