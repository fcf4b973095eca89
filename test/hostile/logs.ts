// Hostile board inputs: TensorBoard event files (random bytes, damaged framing, and records
// reframed with a valid CRC around a damaged Event proto, which reaches the protobuf reader)
// and Layerboard run files (malformed `texts`, steps past a safe integer, broken models).
import { frameRecord, readRecords, writeRecords } from '../../src/core/formats/tfevents/records.ts';
import { readEventFile, writeEventFile } from '../../src/core/formats/tfevents/file.ts';
import { encodeHistogramValue, histogramOf, histogramOfValue } from '../../src/core/formats/tfevents/histogram.ts';
import { encodeImageValue, imageOfValue } from '../../src/core/formats/tfevents/image.ts';
import { encodeTextValue, textOfValue } from '../../src/core/formats/tfevents/text.ts';
import { prCurveOfValue } from '../../src/core/formats/tfevents/pr-curve.ts';
import { hparamsOfValue } from '../../src/core/formats/tfevents/hparams.ts';
import { ProtoError } from '../../src/core/formats/tfevents/protobuf.ts';
import { graphDefToModules } from '../../src/core/formats/tfevents/graph-to-modules.ts';
import { templateDocument } from '../../src/core/model/templates.ts';
import { defaultTrainingConfig } from '../../src/core/run/training-config.ts';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { importRunFile, parseRunFile, runFileSummary, serializeRunFile, type RunFile } from '../../src/db/run-file.ts';
import { createDatabase, type LayerboardDB } from '../../src/db/schema.ts';
import { importEventFiles } from '../../src/db/tfevents-exchange.ts';
import type { Case, EntryPoint, Outcome } from './judge.ts';
import { acceptedModelProblem, JSON_PATH } from './models.ts';
import { mutateBytes, mutateJson, mutateText, Rng, setAt } from './mutate.ts';
import { readScalars } from '../../src/db/scalar-blocks.ts';

function eventBase(): Uint8Array {
  const scalars = Array.from({ length: 20 }, (_, i) => ({
    tag: 'loss',
    step: i,
    wallTime: 1e9 + i,
    value: 1 / (i + 1),
  }));
  const at = (step: number) => ({ step, wallTime: 1e9 + step });
  const summaries = [
    {
      tag: 'w',
      kind: 'histogram' as const,
      value: encodeHistogramValue('w', histogramOf([0.1, -2, 3, 0.5])),
      ...at(1),
    },
    { tag: 'note', kind: 'text' as const, value: encodeTextValue('note', 'hello'), ...at(2) },
    {
      tag: 'img',
      kind: 'image' as const,
      value: encodeImageValue('img', {
        height: 1,
        width: 1,
        colorspace: 1,
        encoded: new Uint8Array([137, 80, 78, 71]),
      }),
      ...at(3),
    },
  ];
  return writeEventFile({ scalars, summaries }, 1e9);
}

/** Decoding what the board will draw: a ProtoError is a reported problem; anything else escapes (a crash). */
function decodeSummaries(contents: ReturnType<typeof readEventFile>): string[] {
  const problems: string[] = [];
  const decoders = {
    histogram: histogramOfValue,
    image: imageOfValue,
    text: textOfValue,
    pr_curve: prCurveOfValue,
    hparams: hparamsOfValue,
  };
  for (const s of contents.summaries) {
    const decode = decoders[s.kind as keyof typeof decoders];
    try {
      decode?.(s.value);
    } catch (err) {
      if (!(err instanceof ProtoError)) throw err;
      problems.push(`summary '${s.tag}' at step ${s.step}: ${err.message} at byte ${err.at}`);
    }
  }
  for (const e of contents.events) if (e.graph) graphDefToModules(e.graph);
  return problems;
}

function eventOutcome(bytes: Uint8Array): Outcome {
  const contents = readEventFile(bytes);
  const problems = [...contents.problems.map((p) => p.message), ...decodeSummaries(contents)];
  if (contents.events.length === 0 && problems.length === 0 && bytes.length > 0)
    return { kind: 'accept', problem: `${bytes.length} bytes gave no events and no problem (an empty run)` };
  if (contents.events.length === 0 && bytes.length === 0)
    return { kind: 'error', messages: ['the file is empty (byte 0)'] };
  if (problems.length) return { kind: 'error', messages: problems };
  return { kind: 'accept' };
}

/** The file with one record's Event bytes damaged and reframed with a valid CRC. */
function damagedRecord(rng: Rng, base: Uint8Array): { bytes: Uint8Array; what: string } {
  const records: Uint8Array[] = readRecords(base).records.map((r) => r.slice());
  const i = rng.int(records.length);
  const { bytes, what } = mutateBytes(rng, records[i]);
  records[i] = bytes;
  return { bytes: writeRecords(records), what: `record ${i}: ${what}` };
}

/** One in-memory IndexedDB (fake-indexeddb) per process: imports store what they accept. */
let db: LayerboardDB | null = null;
const store = () => (db ??= createDatabase('hostile', { indexedDB: new IDBFactory(), IDBKeyRange }));

/** The app's import of event files (the Board's Import): a file yielding no events must be a reported problem, never an empty run. */
async function eventImportOutcome(bytes: Uint8Array): Promise<Outcome> {
  const result = await importEventFiles(store(), [{ path: 'hostile/events.out.tfevents.1.host', bytes }]);
  if (result.runs.length === 0)
    return result.problems.length
      ? { kind: 'error', messages: result.problems }
      : { kind: 'accept', problem: 'no run and no problem reported' };
  const scalars = (await readScalars(store(), result.runs[0].id)).length;
  if (scalars + (await store().summaries.where('runId').equals(result.runs[0].id).count()) === 0 && bytes.length > 0)
    return { kind: 'accept', problem: 'imported as an empty run' };
  // a run was kept: its problems are reported beside it (a damaged tail, kinds the board does not show)
  return { kind: 'accept' };
}

export const eventImport: EntryPoint = {
  id: 'event file import (IDB)',
  place: /byte \d+|the file is empty/,
  generate(seed, count) {
    const rng = new Rng(seed);
    const base = eventBase();
    const cases: Case[] = [
      { name: 'written by writeEventFile', expect: 'accept', run: () => eventImportOutcome(base) },
    ];
    while (cases.length < count) {
      if (rng.int(2)) {
        const bytes = rng.bytes(1 + rng.int(4096));
        cases.push({ name: `${bytes.length} random bytes`, expect: 'refuse', run: () => eventImportOutcome(bytes) });
      } else {
        const { bytes, what } = rng.int(2) ? mutateBytes(rng, base) : damagedRecord(rng, base);
        cases.push({ name: what, expect: 'either', run: () => eventImportOutcome(bytes) });
      }
    }
    return cases;
  },
};

export const eventFiles: EntryPoint = {
  id: 'event files',
  place: /byte \d+/,
  generate(seed, count) {
    const rng = new Rng(seed);
    const base = eventBase();
    const cases: Case[] = [{ name: 'written by writeEventFile', expect: 'accept', run: () => eventOutcome(base) }];
    cases.push({
      name: 'one record of random bytes, valid CRC',
      expect: 'refuse',
      run: () => eventOutcome(frameRecord(rng.bytes(64))),
    });
    while (cases.length < count) {
      const pick = rng.int(3);
      if (pick === 0) {
        const bytes = rng.bytes(1 + rng.int(4096));
        cases.push({ name: `${bytes.length} random bytes`, expect: 'refuse', run: () => eventOutcome(bytes) });
      } else {
        const { bytes, what } = pick === 1 ? mutateBytes(rng, base) : damagedRecord(rng, base);
        cases.push({ name: what, expect: 'either', run: () => eventOutcome(bytes) });
      }
    }
    return cases.slice(0, count);
  },
};

// ---- run files -----------------------------------------------------------------------------

function runBase(): RunFile {
  return {
    format: 'layerboard-run',
    version: 1,
    run: {
      id: 'run-1',
      projectId: null,
      name: 'hostile',
      created: 1.7e12,
      ended: 1.7e12 + 60_000,
      status: 'finished',
      message: '',
      doc: templateDocument('mnist-convnet'),
      config: defaultTrainingConfig('mnist'),
      backend: 'ts',
      metrics: { accuracy: 0.9 },
    },
    scalars: { 'train/loss': { step: [0, 1, 2], wallTime: [1, 2, 3], value: [0.9, 0.5, 'NaN'] } },
    graph: null,
    hparams: { hparams: { lr: 0.001 }, metrics: { accuracy: 0.9 } },
    texts: [{ tag: 'notes', step: 0, text: 'first run' }],
    summaries: [
      runFileSummary({
        tag: 'w',
        step: 1,
        wallTime: 1,
        kind: 'histogram',
        value: encodeHistogramValue('w', histogramOf([1, 2])),
      }),
    ],
  };
}

async function runOutcome(input: string | unknown): Promise<Outcome> {
  const r = parseRunFile(input);
  if (!r.ok) return { kind: 'error', messages: r.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)) };
  const f = r.file;
  for (const [i, t] of f.texts.entries())
    if (!t || typeof t.tag !== 'string' || !Number.isSafeInteger(t.step) || typeof t.text !== 'string')
      return { kind: 'accept', problem: `texts[${i}] accepted malformed: ${JSON.stringify(t)?.slice(0, 80)}` };
  for (const [tag, s] of Object.entries(f.scalars))
    if (s.step.some((x) => !Number.isSafeInteger(x)))
      return { kind: 'accept', problem: `scalars ${tag}: a step past a safe integer accepted` };
  const problem = acceptedModelProblem(f.run.doc);
  if (problem) return { kind: 'accept', problem: `run.doc: ${problem}` };
  if (!parseRunFile(serializeRunFile(f)).ok) return { kind: 'accept', problem: 'no round trip' };
  // what the Board's Import then stores; an exception here escapes as a crash
  const run = await importRunFile(store(), f);
  const stored = await store().runs.get(run.id);
  return { kind: 'accept', problem: stored ? null : 'accepted but not stored' };
}

const BROKEN_RUNS: [string, unknown][] = [
  ['texts.0', null],
  ['texts.0', 'a string'],
  ['texts.0', { tag: 5, step: 0, text: 'x' }],
  ['texts.0', { tag: 'a', step: 'x', text: 'x' }],
  ['texts.0', { tag: 'a', step: 1e300, text: 'x' }],
  ['texts.0', { tag: 'a', step: 0, text: { nested: 'x' } }],
  ['texts.0', { tag: 'a', step: 0 }],
  ['scalars.train/loss.step.0', 1e300],
  ['scalars.train/loss.step.0', 1.5],
  ['run.doc.modules.0.layer.out_channels', 1e21],
  ['run.doc.modules.0.layer.kernel_size', 1e300],
  ['run.status', 'exploded'],
  ['version', 2],
  ['format', 'layerboard-model'],
  ['weights', { w: { shape: [1e300], dtype: 'F32', data: 'AAAA' } }],
  ['summaries.0.step', 1e300],
  ['summaries.0.value', 'not base64!'],
  ['summaries.0', null],
];

export const runFiles: EntryPoint = {
  id: 'run files',
  place: new RegExp(`^(${JSON_PATH.source}: |not valid JSON: line \\d+, column \\d+|a run file is)`),
  generate(seed, count) {
    const rng = new Rng(seed);
    const base = runBase();
    const cases: Case[] = [
      { name: 'a valid run file', expect: 'accept', run: () => runOutcome(serializeRunFile(base)) },
    ];
    for (const [path, value] of BROKEN_RUNS) {
      const keys = path
        .split('.')
        .map((k) => (/^\d+$/.test(k) ? Number(k) : k))
        .map((k) => (k === 'train/loss' ? 'train/loss' : k));
      const broken = setAt(base, keys, value);
      cases.push({
        name: `broken: ${path} = ${JSON.stringify(value)}`,
        expect: 'refuse',
        run: () => runOutcome(JSON.stringify(broken)),
      });
    }
    while (cases.length < count) {
      if (rng.int(2)) {
        const { value, what } = mutateJson(rng, base);
        cases.push({ name: `json: ${what}`, expect: 'either', run: () => runOutcome(JSON.stringify(value) ?? '') });
      } else {
        const { text, what } = mutateText(rng, serializeRunFile(base));
        cases.push({ name: `text: ${what}`, expect: 'either', run: () => runOutcome(text) });
      }
    }
    return cases.slice(0, count);
  },
};
