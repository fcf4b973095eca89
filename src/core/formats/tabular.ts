// A table of numbers from a CSV for an MLP: a header row, numeric feature columns and one
// label column — class names (any text) for classification, numbers for regression. The
// rows are shuffled (seeded) and split into train and test; standardization scales each
// feature by the train split's mean and standard deviation (the test split never leaks in).
// Every problem names its row and column.
import { CsvError, parseCsv } from './csv.ts';
import type { ImageDataset } from './lbds.ts';

export type TabularTask = 'classification' | 'regression';

export interface TabularOptions {
  /** The label column's name (from the header). */
  label: string;
  task: TabularTask;
  /** (x − mean) / std per feature, with the train split's statistics. */
  standardize: boolean;
  /** Fraction of rows held out as the test split (default 0.2). */
  testFraction?: number;
  /** Seed of the row shuffle before the split (default 0). */
  seed?: number;
  /** The dataset's name (default 'table'). */
  name?: string;
}

/** A table as the dataset container holds it (core/formats/lbds.ts): `table` set, `values` [N, features]. */
export type TabularDataset = ImageDataset & Required<Pick<ImageDataset, 'table' | 'values'>>;

export const TABULAR_LIMITS = { rows: 1_000_000, minRows: 10, classes: 256, features: 4096 } as const;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const MISSING = /^(|na|nan|null|none|\?)$/i;

/** Reads a header row and its records; the label's column index. */
/** A data row: its fields and its number in the file (the header is row 1). */
interface Row {
  cells: string[];
  n: number;
}

function table(text: string, label: string): { header: string[]; rows: Row[]; labelAt: number } {
  const records = parseCsv(text)
    .map((cells, i) => ({ cells, n: i + 1 }))
    .filter((r) => !(r.cells.length === 1 && r.cells[0].trim() === '')); // blank lines are no rows
  if (records.length === 0) throw new CsvError('the CSV is empty: it needs a header row and data rows');
  const header = records[0].cells.map((h) => h.trim());
  const labelAt = header.indexOf(label);
  if (labelAt < 0)
    throw new CsvError(
      `no column '${label}' in the header (the columns are ${header.map((h) => `'${h}'`).join(', ')})`,
    );
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup !== undefined) throw new CsvError(`the header names column '${dup}' twice`);
  if (header.length < 2) throw new CsvError('the CSV needs at least one feature column besides the label');
  if (header.length - 1 > TABULAR_LIMITS.features)
    throw new CsvError(`${header.length - 1} feature columns: at most ${TABULAR_LIMITS.features}`);
  const rows = records.slice(1);
  if (rows.length > TABULAR_LIMITS.rows) throw new CsvError(`${rows.length} rows: at most ${TABULAR_LIMITS.rows}`);
  if (rows.length < TABULAR_LIMITS.minRows)
    throw new CsvError(
      `only ${rows.length} data rows: at least ${TABULAR_LIMITS.minRows} are needed to train and test`,
    );
  return { header, rows, labelAt };
}

/** A seeded Fisher–Yates permutation of 0 … n − 1 (mulberry32). */
function permutation(n: number, seed: number): Int32Array {
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** The column names of a CSV's header row (for the label picker). */
export function csvColumns(text: string): string[] {
  const firstLine = text.slice(0, text.search(/\r?\n|$/) + 1 || undefined);
  return (parseCsv(firstLine.length ? firstLine : text)[0] ?? []).map((h) => h.trim());
}

export function tabularFromCsv(text: string, o: TabularOptions): TabularDataset {
  const { header, rows, labelAt } = table(text, o.label);
  const featureNames = header.filter((_, i) => i !== labelAt);
  const f = featureNames.length,
    n = rows.length;
  const values = new Float32Array(n * f),
    y = new Float32Array(n);
  const classes: string[] = [],
    classIndex = new Map<string, number>();
  rows.forEach(({ cells, n: line }, i) => {
    if (cells.length !== header.length)
      throw new CsvError(`row ${line}: ${cells.length} fields, but the header has ${header.length} columns`);
    let k = 0;
    for (let c = 0; c < cells.length; c++) {
      const cell = cells[c].trim();
      const where = `row ${line}, column '${header[c]}'`;
      if (MISSING.test(cell))
        throw new CsvError(`${where}: missing value${cell ? ` '${cell}'` : ''} (fill it in or remove the row)`);
      if (c === labelAt && o.task === 'classification') {
        let idx = classIndex.get(cell);
        if (idx === undefined) {
          idx = classes.length;
          if (idx >= TABULAR_LIMITS.classes)
            throw new CsvError(
              `${where}: more than ${TABULAR_LIMITS.classes} distinct labels — is it a regression target?`,
            );
          classIndex.set(cell, idx);
          classes.push(cell);
        }
        y[i] = idx;
        continue;
      }
      if (!NUMBER.test(cell) || !Number.isFinite(Number(cell)))
        throw new CsvError(
          `${where}: '${cell.length > 40 ? `${cell.slice(0, 40)}…` : cell}' is not a number${c === labelAt ? ' (a text label needs classification)' : ''}`,
        );
      if (c === labelAt) y[i] = Number(cell);
      else values[i * f + k++] = Number(cell);
    }
  });
  if (o.task === 'classification' && classes.length < 2)
    throw new CsvError(
      `the label column '${o.label}' has a single value ('${classes[0]}'): classification needs 2 or more`,
    );
  const testFraction = o.testFraction ?? 0.2;
  if (!(testFraction > 0 && testFraction < 1))
    throw new CsvError(`testFraction must be in (0, 1), got ${testFraction}`);
  const test = Math.max(1, Math.round(n * testFraction)),
    train = n - test;
  // shuffle, train rows first
  const order = permutation(n, o.seed ?? 0);
  const x = new Float32Array(n * f),
    yy = new Float32Array(n);
  order.forEach((src, dst) => {
    x.set(values.subarray(src * f, src * f + f), dst * f);
    yy[dst] = y[src];
  });
  const standardization = o.standardize ? standardize(x, f, train) : null;
  const classification = o.task === 'classification';
  return {
    name: o.name ?? 'table',
    classes: classification ? classes : [],
    channels: f,
    height: 1,
    width: 1,
    train,
    test,
    table: { features: featureNames, label: o.label, task: o.task, standardization },
    pixels: new Uint8Array(0),
    labels: classification ? Uint8Array.from(yy) : new Uint8Array(n),
    values: x,
    ...(!classification && { targets: yy }),
  };
}

/** Scales every feature in place by the first `train` rows' mean and (population) std; a constant feature is only centered. */
function standardize(x: Float32Array, f: number, train: number): { mean: number[]; std: number[] } {
  const mean = new Array<number>(f).fill(0),
    std = new Array<number>(f).fill(0);
  for (let i = 0; i < train; i++) for (let j = 0; j < f; j++) mean[j] += x[i * f + j] / train;
  for (let i = 0; i < train; i++) for (let j = 0; j < f; j++) std[j] += (x[i * f + j] - mean[j]) ** 2 / train;
  for (let j = 0; j < f; j++) std[j] = Math.sqrt(std[j]) || 1;
  for (let i = 0; i < x.length / f; i++) for (let j = 0; j < f; j++) x[i * f + j] = (x[i * f + j] - mean[j]) / std[j];
  return { mean, std };
}
