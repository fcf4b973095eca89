// How a training loop talks to the outside between steps: pause / resume / stop requests,
// yielding so that those messages get through, and progress events batched in time.
import type { EpochRecord, StepRecord } from '../core/run/records.ts';

export type TrainEvent =
  | { type: 'steps'; steps: StepRecord[] }
  | { type: 'epoch'; record: EpochRecord }
  | { type: 'state'; state: 'paused' | 'running' };

/** Pause / resume / stop, taking effect between steps. */
export class TrainController {
  private mode: 'running' | 'paused' | 'stopped' = 'running';
  private wake: (() => void) | null = null;

  get state(): 'running' | 'paused' | 'stopped' {
    return this.mode;
  }
  isPaused(): boolean {
    return this.mode === 'paused';
  }
  isStopped(): boolean {
    return this.mode === 'stopped';
  }
  pause(): void {
    if (this.mode === 'running') this.mode = 'paused';
  }
  resume(): void {
    if (this.mode === 'paused') {
      this.mode = 'running';
      this.release();
    }
  }
  stop(): void {
    this.mode = 'stopped';
    this.release();
  }

  /** Resolves once resumed or stopped. */
  waitWhilePaused(): Promise<void> {
    return this.mode !== 'paused'
      ? Promise.resolve()
      : new Promise((r) => {
          this.wake = r;
        });
  }

  private release(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}

/** Lets queued messages run: setImmediate in Node, a MessageChannel round trip elsewhere (no 4 ms clamp). */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void };
  if (g.setImmediate) return new Promise((r) => g.setImmediate!(r));
  if (typeof MessageChannel !== 'undefined') {
    return new Promise((r) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        r();
      };
      ch.port2.postMessage(0);
    });
  }
  return new Promise((r) => setTimeout(r, 0));
}

/** Collects events and hands them out at most every `interval` ms (forced ones at once). */
export class ProgressBuffer {
  private events: TrainEvent[] = [];
  private steps: StepRecord[] = [];
  private last: number;

  constructor(
    private readonly sink: ((e: TrainEvent[]) => void) | undefined,
    private readonly interval: number,
    private readonly now: () => number,
  ) {
    this.last = now();
  }

  step(s: StepRecord): void {
    if (!this.sink) return;
    this.steps.push(s);
    if (this.now() - this.last >= this.interval) this.flush();
  }

  push(e: TrainEvent, force = false): void {
    if (!this.sink) return;
    this.moveSteps();
    this.events.push(e);
    if (force) this.flush();
  }

  flush(): void {
    if (!this.sink) return;
    this.moveSteps();
    this.last = this.now();
    if (this.events.length === 0) return;
    const out = this.events;
    this.events = [];
    this.sink(out);
  }

  private moveSteps(): void {
    if (this.steps.length) {
      this.events.push({ type: 'steps', steps: this.steps });
      this.steps = [];
    }
  }
}
