// The Layerboard run file (docs/run-format.md): one run with every log it has, as JSON,
// so runs move between browsers, come from the Node CLI, and feed browser tests.
import { parseModelDocument } from '../core/model/model-json.ts';
import { migrateTrainingConfig } from '../core/run/config-migrate.ts';
import type { TrainingConfig } from '../core/run/training-config.ts';
import { ORIGINAL_CONFIG_TAG } from './migrations.ts';
import { readJson } from '../core/formats/json-syntax.ts';
import { tensorProblem } from '../core/formats/safetensors.ts';
import type { LayerboardDB, RunRecord, RunStatus, ScalarRecord, SummaryRecord } from './schema.ts';
import type { SummaryKind } from '../core/formats/tfevents/summary-value.ts';
import { addScalarsInBatches, deleteScalars, lastPerStep, type ImportOptions } from './scalar-batches.ts';
import { readScalars } from './scalar-blocks.ts';

export const RUN_FORMAT = 'layerboard-run';
export const RUN_VERSION = 1;

/** JSON has no NaN/Infinity: such values are written as these strings. */
export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity';

export interface RunFileSeries {
  step: number[];
  wallTime: number[];
  value: JsonNumber[];
}
export interface RunFileWeight {
  shape: number[];
  dtype: 'F32';
  data: string; /* base64, little-endian */
}

/** A histogram, image, PR curve or other summary: its Summary.Value as TensorBoard encodes it, in base64. */
export interface RunFileSummary {
  tag: string;
  step: number;
  wallTime: number;
  kind: SummaryKind;
  value: string;
}

export interface RunFile {
  format: typeof RUN_FORMAT;
  version: typeof RUN_VERSION;
  run: Omit<RunRecord, 'weights'>;
  /** Per tag, columns of equal length ordered by step. */
  scalars: Record<string, RunFileSeries>;
  graph: unknown;
  hparams: { hparams: Record<string, unknown>; metrics: Record<string, number> } | null;
  texts: { tag: string; step: number; text: string }[];
  /** Optional: histograms, images, PR curves (docs/run-format.md, "Summaries"). */
  summaries?: RunFileSummary[];
  weights?: Record<string, RunFileWeight>;
}

export interface RunFileError {
  path: string;
  message: string;
}
export type RunFileParse = { ok: true; file: RunFile } | { ok: false; errors: RunFileError[] };

const STATUSES: RunStatus[] = ['running', 'finished', 'stopped', 'failed', 'interrupted'];

export function toJsonNumber(v: number): JsonNumber {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

export function fromJsonNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return null;
}

export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  // Chunks keep String.fromCharCode's argument list short.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function decodeBase64(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function encodeFloat32(data: Float32Array): string {
  return encodeBase64(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

export function decodeFloat32(base64: string): Float32Array {
  const bytes = decodeBase64(base64);
  if (bytes.length % 4 !== 0) throw new Error(`${bytes.length} bytes is not a whole number of float32 values`);
  return new Float32Array(bytes.buffer);
}

/** Groups a run's scalars (any order) into the file's per-tag columns, by step. */
export function seriesOf(records: ScalarRecord[]): Record<string, RunFileSeries> {
  const byTag = new Map<string, ScalarRecord[]>();
  for (const r of records) {
    let list = byTag.get(r.tag);
    if (!list) byTag.set(r.tag, (list = []));
    list.push(r);
  }
  const out: Record<string, RunFileSeries> = {};
  for (const tag of [...byTag.keys()].sort()) {
    const list = byTag.get(tag)!.sort((a, b) => a.step - b.step);
    out[tag] = {
      step: list.map((r) => r.step),
      wallTime: list.map((r) => r.wallTime),
      value: list.map((r) => toJsonNumber(r.value)),
    };
  }
  return out;
}

/** Everything stored for a run, as a run file. */
export async function exportRunFile(
  db: LayerboardDB,
  runId: string,
  options: { weights?: boolean } = {},
): Promise<RunFile> {
  const run = await db.runs.get(runId);
  if (!run) throw new Error(`run ${runId} does not exist`);
  const [scalars, graph, hparams, texts, summaries] = await Promise.all([
    readScalars(db, runId),
    db.graphs.get(runId),
    db.hparams.get(runId),
    db.texts.where('runId').equals(runId).toArray(),
    db.summaries.where('runId').equals(runId).toArray(),
  ]);
  const { weights, ...record } = run;
  const file: RunFile = {
    format: RUN_FORMAT,
    version: RUN_VERSION,
    run: record,
    scalars: seriesOf(scalars),
    graph: graph?.graph ?? null,
    hparams: hparams ? { hparams: hparams.hparams, metrics: hparams.metrics } : null,
    texts: texts.map((t) => ({ tag: t.tag, step: t.step, text: t.text })),
  };
  if (summaries.length) file.summaries = summaries.map(runFileSummary);
  if (weights && options.weights !== false) {
    file.weights = Object.fromEntries(
      Object.entries(weights).map(([name, w]) => [
        name,
        { shape: w.shape, dtype: 'F32' as const, data: encodeFloat32(w.data) },
      ]),
    );
  }
  return file;
}

export function serializeRunFile(file: RunFile): string {
  return JSON.stringify(file);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkRun(run: unknown, errors: RunFileError[]): void {
  if (!isObject(run)) {
    errors.push({ path: 'run', message: 'must be an object' });
    return;
  }
  if (typeof run.id !== 'string' || !run.id) errors.push({ path: 'run.id', message: 'must be a non-empty string' });
  if (typeof run.name !== 'string') errors.push({ path: 'run.name', message: 'must be a string' });
  if (typeof run.created !== 'number' || !Number.isFinite(run.created))
    errors.push({ path: 'run.created', message: 'must be a time in ms since 1970' });
  if (run.ended !== null && run.ended !== undefined && (typeof run.ended !== 'number' || !Number.isFinite(run.ended)))
    errors.push({ path: 'run.ended', message: 'must be a time in ms or null' });
  if (!STATUSES.includes(run.status as RunStatus))
    errors.push({
      path: 'run.status',
      message: `must be one of ${STATUSES.join(', ')}, got ${JSON.stringify(run.status)}`,
    });
  if (run.config !== undefined && run.config !== null && !isObject(run.config))
    errors.push({ path: 'run.config', message: 'must be an object or null' });
  if (run.metrics !== undefined && !isObject(run.metrics))
    errors.push({ path: 'run.metrics', message: 'must be an object of numbers' });
  const doc = parseModelDocument(run.doc);
  if (!doc.ok)
    for (const e of doc.errors.slice(0, 5))
      errors.push({ path: `run.doc${e.path && !e.path.startsWith('[') ? '.' : ''}${e.path}`, message: e.message });
}

function checkSeries(tag: string, s: unknown, errors: RunFileError[]): void {
  const at = `scalars[${JSON.stringify(tag)}]`;
  if (!isObject(s)) {
    errors.push({ path: at, message: 'must be an object with step, wallTime and value arrays' });
    return;
  }
  const { step, wallTime, value } = s;
  if (!Array.isArray(step) || !Array.isArray(wallTime) || !Array.isArray(value)) {
    errors.push({ path: at, message: 'must have step, wallTime and value arrays' });
    return;
  }
  if (step.length !== wallTime.length || step.length !== value.length) {
    errors.push({
      path: at,
      message: `columns differ in length (step ${step.length}, wallTime ${wallTime.length}, value ${value.length})`,
    });
    return;
  }
  const badStep = step.findIndex((x) => typeof x !== 'number' || !Number.isSafeInteger(x));
  if (badStep >= 0)
    errors.push({
      path: `${at}.step[${badStep}]`,
      message: `must be a whole number within ±${Number.MAX_SAFE_INTEGER}, got ${JSON.stringify(step[badStep])}`,
    });
  const badWall = wallTime.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
  if (badWall >= 0)
    errors.push({
      path: `${at}.wallTime[${badWall}]`,
      message: `must be a finite number of seconds, got ${JSON.stringify(wallTime[badWall])}`,
    });
  const badValue = value.findIndex((x) => fromJsonNumber(x) === null);
  if (badValue >= 0)
    errors.push({
      path: `${at}.value[${badValue}]`,
      message: `must be a number or "NaN"/"Infinity"/"-Infinity", got ${JSON.stringify(value[badValue])}`,
    });
}

/** texts: a list of { tag: string, step: a safe integer, text: string }, each entry checked. */
function checkTexts(texts: unknown, errors: RunFileError[]): void {
  if (texts === undefined) return;
  if (!Array.isArray(texts)) {
    errors.push({ path: 'texts', message: 'must be an array' });
    return;
  }
  const shape = 'must be { "tag": string, "step": whole number, "text": string }';
  texts.forEach((t: unknown, i) => {
    const at = `texts[${i}]`;
    if (!isObject(t)) errors.push({ path: at, message: `${shape}, got ${t === null ? 'null' : typeof t}` });
    else if (typeof t.tag !== 'string') errors.push({ path: `${at}.tag`, message: 'must be a string' });
    else if (typeof t.step !== 'number' || !Number.isSafeInteger(t.step))
      errors.push({ path: `${at}.step`, message: `must be a whole number, got ${JSON.stringify(t.step)}` });
    else if (typeof t.text !== 'string') errors.push({ path: `${at}.text`, message: 'must be a string' });
  });
}

/** A stored summary as the run file keeps it (its bytes in base64). */
export function runFileSummary(s: Omit<SummaryRecord, 'id' | 'runId'>): RunFileSummary {
  return { tag: s.tag, step: s.step, wallTime: s.wallTime, kind: s.kind, value: encodeBase64(s.value) };
}

const SUMMARY_KINDS: SummaryKind[] = ['histogram', 'image', 'text', 'pr_curve', 'hparams', 'audio', 'other'];
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function checkSummaries(summaries: unknown, errors: RunFileError[]): void {
  if (summaries === undefined) return;
  if (!Array.isArray(summaries)) {
    errors.push({ path: 'summaries', message: 'must be an array' });
    return;
  }
  summaries.forEach((s: unknown, i) => {
    const at = `summaries[${i}]`;
    if (!isObject(s)) return void errors.push({ path: at, message: 'must be an object' });
    if (typeof s.tag !== 'string') errors.push({ path: `${at}.tag`, message: 'must be a string' });
    if (typeof s.step !== 'number' || !Number.isSafeInteger(s.step))
      errors.push({ path: `${at}.step`, message: `must be a whole number, got ${JSON.stringify(s.step)}` });
    if (typeof s.wallTime !== 'number' || !Number.isFinite(s.wallTime))
      errors.push({ path: `${at}.wallTime`, message: 'must be a finite number of seconds' });
    if (!SUMMARY_KINDS.includes(s.kind as SummaryKind))
      errors.push({ path: `${at}.kind`, message: `must be one of ${SUMMARY_KINDS.join(', ')}` });
    if (typeof s.value !== 'string' || s.value.length % 4 !== 0 || !BASE64.test(s.value))
      errors.push({ path: `${at}.value`, message: "must be base64 of the Summary.Value's bytes" });
  });
}

function checkWeights(weights: unknown, errors: RunFileError[]): void {
  if (weights === undefined) return;
  if (!isObject(weights)) {
    errors.push({ path: 'weights', message: 'must be an object' });
    return;
  }
  for (const [name, w] of Object.entries(weights)) {
    const at = `weights[${JSON.stringify(name)}]`;
    if (!isObject(w) || !Array.isArray(w.shape) || w.dtype !== 'F32' || typeof w.data !== 'string') {
      errors.push({ path: at, message: 'must be { shape: number[], dtype: "F32", data: base64 }' });
      continue;
    }
    // The data must be exactly the shape's float32 values, or the weights could not be exported.
    const b64 = w.data;
    const bytes =
      b64.length % 4 === 0 ? (b64.length / 4) * 3 - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0) : -1;
    const problem =
      bytes % 4 !== 0 || bytes < 0
        ? `${name}: data is ${bytes < 0 ? 'not base64' : `${bytes} bytes, not a whole number of float32 values`}`
        : tensorProblem(name, w.shape, bytes / 4);
    if (problem) errors.push({ path: at, message: problem });
  }
}

/** Checks a run file (text or parsed JSON); every problem is named with its path. Never throws. */
export function parseRunFile(input: string | unknown): RunFileParse {
  let value = input;
  if (typeof input === 'string') {
    const read = readJson(input);
    if (!read.ok) return { ok: false, errors: [{ path: '', message: read.message }] };
    value = read.value;
  }
  if (!isObject(value)) return { ok: false, errors: [{ path: '', message: 'a run file is a JSON object' }] };
  if (value.format !== RUN_FORMAT)
    return {
      ok: false,
      errors: [{ path: 'format', message: `must be "${RUN_FORMAT}", got ${JSON.stringify(value.format)}` }],
    };
  if (value.version !== RUN_VERSION)
    return {
      ok: false,
      errors: [
        {
          path: 'version',
          message: `version ${JSON.stringify(value.version)} is not supported (this build reads version ${RUN_VERSION})`,
        },
      ],
    };
  const errors: RunFileError[] = [];
  checkRun(value.run, errors);
  if (!isObject(value.scalars)) errors.push({ path: 'scalars', message: 'must be an object of tag → series' });
  else for (const [tag, s] of Object.entries(value.scalars)) checkSeries(tag, s, errors);
  if (
    value.hparams !== null &&
    value.hparams !== undefined &&
    (!isObject(value.hparams) || !isObject(value.hparams.hparams))
  ) {
    errors.push({ path: 'hparams', message: 'must be null or { hparams: {...}, metrics: {...} }' });
  }
  checkTexts(value.texts, errors);
  checkWeights(value.weights, errors);
  checkSummaries(value.summaries, errors);
  if (errors.length > 0) return { ok: false, errors };
  // every field was checked above (checkRun, checkSeries, checkWeights)
  const file = value as unknown as RunFile;
  const texts = file.texts ?? [];
  // A config an older build wrote (the CLI's arguments, say) is read into today's TrainingConfig; what did not carry over stays as a text.
  const raw: unknown = file.run.config;
  let config: TrainingConfig | null = null;
  if (raw !== undefined && raw !== null && file.run.backend !== 'tensorboard') {
    const migrated = migrateTrainingConfig(raw, file.run.doc.input);
    config = migrated.config;
    if (migrated.dropped.length) texts.push({ tag: ORIGINAL_CONFIG_TAG, step: 0, text: JSON.stringify(raw) });
  }
  return {
    ok: true,
    file: { ...file, run: { ...file.run, config }, graph: file.graph ?? null, hparams: file.hparams ?? null, texts },
  };
}

function scalarRecords(runId: string, scalars: Record<string, RunFileSeries>): ScalarRecord[] {
  const out: ScalarRecord[] = [];
  for (const [tag, s] of Object.entries(scalars)) {
    for (let i = 0; i < s.step.length; i++)
      out.push({ runId, tag, step: s.step[i], wallTime: s.wallTime[i], value: fromJsonNumber(s.value[i]) as number });
  }
  return out;
}

/**
 * Stores a checked run file as a run. It keeps its id unless a run with that id is
 * already stored, then it gets a fresh one (importing twice gives two runs). Points are
 * stored in batches with progress, the run's record last (scalar-batches.ts).
 */
export async function importRunFile(
  db: LayerboardDB,
  file: RunFile,
  newId: () => string = () => crypto.randomUUID(),
  options: ImportOptions = {},
): Promise<RunRecord> {
  const taken = await db.runs.get(file.run.id);
  const id = taken ? newId() : file.run.id;
  const record: RunRecord = { ...file.run, id, ended: file.run.ended ?? null };
  if (file.weights) {
    record.weights = Object.fromEntries(
      Object.entries(file.weights).map(([name, w]) => [name, { shape: w.shape, data: decodeFloat32(w.data) }]),
    );
  }
  await addScalarsInBatches(db, id, record.name, lastPerStep(scalarRecords(id, file.scalars)), options);
  try {
    await db.transaction('rw', [db.runs, db.graphs, db.hparams, db.texts, db.summaries], async () => {
      await db.runs.add(record);
      if (file.graph !== null && file.graph !== undefined) await db.graphs.put({ runId: id, graph: file.graph });
      if (file.hparams)
        await db.hparams.put({ runId: id, hparams: file.hparams.hparams, metrics: file.hparams.metrics ?? {} });
      if (file.texts.length > 0)
        await db.texts.bulkAdd(file.texts.map((t) => ({ runId: id, tag: t.tag, step: t.step, text: t.text })));
      if (file.summaries?.length)
        await db.summaries.bulkAdd(file.summaries.map((s) => ({ ...s, runId: id, value: decodeBase64(s.value) })));
    });
  } catch (e) {
    void deleteScalars(db, id); // in the background, as addScalarsInBatches does
    throw e;
  }
  return record;
}
