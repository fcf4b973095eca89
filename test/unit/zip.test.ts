import { describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, readZip, writeZip } from '../../src/core/formats/zip.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const hasPython = (() => {
  try {
    execFileSync('python3', ['-c', 'import zipfile']);
    return true;
  } catch {
    return false;
  }
})();

describe('zip', () => {
  test('crc32 known vector', () => {
    expect(crc32(enc('123456789'))).toBe(0xcbf43926);
  });
  test('round trip, stored and deflated', async () => {
    const entries = [
      { name: 'a.txt', data: enc('hello '.repeat(100)) },
      { name: 'dir/b.bin', data: Uint8Array.from([1, 2, 3]) },
    ];
    for (const compress of [true, false]) {
      const back = await readZip(await writeZip(entries, { compress }));
      expect(back.map((e) => [e.name, [...e.data]])).toEqual(entries.map((e) => [e.name, [...e.data]]));
    }
  });
  test.skipIf(!hasPython)("Python's zipfile reads our archives and we read its", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zip-'));
    writeFileSync(join(dir, 'ours.zip'), await writeZip([{ name: 'x/y.txt', data: enc('layerboard '.repeat(50)) }]));
    const listed = execFileSync('python3', [
      '-c',
      `import zipfile;z=zipfile.ZipFile('${dir}/ours.zip');print(z.testzip(), z.read('x/y.txt').decode().count('layerboard'))`,
    ])
      .toString()
      .trim();
    expect(listed).toBe('None 50');
    mkdirSync(join(dir, 'cat'));
    execFileSync('python3', [
      '-c',
      `import zipfile;z=zipfile.ZipFile('${dir}/theirs.zip','w',zipfile.ZIP_DEFLATED);z.writestr('cat/1.png', b'\\x89PNG'*300);z.writestr('dog/',b'');z.close()`,
    ]);
    const theirs = await readZip(new Uint8Array(readFileSync(join(dir, 'theirs.zip'))));
    expect(theirs.map((e) => [e.name, e.data.length])).toEqual([['cat/1.png', 1200]]);
  });
  test('damaged archives are refused with the reason', async () => {
    await expect(readZip(enc('not a zip at all, just text'))).rejects.toThrow('not a zip archive');
    const zip = await writeZip([{ name: 'a.txt', data: enc('abc'.repeat(10)) }], { compress: false });
    zip[35] ^= 0xff; // inside a.txt's stored data
    await expect(readZip(zip)).rejects.toThrow("zip entry 'a.txt' fails its CRC-32 check");
  });
});
