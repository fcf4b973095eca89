// CSV (RFC 4180) and tables of numbers for MLPs: quotes, errors naming row and column,
// class labels from text, regression targets, the seeded split and standardization with
// the train split's statistics only.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { parseCsv } from '../../src/core/formats/csv.ts';
import { csvColumns, tabularFromCsv } from '../../src/core/formats/tabular.ts';
import { decodeLbds, encodeLbds } from '../../src/core/formats/lbds.ts';

test('parseCsv reads quoted fields with commas, doubled quotes and line breaks, CRLF and a BOM', () => {
  const text = '\ufeffa,"b, c","say ""hi"""\r\n1,"two\nlines",3\r\n"",x,\n';
  expect(parseCsv(text)).toEqual([
    ['a', 'b, c', 'say "hi"'],
    ['1', 'two\nlines', '3'],
    ['', 'x', ''],
  ]);
  expect(parseCsv('a,b')).toEqual([['a', 'b']]);
});

test('parseCsv names the line of a broken quote', () => {
  expect(() => parseCsv('a,b\n1,"open\n2,3')).toThrow(/line 2: a quoted field is never closed/);
  expect(() => parseCsv('a,b\n1,x"y')).toThrow(/line 2: a quote inside an unquoted field/);
  expect(() => parseCsv('a,b\n"1"x,2')).toThrow(/line 2: text after a closing quote/);
});

const rows = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('\n');

test('classification: text labels become classes in order of appearance; the split is seeded and complete', () => {
  const csv = `x1,x2,kind\n${rows(20, (i) => `${i},${i * 2},${i % 2 ? '"odd, really"' : 'even'}`)}`;
  const t = tabularFromCsv(csv, { label: 'kind', task: 'classification', standardize: false });
  expect(t.table.features).toEqual(['x1', 'x2']);
  expect(t.classes).toEqual(['even', 'odd, really']);
  expect([t.train, t.test]).toEqual([16, 4]);
  // every row is there once, with its label
  const seen = Array.from({ length: 20 }, (_, r) => [
    t.values[r * 2],
    t.values[r * 2 + 1],
    (t.targets ?? t.labels)[r],
  ]).sort((a, b) => a[0] - b[0]);
  expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => [i, i * 2, i % 2]));
  expect(seen.map((s) => s[0])).not.toEqual(Array.from(t.values.filter((_, k) => k % 2 === 0))); // shuffled
  const again = tabularFromCsv(csv, { label: 'kind', task: 'classification', standardize: false });
  expect(again.values).toEqual(t.values);
  const other = tabularFromCsv(csv, { label: 'kind', task: 'classification', standardize: false, seed: 1 });
  expect(other.values).not.toEqual(t.values);
});

test('standardization uses the train split only: train features have mean 0 and std 1, test ones need not', () => {
  const csv = `a,b,y\n${rows(50, (i) => `${i * i},${10 + (i % 7)},${i * 0.5}`)}`;
  const t = tabularFromCsv(csv, { label: 'y', task: 'regression', standardize: true });
  expect(t.classes).toEqual([]);
  for (let j = 0; j < 2; j++) {
    const col = Array.from({ length: t.train }, (_, r) => t.values[r * 2 + j]);
    const mean = col.reduce((a, b) => a + b, 0) / col.length;
    const std = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length);
    expect(mean).toBeCloseTo(0, 5);
    expect(std).toBeCloseTo(1, 5);
  }
  // the recorded statistics map the stored values back to the file's
  const raw = (r: number, j: number) =>
    t.values[r * 2 + j] * t.table.standardization!.std[j] + t.table.standardization!.mean[j];
  for (let r = 0; r < 50; r++) {
    const i = Math.round((t.targets ?? t.labels)[r] / 0.5);
    expect(raw(r, 0)).toBeCloseTo(i * i, 2);
    expect(raw(r, 1)).toBeCloseTo(10 + (i % 7), 4);
  }
});

test('bad cells and tables are named by row and column', () => {
  const head = 'a,b,label\n';
  const ok = rows(12, (i) => `${i},${i},c${i % 3}`);
  const bad = (text: string, re: RegExp, task: 'classification' | 'regression' = 'classification') =>
    expect(() => tabularFromCsv(text, { label: 'label', task, standardize: false })).toThrow(re);
  bad(`${head}${ok}\n1,abc,c1`, /row 14, column 'b': 'abc' is not a number/);
  bad(`${head}${ok}\n1,,c1`, /row 14, column 'b': missing value/);
  bad(`${head}${ok}\n1,NA,c1`, /row 14, column 'b': missing value 'NA'/);
  bad(`${head}${ok}\n1,2`, /row 14: 2 fields, but the header has 3 columns/);
  bad(
    `${head}${ok}`,
    /row 2, column 'label': 'c0' is not a number \(a text label needs classification\)/,
    'regression',
  );
  bad(`${head}${rows(5, (i) => `${i},${i},x`)}`, /only 5 data rows: at least 10/);
  bad(`${head}${rows(12, (i) => `${i},${i},same`)}`, /single value \('same'\): classification needs 2 or more/);
  expect(() => tabularFromCsv(`${head}${ok}`, { label: 'nope', task: 'regression', standardize: false })).toThrow(
    /no column 'nope' in the header \(the columns are 'a', 'b', 'label'\)/,
  );
  bad('', /the CSV is empty/);
});

test('the example Iris CSV: 150 rows, 4 features, 3 species of 50; its header for the label picker', () => {
  const text = readFileSync(new URL('../../static/datasets/iris.csv', import.meta.url), 'utf8');
  expect(csvColumns(text)).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species']);
  const t = tabularFromCsv(text, { label: 'species', task: 'classification', standardize: true, name: 'iris' });
  expect(t.classes).toEqual(['setosa', 'versicolor', 'virginica']);
  expect([t.train, t.test, t.channels]).toEqual([120, 30, 4]);
  const counts = [0, 1, 2].map((c) => Array.from(t.labels).filter((v) => v === c).length);
  expect(counts).toEqual([50, 50, 50]);
});

test('a table survives the LBDS container (version 2): values, labels, regression targets and its header', () => {
  const csv = `a,b,y\n${rows(30, (i) => `${i},${-i / 3},${i % 4 === 0 ? 'q' : 'r'}`)}`;
  for (const task of ['classification', 'regression'] as const) {
    const text = task === 'regression' ? csv.replace(/,q$/gm, ',1.5').replace(/,r$/gm, ',-2') : csv;
    const t = tabularFromCsv(text, { label: 'y', task, standardize: true, name: 'tiny' });
    const back = decodeLbds(encodeLbds(t));
    expect(back.table).toEqual(t.table);
    expect(back.values).toEqual(t.values);
    expect(back.labels).toEqual(t.labels);
    expect(back.targets).toEqual(t.targets);
    expect([back.channels, back.height, back.width, back.train, back.test]).toEqual([2, 1, 1, 24, 6]);
  }
  const broken = encodeLbds(tabularFromCsv(csv, { label: 'y', task: 'classification', standardize: false }));
  expect(() => decodeLbds(broken.slice(0, -4))).toThrow(/table dataset file is \d+ bytes; its header describes/);
});
