// The live side of a run: creates its db record and SummaryWriter, starts it in the engine
// worker, turns the worker's batched events into logs (core/run/run-log.ts, the steps and
// tags the CLI and train.py write too), chart points and progress, and ends
// it — finished, stopped, or failed with the worker's message (NaN/Inf loss with its step
// and value, a crashed worker). Logs written before a failure stay. A Web Lock marks the
// run as alive, so another tab's start-up check does not call it interrupted.
import { buildModuleGraph } from '../../core/model/module-graph.ts';
import type { RunDataset } from '../../core/run/records.ts';
import { flatHparams, RunLog, TAGS } from '../../core/run/run-log.ts';
import type { TrainingConfig } from '../../core/run/training-config.ts';
import type { ModelDocument } from '../../core/model/types.ts';
import type { RunRepository } from '../../db/runs.ts';
import type { LayerboardDB } from '../../db/schema.ts';
import { SummaryWriter } from '../../db/summary-writer.ts';
import { indentCode } from '../../core/run/summary-tags.ts';
import { moduleRepr } from '../../core/python/pytorch-export.ts';
import type { EngineClient } from '../../worker/engine-client.ts';
import type { WorkerEvent } from '../../worker/protocol.ts';
import { ProgressTracker } from './progress.ts';
import { RunSession } from './run-session.svelte.ts';
import { payloadOf, storedWeights, type StoredWeights } from './weights.ts';
import { isQuotaError, STORAGE_FULL } from '../../db/storage-errors.ts';
import type { RunStatus } from '../../db/schema.ts';
import type { TrainState } from '../../core/run/train-state.ts';

/** Run endings that could not be written (storage full): kept in localStorage, applied at the next start. */
const UNSAVED_ENDINGS_KEY = 'layerboard.unsavedRunEndings';
type Ending = { status: Exclude<RunStatus, 'running'>; message: string };

function rememberEnding(runId: string, ending: Ending): void {
  try {
    const all = JSON.parse(localStorage.getItem(UNSAVED_ENDINGS_KEY) ?? '{}') as Record<string, Ending>;
    localStorage.setItem(UNSAVED_ENDINGS_KEY, JSON.stringify({ ...all, [runId]: ending }));
  } catch {
    /* no localStorage either: the run will read as interrupted */
  }
}

/** The ending a page could not store for this run, if any (and forgets it). */
export function takeUnsavedEnding(runId: string): Ending | null {
  try {
    const all = JSON.parse(localStorage.getItem(UNSAVED_ENDINGS_KEY) ?? '{}') as Record<string, Ending>;
    const ending = all[runId] ?? null;
    delete all[runId];
    localStorage.setItem(UNSAVED_ENDINGS_KEY, JSON.stringify(all));
    return ending;
  } catch {
    return null;
  }
}

export interface StartRun {
  name: string;
  projectId: string | null;
  doc: ModelDocument;
  /** With its backend settled. */
  config: TrainingConfig;
  dataset: RunDataset;
  /** Continue from these weights (and the optimizer and scheduler state, when kept), logging after the parent's steps and epochs. */
  from?: {
    weights: StoredWeights;
    state: TrainState | null;
    offsets: { step: number; epoch: number };
    parentId: string;
  };
}

export const lockName = (runId: string) => `layerboard-run:${runId}`;

/** Holds a Web Lock until the returned function is called (no-op where locks are missing). */
function holdLock(name: string): () => void {
  let release = () => {};
  const held = new Promise<void>((r) => {
    release = r;
  });
  void globalThis.navigator?.locks?.request(name, () => held).catch(() => undefined);
  return release;
}

interface Active {
  session: RunSession;
  writer: SummaryWriter;
  logger: RunLog;
  tracker: ProgressTracker | null;
  config: TrainingConfig;
  release: () => void;
}

export class RunController {
  active = $state.raw<RunSession | null>(null);
  #run: Active | null = null;

  constructor(
    private readonly db: LayerboardDB,
    private readonly repo: RunRepository,
    private readonly engine: () => EngineClient,
    private readonly onStorageError: (message: string) => void,
  ) {}

  /** Routes one worker event to the active run. */
  handle(e: WorkerEvent): void {
    const run = this.#run;
    if (!run || e.type === 'reply' || e.type === 'lrFindProgress' || (e.runId !== null && e.runId !== run.session.id))
      return;
    switch (e.type) {
      case 'progress':
        this.#progress(run, e);
        return;
      case 'summaries':
        void run.writer.addSummaries(e.summaries);
        return;
      case 'done':
        void this.#done(run, e);
        return;
      case 'error':
        void this.#fail(run, e.message);
        return;
      default:
        e satisfies never;
    }
  }

  async start(p: StartRun): Promise<RunSession> {
    if (this.#run) throw new Error('a run is already training: stop it first');
    const record = await this.repo.create({
      projectId: p.projectId,
      name: p.name,
      doc: p.doc,
      config: p.config,
      dataset: $state.snapshot(p.dataset),
      backend: p.config.backend?.backend,
    });
    const session = new RunSession(record, 'starting');
    session.dataset = p.dataset;
    if (p.from) session.offsets = { ...p.from.offsets };
    const writer = new SummaryWriter(this.db, record.id, { onError: (err) => this.onStorageError(err.message) });
    const logger = new RunLog(
      (tag, value, step, wallTime) => writer.addScalar(tag, value, step, wallTime),
      session.offsets,
    );
    const run: Active = {
      session,
      writer,
      logger,
      tracker: null,
      config: p.config,
      release: holdLock(lockName(record.id)),
    };
    this.#run = run;
    this.active = session;
    if (p.from) void writer.addText('continued_from', p.from.parentId);
    void writer.addGraph(buildModuleGraph(p.doc, [p.config.batchSize, ...p.doc.input]));
    // print(model) and the config, as add_text logs them (indented: a code block in markdown).
    void writer.addText('model', indentCode(moduleRepr(p.doc)));
    void writer.addText('config', indentCode(JSON.stringify(p.config, null, 2)));
    try {
      const reply = await this.engine().train({
        runId: record.id,
        model: p.doc,
        config: p.config,
        dataset: p.dataset.ref,
        ...(p.from && { weights: payloadOf(p.from.weights) }),
        ...(p.from?.state && { resume: p.from.state }),
        offsets: { ...session.offsets },
        progressIntervalMs: 200,
      });
      if (reply.backend) {
        session.backend = reply.backend;
        void this.repo.update(record.id, { backend: reply.backend }).catch(() => undefined);
      }
      run.tracker = new ProgressTracker(reply.totalSteps, reply.stepsPerEpoch, p.config.batchSize);
      session.progress = run.tracker.view();
      if (session.status === 'starting') session.status = 'running';
    } catch (err) {
      // refused before it began (bad config, dataset does not fit): no run to keep
      this.#clear(run);
      await writer.close().catch(() => undefined);
      await this.repo.delete(record.id).catch(() => undefined);
      throw err;
    }
    return session;
  }

  async pause(): Promise<void> {
    const run = this.#run;
    if (run?.session.status === 'running') await this.engine().pause(run.session.id);
  }

  async resume(): Promise<void> {
    const run = this.#run;
    if (run?.session.status === 'paused') await this.engine().resume(run.session.id);
  }

  async stop(): Promise<void> {
    const run = this.#run;
    if (!run || !run.session.live || run.session.status === 'stopping') return;
    run.session.status = 'stopping';
    await this.engine().stop(run.session.id);
  }

  /** Flushes the active run's buffered scalars (the page is going away). */
  flush(): void {
    void this.#run?.writer.flush();
  }

  #progress(run: Active, e: Extract<WorkerEvent, { type: 'progress' }>): void {
    const { session, logger } = run;
    const wall = Date.now() / 1000;
    logger.steps(e.steps, wall);
    session.append(
      TAGS.trainLoss,
      e.steps.map((r) => ({ step: logger.stepOf(r), value: r.loss })),
      wall,
    );
    for (const ep of e.epochs) {
      logger.epoch(ep, wall);
      const step = logger.epochStepOf(ep);
      if (ep.valLoss !== null) session.append(TAGS.valLoss, [{ step, value: ep.valLoss }], wall);
      if (ep.valAccuracy !== null) session.append(TAGS.valAccuracy, [{ step, value: ep.valAccuracy }], wall);
    }
    if (e.epochs.length) session.epochs = [...session.epochs, ...e.epochs];
    const last = e.steps.at(-1);
    if (last) session.lastLoss = last.loss;
    const tracker = run.tracker;
    if (tracker) {
      // the tracker counts steps done and the epoch under way, 1-based as shown
      if (last) tracker.report(last.step + 1, last.epoch + 1, e.imagesPerSecond);
      tracker.setPaused(e.status === 'paused');
      session.progress = tracker.view();
    }
    if (session.status !== 'stopping') session.status = e.status === 'paused' ? 'paused' : 'running';
  }

  async #done(run: Active, e: Extract<WorkerEvent, { type: 'done' }>): Promise<void> {
    const { session, logger, writer } = run;
    const weights = storedWeights(e.weights);
    session.weights = weights;
    session.trainState = e.state;
    if (e.test && session.dataset) {
      logger.test(e.test);
      session.test = { ...e.test, classes: session.dataset.classes };
    }
    const total = run.tracker?.totalSteps ?? e.steps;
    const message =
      e.status === 'stopped'
        ? `stopped at step ${e.steps.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`
        : undefined;
    const metrics = logger.metrics({ seconds: run.tracker?.view().elapsedSeconds ?? 0 });
    session.status = e.status;
    session.message = message ?? null;
    session.offsets = { step: metrics.steps, epoch: metrics.epochs };
    if (run.tracker) session.progress = run.tracker.view();
    this.#clear(run);
    await this.#settle(run, async () => {
      await writer.flush();
      await this.repo.update(session.id, {
        weights,
        trainState: e.state,
        ...(session.test && { test: $state.snapshot(session.test) }),
      });
      await this.repo.end(session.id, e.status, message, metrics);
      await writer.addHparams(flatHparams(run.config), metrics);
    });
  }

  async #fail(run: Active, message: string): Promise<void> {
    const { session, logger, writer } = run;
    session.status = 'failed';
    session.message = message;
    this.#clear(run);
    await this.#settle(run, async () => {
      await writer.flush();
      const metrics = logger.metrics();
      await this.repo.end(session.id, 'failed', message, metrics);
      await writer.addHparams(flatHparams(run.config), metrics);
    });
  }

  /** Keeps an evaluation of a run's weights (the Evaluate button) with its logs and metrics. */
  async recordTest(session: RunSession): Promise<void> {
    const test = session.test;
    if (!test) return;
    const writer = new SummaryWriter(this.db, session.id, { onError: (err) => this.onStorageError(err.message) });
    const metrics: Record<string, number> = { ...session.record.metrics, [TAGS.testLoss]: test.loss };
    if (test.accuracy !== null) metrics[TAGS.testAccuracy] = test.accuracy;
    // at step = epochs trained, as RunLog.test logs a run's own test result
    const step = session.offsets.epoch;
    if (test.accuracy !== null) writer.addScalar(TAGS.testAccuracy, test.accuracy, step);
    writer.addScalar(TAGS.testLoss, test.loss, step);
    const config = session.record.config;
    await this.#settle({ session }, async () => {
      await writer.close();
      await this.repo.update(session.id, { metrics, test: $state.snapshot(test) });
      if (config) await writer.addHparams(flatHparams(config), metrics);
    });
  }

  #clear(run: Active): void {
    if (this.#run === run) this.#run = null;
    if (this.active === run.session) this.active = null;
    run.release();
  }

  /**
   * Final writes; a failure is shown, never swallowed. At the storage quota the run is
   * failed truthfully ('storage full'), its weights stay in the session for download,
   * and if even that status cannot be written it is kept for the next start to apply.
   */
  async #settle(run: Pick<Active, 'session'>, write: () => Promise<void>): Promise<void> {
    const { session } = run;
    try {
      await write();
      session.record = (await this.repo.get(session.id)) ?? session.record;
    } catch (err) {
      if (!isQuotaError(err)) {
        this.onStorageError(
          `run ${session.record.name} could not be saved: ${err instanceof Error ? err.message : String(err)}`,
        );
        return;
      }
      const kept = session.weights
        ? 'its trained weights are only in this tab: download them (.safetensors) before leaving the page'
        : 'its logs up to the quota are kept';
      const message = `${STORAGE_FULL}: the browser's storage quota for this site was reached while saving the run; ${kept}`;
      session.status = 'failed';
      session.message = message;
      await this.repo
        .end(session.id, 'failed', message)
        .catch(() => rememberEnding(session.id, { status: 'failed', message }));
      this.onStorageError(
        `run ${session.record.name}: ${message}. Free space by deleting runs or datasets on the Board.`,
      );
    }
  }
}
