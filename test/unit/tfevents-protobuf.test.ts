// Our event files against TensorBoard's own .proto definitions compiled by protoc and
// read/written by Google's protobuf library: an implementation independent of ours.
import { describe, expect, test } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readEventFile, writeEventFile } from '../../src/core/formats/tfevents/index.ts';

const PROTO_ROOT = resolve(process.env.SHARED_DIR ?? '../shared', 'tfevents/proto');
const ORACLE = resolve('test/unit/python/tfevents_oracle.py');
const ready =
  existsSync(PROTO_ROOT) &&
  spawnSync('protoc', ['--version']).status === 0 &&
  spawnSync('/usr/bin/python3', ['-c', 'import google.protobuf']).status === 0;
if (!ready)
  console.warn(
    'NOTE: protoc / python3-protobuf / ../shared/tfevents missing: the protobuf cross-check of event files is skipped',
  );

function compileProtos(): string {
  const out = mkdtempSync(join(tmpdir(), 'tb-proto-'));
  const dir = join(PROTO_ROOT, 'tensorboard/compat/proto');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.proto'))
    .map((f) => `tensorboard/compat/proto/${f}`);
  execFileSync('protoc', ['-I', PROTO_ROOT, `--python_out=${out}`, ...files]);
  return out;
}

describe.skipIf(!ready)("event files, checked with TensorBoard's protos", () => {
  const protoOut = ready ? compileProtos() : '';
  test("TensorBoard's Event proto reads what we write", () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-'));
    const points = [
      { tag: 'loss/train', step: 0, wallTime: 1700000000.25, value: 2.5 },
      { tag: 'loss/train', step: 1, wallTime: 1700000001.5, value: 0.125 },
      { tag: 'accuracy/val', step: 10_000_000_000, wallTime: 1700000002, value: -3 },
    ];
    writeFileSync(join(dir, 'ev'), writeEventFile(points, 1700000000));
    const lines = execFileSync('/usr/bin/python3', [ORACLE, protoOut, 'read', join(dir, 'ev')], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ file_version: 'brain.Event:2', wall_time: 1700000000 });
    expect(lines.slice(1)).toEqual(
      points.map((p) => ({ tag: p.tag, step: p.step, wall_time: p.wallTime, value: p.value })),
    );
  });

  test('we read what the protobuf library writes: both scalar encodings and a graph_def', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-'));
    execFileSync('/usr/bin/python3', [ORACLE, protoOut, 'write', join(dir, 'ev')]);
    const { scalars, events, problems } = readEventFile(new Uint8Array(readFileSync(join(dir, 'ev'))));
    expect(problems).toEqual([]);
    expect(scalars).toEqual([
      { tag: 'loss/train', step: 3, wallTime: 1700000001.5, value: 0.75 },
      { tag: 'accuracy/val', step: 4, wallTime: 1700000002.25, value: 0.5 },
    ]);
    const graph = events.find((e) => e.graph)!.graph!;
    expect(graph[0]).toMatchObject({
      name: 'BS/Sequential[model]/Flatten[6]/input.13',
      op: 'aten::flatten',
      inputs: ['BS/Sequential[model]/MaxPool2d[5]/input.11'],
    });
    expect(graph[0].attrs._output_shapes).toEqual({ kind: 'list', shapes: [[64, 1024]], strings: [], ints: [] });
  });
});
