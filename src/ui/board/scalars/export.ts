// Scalar downloads: TensorBoard's per-run CSV (`Wall time,Step,Value`) and JSON
// (`[[wall_time, step, value], …]`), and the bulk export of every run and tag.
import { writeZip } from '../../../core/formats/zip.ts';
import { safeSegment, uniqueSegment } from '../../../core/formats/archive-path.ts';
import { toJsonNumber, type JsonNumber } from '../../../db/run-file.ts';
import type { Series } from './series-data.ts';

/** Python's float repr for the non-finite values (what TensorBoard's csv writer prints). */
function csvNumber(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return String(v);
}

/** Every point of the series, TensorBoard's CSV columns, one row per step. */
export function seriesCsv(s: Series): string {
  let out = 'Wall time,Step,Value\n';
  for (let i = 0; i < s.length; i++) out += `${csvNumber(s.walls[i])},${s.steps[i]},${csvNumber(s.values[i])}\n`;
  return out;
}

export function seriesRows(s: Series): [number, number, JsonNumber][] {
  const rows: [number, number, JsonNumber][] = new Array(s.length);
  for (let i = 0; i < s.length; i++) rows[i] = [s.walls[i], s.steps[i], toJsonNumber(s.values[i])];
  return rows;
}

/** TensorBoard's JSON download; non-finite values as "NaN"/"Infinity"/"-Infinity" so it stays JSON. */
export function seriesJson(s: Series): string {
  return JSON.stringify(seriesRows(s));
}

/** Parses a CSV written by seriesCsv (tests, and anyone checking a download). */
export function parseSeriesCsv(text: string): { wallTime: number; step: number; value: number }[] {
  const lines = text.trim().split('\n');
  if (lines[0] !== 'Wall time,Step,Value') throw new Error(`not a scalar CSV: header is ${JSON.stringify(lines[0])}`);
  const num = (v: string) => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(v));
  return lines.slice(1).map((line) => {
    const [w, s, v] = line.split(',');
    return { wallTime: num(w), step: Number(s), value: num(v) };
  });
}

const safe = (name: string) => name.replace(/[\\/:*?"<>|\s]+/g, '_').replace(/^_+|_+$/g, '') || 'unnamed';

/** TensorBoard's download name: run-<run>-tag-<tag>.csv with path characters replaced. */
export function downloadName(runName: string, tag: string, ext: 'csv' | 'json'): string {
  return `run-${safe(runName)}-tag-${safe(tag)}.${ext}`;
}

export interface ExportRun {
  id: string;
  name: string;
  series: Series[];
}

/** One JSON of every run and tag: { runs: [{ id, name, tags: { tag: [[wall, step, value], …] } }] }. */
export function bulkJson(runs: ExportRun[]): string {
  return JSON.stringify({
    format: 'layerboard-scalars',
    version: 1,
    exported: new Date().toISOString(),
    columns: ['wall_time', 'step', 'value'],
    runs: runs.map((r) => ({
      id: r.id,
      name: r.name,
      tags: Object.fromEntries(r.series.map((s) => [s.tag, seriesRows(s)])),
    })),
  });
}

/**
 * A zip with one CSV per run and tag: <run>/<tag>.csv (tag slashes become folders). Every
 * segment is made safe (archive-path.ts); names that collide after that get ' (2)' …
 */
export async function bulkCsvZip(runs: ExportRun[]): Promise<Uint8Array> {
  const encoder = new TextEncoder();
  const folders = new Set<string>();
  const entries = [];
  for (const r of runs) {
    const folder = uniqueSegment(safeSegment(r.name, 'run'), folders);
    const files = new Set<string>();
    for (const s of r.series) {
      // The last segment keeps room for ' (n)' and '.csv' within the segment bound.
      // A tag nested deeper than 8 levels stays one (clipped, hashed) file name.
      const segments = s.tag.split('/').length > 8 ? [s.tag] : s.tag.split('/');
      const parts = segments.map((p, i) => safeSegment(p, 'unnamed', i === segments.length - 1 ? 106 : undefined));
      const path = uniqueSegment(parts.join('/'), files);
      entries.push({ name: `${folder}/${path}.csv`, data: encoder.encode(seriesCsv(s)) });
    }
  }
  return writeZip(entries, { compress: true });
}
