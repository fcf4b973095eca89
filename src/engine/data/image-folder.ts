// ImageFolder, torchvision's layout: root/class_name/*.png|jpg. Labels are the class
// folders in sorted order, as torchvision assigns them. Decoding and resizing are
// injected (the worker uses createImageBitmap + OffscreenCanvas), so this stays pure.
import type { ImageDataset } from '../../core/formats/lbds.ts';

export interface ImageFile {
  path: string;
  data: Uint8Array;
}

/** Decodes one image and resizes it to size×size, returning RGBA bytes (size·size·4). */
export type ImageDecoder = (file: ImageFile, size: number) => Promise<Uint8ClampedArray>;

export interface ImageFolderOptions {
  size: number;
  channels: 1 | 3;
  /** Fraction of each class held out as the test split (stratified, fixed order). */
  testFraction: number;
  onProgress?: (done: number, total: number) => void;
}

const IMAGE = /\.(png|jpe?g|gif|webp|bmp)$/i;

/**
 * What an ImageFolder zip may unpack to, checked by the sizes its entries declare before
 * any is inflated: one image up to 64 MiB (a 4,000×4,000 PNG with room to spare; images
 * are shrunk to at most 256 px), 2 GiB in all.
 */
export const IMAGE_ZIP_LIMITS = { maxEntryBytes: 64 * 2 ** 20, maxTotalBytes: 2 * 2 ** 30 };

/** class name → its image files; the class is the folder right above the file. */
export function groupByClass(files: ImageFile[]): Map<string, ImageFile[]> {
  const classes = new Map<string, ImageFile[]>();
  for (const file of files) {
    const parts = file.path.split('/').filter((p) => p && p !== '.');
    if (parts.some((p) => p.startsWith('.') || p === '__MACOSX') || !IMAGE.test(file.path)) continue;
    if (parts.length < 2) continue;
    const name = parts[parts.length - 2];
    if (!classes.has(name)) classes.set(name, []);
    classes.get(name)!.push(file);
  }
  return new Map([...classes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export async function loadImageFolder(
  files: ImageFile[],
  decode: ImageDecoder,
  options: ImageFolderOptions,
): Promise<ImageDataset> {
  const { size, channels, testFraction } = options;
  const classes = groupByClass(files);
  if (classes.size < 2) {
    const found = classes.size ? `only the class '${[...classes.keys()][0]}'` : 'no images in class folders';
    throw new Error(`an ImageFolder needs at least two class folders of images (class_name/*.png|jpg); found ${found}`);
  }
  const train: [ImageFile, number][] = [];
  const test: [ImageFile, number][] = [];
  [...classes.values()].forEach((list, label) => {
    const sorted = [...list].sort((a, b) => (a.path < b.path ? -1 : 1));
    const cut = sorted.length - Math.round(sorted.length * testFraction);
    sorted.forEach((f, i) => (i < cut ? train : test).push([f, label]));
  });
  const all = [...train, ...test];
  const plane = size * size;
  const pixels = new Uint8Array(all.length * channels * plane);
  const labels = new Uint8Array(all.length);
  for (let i = 0; i < all.length; i++) {
    const [file, label] = all[i];
    let rgba: Uint8ClampedArray;
    try {
      rgba = await decode(file, size);
    } catch (err) {
      throw new Error(
        `${file.path} could not be decoded as an image (${err instanceof Error ? err.message : String(err)})`,
      );
    }
    writePlanes(rgba, channels, plane, pixels.subarray(i * channels * plane, (i + 1) * channels * plane));
    labels[i] = label;
    options.onProgress?.(i + 1, all.length);
  }
  return {
    name: 'ImageFolder',
    classes: [...classes.keys()],
    channels,
    height: size,
    width: size,
    train: train.length,
    test: test.length,
    source: 'image folder',
    pixels,
    labels,
  };
}

/** RGBA interleaved → channel planes; grayscale by ITU-R 601 luma, as PIL's convert('L'). */
function writePlanes(rgba: Uint8ClampedArray, channels: number, plane: number, out: Uint8Array): void {
  for (let p = 0; p < plane; p++) {
    const r = rgba[p * 4],
      g = rgba[p * 4 + 1],
      b = rgba[p * 4 + 2];
    if (channels === 1) out[p] = Math.round((r * 299 + g * 587 + b * 114) / 1000);
    else {
      out[p] = r;
      out[plane + p] = g;
      out[2 * plane + p] = b;
    }
  }
}
