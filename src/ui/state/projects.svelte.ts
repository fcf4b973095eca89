// The open project and the project list: opening, creating, renaming, duplicating,
// deleting, and the autosave of every edit to IndexedDB (debounced, flushed on pagehide).
import { createContext } from 'svelte';
import { TEMPLATES } from '../../core/model/templates.ts';
import type { ModelDocument } from '../../core/model/types.ts';
import type { ProjectRepository, ProjectSummary } from '../../db/projects.ts';
import type { ProjectRecord, ProjectView } from '../../db/schema.ts';
import type { EditorState } from './editor.svelte.ts';
import { INPUT_ID, type EditorGraph } from '../../core/editor/graph-model.ts';
import { graphFromDocument } from '../../core/editor/document.ts';
import { LiveValue } from './live-query.svelte.ts';

const LAST_KEY = 'layerboard.lastProject';
const SAVE_DELAY_MS = 250;
export const DEFAULT_TEMPLATE = 'cifar10-bs';

export type SaveStatus = 'idle' | 'pending' | 'saving' | 'saved' | 'error';

export class ProjectsState {
  readonly #repo: ProjectRepository;
  readonly #editor: EditorState;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #saving: Promise<void> = Promise.resolve();

  readonly list: LiveValue<ProjectSummary[]>;
  current = $state.raw<{ id: string; name: string } | null>(null);
  saveStatus = $state<SaveStatus>('idle');
  saveError = $state<string | null>(null);
  /** The open project's remembered viewport (null: never moved; the canvas picks one). */
  viewport = $state.raw<ProjectView['viewport'] | null>(null);
  /** Bumped when a different project is opened (the canvas fits or restores its view). */
  openCount = $state(0);

  constructor(repo: ProjectRepository, editor: EditorState) {
    this.#repo = repo;
    this.#editor = editor;
    this.list = new LiveValue<ProjectSummary[]>(repo.watchList(), []);
    editor.onChange(() => this.#schedule());
  }

  /** Opens the last project, or on a first visit a new one from the default template. */
  async start(): Promise<void> {
    const last = localStorage.getItem(LAST_KEY);
    const record = last ? await this.#repo.get(last) : undefined;
    if (record) return this.#show(record);
    const recent = (await this.#repo.list())[0];
    if (recent) return this.open(recent.id);
    await this.createFromTemplate(DEFAULT_TEMPLATE);
  }

  async open(id: string): Promise<void> {
    await this.flush();
    const record = await this.#repo.get(id);
    if (!record) throw new Error(`project ${id} no longer exists`);
    this.#show(record);
  }

  async createFromTemplate(templateId: string): Promise<void> {
    const t = TEMPLATES.find((x) => x.id === templateId);
    if (!t) throw new Error(`unknown template ${templateId}`);
    await this.createFromDocument(structuredClone(t.doc), t.title.replace(/\s*\(seed\)$/, ''));
  }

  async createFromDocument(doc: ModelDocument, name: string): Promise<void> {
    await this.flush();
    const graph = graphFromDocument(doc);
    const record = await this.#repo.create(name, withoutPositions(doc), { graph: storedGraph(graph) });
    this.#show(record);
  }

  async rename(id: string, name: string): Promise<void> {
    await this.#repo.rename(id, name);
    const fresh = await this.#repo.get(id);
    if (fresh && this.current?.id === id) this.current = { id, name: fresh.name };
  }

  async duplicate(id: string): Promise<void> {
    await this.flush();
    const copy = await this.#repo.duplicate(id);
    this.#show(copy);
  }

  /** Deletes a project; deleting the open one opens the next most recent (or a new one). */
  async remove(id: string): Promise<void> {
    if (this.current?.id === id) this.#cancelTimer();
    await this.#repo.delete(id);
    if (this.current?.id !== id) return;
    this.current = null;
    const next = (await this.#repo.list())[0];
    if (next) await this.open(next.id);
    else await this.createFromTemplate('blank');
  }

  /** The canvas moved: remembered with the project (not an undoable edit). */
  setViewport(viewport: NonNullable<ProjectView['viewport']>): void {
    this.viewport = viewport;
    this.#schedule();
  }

  /** Writes any pending change now (pagehide, before switching projects). */
  async flush(): Promise<void> {
    if (this.#timer !== null) {
      this.#cancelTimer();
      this.#saving = this.#save();
    }
    await this.#saving;
  }

  #show(record: ProjectRecord): void {
    this.#cancelTimer();
    this.current = { id: record.id, name: record.name };
    this.viewport = record.view?.viewport ?? null;
    this.#editor.load(graphOf(record));
    this.saveStatus = 'saved';
    this.openCount++;
    localStorage.setItem(LAST_KEY, record.id);
  }

  #schedule(): void {
    if (!this.current) return;
    this.#cancelTimer();
    this.saveStatus = 'pending';
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#saving = this.#save();
    }, SAVE_DELAY_MS);
  }

  #cancelTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  async #save(): Promise<void> {
    const current = this.current;
    if (!current) return;
    this.saveStatus = 'saving';
    try {
      const graph = this.#editor.graph;
      await this.#repo.save(current.id, withoutPositions(this.#editor.document), { graph: storedGraph(graph), viewport: this.viewport ?? undefined });
      if (this.#timer === null) this.saveStatus = 'saved';
      this.saveError = null;
    } catch (e) {
      this.saveStatus = 'error';
      this.saveError = e instanceof Error ? e.message : String(e);
    }
  }
}

function storedGraph(graph: EditorGraph): NonNullable<ProjectView['graph']> {
  return { nodes: graph.nodes, edges: graph.edges, ...(graph.blocks?.length ? { blocks: graph.blocks } : {}) };
}

/** Positions are stored once, with the graph: the saved document goes without its editor view. */
function withoutPositions(doc: ModelDocument): ModelDocument {
  const { editor: _editor, ...rest } = doc;
  return rest;
}

/** The editor graph of a stored project: its saved graph when it has a sound one. */
function graphOf(record: ProjectRecord): EditorGraph {
  const g = record.view?.graph;
  const doc = record.doc;
  if (!g || !g.nodes.some((n) => n.id === INPUT_ID && n.kind === 'input')) return graphFromDocument(doc);
  const extras: Partial<EditorGraph> = {};
  if (doc.className !== undefined) extras.className = doc.className;
  if (doc.metadata !== undefined) extras.metadata = doc.metadata;
  if (doc.training !== undefined) extras.training = doc.training;
  if (g.blocks) extras.blocks = g.blocks;
  return { input: [...doc.input], nodes: g.nodes, edges: g.edges, ...extras };
}

export const [getProjects, setProjects] = createContext<ProjectsState>();
