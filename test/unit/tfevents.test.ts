import { describe, expect, test } from 'vitest';
import { crc32c, maskedCrc32c, readEventFile, writeEventFile } from '../../src/core/formats/tfevents/index.ts';

// Independent byte builders: the tests spell out the wire format by hand rather than
// reuse the writer under test.
const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
};
const key = (field: number, wire: number) => varint((field << 3) | wire);
const bytesField = (field: number, payload: number[]) => [...key(field, 2), ...varint(payload.length), ...payload];
const str = (s: string) => [...new TextEncoder().encode(s)];
const f64 = (v: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v, true);
  return [...b];
};
const f32 = (v: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, v, true);
  return [...b];
};
const u32 = (v: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return [...b];
};
const u64 = (v: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
  return [...b];
};
const frame = (data: number[]) => {
  const len = u64(data.length);
  return [...len, ...u32(maskedCrc32c(Uint8Array.from(len))), ...data, ...u32(maskedCrc32c(Uint8Array.from(data)))];
};

const fileVersion = [...key(1, 1), ...f64(1700000000.5), ...bytesField(3, str('brain.Event:2'))];
const simpleScalar = (tag: string, value: number, step: number, wall: number) => [
  ...key(1, 1),
  ...f64(wall),
  ...key(2, 0),
  ...varint(step),
  ...bytesField(5, bytesField(1, [...bytesField(1, str(tag)), ...key(2, 5), ...f32(value)])),
];
const scalarsPlugin = bytesField(9, bytesField(1, bytesField(1, str('scalars'))));
const tensorScalarFloatVal = (tag: string, value: number, step: number) => [
  ...key(1, 1),
  ...f64(1700000001),
  ...key(2, 0),
  ...varint(step),
  ...bytesField(
    5,
    bytesField(1, [
      ...bytesField(1, str(tag)),
      ...scalarsPlugin,
      ...bytesField(8, [...key(1, 0), 1, ...bytesField(2, []), ...bytesField(5, f32(value))]),
    ]),
  ),
];
const tensorScalarContent = (tag: string, value: number, step: number) => [
  ...key(1, 1),
  ...f64(1700000002),
  ...key(2, 0),
  ...varint(step),
  ...bytesField(
    5,
    bytesField(1, [
      ...bytesField(1, str(tag)),
      ...scalarsPlugin,
      ...bytesField(8, [...key(1, 0), 1, ...bytesField(2, []), ...bytesField(4, f32(value))]),
    ]),
  ),
];
const shapeProto = (dims: number[]) => dims.flatMap((d) => bytesField(2, [...key(1, 0), ...varint(d)]));
const graphEvent = [
  ...key(1, 1),
  ...f64(1700000003),
  ...bytesField(4, [
    ...bytesField(1, [
      ...bytesField(1, str('input/input.1')),
      ...bytesField(2, str('IO Node')),
      ...bytesField(5, [
        ...bytesField(1, str('_output_shapes')),
        ...bytesField(2, bytesField(1, bytesField(7, shapeProto([64, 3, 32, 32])))),
      ]),
    ]),
    ...bytesField(1, [
      ...bytesField(1, str('BS/Sequential[model]/Conv2d[0]/input.3')),
      ...bytesField(2, str('aten::_convolution')),
      ...bytesField(3, str('input/input.1')),
      ...bytesField(5, [
        ...bytesField(1, str('_output_shapes')),
        ...bytesField(2, bytesField(1, bytesField(7, shapeProto([64, 32, 32, 32])))),
      ]),
    ]),
  ]),
];

describe('CRC-32C', () => {
  test('known vectors', () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
  });
});

describe('event files', () => {
  test('reads both scalar encodings, keeping steps and wall times', () => {
    const file = Uint8Array.from([
      ...frame(fileVersion),
      ...frame(simpleScalar('loss/train', 2.25, 7, 1700000000.75)),
      ...frame(tensorScalarFloatVal('accuracy/val', 0.5, 300)),
      ...frame(tensorScalarContent('lr', 0.125, 4_000_000_000)),
    ]);
    const { events, scalars, problems } = readEventFile(file);
    expect(problems).toEqual([]);
    expect(events[0].fileVersion).toBe('brain.Event:2');
    expect(events[0].wallTime).toBe(1700000000.5);
    expect(scalars).toEqual([
      { tag: 'loss/train', step: 7, wallTime: 1700000000.75, value: 2.25 },
      { tag: 'accuracy/val', step: 300, wallTime: 1700000001, value: 0.5 },
      { tag: 'lr', step: 4_000_000_000, wallTime: 1700000002, value: 0.125 },
    ]);
  });

  test('decodes a graph_def with output shapes', () => {
    const { events } = readEventFile(Uint8Array.from(frame(graphEvent)));
    const graph = events[0].graph!;
    expect(graph.map((n) => n.op)).toEqual(['IO Node', 'aten::_convolution']);
    expect(graph[1].inputs).toEqual(['input/input.1']);
    expect(graph[1].attrs._output_shapes).toEqual({ kind: 'list', strings: [], ints: [], shapes: [[64, 32, 32, 32]] });
  });

  test('a corrupted CRC is reported with its offset and the good records before it are kept', () => {
    const a = frame(fileVersion),
      b = frame(simpleScalar('loss/train', 1, 1, 1)),
      c = frame(simpleScalar('loss/train', 0.5, 2, 2));
    const file = Uint8Array.from([...a, ...b, ...c]);
    file[a.length + b.length + 20] ^= 0x01; // a byte inside the third record's data
    const {
      events,
      scalars,
      problems: [problem],
    } = readEventFile(file);
    expect(events).toHaveLength(2);
    expect(scalars).toEqual([{ tag: 'loss/train', step: 1, wallTime: 1, value: 1 }]);
    expect(problem).toEqual({
      offset: a.length + b.length,
      message: `bad data CRC in the record at byte ${a.length + b.length}`,
    });
  });

  test('a corrupted length CRC is reported', () => {
    const file = Uint8Array.from([...frame(fileVersion), ...frame(fileVersion)]);
    file[frame(fileVersion).length + 9] ^= 0xff;
    const {
      events,
      problems: [problem],
    } = readEventFile(file);
    expect(events).toHaveLength(1);
    expect(problem?.message).toBe(`bad length CRC at byte ${frame(fileVersion).length}`);
  });

  test('a truncated tail keeps the complete records', () => {
    const a = frame(fileVersion),
      b = frame(simpleScalar('loss/train', 3, 9, 9));
    const file = Uint8Array.from([...a, ...b]).subarray(0, a.length + b.length - 5);
    const {
      scalars,
      problems: [problem],
      events,
    } = readEventFile(file);
    expect(events).toHaveLength(1);
    expect(scalars).toEqual([]);
    expect(problem?.offset).toBe(a.length);
    expect(problem?.message).toMatch(/truncated record/);
  });

  test('written files equal the hand-built bytes and read back', () => {
    const points = [{ tag: 'loss/train', step: 7, wallTime: 1700000000.75, value: 2.25 }];
    const written = writeEventFile(points, 1700000000.5);
    expect([...written]).toEqual([...frame(fileVersion), ...frame(simpleScalar('loss/train', 2.25, 7, 1700000000.75))]);
    expect(readEventFile(written).scalars).toEqual(points);
  });
});
