// The worker's side of the protocol, independent of the Worker global so it also runs in
// Node tests: requests in (handle), events out (post). One run at a time; its progress is
// batched by the trainer (every progressIntervalMs), its weights leave as transferables.
import { backend, useBackend, type Backend } from '../engine/backend.ts';
import { buildModel, checkTrainingConfig, prepareRun, testSource, type PreparedRun } from '../engine/prepare-run.ts';
import { NonFiniteLossError } from '../engine/trainer.ts';
import { TrainController, type TrainEvent } from '../engine/train-control.ts';
import { evaluateSplit } from '../engine/evaluate.ts';
import { SummaryRecorder } from '../engine/run-summaries.ts';
import { loadDataset, type BuiltinLoader } from './datasets.ts';
import type { ImageDataset } from '../core/formats/lbds.ts';
import type { RunStatus } from '../core/run/records.ts';
import {
  eventTransfer,
  REQUEST_TYPES,
  type BackendChoice,
  type DatasetRef,
  type EpochRecord,
  type EvaluateRequestBody,
  type RawSummary,
  type ReplyResults,
  type Request,
  type RequestType,
  type StepRecord,
  type TrainRequestBody,
  type WorkerEvent,
} from './protocol.ts';
import { decodeWeights, encodeWeights } from './weights.ts';
import { answer } from './rpc.ts';
import { LrFindJobs } from './lr-find-runtime.ts';

export type Post = (event: WorkerEvent, transfer: Transferable[]) => void;

interface ActiveRun {
  runId: string;
  controller: TrainController;
  status: RunStatus;
}

/** Yields to the event loop so queued requests (pause, stop) are handled. */
const breathe = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** The requested kernels, reusing the active backend when it already is that one. */
async function ensureBackend(want: BackendChoice | undefined): Promise<Backend> {
  const cur = backend();
  // Compare with the threads asked for, not those running: without cross-origin
  // isolation a 2-thread request runs 1, and must not rebuild the backend every time.
  const asked = (cur as Backend & { requestedThreads?: number }).requestedThreads ?? cur.threads;
  if (!want || (cur.name === want.backend && (want.backend === 'ts' || asked === Math.max(1, want.threads ?? 1))))
    return cur;
  return useBackend(want);
}

export class EngineRuntime {
  private run: ActiveRun | null = null;
  /** The last dataset loaded, kept so Start / Evaluate again do not reread it (CIFAR-10 is 184 MB). */
  private cached: { key: string; ds: Promise<ImageDataset> } | null = null;
  private readonly lrFinds = new LrFindJobs((e) => this.emit(e));

  constructor(
    private readonly post: Post,
    private readonly loadBuiltin?: BuiltinLoader,
  ) {}

  private dataset(ref: DatasetRef, input: number[]): Promise<ImageDataset> {
    const key = JSON.stringify([ref, input]);
    if (this.cached?.key !== key) {
      const ds = loadDataset(ref, input, this.loadBuiltin);
      ds.catch(() => {
        if (this.cached?.ds === ds) this.cached = null;
      });
      this.cached = { key, ds };
    }
    return this.cached.ds;
  }

  /** Entry point for every incoming message; never throws (problems become error replies). */
  handle(msg: unknown): void {
    answer<Request, ReplyResults[RequestType]>(
      msg,
      REQUEST_TYPES,
      (r) => this.dispatch(r),
      (reply, transfer) => this.post(reply, transfer),
    );
  }

  private async dispatch(r: Request): Promise<ReplyResults[RequestType]> {
    switch (r.type) {
      case 'ping':
        return { pong: true };
      case 'train':
        return this.startTrain(r);
      case 'pause':
        this.active(r.runId).controller.pause();
        return { runId: r.runId };
      case 'resume':
        this.active(r.runId).controller.resume();
        return { runId: r.runId };
      case 'stop':
        this.active(r.runId).controller.stop();
        return { runId: r.runId };
      case 'evaluate':
        return this.evaluate(r);
      case 'lrFind':
        if (this.training()) throw new Error(`run '${this.run!.runId}' is training: stop it before the lr range test`);
        await ensureBackend(r.config.backend);
        return this.lrFinds.run(r, (input) => this.dataset(r.dataset, input));
      case 'lrFindStop':
        return this.lrFinds.stop(r.findId);
      default:
        return r satisfies never;
    }
  }

  private training(): boolean {
    return this.run !== null && (this.run.status === 'running' || this.run.status === 'paused');
  }

  private active(runId: string): ActiveRun {
    const run = this.run;
    if (!run || run.runId !== runId)
      throw new Error(`no run '${runId}' in this worker${run ? ` (the current run is '${run.runId}')` : ''}`);
    if (run.status !== 'running' && run.status !== 'paused')
      throw new Error(`run '${runId}' has already ${run.status === 'failed' ? 'failed' : 'ended'}`);
    return run;
  }

  private emit(e: WorkerEvent): void {
    this.post(e, eventTransfer(e));
  }

  private async startTrain(r: TrainRequestBody): Promise<ReplyResults['train']> {
    if (this.training())
      throw new Error(`run '${this.run!.runId}' is still ${this.run!.status}: stop it before starting another`);
    if (this.lrFinds.busy)
      throw new Error(`the lr range test '${this.lrFinds.busy}' is running: wait or stop it first`);
    checkTrainingConfig(r.config);
    const kernels = await ensureBackend(r.config.backend);
    const ds = await this.dataset(r.dataset, r.model.input);
    const prepared = prepareRun(r.model, r.config, ds, r.weights && decodeWeights(r.weights));
    const run: ActiveRun = { runId: r.runId, controller: new TrainController(), status: 'running' };
    this.run = run;
    // start after this request's reply has gone out
    setTimeout(() => void this.execute(run, r, prepared), 0);
    return {
      runId: r.runId,
      totalSteps: prepared.totalSteps,
      stepsPerEpoch: prepared.stepsPerEpoch,
      backend: kernels.description,
    };
  }

  /** Hands the run's ready summaries to the UI (before the progress that follows them). */
  private emitSummaries(runId: string, summaries: RawSummary[]): void {
    if (summaries.length) this.emit({ type: 'summaries', runId, summaries });
  }

  private async execute(run: ActiveRun, r: TrainRequestBody, prepared: PreparedRun): Promise<void> {
    let last = performance.now();
    const recorder = new SummaryRecorder(prepared.model, {
      totalSteps: prepared.totalSteps,
      classes: prepared.dataset.classes,
      offsets: r.offsets,
    });
    const onProgress = (events: TrainEvent[]) => {
      this.emitSummaries(run.runId, recorder.take());
      const steps: StepRecord[] = [],
        epochs: EpochRecord[] = [];
      for (const e of events) {
        switch (e.type) {
          case 'steps':
            steps.push(...e.steps);
            break;
          case 'epoch':
            epochs.push(e.record);
            break;
          case 'state':
            if (run.status === 'running' || run.status === 'paused') run.status = e.state;
            break;
          default:
            e satisfies never;
        }
      }
      const now = performance.now(),
        seconds = Math.max((now - last) / 1000, 1e-9);
      last = now;
      const status = run.status === 'paused' ? 'paused' : 'running';
      this.emit({
        type: 'progress',
        runId: run.runId,
        status,
        steps,
        epochs,
        totalSteps: prepared.totalSteps,
        imagesPerSecond: (steps.length * r.config.batchSize) / seconds,
      });
    };
    try {
      const result = await prepared.train({
        controller: run.controller,
        observer: recorder,
        onProgress,
        progressIntervalMs: r.progressIntervalMs ?? 250,
        ...(r.resume && { resume: r.resume }),
      });
      recorder.finish(result.steps - 1);
      const test = result.status === 'finished' ? await prepared.evaluateTest(breathe, recorder.testObserver()) : null;
      if (test) recorder.afterTest(result.epochs.length);
      this.emitSummaries(run.runId, await recorder.drain());
      run.status = result.status;
      this.emit({
        type: 'done',
        runId: run.runId,
        status: result.status,
        weights: encodeWeights(prepared.model.stateDict()),
        state: result.state,
        steps: result.steps,
        test,
      });
    } catch (err) {
      // a failed run keeps the summaries it logged
      this.emitSummaries(run.runId, await recorder.drain().catch(() => recorder.take()));
      run.status = 'failed';
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof NonFiniteLossError)
        this.emit({ type: 'error', runId: run.runId, message, step: err.step, value: err.value });
      else this.emit({ type: 'error', runId: run.runId, message });
    } finally {
      // the run's activations go back to the backend's memory now, not at some later GC
      prepared.model.release();
    }
  }

  private async evaluate(r: EvaluateRequestBody): Promise<ReplyResults['evaluate']> {
    await ensureBackend(r.config.backend);
    const model = buildModel(r.model, r.config.seed, decodeWeights(r.weights));
    const ds = await this.dataset(r.dataset, r.model.input);
    const src = testSource(r.model, r.config, ds);
    if (!src) throw new Error(`${ds.name} has no test split to evaluate on`);
    try {
      return await evaluateSplit(model, src, r.config.loss, r.config.batchSize, ds.classes.length, breathe);
    } finally {
      model.release();
    }
  }
}
