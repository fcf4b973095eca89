// The HParams plots' axes: a linear scale for a numeric column, evenly spaced points for
// any other, both over every run (filtering never rescales an axis).
import { scaleLinear, scalePoint } from 'd3';
import { compareCells, type Cell, type HparamRow } from '../compare/hparams-table.ts';

/** The parallel coordinates' box (the scatter reuses its height and margins). */
export const PLOT = { W: 900, H: 260, M: { top: 26, bottom: 16, left: 30, right: 30 } } as const;

/** Maps a column's value to y in [bottom, top]; a value it cannot place gives NaN. */
export function axisScale(
  rows: HparamRow[],
  key: string,
  bottom: number,
  top: number,
): (v: Cell | undefined) => number {
  const vals = rows.map((r) => r.values[key]).filter((v): v is Cell => v !== null && v !== undefined);
  if (vals.every((v) => typeof v === 'number')) {
    const ns = vals as number[];
    const lo = Math.min(...ns),
      hi = Math.max(...ns);
    const s = scaleLinear()
      .domain([lo, hi === lo ? lo + 1 : hi])
      .range([bottom, top]);
    return (v) => (typeof v === 'number' ? s(v) : NaN);
  }
  const cats = [...new Set(vals.map(String))].sort((a, b) => compareCells(a, b));
  const s = scalePoint<string>().domain(cats).range([bottom, top]).padding(0.5);
  return (v) => (v === null || v === undefined ? NaN : (s(String(v)) ?? NaN));
}

/** The value at y on a numeric axis of [min, max] drawn over [bottom, top] (inverse of axisScale). */
export function valueAt(y: number, min: number, max: number, bottom: number, top: number): number {
  const hi = max === min ? min + 1 : max;
  return min + ((bottom - y) / (bottom - top)) * (hi - min);
}
