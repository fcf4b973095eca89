// CIFAR-10, binary version: records of 1 label byte + 3072 pixel bytes (R, G, B planes
// of 32×32). Accepts the official cifar-10-binary.tar.gz or its extracted .bin batches;
// the tarball is untarred while it inflates, within a byte budget (CIFAR10_MAX_BYTES).
import type { ImageDataset } from '../../core/formats/lbds.ts';
import { InflateDataError, InflateLimitError, inflate } from '../../core/formats/inflate.ts';
import { TarStream, untar, type TarEntry } from './tar.ts';

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
export type Progress = (phase: 'decompress' | 'untar' | 'validate', fraction: number, detail?: string) => void;

/**
 * The most a CIFAR-10 import unpacks: the binary tarball's six batches are 184,380,000
 * bytes (plus a meta file and tar headers); 256 MiB leaves room for a repacked archive
 * and refuses a decompression bomb after that much, never holding more.
 */
export const CIFAR10_MAX_BYTES = 256 * 2 ** 20;

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

const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
const isBatch = (path: string) => path.toLowerCase().endsWith('.bin');

/** Why a file is refused for being bigger than any CIFAR-10 tarball. */
function tooBig(name: string, what: string): Error {
  return new Error(
    `${name} ${what} ${CIFAR10_MAX_BYTES.toLocaleString('en-US')} bytes (${mib(CIFAR10_MAX_BYTES)}), the most a CIFAR-10 binary tarball unpacks to (184 MB): refused — a decompression bomb, or not the CIFAR-10 binary version`,
  );
}

/**
 * The .bin batches of a .tar.gz, untarred as it inflates: only batches are kept, and the
 * inflate stops as soon as its output passes CIFAR10_MAX_BYTES.
 */
async function batchesOfTarGz(file: InputFile, progress?: Progress, signal?: AbortSignal): Promise<TarEntry[]> {
  const { name, bytes } = file;
  if (!isGzip(bytes)) {
    const head = [...bytes.subarray(0, 2)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new Error(`${name} is not gzip-compressed (starts with ${head}, gzip starts with 1f 8b)`);
  }
  const tar = new TarStream({ keep: isBatch, maxEntryBytes: CIFAR10_MAX_BYTES });
  let reported = 0;
  try {
    await inflate(bytes, {
      format: 'gzip',
      maxBytes: CIFAR10_MAX_BYTES,
      signal,
      onChunk: (chunk) => tar.push(chunk),
      onProgress: (out, fraction) => {
        if (out - reported < 1 << 22 && fraction < 1) return;
        reported = out;
        progress?.('decompress', fraction, `${(out / 1e6).toFixed(0)} MB unpacked`);
      },
    });
  } catch (err) {
    if (err instanceof InflateLimitError) throw tooBig(name, 'inflates to more than');
    if (err instanceof InflateDataError)
      throw new Error(`${name} could not be decompressed (${err.message}): the file is damaged or truncated`);
    if (signal?.aborted) throw err;
    throw new Error(`${name}: ${err instanceof Error ? err.message : String(err)}`);
  }
  progress?.('decompress', 1);
  try {
    return tar.finish();
  } catch (err) {
    throw new Error(`${name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The .bin batches inside whatever the user gave: a .tar.gz, a .tar, or the .bin files. */
async function collectBatches(
  files: InputFile[],
  progress?: Progress,
  signal?: AbortSignal,
): Promise<Map<string, InputFile>> {
  const batches = new Map<string, InputFile>();
  for (const file of files) {
    if (isBatch(file.name)) {
      batches.set(baseName(file.name), file);
      continue;
    }
    if (file.bytes.length > CIFAR10_MAX_BYTES) throw tooBig(file.name, 'is more than');
    const isTar = file.name.toLowerCase().endsWith('.tar');
    let entries: TarEntry[];
    if (isTar) {
      progress?.('untar', 0);
      try {
        entries = untar(file.bytes, { keep: isBatch });
      } catch (err) {
        throw new Error(`${file.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    } else entries = await batchesOfTarGz(file, progress, signal);
    for (const entry of entries) batches.set(baseName(entry.name), { name: entry.name, bytes: entry.data });
    progress?.('untar', 1);
  }
  return batches;
}

export async function importCifar10(
  files: InputFile[],
  progress?: Progress,
  signal?: AbortSignal,
): Promise<ImageDataset> {
  const batches = await collectBatches(files, progress, signal);
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
