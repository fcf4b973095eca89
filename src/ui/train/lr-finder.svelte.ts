// The Train tab's LR range test: started with the form's model, configuration and dataset,
// run in the engine worker (its points drawn as they come), cancellable; its suggestion is
// one click from the optimizer's lr.
import type { LrPoint } from '../../core/run/lr-range.ts';
import type { EngineClient } from '../../worker/engine-client.ts';
import type { LrFindRequestBody } from '../../worker/protocol.ts';

export type LrFinderStatus = 'idle' | 'running' | 'done' | 'stopped' | 'failed';

/** An lr as the UI writes it: two significant digits ('3.2e-4', '0.01'). */
export function formatLr(lr: number): string {
  const e = Math.floor(Math.log10(lr));
  if (e >= -3 && e <= 1) return String(+lr.toPrecision(2));
  const m = +(lr / 10 ** e).toPrecision(2);
  return m === 10 ? `1e${e + 1}` : `${m}e${e}`;
}

let counter = 0;

export class LrFinder {
  status = $state<LrFinderStatus>('idle');
  points = $state.raw<LrPoint[]>([]);
  suggestion = $state<number | null>(null);
  diverged = $state(false);
  error = $state<string | null>(null);
  #findId: string | null = null;
  #client: EngineClient | null = null;

  constructor(private readonly client: () => EngineClient) {}

  get running(): boolean {
    return this.status === 'running';
  }

  async start(body: Omit<LrFindRequestBody, 'findId'>): Promise<void> {
    if (this.running) return;
    const findId = `lr-${Date.now().toString(36)}-${++counter}`;
    const client = this.client();
    this.#findId = findId;
    this.#client = client;
    this.status = 'running';
    this.points = [];
    this.suggestion = null;
    this.diverged = false;
    this.error = null;
    const off = client.on('lrFindProgress', (e) => {
      if (e.findId === findId) this.points = [...this.points, ...e.points];
    });
    try {
      const r = await client.lrFind({ ...body, findId });
      this.points = r.points;
      this.suggestion = r.suggestion;
      this.diverged = r.diverged;
      this.status = r.stopped ? 'stopped' : 'done';
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
      this.status = 'failed';
    } finally {
      off();
      this.#findId = null;
    }
  }

  /** Cancels the sweep (the points so far stay on the plot). */
  async stop(): Promise<void> {
    if (!this.#findId || !this.#client) return;
    await this.#client.lrFindStop(this.#findId).catch(() => undefined); // it may have just ended
  }
}
