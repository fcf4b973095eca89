// TensorBoard interchange for runs: every run can leave as an event file (and the whole
// board as a logdir .zip that `tensorboard --logdir` opens), and event files come in as
// runs — one run per folder, as TensorBoard treats a logdir. Everything a file holds comes
// in: scalars, the graph, and every other summary kept byte for byte (what the board does
// not show is named in the import's report), so exporting it again loses nothing.
import {
  eventFileName,
  readEventFile,
  writeEventFile,
  type GraphDefNode,
  type RawSummary,
  type ScalarPoint,
} from '../core/formats/tfevents/index.ts';
import { graphDefToModules } from '../core/formats/tfevents/graph-to-modules.ts';
import { isModuleGraph, moduleGraphToGraphDef } from '../core/formats/tfevents/modules-to-graph-def.ts';
import {
  encodeHparamsValues,
  flattenHparams,
  hparamsOfValue,
  type HparamValue,
} from '../core/formats/tfevents/hparams.ts';
import { encodeTextValue } from '../core/formats/tfevents/text.ts';
import { newModelDocument } from '../core/model/model-json.ts';
import { writeZip } from '../core/formats/zip.ts';
import { safeSegment, uniqueSegment } from '../core/formats/archive-path.ts';
import type { LayerboardDB, RunRecord, ScalarRecord } from './schema.ts';
import { storageErrorMessage } from './storage-errors.ts';
import { addScalarsInBatches, deleteScalars, lastPerStep, type ImportOptions } from './scalar-batches.ts';
import { readScalars } from './scalar-blocks.ts';

export interface EventFileInput {
  path: string;
  bytes: Uint8Array;
}
export interface EventImportResult {
  runs: RunRecord[];
  problems: string[];
}

/** At most this many problems are listed per file; the rest are counted. */
const PROBLEMS_PER_FILE = 3;

/** Every log of a run as one event file: scalars, graph, histograms, images, text, PR curves, hparams. */
export async function runEventFile(db: LayerboardDB, runId: string): Promise<{ name: string; bytes: Uint8Array }> {
  const run = await db.runs.get(runId);
  if (!run) throw new Error(`run ${runId} does not exist`);
  const [scalars, summaries, graph, texts, hparams] = await Promise.all([
    readScalars(db, runId),
    db.summaries.where('runId').equals(runId).toArray(),
    db.graphs.get(runId),
    db.texts.where('runId').equals(runId).toArray(),
    db.hparams.get(runId),
  ]);
  const created = run.created / 1000;
  const raw: RawSummary[] = summaries.map(({ tag, step, wallTime, kind, value }) => ({
    tag,
    step,
    wallTime,
    kind,
    value,
  }));
  // Text and hparams logged by our training (their own tables) in TensorBoard's encoding.
  for (const t of texts)
    raw.push({ tag: t.tag, step: t.step, wallTime: created, kind: 'text', value: encodeTextValue(t.tag, t.text) });
  if (hparams && !summaries.some((s) => s.kind === 'hparams')) {
    const end = (run.ended ?? run.created) / 1000;
    for (const value of encodeHparamsValues(flattenHparams(hparams.hparams), Object.keys(hparams.metrics)))
      raw.push({ tag: '', step: 0, wallTime: end, kind: 'hparams', value });
  }
  // An imported graph leaves as the bytes it came with; our own runs' add_graph record as a GraphDef.
  const graphDef = graph?.graphDef ?? (isModuleGraph(graph?.graph) ? moduleGraphToGraphDef(graph.graph) : undefined);
  return {
    name: eventFileName(created),
    bytes: writeEventFile({ scalars, summaries: raw, graphDef }, created),
  };
}

/** A folder name TensorBoard shows as the run's name: one safe path segment, unique (ignoring case). */
export function runFolderName(name: string, taken: Set<string>): string {
  return uniqueSegment(safeSegment(name, 'run'), taken);
}

/** A logdir zip: one folder per run, each with its event file. */
export async function logdirZip(db: LayerboardDB, runIds: string[]): Promise<Uint8Array> {
  const taken = new Set<string>();
  const entries = [];
  for (const id of runIds) {
    const run = await db.runs.get(id);
    if (!run) throw new Error(`run ${id} does not exist`);
    const file = await runEventFile(db, id);
    entries.push({ name: `${runFolderName(run.name, taken)}/${file.name}`, data: file.bytes });
  }
  return writeZip(entries);
}

/** The graph's module hierarchy, or none when it cannot be built (said, the scalars kept). */
function safeGraph(graph: GraphDefNode[], key: string, problems: string[]) {
  try {
    return graphDefToModules(graph);
  } catch (e) {
    problems.push(
      `${key}: the add_graph record could not be drawn (${e instanceof Error ? e.message : String(e)}); the scalars were kept`,
    );
    return undefined;
  }
}

const folderOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/**
 * Event files to runs: files in one folder are one run (named by the folder, or by the
 * file when it sits alone at the top). A damaged file keeps what came before the fault
 * and its problem is reported with the offset. Points are stored in batches with
 * progress; a cancel keeps the runs already stored and says so.
 */
export async function importEventFiles(
  db: LayerboardDB,
  files: EventFileInput[],
  newId: () => string = () => crypto.randomUUID(),
  options: ImportOptions = {},
): Promise<EventImportResult> {
  const groups = new Map<string, EventFileInput[]>();
  for (const f of files) {
    if (!baseName(f.path).includes('tfevents')) continue;
    const key = folderOf(f.path) || f.path;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(f);
  }
  const result: EventImportResult = { runs: [], problems: [] };
  if (groups.size === 0)
    result.problems.push('no event files found (names contain "tfevents", as events.out.tfevents.<time>.<host>)');
  for (const [key, group] of groups) {
    if (options.signal?.aborted) {
      result.problems.push(`${key}: not imported: the import was cancelled`);
      continue;
    }
    const scalars: ScalarPoint[] = [];
    const summaries: RawSummary[] = [];
    let graph: GraphDefNode[] | undefined;
    let graphDef: Uint8Array | undefined;
    const unshown = new Map<string, number>();
    let first = Infinity,
      last = 0,
      events = 0;
    const kept: string[] = [];
    for (const f of group.sort((a, b) => (a.path < b.path ? -1 : 1))) {
      // One file's fault never costs its neighbours: anything it throws is its own problem.
      let contents: ReturnType<typeof readEventFile>;
      options.onProgress?.(f.path, 0, 0);
      await new Promise((resolve) => setTimeout(resolve)); // let the page show it and hear a cancel
      try {
        contents = readEventFile(f.bytes);
      } catch (e) {
        result.problems.push(`${f.path}: skipped, could not be read: ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
      // Damage before any logged value leaves only the file_version event: nothing to show, so a problem, not an empty run.
      const logged = contents.events.some((e) => e.values.length > 0 || e.graph);
      if (contents.events.length === 0 || (!logged && contents.problems.length > 0)) {
        const why = contents.problems[0]?.message ?? 'the file is empty';
        result.problems.push(`${f.path}: skipped, no readable events (${why}); is it a TensorBoard event file?`);
        continue;
      }
      const listed = contents.problems.slice(0, PROBLEMS_PER_FILE).map((p) => p.message);
      if (contents.problems.length > PROBLEMS_PER_FILE)
        listed.push(`and ${contents.problems.length - PROBLEMS_PER_FILE} more`);
      if (listed.length)
        result.problems.push(`${f.path}: ${listed.join('; ')}; its ${contents.events.length} good events were kept`);
      events += contents.events.length;
      kept.push(baseName(f.path));
      // one at a time: a spread of 250,000 arguments overflows the stack
      for (const p of contents.scalars) scalars.push(p);
      for (const v of contents.summaries) summaries.push(v);
      for (const e of contents.events) {
        if (e.graph && !graph) {
          graph = e.graph;
          graphDef = e.graphDef;
        }
        if (e.wallTime) {
          first = Math.min(first, e.wallTime);
          last = Math.max(last, e.wallTime);
        }
        for (const field of e.other ?? []) unshown.set(field, (unshown.get(field) ?? 0) + 1);
      }
    }
    if (events === 0) continue;
    for (const s of summaries)
      if (s.kind === 'audio' || s.kind === 'other')
        unshown.set(`${s.kind} “${s.tag}”`, (unshown.get(`${s.kind} “${s.tag}”`) ?? 0) + 1);
    if (unshown.size)
      result.problems.push(
        `${key}: kept but not shown on the board: ${[...unshown].map(([what, n]) => `${what} ×${n}`).join(', ')}`,
      );
    const modules = graph && safeGraph(graph, key, result.problems);
    const id = newId();
    const run: RunRecord = {
      id,
      projectId: null,
      name: baseName(key) || key,
      created: Number.isFinite(first) ? first * 1000 : Date.now(),
      ended: last ? last * 1000 : null,
      status: 'finished',
      message: `imported from TensorBoard event files (${kept.join(', ')})`,
      doc: newModelDocument([1]),
      config: null,
      backend: 'tensorboard',
    };
    const hparams = hparamsOf(summaries, scalars);
    try {
      // The last write of a step wins, as TensorBoard shows it.
      const records = lastPerStep(scalars.map((s): ScalarRecord => ({ ...s, runId: id })));
      await addScalarsInBatches(db, id, run.name, records, options);
      // the run's record last: it is listed once everything else is stored
      await db.transaction('rw', [db.runs, db.graphs, db.summaries, db.hparams], async () => {
        await db.runs.add(run);
        await db.summaries.bulkAdd(summaries.map((s) => ({ ...s, runId: id })));
        // add_graph's GraphDef becomes the same module hierarchy the board draws for our runs;
        // its bytes are kept for export (also when it cannot be drawn).
        if (modules || graphDef) await db.graphs.put({ runId: id, graph: modules ?? null, graphDef });
        if (hparams) await db.hparams.put({ runId: id, ...hparams });
      });
    } catch (e) {
      void deleteScalars(db, id); // in the background: the summary need not wait
      result.problems.push(
        `${key}: not imported: ${options.signal?.aborted ? 'the import was cancelled' : storageErrorMessage(e)}`,
      );
      continue;
    }
    result.runs.push(run);
  }
  return result;
}

/** add_hparams' session start (hparam values) and experiment (metric tags, valued by their last scalar). */
export function hparamsOf(
  summaries: RawSummary[],
  scalars: ScalarPoint[],
): { hparams: Record<string, HparamValue>; metrics: Record<string, number> } | null {
  let hparams: Record<string, HparamValue> | null = null;
  const metricTags: string[] = [];
  for (const s of summaries) {
    if (s.kind !== 'hparams') continue;
    const data = hparamsOfValue(s.value);
    if (data?.part === 'start') hparams = { ...(hparams ?? {}), ...data.hparams };
    if (data?.part === 'experiment') metricTags.push(...data.metrics);
  }
  if (!hparams) return null;
  const metrics: Record<string, number> = {};
  for (const tag of metricTags) {
    const points = scalars.filter((p) => p.tag === tag);
    if (points.length) metrics[tag] = points.reduce((a, b) => (b.step >= a.step ? b : a)).value;
  }
  return { hparams, metrics };
}
