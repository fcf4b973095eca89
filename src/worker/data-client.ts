// The UI's handle on the data worker: promise-based requests matched to replies by id,
// each with an optional progress callback; a crashed worker rejects what is pending and
// the next request starts a fresh one.
import type { DataEvent, DataReplies, DataRequest, DataRequestType, ImportPhase } from './data-protocol.ts';
import type { WorkerLike } from './engine-client.ts';

type Body<T extends DataRequestType> = Omit<Extract<DataRequest, { type: T }>, 'id' | 'type'>;
export type ProgressFn = (phase: ImportPhase, fraction: number, detail?: string) => void;

interface Pending { resolve: (v: unknown) => void; reject: (e: Error) => void; progress?: ProgressFn }

export class DataClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private worker: WorkerLike | null = null;

  constructor(private readonly spawn: () => WorkerLike) {}

  /** A client of the worker bundled by Vite (module worker), started on first use. */
  static start(): DataClient {
    return new DataClient(() => new Worker(new URL('./data.worker.ts', import.meta.url), { type: 'module', name: 'layerboard-data' }));
  }

  request<T extends DataRequestType>(type: T, body: Body<T>, progress?: ProgressFn): Promise<DataReplies[T]> {
    const worker = this.ensure();
    const id = this.nextId++;
    const msg = { ...body, type, id };
    return new Promise<DataReplies[T]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, progress });
      try {
        worker.postMessage(msg, []);
      } catch (err) {
        this.pending.delete(id);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  terminate(): void {
    this.worker?.terminate();
    this.worker = null;
    this.fail('the data worker was stopped');
  }

  private ensure(): WorkerLike {
    if (this.worker) return this.worker;
    const w = this.spawn();
    w.onmessage = (e) => this.receive(e.data as DataEvent);
    w.onerror = (e) => {
      e.preventDefault?.();
      this.worker = null;
      w.terminate();
      this.fail(`the data worker crashed: ${e.message || 'unknown error'} (out of memory on a large import?)`);
    };
    this.worker = w;
    return w;
  }

  private receive(e: DataEvent): void {
    const p = this.pending.get(e.requestId);
    if (!p) return;
    switch (e.type) {
      case 'progress':
        p.progress?.(e.phase, e.fraction, e.detail);
        return;
      case 'reply':
        this.pending.delete(e.requestId);
        if (e.ok) p.resolve(e.result);
        else p.reject(new Error(e.error));
        return;
      default:
        e satisfies never;
    }
  }

  private fail(message: string): void {
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
  }
}
