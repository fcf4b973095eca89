// The Compare tab's table: one row per run, one column per hyperparameter and final
// metric (nested config flattened to dotted keys), sortable, differing columns marked.

export type Cell = string | number | boolean | null;

export interface HparamRow {
  runId: string;
  name: string;
  /** 'hparam:<key>' and 'metric:<key>' → value. */
  values: Record<string, Cell>;
}

export interface Column {
  key: string;
  group: 'hparam' | 'metric';
  label: string;
  differs: boolean;
}

/** { optimizer: { name: 'SGD', lr: 0.1 } } → { 'optimizer.name': 'SGD', 'optimizer.lr': 0.1 }. */
export function flatten(obj: Record<string, unknown>, prefix = ''): Record<string, Cell> {
  const out: Record<string, Cell> = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v))
      Object.assign(out, flatten(v as Record<string, unknown>, key));
    else if (Array.isArray(v)) out[key] = JSON.stringify(v);
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) out[key] = v;
  }
  return out;
}

export function hparamRow(
  runId: string,
  name: string,
  hparams: Record<string, unknown>,
  metrics: Record<string, number>,
): HparamRow {
  const values: Record<string, Cell> = {};
  for (const [k, v] of Object.entries(flatten(hparams))) values[`hparam:${k}`] = v;
  for (const [k, v] of Object.entries(metrics)) values[`metric:${k}`] = typeof v === 'number' ? v : null;
  return { runId, name, values };
}

const cellKey = (v: Cell | undefined) => JSON.stringify(v ?? null);

/** Every key of the rows, hyperparameters first then metrics, each group sorted. */
export function columns(rows: HparamRow[]): Column[] {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.values)))];
  const order = (k: string) => (k.startsWith('hparam:') ? 0 : 1);
  keys.sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  return keys.map((key) => {
    const group = key.startsWith('hparam:') ? 'hparam' : 'metric';
    const differs = new Set(rows.map((r) => cellKey(r.values[key]))).size > 1;
    return { key, group, label: key.slice(group.length + 1), differs };
  });
}

/** Numbers by value, text alphabetically, booleans false < true; empty cells always last. */
export function compareCells(a: Cell | undefined, b: Cell | undefined): number {
  const ea = a === null || a === undefined,
    eb = b === null || b === undefined;
  if (ea || eb) return ea === eb ? 0 : ea ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/** Rows sorted by a column ('name' for the run name); empty cells last either way. */
export function sortRows(rows: HparamRow[], key: string, dir: 'asc' | 'desc'): HparamRow[] {
  const get = (r: HparamRow): Cell | undefined => (key === 'name' ? r.name : r.values[key]);
  return [...rows].sort((ra, rb) => {
    const a = get(ra),
      b = get(rb);
    const empty = (v: Cell | undefined) => v === null || v === undefined;
    if (empty(a) || empty(b)) return compareCells(a, b);
    const c = compareCells(a, b);
    return dir === 'asc' ? c : -c;
  });
}
