// Every zip we write keeps hostile run, tag and class names inside the extraction folder:
// the shared segment sanitizer, the writer's refusals, the reader's refusals, and each
// exporter (logdir, CSV, PyTorch project) extracted by Python's zipfile and by a naive
// extractor that joins names onto the target folder as a careless script would.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { entryNameProblem, safeSegment, stableHash, MAX_SEGMENT_BYTES } from '../../src/core/formats/archive-path.ts';
import { readZip, readZipArchive, writeZip, ZipNameError } from '../../src/core/formats/zip.ts';
import { createDatabase, type LayerboardDB } from '../../src/db/schema.ts';
import { RunRepository } from '../../src/db/runs.ts';
import { SummaryWriter } from '../../src/db/summary-writer.ts';
import { logdirZip } from '../../src/db/tfevents-exchange.ts';
import { bulkCsvZip } from '../../src/ui/board/scalars/export.ts';
import { Series } from '../../src/ui/board/scalars/series-data.ts';
import { projectEntries } from '../../src/ui/train/exports.ts';
import { defaultTrainingConfig } from '../../src/core/run/training-config.ts';
import { templateDocument } from '../../src/core/model/templates.ts';
import type { RunRecord } from '../../src/db/schema.ts';
import { newModelDocument } from '../../src/core/model/model-json.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const PYTHON = '/usr/bin/python3';
const hasPython = (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import zipfile']);
    return true;
  } catch {
    return false;
  }
})();

/** Names an attacker or a careless user could give a run or a tag. */
const HOSTILE = [
  '..',
  ' ..',
  '.',
  '...',
  '../../escaped',
  '..\\..\\escaped',
  '/etc/passwd',
  '\\\\server\\share',
  'C:\\Windows\\x',
  'C:x',
  'a/../../b',
  'nul',
  'CON.txt',
  'tab\there',
  'new\nline',
  'nul\u0000byte',
  'rtl\u202eexe.txt',
  ' spaced ',
  '.hidden',
  'é'.repeat(300),
  'x'.repeat(70_000),
  '',
  '////',
  'ok name',
];

describe('safe path segments', () => {
  test('no separators, dots-only, control characters or device names survive; length is bounded with a stable hash', () => {
    for (const name of HOSTILE) {
      const s = safeSegment(name);
      expect(s, JSON.stringify(name)).not.toMatch(/[/\\\u0000-\u001f:]/);
      expect(s).not.toMatch(/^[.\s]|[.\s]$/);
      expect(s).not.toMatch(/^(con|nul|prn|aux)(\.|$)/i);
      expect(new TextEncoder().encode(s).length).toBeLessThanOrEqual(MAX_SEGMENT_BYTES);
      expect(entryNameProblem(s)).toBeNull();
    }
    expect(safeSegment('..')).toBe('unnamed');
    expect(safeSegment('../../escaped')).toBe('_.._escaped');
    expect(safeSegment('nul')).toBe('_nul');
    const long = 'x'.repeat(70_000);
    expect(safeSegment(long)).toBe(`${'x'.repeat(MAX_SEGMENT_BYTES - 9)}~${stableHash(long)}`);
    expect(safeSegment(`${long}a`)).not.toBe(safeSegment(`${long}b`));
    expect(safeSegment('lr 0.1 · adam')).toBe('lr 0.1 · adam');
  });

  test('entry names that could escape are named for what they are', () => {
    expect(entryNameProblem('../x')).toMatch(/climbs out/);
    expect(entryNameProblem('a/../../x')).toMatch(/climbs out/);
    expect(entryNameProblem('/etc/passwd')).toMatch(/absolute/);
    expect(entryNameProblem('C:/x')).toMatch(/absolute/);
    expect(entryNameProblem('a\\..\\x')).toMatch(/backslash/);
    expect(entryNameProblem('a\u0000b')).toMatch(/control/);
    expect(entryNameProblem('a//b')).toMatch(/empty/);
    expect(entryNameProblem('x'.repeat(70_000))).toMatch(/70000 bytes; zip allows 65535/);
    expect(entryNameProblem('run/events.out.tfevents.1.h')).toBeNull();
  });
});

describe('zip writer and reader refuse unsafe names', () => {
  test('the writer refuses instead of writing a dangerous or corrupt archive', async () => {
    for (const name of ['../x', '/abs', 'a\\b', 'x'.repeat(65_536)]) {
      await expect(writeZip([{ name, data: enc('1') }])).rejects.toThrow(ZipNameError);
    }
    await expect(
      writeZip([
        { name: 'a', data: enc('1') },
        { name: 'a', data: enc('2') },
      ]),
    ).rejects.toThrow('twice');
  });

  test.skipIf(!hasPython)(
    "the reader refuses and reports entries outside the root (an archive made by Python's zipfile)",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'zip-hostile-'));
      execFileSync(PYTHON, [
        '-c',
        `import zipfile
z = zipfile.ZipFile('${dir}/evil.zip', 'w')
for n in ['good/events.out.tfevents.1.h', '../evil.txt', '/abs.txt', 'a/../../up.txt', 'win\\\\..\\\\x.txt']:
    zi = zipfile.ZipInfo(n); z.writestr(zi, b'data')
z.close()`,
      ]);
      const bytes = new Uint8Array(await import('node:fs').then((fs) => fs.readFileSync(join(dir, 'evil.zip'))));
      const { entries, refused } = await readZipArchive(bytes);
      expect(entries.map((e) => e.name)).toEqual(['good/events.out.tfevents.1.h']);
      expect(refused.map((r) => r.name)).toEqual(['../evil.txt', '/abs.txt', 'a/../../up.txt', 'win\\..\\x.txt']);
      await expect(readZip(bytes)).rejects.toThrow(
        'zip entry "../evil.txt" is refused: the path climbs out of the archive (\'..\')',
      );
    },
  );
});

/** Extracts `zip` into <tmp>/deep/target with Python's zipfile and with a naive join; returns every file created anywhere under <tmp>. */
function extractEverywhere(zip: Uint8Array): { python: string[]; naive: string[] } {
  const result = { python: [] as string[], naive: [] as string[] };
  for (const how of ['python', 'naive'] as const) {
    const root = mkdtempSync(join(tmpdir(), `extract-${how}-`));
    const target = join(root, 'deep', 'target');
    mkdirSync(target, { recursive: true });
    writeFileSync(join(root, 'archive.zip'), zip);
    const script =
      how === 'python'
        ? `import zipfile; zipfile.ZipFile('${root}/archive.zip').extractall('${target}')`
        : // The classic zip-slip: trust the names, join them onto the target.
          `import zipfile, os
z = zipfile.ZipFile('${root}/archive.zip')
for n in z.namelist():
    p = os.path.join('${target}', n)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, 'wb').write(z.read(n))`;
    execFileSync(PYTHON, ['-c', script]);
    const walk = (d: string): string[] =>
      readdirSync(d).flatMap((n) =>
        statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [relative(root, join(d, n))],
      );
    result[how] = walk(root).filter((f) => f !== 'archive.zip');
  }
  return result;
}

function expectInsideTarget(zip: Uint8Array, count: number): void {
  const { python, naive } = extractEverywhere(zip);
  for (const files of [python, naive]) {
    expect(files).toHaveLength(count);
    for (const f of files) expect(f.startsWith(join('deep', 'target') + '/'), f).toBe(true);
  }
}

describe.skipIf(!hasPython)('every exporter keeps hostile names inside the extraction folder', () => {
  let db: LayerboardDB;
  beforeEach(() => {
    db = createDatabase('archive-names', { indexedDB: new IDBFactory(), IDBKeyRange });
  });
  afterEach(() => db.close());

  test('logdir .zip: one folder per hostile run name', async () => {
    let n = 0;
    const runs = new RunRepository(db, () => `r${++n}`);
    const ids: string[] = [];
    for (const name of HOSTILE) {
      const run = await runs.create({ projectId: null, name, doc: newModelDocument([4]), config: null });
      const w = new SummaryWriter(db, run.id);
      w.addScalar('../../tag', 1, 0, 1700000000);
      await w.close();
      ids.push(run.id);
    }
    const zip = await logdirZip(db, ids);
    const { entries, refused } = await readZipArchive(zip);
    expect(refused).toEqual([]);
    expect(new Set(entries.map((e) => e.name.split('/')[0].toLowerCase())).size).toBe(HOSTILE.length);
    expectInsideTarget(zip, HOSTILE.length);
  });

  test('scalars CSV .zip: hostile run names and tags', async () => {
    const series = (tag: string) => {
      const s = new Series('r', tag);
      s.append([{ step: 0, wallTime: 1, value: 0.5 }]);
      return s;
    };
    const runs = HOSTILE.map((name, i) => ({
      id: `r${i}`,
      name,
      series: HOSTILE.map(series).concat(series('a/'.repeat(40_000))),
    }));
    const zip = await bulkCsvZip(runs);
    const { entries, refused } = await readZipArchive(zip);
    expect(refused).toEqual([]);
    expect(entries).toHaveLength(HOSTILE.length * (HOSTILE.length + 1));
    expectInsideTarget(zip, HOSTILE.length * (HOSTILE.length + 1));
  });

  test('PyTorch project .zip: the class name is one safe folder; a path as class name is refused', async () => {
    const record = (className: string) =>
      ({
        id: 'r',
        projectId: null,
        name: '../x',
        created: 0,
        ended: 0,
        status: 'finished',
        doc: { ...templateDocument('mlp'), className },
        config: defaultTrainingConfig('cifar10'),
      }) as unknown as RunRecord;
    for (const className of ['CON', 'A'.repeat(300), 'Net']) {
      const entries = await projectEntries(record(className), null, 'http://localhost/');
      expect(entries[0].name.split('/')[0]).toBe(className === 'CON' ? '_CON' : safeSegment(className));
      expectInsideTarget(await writeZip(entries), entries.length);
    }
    for (const className of ['../../Evil', '/abs', '..']) {
      await expect(projectEntries(record(className), null, 'http://localhost/')).rejects.toThrow(
        /className: .* use only ASCII letters, digits and _/,
      );
    }
  });
});
