// Hostile files at the small-size level: zips (ImageFolder and logdir uploads: encrypted
// entries, local-header offsets past the end, unsupported methods), gzip and tar (CIFAR-10's
// tarball), CIFAR-10 batch files, safetensors weights and LBDS dataset caches. Large-size
// hostility (bombs, 1 GiB entries) is the byte-budget tests' job.
import { gunzip } from '../../src/core/formats/gzip.ts';
import { decodeLbds, encodeLbds, type ImageDataset } from '../../src/core/formats/lbds.ts';
import { decodeSafetensors, encodeSafetensors } from '../../src/core/formats/safetensors.ts';
import { readZipArchive, writeZip, type ZipEntry } from '../../src/core/formats/zip.ts';
import { importCifar10 } from '../../src/engine/data/cifar10.ts';
import { untar } from '../../src/engine/data/tar.ts';
import type { Case, Outcome } from './judge.ts';
import { mutateBytes, Rng } from './mutate.ts';

/** A thrown Error is a refusal; its message is judged like any other. A TypeError or RangeError is JavaScript's, not ours. */
async function refusal(work: () => Promise<Outcome> | Outcome): Promise<Outcome> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    return { kind: 'error', messages: [err.name === 'Error' ? err.message : `${err.name}: ${err.message}`] };
  }
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const text = (s: string) => new TextEncoder().encode(s);

/** Cases: the base (accepted), `broken` ones (refused), then random mutations judged by `accepted`. */
function byteCases(
  seed: number,
  count: number,
  base: Uint8Array,
  run: (bytes: Uint8Array) => Promise<Outcome> | Outcome,
  broken: [string, Uint8Array][],
): Case[] {
  const rng = new Rng(seed);
  const cases: Case[] = [{ name: 'base', expect: 'accept', run: () => refusal(() => run(base)) }];
  for (const [name, bytes] of broken)
    cases.push({ name: `broken: ${name}`, expect: 'refuse', run: () => refusal(() => run(bytes)) });
  while (cases.length < count) {
    const { bytes, what } = mutateBytes(rng, base);
    cases.push({ name: what, expect: 'either', run: () => refusal(() => run(bytes)) });
  }
  return cases.slice(0, count);
}

// ---- zip ----------------------------------------------------------------------------------

const ZIP_ENTRIES: ZipEntry[] = [
  { name: 'cat/001.png', data: text('\x89PNG not really an image, but bytes to carry') },
  { name: 'dog/002.png', data: text('another body '.repeat(40)) },
  { name: 'run1/events.out.tfevents.1.host', data: new Uint8Array(300).map((_, i) => i * 7) },
];

async function zipOutcome(bytes: Uint8Array): Promise<Outcome> {
  const { entries } = await readZipArchive(bytes);
  for (const e of entries) {
    const original = ZIP_ENTRIES.find((o) => o.name === e.name);
    if (!original) return { kind: 'accept', problem: `entry '${e.name.slice(0, 60)}' appeared from nowhere` };
    if (!same(original.data, e.data)) return { kind: 'accept', problem: `entry '${e.name}' read with different bytes` };
  }
  return { kind: 'accept' };
}

/** The central directory entry and local header of the first entry, edited. */
function editFirst(zip: Uint8Array, edit: (dv: DataView, central: number, local: number) => void): Uint8Array {
  const out = zip.slice();
  const dv = new DataView(out.buffer);
  let eocd = out.length - 22;
  while (dv.getUint32(eocd, true) !== 0x06054b50) eocd--;
  const central = dv.getUint32(eocd + 16, true);
  edit(dv, central, dv.getUint32(central + 42, true));
  return out;
}

export async function zipCases(seed: number, count: number): Promise<Case[]> {
  const base = await writeZip(ZIP_ENTRIES, { compress: true, date: new Date(2020, 0, 1) });
  const stored = await writeZip(ZIP_ENTRIES, { compress: false, date: new Date(2020, 0, 1) });
  const encrypted = (z: Uint8Array) =>
    editFirst(z, (dv, c, l) => {
      dv.setUint16(c + 8, dv.getUint16(c + 8, true) | 1, true);
      dv.setUint16(l + 6, dv.getUint16(l + 6, true) | 1, true);
    });
  return byteCases(seed, count, base, zipOutcome, [
    ['encrypted entry (deflated)', encrypted(base)],
    ['encrypted entry (stored)', encrypted(stored)],
    ['local header offset past the end', editFirst(base, (dv, c) => dv.setUint32(c + 42, 0xfffffff0, true))],
    ['local header offset inside the central directory', editFirst(base, (dv, c) => dv.setUint32(c + 42, c, true))],
    ['compression method 99 (AES)', editFirst(base, (dv, c) => dv.setUint16(c + 10, 99, true))],
    ['entry count past the directory', editFirst(base, (dv) => dv.setUint16(dv.byteLength - 22 + 10, 500, true))],
    ['random bytes', new Rng(seed).bytes(1000)],
  ]);
}

// ---- gzip, tar, CIFAR-10 -----------------------------------------------------------------------

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function tarHeader(name: string, size: number): Uint8Array {
  const h = new Uint8Array(512);
  h.set(text(name), 0);
  h.set(text('0000644\0'), 100);
  h.set(text(`${size.toString(8).padStart(11, '0')}\0`), 124);
  h[156] = 48;
  h.set(text('ustar\0'), 257);
  h.fill(32, 148, 156);
  const sum = h.reduce((a, b) => a + b, 0);
  h.set(text(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
  return h;
}

export function tar(files: { name: string; data: Uint8Array }[]): Uint8Array {
  const parts = files.flatMap((f) => [
    tarHeader(f.name, f.data.length),
    f.data,
    new Uint8Array((512 - (f.data.length % 512)) % 512),
  ]);
  parts.push(new Uint8Array(1024));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const TAR_FILES = [
  { name: 'cifar-10-batches-bin/readme.html', data: text('<p>hello</p>') },
  { name: 'cifar-10-batches-bin/batches.meta.txt', data: text('airplane\nautomobile\n') },
];

export async function gzipTarCases(seed: number, count: number): Promise<Case[]> {
  const tarBytes = tar(TAR_FILES);
  const base = await gzip(tarBytes);
  const half = Math.floor(count / 2);
  const gz = byteCases(
    seed,
    half,
    base,
    async (bytes) => {
      const out = await gunzip(bytes, { maxBytes: 1 << 20 });
      return { kind: 'accept', problem: same(out, tarBytes) ? null : 'inflated to different bytes without an error' };
    },
    [
      ['random bytes', new Rng(seed).bytes(700)],
      ['truncated trailer', base.slice(0, base.length - 4)],
    ],
  );
  const tars = byteCases(
    seed + 1,
    count - half,
    tarBytes,
    (bytes) => {
      const entries = untar(bytes);
      const strange = entries.find((e) => !TAR_FILES.some((f) => f.name === e.name));
      return { kind: 'accept', problem: strange ? `entry '${strange.name.slice(0, 60)}' appeared from nowhere` : null };
    },
    [
      [
        'header checksum damaged',
        (() => {
          const b = tarBytes.slice();
          b[150] ^= 1;
          return b;
        })(),
      ],
    ],
  );
  return [...gz, ...tars];
}

const RECORD = 3073;
export function cifarCases(seed: number, count: number): Case[] {
  const rng = new Rng(seed);
  const batch = (records: number, label = 1) => {
    const b = rng.bytes(records * RECORD);
    for (let r = 0; r < records; r++) b[r * RECORD] = label;
    return b;
  };
  const names = [
    'data_batch_1.bin',
    'data_batch_2.bin',
    'data_batch_3.bin',
    'data_batch_4.bin',
    'data_batch_5.bin',
    'test_batch.bin',
  ];
  const all = (f: (n: string) => Uint8Array) => names.map((name) => ({ name, bytes: f(name) }));
  const kinds: [string, () => { name: string; bytes: Uint8Array }[]][] = [
    ['an empty batch', () => all((n) => (n === 'test_batch.bin' ? new Uint8Array(0) : batch(2)))],
    ['a batch that is not whole records', () => all(() => batch(2).slice(0, 5000))],
    ['label 200', () => all(() => batch(2, 200))],
    ['only one batch', () => [{ name: 'data_batch_1.bin', bytes: batch(2) }]],
    [
      'random bytes as a .tar.gz',
      () => [{ name: 'cifar-10-binary.tar.gz', bytes: new Uint8Array([0x1f, 0x8b, 8, ...rng.bytes(400)]) }],
    ],
    ['a tar of other files', () => [{ name: 'cifar-10-binary.tar', bytes: tar(TAR_FILES) }]],
  ];
  return Array.from({ length: count }, (_, i) => {
    const [what, files] = kinds[i % kinds.length];
    return {
      name: what,
      expect: 'refuse' as const,
      run: () => refusal(async () => (await importCifar10(files()), { kind: 'accept' as const })),
    };
  });
}

// ---- safetensors and LBDS ------------------------------------------------------------------------

export function safetensorsCases(seed: number, count: number): Case[] {
  const tensors = {
    'fc.weight': { dtype: 'F32' as const, shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) },
    'bn.num_batches_tracked': { dtype: 'I64' as const, shape: [], data: BigInt64Array.of(5n) },
  };
  const base = encodeSafetensors(tensors);
  const withHeader = (header: unknown) => {
    const json = text(JSON.stringify(header));
    const out = new Uint8Array(8 + json.length + 40);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    return out;
  };
  const broken: [string, Uint8Array][] = [
    ['shape 1e300', withHeader({ w: { dtype: 'F32', shape: [1e300], data_offsets: [0, 40] } })],
    ['offsets past the end', withHeader({ w: { dtype: 'F32', shape: [10], data_offsets: [0, 1e21] } })],
    ['dtype F16', withHeader({ w: { dtype: 'F16', shape: [20], data_offsets: [0, 40] } })],
    [
      'header length 2^63',
      (() => {
        const b = base.slice();
        new DataView(b.buffer).setBigUint64(0, 2n ** 63n, true);
        return b;
      })(),
    ],
    ['header a list', withHeader([1, 2])],
    ['tensor entry a string', withHeader({ w: 'x' })],
  ];
  return byteCases(
    seed,
    count,
    base,
    (bytes) => {
      const { tensors: out } = decodeSafetensors(bytes);
      for (const [name, t] of Object.entries(out)) {
        const n = t.shape.reduce((a, b) => a * b, 1);
        if (t.data.length !== n)
          return { kind: 'accept', problem: `${name}: shape ${t.shape} with ${t.data.length} values accepted` };
      }
      return { kind: 'accept' };
    },
    broken,
  );
}

export function lbdsCases(seed: number, count: number): Case[] {
  const ds: ImageDataset = {
    name: 'tiny',
    classes: ['a', 'b'],
    channels: 1,
    height: 2,
    width: 2,
    train: 3,
    test: 1,
    pixels: new Uint8Array(16).map((_, i) => i),
    labels: Uint8Array.of(0, 1, 0, 1),
  };
  return byteCases(
    seed,
    count,
    encodeLbds(ds),
    (bytes) => {
      const d = decodeLbds(bytes);
      const n = d.train + d.test;
      if (d.pixels.length !== n * d.channels * d.height * d.width || d.labels.length !== n)
        return { kind: 'accept', problem: 'pixels or labels do not match the header' };
      if (d.labels.some((l) => l >= d.classes.length))
        return { kind: 'accept', problem: 'a label past the classes accepted' };
      return { kind: 'accept' };
    },
    [],
  );
}
