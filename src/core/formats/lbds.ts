// LBDS, Layerboard's image-dataset container: a small JSON header then uint8 pixels
// (N×C×H×W, train examples first) and uint8 labels; the whole file gzip-compressed.
// Built-in MNIST ships in it; imported datasets are cached in the same layout.

export interface LbdsHeader {
  name: string;
  classes: string[];
  channels: number;
  height: number;
  width: number;
  train: number;
  test: number;
  source?: string;
}

export interface ImageDataset extends LbdsHeader {
  /** uint8 pixels, [train + test, C, H, W]. */
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** Images per class in each split. */
export interface ClassCounts {
  train: number[];
  test: number[];
}

/** What the Train tab shows of a dataset: its header and class counts, no pixels. */
export interface DatasetInfo extends LbdsHeader {
  counts: ClassCounts;
}

export function classCounts(ds: ImageDataset): ClassCounts {
  const train = new Array<number>(ds.classes.length).fill(0);
  const test = new Array<number>(ds.classes.length).fill(0);
  for (let i = 0; i < ds.train + ds.test; i++) (i < ds.train ? train : test)[ds.labels[i]]++;
  return { train, test };
}

/** The header of a dataset (its pixels and labels left out). */
export function headerOf(ds: ImageDataset): LbdsHeader {
  const { pixels: _pixels, labels: _labels, ...header } = ds;
  return header;
}

export function datasetInfo(ds: ImageDataset): DatasetInfo {
  return { ...headerOf(ds), counts: classCounts(ds) };
}

const MAGIC = [0x4c, 0x42, 0x44, 0x53]; // 'LBDS'
const VERSION = 1;

export function encodeLbds(ds: ImageDataset): Uint8Array {
  const { pixels, labels } = ds;
  const json = new TextEncoder().encode(JSON.stringify(headerOf(ds)));
  const out = new Uint8Array(12 + json.length + pixels.length + labels.length);
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  dv.setUint32(4, VERSION, true);
  dv.setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(pixels, 12 + json.length);
  out.set(labels, 12 + json.length + pixels.length);
  return out;
}

/** The JSON header, every field checked (a damaged cache says so instead of failing later). */
function readHeader(bytes: Uint8Array): LbdsHeader {
  let h: Record<string, unknown>;
  try {
    h = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new Error(`dataset header (${bytes.length} bytes at byte 12) is not JSON: the file is damaged`);
  }
  if (typeof h !== 'object' || h === null || Array.isArray(h)) throw new Error('dataset header is not a JSON object');
  if (typeof h.name !== 'string') throw new Error('dataset header: name must be a string');
  if (!Array.isArray(h.classes) || h.classes.length === 0 || !h.classes.every((c) => typeof c === 'string'))
    throw new Error('dataset header: classes must be a non-empty list of names');
  for (const k of ['channels', 'height', 'width', 'train', 'test'])
    if (typeof h[k] !== 'number' || !Number.isSafeInteger(h[k]) || (h[k] as number) < 0)
      throw new Error(`dataset header: ${k} must be a whole number ≥ 0, got ${JSON.stringify(h[k])}`);
  return h as unknown as LbdsHeader;
}

/** Decodes an uncompressed LBDS buffer; errors say what is wrong and where. */
export function decodeLbds(bytes: Uint8Array): ImageDataset {
  if (bytes.length < 12 || MAGIC.some((b, i) => bytes[i] !== b))
    throw new Error('not a Layerboard dataset file (no LBDS signature)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(4, true);
  if (version !== VERSION) throw new Error(`dataset file version ${version} is not supported (expected ${VERSION})`);
  const headerLength = dv.getUint32(8, true);
  if (12 + headerLength > bytes.length)
    throw new Error(`dataset header runs past the end of the file (${headerLength} bytes)`);
  const header = readHeader(bytes.subarray(12, 12 + headerLength));
  const count = header.train + header.test;
  const pixelBytes = count * header.channels * header.height * header.width;
  const start = 12 + headerLength;
  if (bytes.length !== start + pixelBytes + count) {
    throw new Error(
      `dataset file is ${bytes.length} bytes; its header describes ${start + pixelBytes + count} (${count} images of ${header.channels}×${header.height}×${header.width})`,
    );
  }
  const pixels = bytes.slice(start, start + pixelBytes);
  const labels = bytes.slice(start + pixelBytes);
  const bad = labels.findIndex((l) => l >= header.classes.length);
  if (bad >= 0)
    throw new Error(`label ${labels[bad]} of image ${bad} is not below the ${header.classes.length} classes`);
  return { ...header, pixels, labels };
}
