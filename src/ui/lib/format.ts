// Number and shape formatting for display: tabular, compact where space is tight.
import { formatShape } from '../../core/model/shapes.ts';
import type { Shape } from '../../core/model/types.ts';

// One formatter, made once: toLocaleString builds a new one on every call, which costs
// tens of milliseconds per edit in a 200-row summary.
const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 145578 → '145,578'. */
export function formatInt(n: number): string {
  return INT.format(Math.round(n));
}

/** 145578 → '145.6K', 9_208_000 → '9.21M'. */
export function formatCompact(n: number): string {
  const abs = Math.abs(n);
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [size, unit] of units) {
    if (abs >= size) {
      const v = n / size;
      return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)}${unit}`;
    }
  }
  return String(Math.round(n));
}

/** A shape with the batch left free: 'N×64×4×4'. */
export function shapeText(shape: Shape | null | undefined): string {
  return shape ? formatShape(shape, true) : '—';
}

/** A shape without the batch dimension: '64×4×4'. */
export function featureShapeText(shape: Shape | null | undefined): string {
  return shape ? shape.slice(1).join('×') || '1' : '—';
}

export function formatMB(mb: number): string {
  return mb.toFixed(2);
}

export function timeAgo(then: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - then) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  return new Date(then).toLocaleDateString('en-US', { month: 'short', day: 'numeric' });
}

/** A count that may be unknown (NaN, or null after JSON): graphs imported from TensorBoard have no params or Mult-Adds. */
export function countText(n: number | null, format: (n: number) => string = formatCompact): string {
  return typeof n === 'number' && Number.isFinite(n) ? format(n) : 'unknown';
}

/** A module graph's tensor shape; an empty one is a shape add_graph did not record. */
export function graphShapeText(shape: Shape): string {
  return shape.length ? formatShape(shape) : 'unknown';
}
