// The HParams dashboard's filters, as TensorBoard's filter panel has them: a numeric
// column keeps the runs within [min, max] (either end open), a column of other values
// keeps the runs whose value is ticked. Runs filtered out leave the table, the parallel
// coordinates and the scatter alike.
import { compareCells, type Cell, type HparamRow } from '../compare/hparams-table.ts';

export interface RangeFilter {
  kind: 'range';
  min: number | null;
  max: number | null;
}
/** Values unticked (by label): values that appear later start ticked. */
export interface ValuesFilter {
  kind: 'values';
  hidden: string[];
}
export type ColumnFilter = RangeFilter | ValuesFilter;
/** Column key ('hparam:lr', 'metric:loss/train') → its filter. */
export type HparamFilters = Record<string, ColumnFilter>;

export type ColumnDomain = { kind: 'numeric'; min: number; max: number } | { kind: 'discrete'; values: string[] };

const isEmpty = (v: Cell | undefined): v is null | undefined => v === null || v === undefined;

/** What a checkbox calls a value; a run without the column has '(none)'. */
export function valueLabel(v: Cell | undefined): string {
  return isEmpty(v) ? '(none)' : String(v);
}

/** Numeric when every value present is a number (the range of them), else the distinct values, sorted. */
export function columnDomain(rows: HparamRow[], key: string): ColumnDomain {
  const present = rows.map((r) => r.values[key]).filter((v): v is Exclude<Cell, null> => !isEmpty(v));
  if (present.length > 0 && present.every((v) => typeof v === 'number')) {
    const ns = present as number[];
    return { kind: 'numeric', min: Math.min(...ns), max: Math.max(...ns) };
  }
  const cells = [...new Map(rows.map((r) => [valueLabel(r.values[key]), r.values[key]])).values()];
  cells.sort((a, b) => compareCells(a, b));
  return { kind: 'discrete', values: cells.map(valueLabel) };
}

/** Whether one run passes every filter; a range filter with a bound drops runs without a number there. */
export function passes(row: HparamRow, filters: HparamFilters): boolean {
  return Object.entries(filters).every(([key, f]) => {
    const v = row.values[key];
    if (f.kind === 'values') return !f.hidden.includes(valueLabel(v));
    if (f.min === null && f.max === null) return true;
    return typeof v === 'number' && (f.min === null || v >= f.min) && (f.max === null || v <= f.max);
  });
}

/** The filters without the ones that keep everything (an open range, nothing unticked). */
export function activeFilters(filters: HparamFilters): HparamFilters {
  return Object.fromEntries(
    Object.entries(filters).filter(([, f]) =>
      f.kind === 'range' ? f.min !== null || f.max !== null : f.hidden.length,
    ),
  );
}
