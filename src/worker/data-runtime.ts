// The data worker's side of data-protocol.ts, independent of the Worker global so that it
// runs in Node tests: imports (CIFAR-10, ImageFolder) are read, decoded, validated and
// saved to IndexedDB here, never on the UI thread; datasets are cached per reference.
import { CIFAR10_MAX_BYTES, importCifar10 } from '../engine/data/cifar10.ts';
import { IMAGE_ZIP_LIMITS, loadImageFolder, type ImageDecoder, type ImageFile } from '../engine/data/image-folder.ts';
import { datasetInfo, type ImageDataset } from '../core/formats/lbds.ts';
import { readZip } from '../core/formats/zip.ts';
import type { LayerboardDB } from '../db/schema.ts';
import {
  DATA_REQUEST_TYPES,
  refKey,
  type DataEvent,
  type DataReplies,
  type DataRequest,
  type DataRequestType,
  type ImageBatch,
  type ImageSource,
  type ImportPhase,
} from './data-protocol.ts';
import { deleteDataset, loadStoredDataset, saveDataset } from '../db/dataset-store.ts';
import { loadBuiltinDataset } from './builtin-datasets.ts';
import { answer } from './rpc.ts';
import type { BuiltinLoader } from './datasets.ts';
import type { DatasetRef } from './protocol.ts';

export type DataPost = (event: DataEvent, transfer: Transferable[]) => void;
type Report = (phase: ImportPhase, fraction: number, detail?: string) => void;

export interface DataRuntimeDeps {
  db: () => LayerboardDB;
  decode: ImageDecoder;
  /** Tests replace the download + IndexedDB cache of built-in datasets. */
  loadBuiltin?: BuiltinLoader;
}

/** The fixed id of the cached CIFAR-10 import (one per browser; a new import replaces it). */
export const CIFAR10_ID = 'cifar10';
/** Datasets kept in memory (CIFAR-10 is 184 MB, so only a couple). */
const CACHE_SIZE = 2;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

async function readAll(
  files: { name: string; file: Blob }[],
  report: Report,
): Promise<{ name: string; bytes: Uint8Array<ArrayBuffer> }[]> {
  const total = files.reduce((n, f) => n + f.file.size, 0);
  let done = 0;
  const out: { name: string; bytes: Uint8Array<ArrayBuffer> }[] = [];
  for (const f of files) {
    report('read', total ? done / total : 0, `${f.name} (${mb(f.file.size)})`);
    out.push({ name: f.name, bytes: new Uint8Array(await f.file.arrayBuffer()) });
    done += f.file.size;
  }
  report('read', 1, `${mb(total)} read`);
  return out;
}

export class DataRuntime {
  private readonly cache = new Map<string, Promise<ImageDataset>>();
  /** The imports in progress, each stopped by aborting its controller ('cancel-imports'). */
  private readonly imports = new Set<AbortController>();

  constructor(
    private readonly post: DataPost,
    private readonly deps: DataRuntimeDeps,
  ) {}

  handle(msg: unknown): void {
    answer<DataRequest, DataReplies[DataRequestType]>(
      msg,
      DATA_REQUEST_TYPES,
      (r) => this.dispatch(r),
      this.post,
      (result) => ('pixels' in result ? [result.pixels] : []),
    );
  }

  private dispatch(r: DataRequest): Promise<DataReplies[DataRequestType]> {
    const report: Report = (phase, fraction, detail) =>
      this.post({ type: 'progress', requestId: r.id, phase, fraction, ...(detail !== undefined && { detail }) }, []);
    switch (r.type) {
      case 'import-cifar10':
        return this.cancellable((signal) => this.importCifar(r.files, report, signal));
      case 'import-images':
        return this.cancellable((signal) => this.importImages(r, report, signal));
      case 'cancel-imports': {
        const cancelled = this.imports.size;
        for (const c of this.imports) c.abort(new Error('the import was cancelled'));
        return Promise.resolve({ cancelled });
      }
      case 'info':
        return this.dataset(r.ref, report).then(datasetInfo);
      case 'preview':
        return this.dataset(r.ref, report).then((ds) => previewBatch(ds, r.perClass));
      case 'samples':
        return this.dataset(r.ref, report).then((ds) => imageBatch(ds, r.split, r.indices));
      case 'gallery':
        return this.dataset(r.ref, report).then((ds) => galleryBatch(ds, r.predictions, r.count, r.only));
      case 'delete':
        this.cache.delete(`stored:${r.datasetId}`);
        return deleteDataset(this.deps.db(), r.datasetId).then(() => ({ datasetId: r.datasetId }));
      default:
        return r satisfies never;
    }
  }

  private async cancellable<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.imports.add(controller);
    try {
      return await run(controller.signal);
    } finally {
      this.imports.delete(controller);
    }
  }

  private remember(key: string, ds: Promise<ImageDataset>): Promise<ImageDataset> {
    this.cache.delete(key);
    this.cache.set(key, ds);
    while (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    ds.catch(() => this.cache.delete(key));
    return ds;
  }

  private dataset(ref: DatasetRef, report: Report): Promise<ImageDataset> {
    const key = refKey(ref);
    const hit = this.cache.get(key);
    if (hit) return this.remember(key, hit);
    switch (ref.kind) {
      case 'builtin':
        return this.remember(
          key,
          this.deps.loadBuiltin
            ? this.deps.loadBuiltin(ref.id, ref.baseUrl)
            : loadBuiltinDataset(this.deps.db(), ref.id, ref.baseUrl, report),
        );
      case 'stored':
        return this.remember(
          key,
          loadStoredDataset(this.deps.db(), ref.id, (f) => report('load', f)),
        );
      case 'synthetic':
        return Promise.reject(
          new Error(
            'synthetic datasets are made for a model input shape by the engine worker; the data worker does not preview them',
          ),
        );
      default:
        return ref satisfies never;
    }
  }

  private async importCifar(
    files: { name: string; file: Blob }[],
    report: Report,
    signal: AbortSignal,
  ): Promise<DataReplies['import-cifar10']> {
    if (files.length === 0) throw new Error('no files given: pick cifar-10-binary.tar.gz or the six .bin batches');
    // no CIFAR-10 file is bigger than what the whole dataset unpacks to: refused before it is read
    const huge = files.find((f) => f.file.size > CIFAR10_MAX_BYTES);
    if (huge)
      throw new Error(
        `${huge.name} is ${mb(huge.file.size)}, more than the ${mb(CIFAR10_MAX_BYTES)} the whole CIFAR-10 binary version unpacks to: not a CIFAR-10 file`,
      );
    const read = await readAll(files, report);
    signal.throwIfAborted();
    const ds = await importCifar10(read, report, signal);
    signal.throwIfAborted();
    await saveDataset(this.deps.db(), CIFAR10_ID, 'cifar10', ds, {
      onProgress: (f) => report('save', f, `${mb(ds.pixels.length)} into IndexedDB`),
    });
    void this.remember(`stored:${CIFAR10_ID}`, Promise.resolve(ds));
    return { datasetId: CIFAR10_ID, info: datasetInfo(ds) };
  }

  private async importImages(
    r: Extract<DataRequest, { type: 'import-images' }>,
    report: Report,
    signal: AbortSignal,
  ): Promise<DataReplies['import-images']> {
    const files = await imageFiles(r.source, report);
    signal.throwIfAborted();
    const ds = await loadImageFolder(files, this.deps.decode, {
      size: r.size,
      channels: r.channels,
      testFraction: r.testFraction,
      onProgress: (done, total) => {
        signal.throwIfAborted();
        if (done === total || done % 25 === 0) report('decode', done / total, `${fmt(done)} of ${fmt(total)} images`);
      },
    });
    signal.throwIfAborted();
    const named: ImageDataset = { ...ds, name: r.source.name.replace(/\.zip$/i, '') || 'Images' };
    await saveDataset(this.deps.db(), r.datasetId, 'imagefolder', named, { onProgress: (f) => report('save', f) });
    void this.remember(`stored:${r.datasetId}`, Promise.resolve(named));
    return { datasetId: r.datasetId, info: datasetInfo(named) };
  }
}

async function imageFiles(source: ImageSource, report: Report): Promise<ImageFile[]> {
  switch (source.kind) {
    case 'zip': {
      const [zip] = await readAll([{ name: source.name, file: source.file }], report);
      report('unzip', 0);
      const entries = await readZip(zip.bytes, IMAGE_ZIP_LIMITS).catch((e: unknown) => {
        throw new Error(`${source.name}: ${e instanceof Error ? e.message : String(e)}`);
      });
      report('unzip', 1, `${fmt(entries.length)} files`);
      // a zip of one folder ('pets/cat/1.png') and a zip of class folders ('cat/1.png') both work
      return entries.map((e) => ({ path: e.name, data: e.data }));
    }
    case 'files': {
      const out: ImageFile[] = [];
      const total = source.files.length;
      for (let i = 0; i < total; i++) {
        const f = source.files[i];
        out.push({ path: f.path, data: new Uint8Array(await f.file.arrayBuffer()) });
        if ((i + 1) % 50 === 0 || i + 1 === total)
          report('read', (i + 1) / total, `${fmt(i + 1)} of ${fmt(total)} files`);
      }
      return out;
    }
    default:
      return source satisfies never;
  }
}

/** Images `indices` of a split as one uint8 buffer. */
export function imageBatch(ds: ImageDataset, split: 'train' | 'test', indices: number[]): ImageBatch {
  const size = ds.channels * ds.height * ds.width;
  const n = split === 'train' ? ds.train : ds.test,
    base = split === 'train' ? 0 : ds.train;
  const bad = indices.find((i) => !(Number.isInteger(i) && i >= 0 && i < n));
  if (bad !== undefined) throw new Error(`image ${bad} is not in the ${split} split of ${ds.name} (${n} images)`);
  const pixels = new Uint8Array(indices.length * size);
  indices.forEach((i, k) => pixels.set(ds.pixels.subarray((base + i) * size, (base + i + 1) * size), k * size));
  return {
    pixels: pixels.buffer,
    labels: indices.map((i) => ds.labels[base + i]),
    indices: [...indices],
    channels: ds.channels,
    height: ds.height,
    width: ds.width,
  };
}

/** The first `perClass` training images of every class, class by class. */
export function previewBatch(ds: ImageDataset, perClass: number): ImageBatch {
  const picked: number[][] = ds.classes.map(() => []);
  for (let i = 0; i < ds.train && picked.some((p) => p.length < perClass); i++) {
    const p = picked[ds.labels[i]];
    if (p.length < perClass) p.push(i);
  }
  return imageBatch(ds, 'train', picked.flat());
}

/** The gallery's pick of test images: misclassified first, or one (truth, predicted) cell. */
export function galleryBatch(
  ds: ImageDataset,
  predictions: number[],
  count: number,
  only?: { truth: number; predicted: number },
): DataReplies['gallery'] {
  if (predictions.length !== ds.test)
    throw new Error(`${predictions.length} predictions for the ${ds.test} test images of ${ds.name}`);
  const truth = (i: number) => ds.labels[ds.train + i];
  const all = predictions.map((_, i) => i);
  const matching = only
    ? all.filter((i) => truth(i) === only.truth && predictions[i] === only.predicted)
    : all.filter((i) => truth(i) !== predictions[i]);
  const picked = only
    ? matching.slice(0, count)
    : [...matching, ...all.filter((i) => truth(i) === predictions[i])].slice(0, count);
  return { ...imageBatch(ds, 'test', picked), predicted: picked.map((i) => predictions[i]), matching: matching.length };
}
