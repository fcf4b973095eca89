// Full fidelity, checked with Google's protobuf library over TensorBoard's protos: a logdir
// with every kind PyTorch's SummaryWriter logs (float and double scalars, histogram, PNG
// image, text, PR curve, hparams, graph_def, audio) → import → export → every record of
// every kind comes back (doubles as doubles, PNG bytes identical). Our decoders are checked
// against the same file.
import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createDatabase } from '../../src/db/schema.ts';
import { importEventFiles, runEventFile } from '../../src/db/tfevents-exchange.ts';
import {
  histogramOfValue,
  hparamsOfValue,
  imageOfValue,
  prCurveOfValue,
  readEventFile,
  textOfValue,
} from '../../src/core/formats/tfevents/index.ts';

const PROTO_ROOT = resolve(process.env.SHARED_DIR ?? '../shared', 'tfevents/proto');
const PY_DIR = resolve('test/unit/python');
const SCRIPT = join(PY_DIR, 'tfevents_roundtrip.py');
const ready =
  existsSync(PROTO_ROOT) &&
  spawnSync('protoc', ['--version']).status === 0 &&
  spawnSync('/usr/bin/python3', ['-c', 'import google.protobuf']).status === 0;
if (!ready)
  console.warn('NOTE: protoc / python3-protobuf / ../shared/tfevents missing: the event-file round trip is skipped');

function compileProtos(): string {
  const out = mkdtempSync(join(tmpdir(), 'tb-proto-'));
  const dir = join(PROTO_ROOT, 'tensorboard/compat/proto');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.proto'))
    .map((f) => `tensorboard/compat/proto/${f}`);
  execFileSync('protoc', ['-I', PROTO_ROOT, `--python_out=${out}`, ...files]);
  execFileSync('protoc', ['-I', PY_DIR, '-I', '/usr/include', `--python_out=${out}`, 'hparams_plugin.proto']);
  return out;
}

const py = (protoOut: string, ...args: string[]) =>
  execFileSync('/usr/bin/python3', [SCRIPT, protoOut, ...args], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: `${protoOut}:${PY_DIR}` },
  });
const dump = (protoOut: string, file: string) =>
  py(protoOut, 'dump', file)
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const canonical = (records: Record<string, unknown>[]) =>
  records.map((r) => JSON.stringify(r, Object.keys(r).sort())).sort();

describe.skipIf(!ready)('event files: every kind survives import and export', () => {
  const protoOut = ready ? compileProtos() : '';
  const logdir = mkdtempSync(join(tmpdir(), 'tb-logdir-'));
  if (ready) py(protoOut, 'write', logdir);
  const source = join(logdir, 'run1', 'events.out.tfevents.1700000000.host');

  test('logdir → Layerboard → event file: the protobuf reader finds every record of every kind', async () => {
    const db = createDatabase('roundtrip', { indexedDB: new IDBFactory(), IDBKeyRange });
    const result = await importEventFiles(db, [
      { path: 'logs/run1/events.out.tfevents.1700000000.host', bytes: new Uint8Array(readFileSync(source)) },
    ]);
    // what the board does not show is named, with its tag and count
    expect(result.problems).toEqual(['logs/run1: kept but not shown on the board: audio “sound” ×1']);
    const file = await runEventFile(db, result.runs[0].id);
    const out = join(logdir, 'exported');
    writeFileSync(out, file.bytes);
    const before = dump(protoOut, source),
      after = dump(protoOut, out);
    const kinds = (rs: Record<string, unknown>[]) => [...new Set(rs.map((r) => r.kind))].sort();
    expect(kinds(before)).toEqual([
      'audio',
      'graph_def',
      'histogram',
      'hparams',
      'image',
      'pr_curve',
      'scalar',
      'text',
    ]);
    expect(canonical(after)).toEqual(canonical(before));
    // the double-precision scalars stay doubles, bit for bit
    const lr = after.filter((r) => r.tag === 'lr');
    expect(lr.map((r) => [r.dtype, r.value])).toEqual([0, 1, 2].map((s) => ['double', 0.1 / 3 ** s]));
    db.close();
  });

  test("our decoders read what Google's library wrote", () => {
    const { summaries, scalars, events, problems } = readEventFile(new Uint8Array(readFileSync(source)));
    expect(problems).toEqual([]);
    expect(scalars.filter((s) => s.tag === 'lr').map((s) => s.value)).toEqual([0.1, 0.1 / 3, 0.1 / 9]);
    const of = (kind: string) => summaries.filter((s) => s.kind === kind);
    const h = histogramOfValue(of('histogram')[1].value)!;
    expect(h).toEqual({
      min: -0.5,
      max: 2,
      num: 12,
      sum: 2.25,
      sumSquares: 3.5,
      bucketLimit: [-1, -0.1, 0, 0.1, 2, 1.7976931348623157e308],
      bucket: [0, 4, 5, 2, 1, 0],
    });
    const img = imageOfValue(of('image')[0].value)!;
    expect([img.width, img.height, img.colorspace]).toEqual([4, 3, 1]);
    expect([...img.encoded.slice(1, 4)]).toEqual([...Buffer.from('PNG')]);
    expect(textOfValue(of('text')[0].value)).toEqual(['**Model** `Linear(4, 2)` <b>x</b>']);
    const pr = prCurveOfValue(of('pr_curve')[0].value)!;
    expect(pr.tp).toEqual([10, 8, 5, 2, 0]);
    expect(pr.recall.map((x) => +x.toFixed(3))).toEqual([1, 0.8, 0.5, 0.2, 0]);
    const parts = of('hparams').map((s) => hparamsOfValue(s.value));
    expect(parts).toContainEqual({
      part: 'experiment',
      hparams: ['lr', 'optimizer', 'nesterov'],
      metrics: ['loss/train'],
    });
    expect(parts).toContainEqual({
      part: 'start',
      hparams: { lr: 0.1, optimizer: 'SGD', nesterov: true },
      startTime: 0,
    });
    expect(events.some((e) => e.graph?.length === 2)).toBe(true);
  });
});
