// CIFAR-10, binary version: records of 1 label byte + 3072 pixel bytes (R, G, B planes
// of 32×32). Accepts the official cifar-10-binary.tar.gz or its extracted .bin batches.
import type { ImageDataset } from '../../core/formats/lbds.ts';
import { untar } from './tar.ts';

export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];
const RECORD = 3073;
const TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
const TEST_FILE = 'test_batch.bin';

export interface InputFile {
  name: string;
  bytes: Uint8Array;
}
export type Progress = (phase: 'decompress' | 'untar' | 'validate', fraction: number) => void;

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** Checks one batch file: whole records, labels below 10. */
export function checkBatch(file: InputFile): number {
  const { name, bytes } = file;
  if (bytes.length === 0) throw new Error(`${name} is empty`);
  if (bytes.length % RECORD !== 0) {
    throw new Error(
      `${name} is ${bytes.length} bytes, not a whole number of ${RECORD}-byte CIFAR-10 records (1 label + 3×32×32 pixels): wrong file or truncated`,
    );
  }
  for (let r = 0; r < bytes.length; r += RECORD) {
    if (bytes[r] >= 10) throw new Error(`${name}: record ${r / RECORD} has label ${bytes[r]}, CIFAR-10 labels are 0–9`);
  }
  return bytes.length / RECORD;
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export async function gunzipWithProgress(
  bytes: Uint8Array<ArrayBuffer>,
  name: string,
  progress?: Progress,
): Promise<Uint8Array> {
  if (!isGzip(bytes)) {
    const head = [...bytes.subarray(0, 2)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new Error(`${name} is not gzip-compressed (starts with ${head}, gzip starts with 1f 8b)`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const step = 1 << 20;
  const input = new ReadableStream<Uint8Array<ArrayBuffer>>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += step) controller.enqueue(bytes.subarray(i, i + step));
      controller.close();
    },
  });
  let consumed = 0;
  const counted = input.pipeThrough(
    new TransformStream<Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>>({
      transform(chunk, controller) {
        consumed += chunk.length;
        progress?.('decompress', consumed / bytes.length);
        controller.enqueue(chunk);
      },
    }),
  );
  try {
    const reader = counted.pipeThrough(new DecompressionStream('gzip')).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
    }
  } catch (err) {
    throw new Error(
      `${name} could not be decompressed (${err instanceof Error ? err.message : String(err)}): the file is damaged or truncated`,
    );
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/** The .bin batches inside whatever the user gave: a .tar.gz, a .tar, or the .bin files. */
async function collectBatches(files: InputFile[], progress?: Progress): Promise<Map<string, InputFile>> {
  const batches = new Map<string, InputFile>();
  for (const file of files) {
    const lower = file.name.toLowerCase();
    if (lower.endsWith('.bin')) {
      batches.set(baseName(file.name), file);
      continue;
    }
    const tar = lower.endsWith('.tar')
      ? file.bytes
      : await gunzipWithProgress(file.bytes as Uint8Array<ArrayBuffer>, file.name, progress);
    progress?.('untar', 0);
    for (const entry of untar(tar)) {
      if (entry.name.endsWith('.bin')) batches.set(baseName(entry.name), { name: entry.name, bytes: entry.data });
    }
    progress?.('untar', 1);
  }
  return batches;
}

export async function importCifar10(files: InputFile[], progress?: Progress): Promise<ImageDataset> {
  const batches = await collectBatches(files, progress);
  const missing = [...TRAIN_FILES, TEST_FILE].filter((n) => !batches.has(n));
  if (missing.length) {
    const found = [...batches.keys()];
    throw new Error(
      `CIFAR-10 needs ${missing.join(', ')}; found ${found.length ? found.join(', ') : 'no .bin batches'}`,
    );
  }
  const ordered = [...TRAIN_FILES, TEST_FILE].map((n) => batches.get(n)!);
  const counts = ordered.map((f, i) => {
    progress?.('validate', i / ordered.length);
    return checkBatch(f);
  });
  const total = counts.reduce((a, b) => a + b, 0);
  const pixels = new Uint8Array(total * 3072);
  const labels = new Uint8Array(total);
  let n = 0;
  for (const file of ordered) {
    for (let r = 0; r < file.bytes.length; r += RECORD, n++) {
      labels[n] = file.bytes[r];
      pixels.set(file.bytes.subarray(r + 1, r + RECORD), n * 3072);
    }
  }
  progress?.('validate', 1);
  const test = counts[counts.length - 1];
  return {
    name: 'CIFAR-10',
    classes: CIFAR10_CLASSES,
    channels: 3,
    height: 32,
    width: 32,
    train: total - test,
    test,
    source: 'cifar-10-binary',
    pixels,
    labels,
  };
}
