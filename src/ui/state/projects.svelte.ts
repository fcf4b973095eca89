// The open project and the project list: opening, creating, renaming, duplicating,
// deleting, and the autosave of every edit to IndexedDB (debounced; on pagehide the
// pending edit is also journaled synchronously to localStorage, and replayed on the next
// start, so a reload never loses it). Saves carry the version they were based on: a
// project saved meanwhile by another tab is never overwritten — this tab is told instead.
import { createContext } from 'svelte';
import { TEMPLATES } from '../../core/model/templates.ts';
import type { ModelDocument } from '../../core/model/types.ts';
import { ProjectConflictError, type ProjectRepository, type ProjectSummary } from '../../db/projects.ts';
import type { ProjectRecord, ProjectView } from '../../db/schema.ts';
import type { EditorState } from './editor.svelte.ts';
import { INPUT_ID, type EditorGraph } from '../../core/editor/graph-model.ts';
import { graphFromDocument } from '../../core/editor/document.ts';
import { LiveValue } from './live-query.svelte.ts';
import { TabPresence } from './tab-presence.ts';
import { storageErrorMessage } from '../../db/storage-errors.ts';

const LAST_KEY = 'layerboard.lastProject';
/** The edit a closing page could not finish saving: { id, doc, view, base }. */
const JOURNAL_KEY = 'layerboard.unsavedEdit';

/** Set while a project is being opened and drawn; still set at the next start means that open never finished (the tab crashed or hung). */
const OPENING_KEY = 'layerboard.opening';

interface Journal {
  id: string;
  doc: ModelDocument;
  view: ProjectView;
  base: number;
}
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
  /** How many other tabs have the open project open too. */
  otherTabs = $state(0);
  /** Set when another tab saved the open project: this tab's edits are held, not written. */
  conflict = $state<string | null>(null);
  /** A project whose opening never finished last time: offered in the list, not reopened. */
  crashed = $state<string | null>(null);
  /** The stored version the open project's edits are based on. */
  #version = 0;
  /** A model edit is waiting to be saved (not only the viewport, which is this tab's own view). */
  #docDirty = false;
  readonly #peers = new Set<string>();
  readonly #presence: TabPresence;
  /** Clears the "opening" mark of the project being shown, until the canvas has drawn it. */
  #openingDone: (() => void) | null = null;

  constructor(repo: ProjectRepository, editor: EditorState) {
    this.#repo = repo;
    this.#editor = editor;
    this.list = new LiveValue<ProjectSummary[]>(repo.watchList(), []);
    editor.onChange(() => {
      this.#docDirty = true;
      this.#schedule();
    });
    this.#presence = new TabPresence({
      peer: (_, tab) => {
        this.#peers.add(tab);
        this.otherTabs = this.#peers.size;
      },
      left: (_, tab) => {
        this.#peers.delete(tab);
        this.otherTabs = this.#peers.size;
      },
      saved: (_, tab, version) => {
        this.#peers.add(tab);
        this.otherTabs = this.#peers.size;
        if (version === this.#version) return;
        // Nothing unsaved here: take their version. Unsaved edits here: hold them and ask.
        if (!this.#docDirty && this.saveStatus !== 'saving' && !this.conflict) void this.reloadFromOtherTab();
        else {
          this.#cancelTimer();
          this.saveStatus = 'error';
          this.conflict =
            'This project was just saved from another tab; your edits here are kept in this tab but not saved, so neither tab overwrites the other.';
        }
      },
    });
  }

  /** Opens the last project, or on a first visit a new one from the default template. */
  async start(): Promise<void> {
    await this.#replayJournal();
    const opening = localStorage.getItem(OPENING_KEY);
    if (opening && (await this.#repo.get(opening))) {
      // It crashed or hung the page last time: never reopen it by itself.
      localStorage.removeItem(OPENING_KEY);
      this.crashed = opening;
      return;
    }
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
    const version = await this.#repo.rename(id, name);
    if (this.current?.id === id) this.#version = version;
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

  /**
   * The page is being hidden or unloaded: an edit not yet in IndexedDB is journaled to
   * localStorage synchronously (an IndexedDB write started now may not finish), then
   * written as usual.
   */
  flushOnHide(): void {
    if (this.current && this.saveStatus !== 'saved' && !this.conflict) {
      const journal: Journal = {
        id: this.current.id,
        doc: this.#editor.document,
        view: this.#view(),
        base: this.#version,
      };
      try {
        localStorage.setItem(JOURNAL_KEY, JSON.stringify(journal));
      } catch {
        /* over localStorage's quota: the IndexedDB write below is all we have */
      }
    }
    void this.flush();
  }

  /** The page is going away for good. */
  close(): void {
    // Unloading normally (a reload right after opening, say) is not a crash while opening.
    this.#openingDone?.();
    this.flushOnHide();
    this.#presence.close();
  }

  /** Another tab saved this project: take its version (this tab's unsaved edits are dropped). */
  async reloadFromOtherTab(): Promise<void> {
    if (!this.current) return;
    this.#cancelTimer();
    const record = await this.#repo.get(this.current.id);
    if (record) this.#show(record);
  }

  /** Another tab saved this project: keep this tab's version and write it over theirs. */
  async overwriteOtherTab(): Promise<void> {
    if (!this.current) return;
    const record = await this.#repo.get(this.current.id);
    if (record) this.#version = record.updated;
    this.conflict = null;
    this.#docDirty = true;
    this.#schedule();
    await this.flush();
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
    localStorage.setItem(OPENING_KEY, record.id);
    if (this.crashed === record.id) this.crashed = null;
    this.current = { id: record.id, name: record.name };
    this.viewport = record.view?.viewport ?? null;
    this.#editor.load(graphOf(record));
    this.saveStatus = 'saved';
    this.saveError = null;
    this.conflict = null;
    this.#version = record.updated;
    this.#docDirty = false;
    this.#peers.clear();
    this.otherTabs = 0;
    this.#presence.open(record.id);
    this.openCount++;
    localStorage.setItem(LAST_KEY, record.id);
    // Opened once the canvas has drawn it (two frames, then a task). A hidden tab gets no
    // frames, but builds the same DOM, so a task is enough there.
    const done = () => {
      if (this.#openingDone !== done) return;
      this.#openingDone = null;
      if (localStorage.getItem(OPENING_KEY) === record.id) localStorage.removeItem(OPENING_KEY);
    };
    this.#openingDone = done;
    if (typeof requestAnimationFrame === 'function' && document.visibilityState !== 'hidden')
      requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 0)));
    else setTimeout(done, 0);
  }

  #view(): ProjectView {
    return { graph: storedGraph(this.#editor.graph), viewport: this.viewport ?? undefined };
  }

  /** A journaled edit from a page that closed before its save finished goes in first. */
  async #replayJournal(): Promise<void> {
    const text = localStorage.getItem(JOURNAL_KEY);
    if (!text) return;
    try {
      const j = JSON.parse(text) as Journal;
      const stored = await this.#repo.get(j.id);
      // Only onto the version it was based on: a newer save (the write did finish, or another tab) wins.
      if (stored && stored.updated === j.base) await this.#repo.save(j.id, j.doc, j.view, j.base);
    } catch {
      /* an unreadable or conflicting journal is dropped */
    }
    localStorage.removeItem(JOURNAL_KEY);
  }

  #schedule(): void {
    if (!this.current || this.conflict) {
      if (this.conflict) this.saveStatus = 'error';
      return;
    }
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
    const doc = this.#docDirty;
    this.#docDirty = false;
    try {
      if (doc) {
        this.#version = await this.#repo.save(
          current.id,
          withoutPositions(this.#editor.document),
          this.#view(),
          this.#version,
        );
        this.#presence.saved(current.id, this.#version);
      } else if (this.viewport) {
        // Only the view moved: stored without a new version, so other tabs are not disturbed.
        await this.#repo.saveViewport(current.id, this.viewport);
      }
      if (this.#timer === null) {
        this.saveStatus = 'saved';
        localStorage.removeItem(JOURNAL_KEY);
      }
      this.saveError = null;
    } catch (e) {
      if (doc) this.#docDirty = true;
      this.saveStatus = 'error';
      if (e instanceof ProjectConflictError)
        this.conflict = `${e.message}; your edits here are kept in this tab but not saved, so neither tab overwrites the other.`;
      this.saveError = storageErrorMessage(e);
    }
  }
}

function storedGraph(graph: EditorGraph): NonNullable<ProjectView['graph']> {
  return { nodes: graph.nodes, edges: graph.edges };
}

/** Positions are stored once, with the graph (the view): the saved document goes without its editor view. */
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
  if (doc.blocks !== undefined) extras.blocks = structuredClone(doc.blocks);
  return { input: [...doc.input], nodes: g.nodes, edges: g.edges, ...extras };
}

export const [getProjects, setProjects] = createContext<ProjectsState>();
