import { describe, expect, test } from 'vitest';
import { groupByClass, loadImageFolder, type ImageDecoder } from '../../src/engine/data/image-folder.ts';

const file = (path: string, value: number) => ({ path, data: Uint8Array.from([value]) });
// A decoder stand-in: every pixel takes the file's single byte as (v, 2v, 3v).
const flat: ImageDecoder = async (f, size) => {
  const out = new Uint8ClampedArray(size * size * 4);
  for (let p = 0; p < size * size; p++) out.set([f.data[0], f.data[0] * 2, f.data[0] * 3, 255], p * 4);
  return out;
};

describe('ImageFolder', () => {
  const files = [
    file('pets/dog/2.png', 5),
    file('pets/cat/1.jpg', 1),
    file('pets/cat/2.JPG', 2),
    file('pets/dog/1.png', 4),
    file('pets/cat/3.png', 3),
    file('pets/.DS_Store', 0),
    file('__MACOSX/pets/cat/._1.jpg', 9),
    file('pets/readme.txt', 0),
  ];
  test('classes are the sorted folder names; junk is skipped', () => {
    const groups = groupByClass(files);
    expect([...groups.keys()]).toEqual(['cat', 'dog']);
    expect(groups.get('cat')!.map((f) => f.path)).toEqual(['pets/cat/1.jpg', 'pets/cat/2.JPG', 'pets/cat/3.png']);
  });
  test('labels, stratified split and RGB planes', async () => {
    const progress: number[] = [];
    const ds = await loadImageFolder(files, flat, {
      size: 2,
      channels: 3,
      testFraction: 0.34,
      onProgress: (d) => progress.push(d),
    });
    expect(ds.classes).toEqual(['cat', 'dog']);
    expect([ds.train, ds.test]).toEqual([3, 2]);
    expect([...ds.labels]).toEqual([0, 0, 1, 0, 1]);
    expect([...ds.pixels.subarray(0, 12)]).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
    expect(progress).toEqual([1, 2, 3, 4, 5]);
  });
  test('grayscale uses luma', async () => {
    const ds = await loadImageFolder(files, flat, { size: 1, channels: 1, testFraction: 0, onProgress: undefined });
    expect(ds.pixels[0]).toBe(Math.round((1 * 299 + 2 * 587 + 3 * 114) / 1000));
  });
  test('errors name the problem and the file', async () => {
    await expect(
      loadImageFolder([file('x/a.png', 1)], flat, { size: 2, channels: 3, testFraction: 0 }),
    ).rejects.toThrow(
      "an ImageFolder needs at least two class folders of images (class_name/*.png|jpg); found only the class 'x'",
    );
    const broken: ImageDecoder = async () => {
      throw new Error('bad PNG signature');
    };
    await expect(loadImageFolder(files, broken, { size: 2, channels: 3, testFraction: 0 })).rejects.toThrow(
      'pets/cat/1.jpg could not be decoded as an image (bad PNG signature)',
    );
  });
});
