// LBDS, Layerboard's image-dataset container: a small JSON header then uint8 pixels
// (N×C×H×W, train examples first) and uint8 labels; the whole file gzip-compressed.
// Built-in MNIST ships in it; imported datasets are cached in the same layout.
// A table of numbers (a CSV imported for an MLP) is version 2: its header has `table`,
// channels = the feature count (height = width = 1), no pixels; after the labels come
// float32 values [N, features] and, for regression, float32 targets [N].

export interface LbdsHeader {
  name: string;
  classes: string[];
  channels: number;
  height: number;
  width: number;
  train: number;
  test: number;
  source?: string;
  /** Present for a table of numbers (examples are feature vectors, not images). */
  table?: TableInfo;
}

/** What a table's header says of its columns. */
export interface TableInfo {
  features: string[];
  label: string;
  /** classification: labels index `classes`; regression: `targets` hold the label values (classes is []). */
  task: 'classification' | 'regression';
  /** The train split's per-feature mean and std the values were standardized with, or null. */
  standardization: { mean: number[]; std: number[] } | null;
}

export interface ImageDataset extends LbdsHeader {
  /** uint8 pixels, [train + test, C, H, W] (empty for a table). */
  pixels: Uint8Array;
  /** Class indices (all 0 for a regression table). */
  labels: Uint8Array;
  /** A table's float32 feature values, [train + test, features]. */
  values?: Float32Array;
  /** A regression table's float32 targets, [train + test]. */
  targets?: Float32Array;
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
  // a regression table has no classes (its labels are all 0 and count for none)
  if (ds.classes.length > 0) for (let i = 0; i < ds.train + ds.test; i++) (i < ds.train ? train : test)[ds.labels[i]]++;
  return { train, test };
}

/** The header of a dataset (its pixels and labels left out). */
export function headerOf(ds: ImageDataset): LbdsHeader {
  const { pixels: _pixels, labels: _labels, values: _values, targets: _targets, ...header } = ds;
  return header;
}

export function datasetInfo(ds: ImageDataset): DatasetInfo {
  return { ...headerOf(ds), counts: classCounts(ds) };
}

const MAGIC = [0x4c, 0x42, 0x44, 0x53]; // 'LBDS'
const VERSION = 1;

const TABLE_VERSION = 2;

/** A float32 array's bytes, little-endian (as every platform the app runs on stores them). */
const bytesOf = (a: Float32Array | undefined) =>
  a ? new Uint8Array(a.buffer, a.byteOffset, a.byteLength) : new Uint8Array(0);

export function encodeLbds(ds: ImageDataset): Uint8Array {
  const { pixels, labels } = ds;
  const values = bytesOf(ds.values),
    targets = bytesOf(ds.targets);
  const json = new TextEncoder().encode(JSON.stringify(headerOf(ds)));
  const out = new Uint8Array(12 + json.length + pixels.length + labels.length + values.length + targets.length);
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  dv.setUint32(4, ds.table ? TABLE_VERSION : VERSION, true);
  dv.setUint32(8, json.length, true);
  let at = 12;
  for (const part of [json, pixels, labels, values, targets]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The float32 values (and regression targets) after a table's labels. */
function tableArrays(bytes: Uint8Array, at: number, header: LbdsHeader): Pick<ImageDataset, 'values' | 'targets'> {
  const count = header.train + header.test,
    n = count * header.channels;
  const regression = header.table!.task === 'regression';
  const want = at + 4 * n + (regression ? 4 * count : 0);
  if (bytes.length !== want)
    throw new Error(
      `table dataset file is ${bytes.length} bytes; its header describes ${want} (${count} rows of ${header.channels} features)`,
    );
  const floats = new Float32Array(bytes.slice(at).buffer);
  return { values: floats.subarray(0, n), ...(regression && { targets: floats.subarray(n) }) };
}

/** Decodes an uncompressed LBDS buffer; errors say what is wrong and where. */
export function decodeLbds(bytes: Uint8Array): ImageDataset {
  if (bytes.length < 12 || MAGIC.some((b, i) => bytes[i] !== b))
    throw new Error('not a Layerboard dataset file (no LBDS signature)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(4, true);
  if (version !== VERSION && version !== TABLE_VERSION)
    throw new Error(`dataset file version ${version} is not supported (expected ${VERSION} or ${TABLE_VERSION})`);
  const headerLength = dv.getUint32(8, true);
  if (12 + headerLength > bytes.length)
    throw new Error(`dataset header runs past the end of the file (${headerLength} bytes)`);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as LbdsHeader;
  const count = header.train + header.test;
  if ((version === TABLE_VERSION) !== Boolean(header.table))
    throw new Error(`dataset file version ${version} ${header.table ? 'cannot hold' : 'must hold'} a table`);
  const pixelBytes = header.table ? 0 : count * header.channels * header.height * header.width;
  const start = 12 + headerLength;
  if (header.table) {
    const labels = bytes.slice(start, start + count);
    const badLabel = header.table.task === 'classification' ? labels.findIndex((l) => l >= header.classes.length) : -1;
    if (badLabel >= 0)
      throw new Error(`label ${labels[badLabel]} of row ${badLabel} is not below the ${header.classes.length} classes`);
    return { ...header, pixels: new Uint8Array(0), labels, ...tableArrays(bytes, start + count, header) };
  }
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
