// The UI's handle on the data worker: promise-based requests matched to replies by id,
// each with an optional progress callback; a crashed worker rejects what is pending and
// the next request starts a fresh one.
import type { DataEvent, DataReplies, DataRequest, DataRequestType, ImportPhase } from './data-protocol.ts';
import type { WorkerLike } from './engine-client.ts';
import { PendingRequests } from './rpc.ts';

type Body<T extends DataRequestType> = Omit<Extract<DataRequest, { type: T }>, 'id' | 'type'>;
export type ProgressFn = (phase: ImportPhase, fraction: number, detail?: string) => void;

export class DataClient {
  private readonly pending = new PendingRequests<ProgressFn>();
  private worker: WorkerLike | null = null;

  constructor(private readonly spawn: () => WorkerLike) {}

  /** A client of the worker bundled by Vite (module worker), started on first use. */
  static start(): DataClient {
    return new DataClient(
      () => new Worker(new URL('./data.worker.ts', import.meta.url), { type: 'module', name: 'layerboard-data' }),
    );
  }

  request<T extends DataRequestType>(type: T, body: Body<T>, progress?: ProgressFn): Promise<DataReplies[T]> {
    const worker = this.ensure();
    return this.pending.send<DataReplies[T]>((id) => worker.postMessage({ ...body, type, id }, []), progress);
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
    switch (e.type) {
      case 'progress':
        this.pending.extra(e.requestId)?.(e.phase, e.fraction, e.detail);
        return;
      case 'reply':
        this.pending.settle(e);
        return;
      default:
        e satisfies never;
    }
  }

  private fail(message: string): void {
    this.pending.failAll(message);
  }
}
