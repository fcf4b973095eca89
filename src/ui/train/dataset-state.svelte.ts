// The Train tab's dataset card: which dataset is chosen (built-in MNIST or Fashion-MNIST,
// the imported CIFAR-10, or an imported image folder), what it holds (classes, counts,
// shape), sample images for the preview grid, and imports and first downloads running in
// the data worker with their progress.
import { liveQuery } from 'dexie';
import type { DatasetInfo } from '../../core/formats/lbds.ts';
import type { DatasetId } from '../../core/run/training-config.ts';
import { listDatasets } from '../../db/dataset-store.ts';
import type { DatasetRecord, LayerboardDB } from '../../db/schema.ts';
import type { DataClient } from '../../worker/data-client.ts';
import type { DataReplies, ImageBatch, ImageSource, ImportPhase } from '../../worker/data-protocol.ts';
import type { DatasetRef } from '../../worker/protocol.ts';
import { LiveValue } from '../state/live-query.svelte.ts';

/** The built-in datasets (shipped with the app) and the imported ones. */
export type DatasetChoice =
  { kind: 'mnist' } | { kind: 'fashion-mnist' } | { kind: 'cifar10' } | { kind: 'images'; id: string };
export type DatasetKind = DatasetChoice['kind'];
export const DATASET_TITLES: Record<DatasetKind, string> = {
  mnist: 'MNIST',
  'fashion-mnist': 'Fashion-MNIST',
  cifar10: 'CIFAR-10',
  images: 'Your images',
};

/** Progress of loading the chosen dataset (a first download, or a read from IndexedDB). */
export interface LoadProgress {
  phase: ImportPhase;
  fraction: number;
  detail: string | null;
}

export interface ImportStatus {
  what: string;
  phase: ImportPhase;
  fraction: number;
  detail: string | null;
}

const CHOICE_KEY = 'layerboard.train.dataset';
export const PHASE_TEXT: Record<ImportPhase, string> = {
  download: 'Downloading',
  read: 'Reading',
  decompress: 'Decompressing',
  untar: 'Unpacking',
  validate: 'Checking records',
  unzip: 'Unzipping',
  decode: 'Decoding images',
  save: 'Saving to browser storage',
  load: 'Loading from browser storage',
};

export function choiceKey(c: DatasetChoice): string {
  return c.kind === 'images' ? `images:${c.id}` : c.kind;
}

export function refOf(c: DatasetChoice, baseUrl: string): DatasetRef {
  switch (c.kind) {
    case 'mnist':
    case 'fashion-mnist':
      return { kind: 'builtin', id: c.kind, baseUrl };
    case 'cifar10':
      return { kind: 'stored', id: 'cifar10' };
    case 'images':
      return { kind: 'stored', id: c.id };
    default:
      return c satisfies never;
  }
}

/** The training config's dataset id for a choice. */
export function configIdOf(c: DatasetChoice): DatasetId {
  return c.kind === 'images' ? 'imagefolder' : c.kind;
}

function readChoice(): DatasetChoice {
  try {
    const c = JSON.parse(localStorage.getItem(CHOICE_KEY) ?? 'null') as DatasetChoice | null;
    if (
      c &&
      (c.kind === 'mnist' ||
        c.kind === 'fashion-mnist' ||
        c.kind === 'cifar10' ||
        (c.kind === 'images' && typeof c.id === 'string'))
    )
      return c;
  } catch {
    /* a damaged entry: the default */
  }
  return { kind: 'mnist' };
}

export class DatasetState {
  readonly #data: DataClient;
  readonly #baseUrl: string;
  choice = $state.raw<DatasetChoice>(readChoice());
  /** Facts of the chosen dataset (null while loading or when it is not imported yet). */
  info = $state.raw<DatasetInfo | null>(null);
  preview = $state.raw<ImageBatch | null>(null);
  loading = $state(false);
  loadError = $state<string | null>(null);
  /** Where loading the chosen dataset is (download, decode, IndexedDB), null when not reported. */
  loadProgress = $state.raw<LoadProgress | null>(null);
  importing = $state.raw<ImportStatus | null>(null);
  importError = $state<{ what: string; message: string } | null>(null);
  readonly stored: LiveValue<DatasetRecord[]>;
  #generation = 0;

  constructor(db: LayerboardDB, data: DataClient, baseUrl: string) {
    this.#data = data;
    this.#baseUrl = baseUrl;
    this.stored = new LiveValue<DatasetRecord[]>(
      liveQuery(() => listDatasets(db)),
      [],
    );
  }

  get ref(): DatasetRef {
    return refOf(this.choice, this.#baseUrl);
  }

  /** [C, H, W] of the chosen dataset's images, once known. */
  get inputShape(): number[] | null {
    const i = this.info;
    return i ? [i.channels, i.height, i.width] : null;
  }

  /** The choice is ready to train on. */
  get ready(): boolean {
    return this.info !== null && !this.loading;
  }

  isImported(kind: 'cifar10'): boolean {
    return this.stored.current.some((d) => d.id === kind);
  }

  imageSets(): DatasetRecord[] {
    return this.stored.current.filter((d) => d.kind === 'imagefolder');
  }

  /** Chooses a dataset and loads its facts and preview; resolves with its info (null: not available). */
  async choose(choice: DatasetChoice): Promise<DatasetInfo | null> {
    this.choice = choice;
    localStorage.setItem(CHOICE_KEY, JSON.stringify(choice));
    return this.load();
  }

  /** (Re)loads the chosen dataset's facts and preview images from the data worker. */
  async load(): Promise<DatasetInfo | null> {
    const generation = ++this.#generation;
    const ref = this.ref;
    this.loading = true;
    this.loadError = null;
    this.info = null;
    this.preview = null;
    try {
      const info = await this.#data.request('info', { ref }, (phase, fraction, detail) => {
        if (generation === this.#generation) this.loadProgress = { phase, fraction, detail: detail ?? null };
      });
      const preview = await this.#data.request('preview', { ref, perClass: info.classes.length > 12 ? 2 : 4 });
      if (generation !== this.#generation) return null;
      this.info = info;
      this.preview = preview;
      return info;
    } catch (err) {
      if (generation !== this.#generation) return null;
      const message = err instanceof Error ? err.message : String(err);
      // an import that was never made is not an error, just a dataset to import
      this.loadError = /not in this browser's storage/.test(message) ? null : message;
      return null;
    } finally {
      if (generation === this.#generation) {
        this.loading = false;
        this.loadProgress = null;
      }
    }
  }

  /** Imports CIFAR-10 from the official tarball or its .bin batches; resolves with its choice (null: failed, see importError). */
  importCifar10(files: File[]): Promise<DatasetChoice | null> {
    const list = files.map((file) => ({ name: file.name, file }));
    return this.#import(
      'CIFAR-10',
      () => this.#data.request('import-cifar10', { files: list }, this.#progress('CIFAR-10')),
      { kind: 'cifar10' },
    );
  }

  /** Imports an ImageFolder (a .zip or a folder's files); resolves with its choice. */
  importImages(
    source: ImageSource,
    size: number,
    channels: 1 | 3,
    testFraction: number,
  ): Promise<DatasetChoice | null> {
    const id = `images-${crypto.randomUUID().slice(0, 8)}`;
    const what = source.name || 'images';
    return this.#import(
      what,
      () =>
        this.#data.request(
          'import-images',
          { datasetId: id, source, size, channels, testFraction },
          this.#progress(what),
        ),
      { kind: 'images', id },
    );
  }

  /** Stops the import in progress (it ends with 'the import was cancelled'). */
  async cancelImport(): Promise<void> {
    await this.#data.request('cancel-imports', {});
  }

  /** Deletes an imported dataset (in the data worker: its chunks can be large). */
  async remove(id: string): Promise<void> {
    await this.#data.request('delete', { datasetId: id });
  }

  /** Test images for the prediction gallery (misclassified first, or one confusion cell). */
  gallery(
    ref: DatasetRef,
    predictions: number[],
    count: number,
    only?: { truth: number; predicted: number },
  ): Promise<DataReplies['gallery']> {
    return this.#data.request('gallery', { ref, predictions, count, ...(only && { only }) });
  }

  #progress(what: string) {
    return (phase: ImportPhase, fraction: number, detail?: string) => {
      this.importing = { what, phase, fraction, detail: detail ?? null };
    };
  }

  async #import(
    what: string,
    run: () => Promise<{ datasetId: string }>,
    choice: DatasetChoice,
  ): Promise<DatasetChoice | null> {
    if (this.importing) return null;
    this.importing = { what, phase: 'read', fraction: 0, detail: null };
    this.importError = null;
    try {
      await run();
    } catch (err) {
      this.importError = { what, message: err instanceof Error ? err.message : String(err) };
      return null;
    } finally {
      this.importing = null;
    }
    return choice;
  }
}
