// `layerboard inspect --logdir`: runs by folder with tags, kinds, step ranges and counts,
// damaged files with the byte offset; and the stream reader a live logdir uses.
import { describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { encodeHistogramValue, histogramOf, writeEventFile } from '../../src/core/formats/tfevents/index.ts';
import { EventStream } from '../../src/core/formats/tfevents/stream.ts';
import { inspectLogdir } from '../../src/cli/inspect.ts';

function logdir(): string {
  const root = mkdtempSync(join(tmpdir(), 'inspect-'));
  mkdirSync(join(root, 'a'));
  mkdirSync(join(root, 'b'));
  const t0 = 1700000000;
  writeFileSync(
    join(root, 'a', 'events.out.tfevents.1.h'),
    writeEventFile(
      {
        scalars: [0, 1, 2].map((s) => ({ tag: 'loss', step: s, wallTime: t0 + s, value: 1 / (s + 1) })),
        summaries: [
          {
            tag: 'w',
            step: 4,
            wallTime: t0 + 4,
            kind: 'histogram',
            value: encodeHistogramValue('w', histogramOf([1, 2, 3])),
          },
        ],
      },
      t0,
    ),
  );
  const good = writeEventFile([{ tag: 'acc', step: 7, wallTime: t0, value: 0.5 }], t0);
  writeFileSync(join(root, 'b', 'events.out.tfevents.2.h'), Buffer.concat([good, Buffer.from([1, 2, 3])]));
  return root;
}

describe('inspect --logdir', () => {
  test('tags, kinds, step ranges and counts per run; a damaged file with its offset', async () => {
    const root = logdir();
    const runs = await inspectLogdir(root);
    expect(runs.map((r) => r.run)).toEqual(['a', 'b']);
    expect(runs[0].tags).toEqual([
      { tag: 'w', kind: 'histogram', count: 1, firstStep: 4, lastStep: 4 },
      { tag: 'loss', kind: 'scalar', count: 3, firstStep: 0, lastStep: 2 },
    ]);
    expect(runs[1].damaged).toEqual([
      { file: 'b/events.out.tfevents.2.h', offset: expect.any(Number), message: expect.stringContaining('truncated') },
    ]);
    // the command prints the same as JSON, and exits 1 because a file is damaged
    const cli = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'inspect', '--logdir', root, '--json'],
      { encoding: 'utf8' },
    );
    expect(cli.status).toBe(1);
    expect((JSON.parse(cli.stdout) as { runs: unknown[] }).runs).toEqual(JSON.parse(JSON.stringify(runs)));
  }, 60_000);

  test('a growing file read in pieces gives each event once, a split record when complete', () => {
    const bytes = writeEventFile(
      [0, 1, 2, 3].map((s) => ({ tag: 'x', step: s, wallTime: s, value: s })),
      0,
    );
    const stream = new EventStream();
    const steps: number[] = [];
    for (let i = 0; i < bytes.length; i += 7)
      for (const e of stream.push(bytes.subarray(i, i + 7)))
        for (const v of e.values) steps.push(e.step + v.scalar! * 0);
    expect(steps).toEqual([0, 1, 2, 3]);
    expect(stream.consumed).toBe(bytes.length);
    expect(stream.problem).toBeNull();
  });
});
