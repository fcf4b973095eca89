// The project repository: every read and write of the `projects` table goes through here.
import { liveQuery, type Observable } from 'dexie';
import { flattenModel } from '../core/model/flat-graph.ts';
import type { ModelDocument } from '../core/model/types.ts';
import type { LayerboardDB, ProjectRecord, ProjectView } from './schema.ts';

/** A save refused because the stored project changed since this tab read it (another tab saved). */
export class ProjectConflictError extends Error {}

/** What the project list shows, without the (possibly large) documents. */
export interface ProjectSummary {
  id: string;
  name: string;
  updated: number;
  created: number;
  layerCount: number;
}

export class ProjectRepository {
  readonly #db: LayerboardDB;
  readonly #newId: () => string;
  /** Summaries by id, valid while the stored `updated` matches: the list re-reads only what changed. */
  readonly #summaries = new Map<string, ProjectSummary>();

  constructor(db: LayerboardDB, newId: () => string = () => crypto.randomUUID()) {
    this.#db = db;
    this.#newId = newId;
  }

  /** All projects, most recently changed first. */
  async list(): Promise<ProjectSummary[]> {
    const { ids, versions } = await this.#db.transaction('r', this.#db.projects, async () => {
      const newestFirst = this.#db.projects.orderBy('updated').reverse();
      return { ids: await newestFirst.primaryKeys(), versions: await newestFirst.keys() };
    });
    const stale = ids.filter((id, i) => this.#summaries.get(id)?.updated !== versions[i]);
    // Only changed projects are read whole (a huge model is not re-read after every save elsewhere).
    for (const record of await this.#db.projects.bulkGet(stale)) {
      if (record) this.#summaries.set(record.id, summaryOf(record));
    }
    const present = new Set(ids);
    for (const id of this.#summaries.keys()) if (!present.has(id)) this.#summaries.delete(id);
    return ids.flatMap((id) => this.#summaries.get(id) ?? []);
  }

  /** The list as a live query: emits again after every change to the table. */
  watchList(): Observable<ProjectSummary[]> {
    return liveQuery(() => this.list());
  }

  get(id: string): Promise<ProjectRecord | undefined> {
    return this.#db.projects.get(id);
  }

  async create(name: string, doc: ModelDocument, view?: ProjectView): Promise<ProjectRecord> {
    const now = Date.now();
    const record: ProjectRecord = { id: this.#newId(), name: cleanName(name), doc, view, created: now, updated: now };
    await this.#db.projects.add(record);
    return record;
  }

  /**
   * Stores the current document and view of an existing project and returns its new
   * version (`updated`, always increasing). With `expected`, the save happens only if the
   * stored version is still that one; otherwise ProjectConflictError, and nothing is written.
   */
  async save(id: string, doc: ModelDocument, view?: ProjectView, expected?: number): Promise<number> {
    return this.#db.transaction('rw', this.#db.projects, async () => {
      const stored = await this.#db.projects.get(id);
      if (!stored) throw new Error(`project ${id} does not exist`);
      if (expected !== undefined && stored.updated !== expected) {
        throw new ProjectConflictError(
          `"${stored.name}" was saved from another tab at ${new Date(stored.updated).toLocaleTimeString()}`,
        );
      }
      const updated = nextVersion(stored.updated);
      await this.#db.projects.update(id, { doc, view, updated });
      return updated;
    });
  }

  /** Stores where a project's canvas is scrolled: this tab's view, not an edit (no new version). */
  async saveViewport(id: string, viewport: NonNullable<ProjectView['viewport']>): Promise<void> {
    const changed = await this.#db.projects
      .where('id')
      .equals(id)
      .modify((p) => {
        p.view = { ...p.view, viewport };
      });
    if (changed === 0) throw new Error(`project ${id} does not exist`);
  }

  /** Renames a project; returns its new version. */
  async rename(id: string, name: string): Promise<number> {
    return this.#db.transaction('rw', this.#db.projects, async () => {
      const stored = await this.#db.projects.get(id);
      if (!stored) throw new Error(`project ${id} does not exist`);
      const updated = nextVersion(stored.updated);
      await this.#db.projects.update(id, { name: cleanName(name), updated });
      return updated;
    });
  }

  /** A copy named "<name> copy" (then "copy 2", ...), placed first in the list. */
  async duplicate(id: string): Promise<ProjectRecord> {
    const source = await this.#db.projects.get(id);
    if (!source) throw new Error(`project ${id} does not exist`);
    const names = new Set((await this.#db.projects.toArray()).map((p) => p.name));
    return this.create(copyName(source.name, names), structuredClone(source.doc), structuredClone(source.view));
  }

  delete(id: string): Promise<void> {
    return this.#db.projects.delete(id);
  }
}

const nextVersion = (previous: number) => Math.max(Date.now(), previous + 1);

function summaryOf(p: ProjectRecord): ProjectSummary {
  return {
    id: p.id,
    name: p.name,
    updated: p.updated,
    created: p.created,
    layerCount: flattenModel(p.doc).modules.length,
  };
}

function cleanName(name: string): string {
  const trimmed = name.trim().replace(/\s+/g, ' ');
  return trimmed === '' ? 'Untitled' : trimmed.slice(0, 120);
}

export function copyName(name: string, taken: Set<string>): string {
  const base = `${name} copy`;
  if (!taken.has(base)) return base;
  let n = 2;
  while (taken.has(`${base} ${n}`)) n++;
  return `${base} ${n}`;
}
