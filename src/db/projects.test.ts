import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { newModelDocument } from '../core/model/model-json.ts';
import type { LayerSpec, ModelDocument } from '../core/model/types.ts';
import { createDatabase, type LayerboardDB } from './schema.ts';
import { ProjectConflictError, ProjectRepository, copyName } from './projects.ts';

const doc = (layers: LayerSpec[] = [{ type: 'Flatten' }]): ModelDocument => newModelDocument([3, 32, 32], layers);

let db: LayerboardDB;
let repo: ProjectRepository;
let ids = 0;
let clock = 1000;
const realNow = Date.now;

beforeEach(() => {
  db = createDatabase('test', { indexedDB: new IDBFactory(), IDBKeyRange });
  repo = new ProjectRepository(db, () => `p${++ids}`);
  Date.now = () => ++clock;
});
afterEach(() => {
  db.close();
  Date.now = realNow;
});

describe('ProjectRepository', () => {
  test('creates, reads back and lists projects newest first', async () => {
    const a = await repo.create('First', doc());
    const b = await repo.create('  Second   model ', doc([{ type: 'ReLU' }, { type: 'Tanh' }]));
    expect(b.name).toBe('Second model');
    expect(await repo.get(a.id)).toEqual(a);
    const list = await repo.list();
    expect(list.map((p) => p.name)).toEqual(['Second model', 'First']);
    expect(list[0].layerCount).toBe(2);
  });

  test('save stores the document and view and moves the project to the top', async () => {
    const a = await repo.create('A', doc());
    await repo.create('B', doc());
    const view = {
      graph: { nodes: [{ id: 'input', kind: 'input' as const, position: { x: 0, y: 0 } }], edges: [] },
      viewport: { x: 1, y: 2, zoom: 1.5 },
    };
    await repo.save(a.id, doc([{ type: 'GELU' }]), view);
    const stored = await repo.get(a.id);
    expect(stored?.doc.modules).toEqual([{ name: '0', layer: { type: 'GELU' } }]);
    expect(stored?.view).toEqual(view);
    expect((await repo.list())[0].id).toBe(a.id);
  });

  test('the list re-reads only projects whose version changed, and drops deleted ones', async () => {
    const a = await repo.create('A', doc());
    const b = await repo.create('B', doc());
    expect((await repo.list()).map((p) => p.layerCount)).toEqual([1, 1]);
    const reads: unknown[][] = [];
    const bulkGet = db.projects.bulkGet.bind(db.projects);
    db.projects.bulkGet = (keys: string[]) => (reads.push(keys), bulkGet(keys));
    await repo.save(a.id, doc([{ type: 'ReLU' }, { type: 'Tanh' }, { type: 'GELU' }]), undefined);
    const list = await repo.list();
    expect(list.map((p) => [p.name, p.layerCount])).toEqual([
      ['A', 3],
      ['B', 1],
    ]);
    expect(reads).toEqual([[a.id]]);
    await repo.delete(b.id);
    expect((await repo.list()).map((p) => p.name)).toEqual(['A']);
    expect(reads.at(-1)).toEqual([]);
  });

  test('rename, duplicate and delete', async () => {
    const a = await repo.create('Net', doc());
    await repo.rename(a.id, 'Better net');
    const copy = await repo.duplicate(a.id);
    const copy2 = await repo.duplicate(a.id);
    expect([copy.name, copy2.name]).toEqual(['Better net copy', 'Better net copy 2']);
    expect(copy.doc).toEqual(a.doc);
    await repo.delete(a.id);
    expect(await repo.get(a.id)).toBeUndefined();
    expect((await repo.list()).length).toBe(2);
  });

  test('empty names become Untitled; unknown ids are refused', async () => {
    expect((await repo.create('   ', doc())).name).toBe('Untitled');
    await expect(repo.rename('nope', 'x')).rejects.toThrow('project nope does not exist');
    await expect(repo.save('nope', doc())).rejects.toThrow('project nope does not exist');
    await expect(repo.duplicate('nope')).rejects.toThrow('project nope does not exist');
  });

  test('copyName counts up past taken names', () => {
    expect(copyName('X', new Set(['X copy', 'X copy 2']))).toBe('X copy 3');
  });
});

describe('ProjectRepository versions (two tabs on one project)', () => {
  test('a save against a version another writer replaced is refused and writes nothing', async () => {
    const a = await repo.create('Net', doc());
    const mine = a.updated;
    const theirs = await repo.save(a.id, doc([{ type: 'GELU' }]), undefined, mine);
    expect(theirs).toBeGreaterThan(mine);
    await expect(repo.save(a.id, doc([{ type: 'Tanh' }]), undefined, mine)).rejects.toThrow(ProjectConflictError);
    expect((await repo.get(a.id))?.doc.modules).toEqual([{ name: '0', layer: { type: 'GELU' } }]);
    // with the current version it goes through, and versions only grow
    const next = await repo.save(a.id, doc([{ type: 'Tanh' }]), undefined, theirs);
    expect(next).toBeGreaterThan(theirs);
    expect(await repo.rename(a.id, 'Renamed')).toBeGreaterThan(next);
  });
});
