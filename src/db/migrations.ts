// Upgrades of data written by older builds. Version 3 (after version 2's model format 2): training configurations become
// core's typed TrainingConfig (a project's and a run's doc.training, a run's config), and a
// run's dataset and test result move from JSON text records into the run's own fields.
// Nothing is lost: a field an old object had that no longer reads as valid is kept — a run's
// original config as a text record, a document's original `training` in its metadata.
import { migrateTrainingConfig } from '../core/run/config-migrate.ts';
import type { RunDataset, TestResult } from '../core/run/records.ts';
import type { Transaction } from 'dexie';
import { blocksOf } from './scalar-blocks.ts';
import type { ScalarBlockRecord, ScalarRecord } from './schema.ts';

/** Where the texts of version 1 kept a run's dataset and its test result. */
export const V1_TEXT_TAGS = { dataset: 'dataset', test: 'eval/test' } as const;
/** A run's config as an older build wrote it, kept when some of it could not be carried over. */
export const ORIGINAL_CONFIG_TAG = 'config/original';

type Json = { [key: string]: unknown };
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const numbers = (v: unknown): number[] => (Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : []);

/** A stored document whose `training` an older build wrote, with a typed one (the original kept in metadata when it did not all carry over). */
export function upgradeDocument(doc: Json): Json {
  const raw = doc.training;
  if (raw === undefined) return doc;
  const { config, dropped } = migrateTrainingConfig(raw, numbers(doc.input));
  const out: Json = { ...doc, training: config };
  if (dropped.length)
    out.metadata = { ...(isObject(doc.metadata) ? doc.metadata : {}), trainingBeforeUpgrade: structuredClone(raw) };
  return out;
}

export interface V1Text {
  id?: number;
  runId: string;
  tag: string;
  step: number;
  text: string;
}
export interface RunUpgrade {
  run: Json;
  removeTexts: number[];
  addTexts: Omit<V1Text, 'id'>[];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const isRunDataset = (v: unknown): v is RunDataset =>
  isObject(v) && isObject(v.ref) && typeof v.name === 'string' && Array.isArray(v.classes) && Array.isArray(v.shape);
const isTestResult = (v: unknown): v is TestResult =>
  isObject(v) &&
  typeof v.loss === 'number' &&
  (v.accuracy === null || typeof v.accuracy === 'number') &&
  typeof v.examples === 'number' &&
  Array.isArray(v.confusion) &&
  Array.isArray(v.classes);

/** One version-1 run and its texts as version 2 stores them. */
export function upgradeRun(run: Json, texts: V1Text[]): RunUpgrade {
  const doc = isObject(run.doc) ? upgradeDocument(run.doc) : run.doc;
  // a run imported from TensorBoard logs has no configuration ({source: 'tensorboard'} said so)
  const imported = run.backend === 'tensorboard';
  const { config, dropped } = imported
    ? { config: null, dropped: [] }
    : migrateTrainingConfig(run.config, isObject(doc) ? numbers(doc.input) : []);
  const out: Json = { ...run, doc, config };
  const removeTexts: number[] = [],
    addTexts: RunUpgrade['addTexts'] = [];
  if (dropped.length)
    addTexts.push({ runId: String(run.id), tag: ORIGINAL_CONFIG_TAG, step: 0, text: JSON.stringify(run.config) });
  const last = (tag: string) => texts.filter((t) => t.tag === tag).at(-1);
  const dataset = last(V1_TEXT_TAGS.dataset),
    test = last(V1_TEXT_TAGS.test);
  const d = dataset && parseJson(dataset.text),
    t = test && parseJson(test.text);
  if (isRunDataset(d)) {
    out.dataset = d;
    removeTexts.push(...texts.filter((x) => x.tag === V1_TEXT_TAGS.dataset && x.id !== undefined).map((x) => x.id!));
  }
  if (isTestResult(t)) {
    out.test = t;
    removeTexts.push(...texts.filter((x) => x.tag === V1_TEXT_TAGS.test && x.id !== undefined).map((x) => x.id!));
  }
  return { run: out, removeTexts, addTexts };
}

/** Dexie's upgrade to version 4, over the raw tables. */
export async function upgradeRunContract(tx: Transaction): Promise<void> {
  await tx
    .table('projects')
    .toCollection()
    .modify((p: Json) => {
      if (isObject(p.doc)) p.doc = upgradeDocument(p.doc);
    });
  const runs = (await tx.table('runs').toArray()) as Json[];
  for (const run of runs) {
    const texts = (await tx
      .table('texts')
      .where('runId')
      .equals(run.id as string)
      .toArray()) as V1Text[];
    const u = upgradeRun(run, texts);
    await tx.table('runs').put(u.run);
    if (u.removeTexts.length) await tx.table('texts').bulkDelete(u.removeTexts);
    if (u.addTexts.length) await tx.table('texts').bulkAdd(u.addTexts);
  }
}

/** Version 5: the point-per-record scalars (ordered by run, tag, step) become blocks. */
export async function moveScalarsIntoBlocks(tx: Transaction): Promise<void> {
  let group: ScalarRecord[] = [];
  const blocks = tx.table<ScalarBlockRecord>('scalarBlocks');
  const flush = async () => {
    if (group.length) await blocks.bulkAdd(blocksOf(group[0].runId, group[0].tag, group));
    group = [];
  };
  // the primary key [runId+tag+step] orders them: one tag of one run after another
  const points = await tx.table<ScalarRecord>('scalars').toArray();
  for (const p of points) {
    if (group.length && (p.runId !== group[0].runId || p.tag !== group[0].tag)) await flush();
    group.push(p);
  }
  await flush();
}
