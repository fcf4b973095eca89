// Train mode's state, alive for the whole page (a run keeps training while the user is in
// Build or Board): the dataset card, the training configuration (the model document's
// `training`, saved with the project and exported with it), the run being shown, and the commands — start, pause, resume, stop, continue
// from a run's weights, evaluate them, open a past run. Runs left 'running' by a page that
// went away are marked interrupted at start-up.
import { createContext } from 'svelte';
import { liveQuery } from 'dexie';
import { migrateTrainingConfig } from '../../core/run/config-migrate.ts';
import { defaultTrainingConfigFor, type BackendChoice, type TrainingConfig } from '../../core/run/training-config.ts';
import { RunRepository } from '../../db/runs.ts';
import type { LayerboardDB, RunRecord } from '../../db/schema.ts';
import { DataClient } from '../../worker/data-client.ts';
import { EngineClient } from '../../worker/engine-client.ts';
import type { DatasetInfo } from '../../core/formats/lbds.ts';
import type { EditorState } from '../state/editor.svelte.ts';
import type { ProjectsState } from '../state/projects.svelte.ts';
import { LiveValue } from '../state/live-query.svelte.ts';
import { fieldErrors } from './config-fields.ts';
import { DatasetState, type DatasetChoice } from './dataset-state.svelte.ts';
import { RunController, lockName, takeUnsavedEnding } from './run-controller.svelte.ts';
import type { RunDataset } from '../../core/run/records.ts';
import { RunSession } from './run-session.svelte.ts';
import { startBlocker, runName, inputFor, configFor, exampleShape } from './train-rules.ts';
import { payloadOf } from './weights.ts';
import { LrFinder } from './lr-finder.svelte.ts';

/** Where older builds kept the form's configuration and backend: read once, for models that have no `training` yet. */
const OLD_CONFIG_KEY = 'layerboard.train.config';
const OLD_BACKEND_KEY = 'layerboard.train.backend';

/** One wasm thread per logical core, as the CLI's os.availableParallelism() (the backend holds up to 64). */
export function coreThreads(): number {
  return Math.max(1, Math.min(64, navigator.hardwareConcurrency || 2));
}

/** WASM SIMD on every core by default, the CLI's default too (docs/engine-speed.md: why it scales). */
export function defaultBackend(): BackendChoice {
  return { backend: 'wasm', threads: coreThreads() };
}

function readStored(key: string): unknown {
  try {
    return JSON.parse(localStorage.getItem(key) ?? 'null');
  } catch {
    return null;
  }
}

/** The configuration a model without `training` starts from: the one an older build remembered, else the defaults for its input. */
function startingConfig(input: readonly number[]): TrainingConfig {
  const saved = readStored(OLD_CONFIG_KEY),
    backend = readStored(OLD_BACKEND_KEY);
  if (saved === null && backend === null) return defaultTrainingConfigFor(input);
  const raw =
    typeof saved === 'object' && saved !== null ? { ...saved, ...(backend !== null && { backend }) } : { backend };
  return migrateTrainingConfig(raw, input).config;
}

export interface TrainDeps {
  db: LayerboardDB;
  editor: EditorState;
  projects: ProjectsState;
  baseUrl?: string;
  engine?: () => EngineClient;
  data?: DataClient;
}

export class TrainState {
  readonly #editor: EditorState;
  readonly datasets: DatasetState;
  readonly repo: RunRepository;
  readonly runs: LiveValue<RunRecord[]>;
  readonly controller: RunController;
  readonly lrFinder = new LrFinder(() => this.#client());
  readonly #config = $derived.by(() => this.#editor.graph.training ?? startingConfig(this.#editor.graph.input));
  readonly errors = $derived(fieldErrors(this.#config));
  /** The run the results area shows: the live one, or one picked from the list. */
  shown = $state.raw<RunSession | null>(null);
  /** A storage problem (IndexedDB quota…), shown until dismissed. */
  storageError = $state<string | null>(null);
  /** Why the last start or command failed. */
  commandError = $state<string | null>(null);
  readonly #projects: ProjectsState;
  readonly #makeEngine: () => EngineClient;
  #engine: EngineClient | null = null;
  #datasetRequested = false;

  constructor(deps: TrainDeps) {
    this.#editor = deps.editor;
    this.#projects = deps.projects;
    this.#makeEngine = deps.engine ?? (() => EngineClient.start());
    this.repo = new RunRepository(deps.db);
    this.runs = new LiveValue<RunRecord[]>(
      liveQuery(() => this.repo.list()),
      [],
    );
    this.datasets = new DatasetState(deps.db, deps.data ?? DataClient.start(), deps.baseUrl ?? document.baseURI);
    this.controller = new RunController(
      deps.db,
      this.repo,
      () => this.#client(),
      (m) => (this.storageError = m),
    );
  }

  get editor(): EditorState {
    return this.#editor;
  }

  /** The model's training configuration (doc.training), or where a model without one starts. */
  get config(): TrainingConfig {
    return this.#config;
  }

  /** The kernels training runs on: the configuration's, else the fastest. */
  get backend(): BackendChoice {
    return this.#config.backend ?? defaultBackend();
  }

  /** At page start: runs a closed page left 'running' become 'interrupted'. */
  async startUp(): Promise<void> {
    // the page going away: write what the active run has buffered (the run becomes 'interrupted' on the next start)
    addEventListener('pagehide', () => this.controller.flush());
    await this.#markInterrupted().catch(
      (e: unknown) =>
        (this.storageError = `could not check for interrupted runs: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  /** The Train tab opened: the chosen dataset is loaded once (the data worker starts here, not at page start). */
  showing(): void {
    if (!this.#datasetRequested) {
      this.#datasetRequested = true;
      void this.datasets.load();
    }
  }

  /** Why Start is disabled, or null. */
  get blocker(): string | null {
    if (this.lrFinder.running) return 'the learning-rate finder is running: wait for it or cancel it';
    return startBlocker({
      analysis: this.#editor.analysis,
      datasets: this.datasets,
      errors: this.errors,
      config: this.config,
      running: this.controller.active !== null,
    });
  }

  setBackend(next: BackendChoice): void {
    this.setConfig({ ...$state.snapshot(this.config), backend: next });
  }

  /** Writes the form into the model document (saved with the project, exported by `export --format pytorch-project`). */
  setConfig(next: TrainingConfig): void {
    this.#editor.setTraining(next);
  }

  /** The configuration a run starts with: the form's, with the backend settled. */
  #runConfig(): TrainingConfig {
    return { ...$state.snapshot(this.config), backend: $state.snapshot(this.backend) };
  }

  /** The dataset's examples do not fit the model's Input: what "Adapt the model" would set, else null. */
  get inputMismatch(): { name: string; shape: number[] } | null {
    const info = this.datasets.info;
    if (!info || this.datasets.loading) return null;
    const shape = inputFor(this.#editor.graph.input, info);
    return shape ? { name: info.name, shape } : null;
  }

  /** Moves the model onto the chosen dataset: its Input and the sizes that follow (one undo step). */
  async adaptModel(): Promise<void> {
    await this.chooseDataset(this.datasets.choice);
  }

  /** Chooses a dataset: its Input shape goes to the editor with the sizes that follow from it (one undo step) and its Normalize preset to the form. */
  async chooseDataset(choice: DatasetChoice): Promise<void> {
    const info = await this.datasets.choose(choice);
    if (info) this.#adopt(choice, info);
  }

  #adopt(choice: DatasetChoice, info: DatasetInfo): void {
    const shape = inputFor(this.#editor.graph.input, info);
    // the Input shape and the configuration change as one undo step
    this.#editor.setTraining(configFor($state.snapshot(this.config), choice, info), shape ?? undefined);
  }

  /** Deletes an imported dataset from the browser (its runs keep their logs). */
  async removeDataset(id: string): Promise<void> {
    await this.datasets.remove(id);
    const c = this.datasets.choice;
    if ((c.kind === 'cifar10' && id === 'cifar10') || ((c.kind === 'images' || c.kind === 'table') && c.id === id))
      await this.datasets.load();
  }

  async start(): Promise<void> {
    const blocked = this.blocker;
    if (blocked) {
      this.commandError = blocked;
      return;
    }
    const info = this.datasets.info!;
    const doc = structuredClone($state.snapshot(this.#editor.document));
    const dataset: RunDataset = {
      ref: this.datasets.ref,
      name: info.name,
      classes: info.classes,
      shape: exampleShape(info),
    };
    await this.#launch(() =>
      this.controller.start({
        name: runName(doc, info.name, this.config, this.runs.current.length + 1),
        projectId: this.#projects.current?.id ?? null,
        doc,
        config: this.#runConfig(),
        dataset,
      }),
    );
  }

  /** The LR range test with the form's model, configuration and dataset (fresh seeded weights). */
  async findLr(): Promise<void> {
    const blocked = this.blocker;
    if (blocked) {
      this.commandError = blocked;
      return;
    }
    this.commandError = null;
    await this.lrFinder.start({
      model: structuredClone($state.snapshot(this.#editor.document)),
      config: this.#runConfig(),
      dataset: this.datasets.ref,
    });
  }

  /** Sets the optimizer's lr (the LR finder's suggestion, one click). */
  useLr(lr: number): void {
    const c = $state.snapshot(this.config);
    this.setConfig({ ...c, optimizer: { ...c.optimizer, lr } });
  }

  /** A new run from a finished run's weights, model and dataset, with the form's configuration. */
  async continueFrom(session: RunSession): Promise<void> {
    if (!session.weights || !session.dataset) return;
    const from = {
      weights: session.weights,
      state: session.trainState,
      offsets: session.offsets,
      parentId: session.id,
    };
    const record = session.record;
    await this.#launch(() =>
      this.controller.start({
        name: `${record.name} → continued`,
        projectId: record.projectId,
        doc: record.doc,
        config: this.#runConfig(),
        dataset: session.dataset!,
        from,
      }),
    );
  }

  async #launch(start: () => Promise<RunSession>): Promise<void> {
    this.commandError = null;
    try {
      this.shown = await start();
    } catch (err) {
      this.commandError = err instanceof Error ? err.message : String(err);
    }
  }

  /** Evaluates a run's weights on its dataset's test split and keeps the result with the run. */
  async evaluate(session: RunSession): Promise<void> {
    if (!session.weights || !session.dataset || session.evaluating) return;
    session.evaluating = true;
    this.commandError = null;
    try {
      // the run's own configuration (its transforms and loss), on this page's kernels
      const config = { ...(session.record.config ?? this.#runConfig()), backend: $state.snapshot(this.backend) };
      const result = await this.#client().evaluate({
        model: session.record.doc,
        config,
        dataset: session.dataset.ref,
        weights: payloadOf(session.weights),
      });
      session.test = { ...result, classes: session.dataset.classes };
      await this.controller.recordTest(session);
    } catch (err) {
      this.commandError = `evaluation failed: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      session.evaluating = false;
    }
  }

  /** Shows a past run's charts and results. */
  async open(id: string): Promise<void> {
    if (this.controller.active?.id === id) {
      this.shown = this.controller.active;
      return;
    }
    const record = await this.repo.get(id);
    if (record) this.shown = await RunSession.load(this.repo, record);
  }

  async remove(id: string): Promise<void> {
    if (this.controller.active?.id === id) return;
    await this.repo.delete(id);
    if (this.shown?.id === id) this.shown = null;
  }

  /** The engine client, started on first use and again after a crash. */
  #client(): EngineClient {
    if (this.#engine) return this.#engine;
    const client = this.#makeEngine();
    const route = (e: Parameters<RunController['handle']>[0]) => {
      this.controller.handle(e);
      // a crashed worker cannot be used again: the next command starts a fresh one
      if (e.type === 'error' && /worker (crashed|terminated)/.test(e.message) && this.#engine === client)
        this.#engine = null;
    };
    client.on('progress', route);
    client.on('summaries', route);
    client.on('done', route);
    client.on('error', route);
    this.#engine = client;
    return client;
  }

  async #markInterrupted(): Promise<void> {
    const running = await this.repo.list().then((all) => all.filter((r) => r.status === 'running'));
    if (running.length === 0) return;
    const held = new Set(((await globalThis.navigator?.locks?.query())?.held ?? []).map((l) => l.name));
    for (const r of running) {
      if (held.has(lockName(r.id))) continue; // alive in another tab
      const ending = takeUnsavedEnding(r.id); // it ended, but storage was full when it said so
      if (ending) {
        await this.repo.end(r.id, ending.status, ending.message);
        continue;
      }
      const last = await this.repo.scalarsAfter(r.id, 'loss/train', -Infinity).then((s) => s.at(-1)?.step);
      const where =
        last === undefined ? 'before its first step was logged' : `after step ${last.toLocaleString('en-US')}`;
      await this.repo.end(
        r.id,
        'interrupted',
        `interrupted ${where}: the page was closed or reloaded during training; its logs are kept`,
      );
    }
  }
}

export const [getTrain, setTrain] = createContext<TrainState>();
