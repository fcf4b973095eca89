// torchvision's make_grid for the images a run logs (add_image): up to `nrow` tiles per
// row, `padding` black pixels around each, values scaled to 0…255 by their min and max
// (normalize=True; per tile with scaleEach, as filters are shown). Grey (1 channel) and
// RGB (3) tiles keep their channels; any other count is averaged to grey.
import type { Pixels } from '../formats/png.ts';

/** `count` images [C, H, W] back to back, channels-first as tensors hold them. */
export interface ImageStack {
  data: ArrayLike<number>;
  count: number;
  channels: number;
  height: number;
  width: number;
}

export interface GridOptions {
  nrow?: number;
  padding?: number;
  /** Scale each tile by its own min and max (make_grid's scale_each). */
  scaleEach?: boolean;
  /** At most this many tiles (the first ones). */
  limit?: number;
}

/** One tile's values as grey or RGB planes (channels other than 1 or 3 averaged). */
function tilePlanes(s: ImageStack, i: number): Float64Array[] {
  const plane = s.height * s.width,
    base = i * s.channels * plane;
  const read = (c: number) => Float64Array.from({ length: plane }, (_, p) => s.data[base + c * plane + p]);
  if (s.channels === 1 || s.channels === 3) return Array.from({ length: s.channels }, (_, c) => read(c));
  const mean = new Float64Array(plane);
  for (let c = 0; c < s.channels; c++) {
    const values = read(c);
    for (let p = 0; p < plane; p++) mean[p] += values[p] / s.channels;
  }
  return [mean];
}

function range(planes: Float64Array[][]): [number, number] {
  let lo = Infinity,
    hi = -Infinity;
  for (const tile of planes)
    for (const plane of tile)
      for (const v of plane) {
        if (!Number.isFinite(v)) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
  return Number.isFinite(lo) ? [lo, hi] : [0, 1];
}

export function imageGrid(stack: ImageStack, options: GridOptions = {}): Pixels {
  const { nrow = 8, padding = 2, scaleEach = false, limit = Infinity } = options;
  const n = Math.min(stack.count, limit);
  if (n < 1) throw new Error('an image grid needs at least one image');
  const tiles = Array.from({ length: n }, (_, i) => tilePlanes(stack, i));
  const channels = tiles[0].length as 1 | 3;
  const whole = range(tiles);
  const cols = Math.min(nrow, n),
    rows = Math.ceil(n / cols);
  const { height: h, width: w } = stack;
  const width = cols * (w + padding) + padding,
    height = rows * (h + padding) + padding;
  const data = new Uint8Array(width * height * channels);
  tiles.forEach((planes, i) => {
    const [lo, hi] = scaleEach ? range([planes]) : whole;
    const scale = hi > lo ? 255 / (hi - lo) : 0;
    const x0 = (i % cols) * (w + padding) + padding,
      y0 = Math.floor(i / cols) * (h + padding) + padding;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let c = 0; c < channels; c++) {
          const v = planes[c][y * w + x];
          const byte = Number.isFinite(v) ? Math.round((v - lo) * scale) : 0;
          data[((y0 + y) * width + x0 + x) * channels + c] = Math.max(0, Math.min(255, byte));
        }
  });
  return { width, height, channels, data };
}
