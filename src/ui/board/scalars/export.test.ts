import { describe, expect, test } from 'vitest';
import { readZip } from '../../../core/formats/zip.ts';
import { Series } from './series-data.ts';
import { bulkCsvZip, bulkJson, downloadName, parseSeriesCsv, seriesCsv, seriesJson } from './export.ts';

function series(tag = 'loss/train'): Series {
  const s = new Series('r1', tag);
  s.append([
    { step: 0, wallTime: 1764170001.25, value: 2.302585092994046 },
    { step: 10, wallTime: 1764170002.5, value: 0.1 + 0.2 },
    { step: 20, wallTime: 1764170003, value: NaN },
    { step: 30, wallTime: 1764170004, value: -Infinity },
  ]);
  return s;
}

describe('scalar downloads', () => {
  test("CSV has TensorBoard's columns and every value exactly", () => {
    const csv = seriesCsv(series());
    expect(csv).toBe(
      'Wall time,Step,Value\n1764170001.25,0,2.302585092994046\n1764170002.5,10,0.30000000000000004\n1764170003,20,nan\n1764170004,30,-inf\n',
    );
    const back = parseSeriesCsv(csv);
    expect(back.map((r) => r.value)).toEqual([2.302585092994046, 0.30000000000000004, NaN, -Infinity]);
  });

  test('JSON is [[wall, step, value], …] and stays valid JSON with NaN', () => {
    expect(JSON.parse(seriesJson(series()))).toEqual([
      [1764170001.25, 0, 2.302585092994046],
      [1764170002.5, 10, 0.30000000000000004],
      [1764170003, 20, 'NaN'],
      [1764170004, 30, '-Infinity'],
    ]);
  });

  test('file names follow TensorBoard with path characters replaced', () => {
    expect(downloadName('lr 0.1/adam', 'loss/train', 'csv')).toBe('run-lr_0.1_adam-tag-loss_train.csv');
  });

  test('bulk JSON holds every run and tag; the CSV zip one file per run and tag', async () => {
    const runs = [
      { id: 'r1', name: 'a', series: [series(), series('lr')] },
      { id: 'r2', name: 'a', series: [series()] },
    ];
    const json = JSON.parse(bulkJson(runs));
    expect(json.runs.map((r: { name: string }) => r.name)).toEqual(['a', 'a']);
    expect(Object.keys(json.runs[0].tags)).toEqual(['loss/train', 'lr']);
    const entries = await readZip(await bulkCsvZip(runs));
    expect(entries.map((e) => e.name)).toEqual(['a/loss/train.csv', 'a/lr.csv', 'a (2)/loss/train.csv']);
    expect(new TextDecoder().decode(entries[0].data)).toBe(seriesCsv(series()));
  });
});
