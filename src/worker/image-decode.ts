// Image decoding for ImageFolder imports in a worker: createImageBitmap decodes and
// resizes (stretching to size×size, as torchvision's Resize((size, size))), an
// OffscreenCanvas hands back the RGBA bytes.
import type { ImageDecoder } from '../engine/data/image-folder.ts';

const MIME: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
};

export function createBitmapDecoder(): ImageDecoder {
  let canvas: OffscreenCanvas | null = null;
  let ctx: OffscreenCanvasRenderingContext2D | null = null;
  return async (file, size) => {
    const ext = file.path.slice(file.path.lastIndexOf('.') + 1).toLowerCase();
    const blob = new Blob([file.data as Uint8Array<ArrayBuffer>], { type: MIME[ext] ?? '' });
    const bitmap = await createImageBitmap(blob, { resizeWidth: size, resizeHeight: size, resizeQuality: 'high' });
    try {
      if (!canvas || canvas.width !== size) {
        canvas = new OffscreenCanvas(size, size);
        ctx = canvas.getContext('2d', { willReadFrequently: true });
        if (!ctx) throw new Error('no 2D canvas in this worker');
      }
      ctx!.clearRect(0, 0, size, size);
      ctx!.drawImage(bitmap, 0, 0, size, size);
      return ctx!.getImageData(0, 0, size, size).data;
    } finally {
      bitmap.close();
    }
  };
}
