// The viewport a freshly opened model gets: the whole graph when it fits at a readable
// zoom, else the top of the chain (the Input) at that zoom, centred horizontally.
import type { Viewport } from '@xyflow/svelte';
import { NODE_HEIGHT, NODE_WIDTH, type XY } from '../../core/editor/graph-model.ts';

const MIN_READABLE_ZOOM = 0.8;
const PAD = 32;
/** Room at the top for the toolbar and the problem banner. */
const TOP = 76;

export function readableView(nodes: readonly { position: XY }[], width: number, height: number): Viewport {
  if (nodes.length === 0) return { x: width / 2, y: TOP, zoom: 1 };
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const { position: p } of nodes) {
    [x0, y0, x1, y1] = [Math.min(x0, p.x), Math.min(y0, p.y), Math.max(x1, p.x), Math.max(y1, p.y)];
  }
  const box = { x: x0, y: y0, w: x1 + NODE_WIDTH - x0, h: y1 + NODE_HEIGHT - y0 };
  const fit = Math.min(1, (width - 2 * PAD) / box.w, (height - TOP - PAD) / box.h);
  const zoom = Math.max(fit, MIN_READABLE_ZOOM);
  const x = width / 2 - (box.x + box.w / 2) * zoom;
  // Fits: centred vertically; too tall: the Input at the top, the rest a scroll away.
  const y = fit >= MIN_READABLE_ZOOM ? TOP + (height - TOP - PAD) / 2 - (box.y + box.h / 2) * zoom : TOP - box.y * zoom;
  return { x, y, zoom };
}
