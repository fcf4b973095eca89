// uint8 CHW images (what datasets store) → RGBA ImageData for a canvas: grey for one
// channel, RGB planes for three.
import type { ImageBatch } from '../../worker/data-protocol.ts';

export function imageRgba(
  batch: Pick<ImageBatch, 'channels' | 'height' | 'width'>,
  pixels: Uint8Array,
  k: number,
): Uint8ClampedArray<ArrayBuffer> {
  const { channels: c, height: h, width: w } = batch;
  const plane = h * w,
    base = k * c * plane;
  const out = new Uint8ClampedArray(plane * 4);
  for (let p = 0; p < plane; p++) {
    const r = pixels[base + p];
    out[p * 4] = r;
    out[p * 4 + 1] = c === 3 ? pixels[base + plane + p] : r;
    out[p * 4 + 2] = c === 3 ? pixels[base + 2 * plane + p] : r;
    out[p * 4 + 3] = 255;
  }
  return out;
}

/** Draws image k of a batch into a canvas at its own resolution (CSS scales it up, pixelated). */
export function drawImage(canvas: HTMLCanvasElement, batch: ImageBatch, k: number): void {
  canvas.width = batch.width;
  canvas.height = batch.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.putImageData(new ImageData(imageRgba(batch, new Uint8Array(batch.pixels), k), batch.width, batch.height), 0, 0);
}
