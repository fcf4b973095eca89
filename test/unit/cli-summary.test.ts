// `layerboard summary MODEL.json [--input N,C,H,W]`: the table, exit codes, and the
// shape error with its arithmetic and fix.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { runSummary } from '../../src/cli/summary.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLE = join(ROOT, 'examples/cifar10-bs.json');
const dir = mkdtempSync(join(tmpdir(), 'lb-summary-'));

function modelFile(name: string, doc: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return path;
}

let out: string[];
let err: string[];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    out.push(a.join(' '));
  });
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => {
    err.push(a.join(' '));
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('summary command', () => {
  test("the seed model with input 64,3,32,32 prints torchinfo's table", async () => {
    expect(await runSummary([EXAMPLE, '--input', '64,3,32,32'])).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('├─Flatten: 1-7                           [64, 1024]');
    expect(text).toContain('Total params: 145,578');
    expect(text).toContain('Total mult-adds (M): 793.56');
    expect(text).toContain('Forward/backward pass size (MB): 23.11');
    expect(text).toContain('Estimated Total Size (MB): 24.48');
    expect(text.split('\n').filter((l) => l.startsWith('├─'))).toHaveLength(9);
  });
  test('without --input the batch is 1 and the rest comes from the model', async () => {
    expect(await runSummary([EXAMPLE])).toBe(0);
    expect(out.join('\n')).toContain('Sequential                               [1, 10]');
    expect(out.join('\n')).toContain('Input size (MB): 0.01');
  });
  test('--input=… and × separators are accepted', async () => {
    expect(await runSummary([`--input=2×3×32×32`, EXAMPLE])).toBe(0);
    expect(out.join('\n')).toContain('[2, 10]');
  });
  test('a shape error exits 1 with the trace, the arithmetic and the fix', async () => {
    const doc = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
    doc.layers[7].in_features = 1000;
    expect(await runSummary([modelFile('bad.json', doc), '--input', '64,3,32,32'])).toBe(1);
    expect(out).toEqual([]);
    const text = err.join('\n');
    expect(text).toContain('  6 Flatten: 64×1024');
    expect(text).toContain('  7 Linear: cannot run');
    expect(text).toContain(
      'shape error at layer 7 (Linear): Linear(in_features=1000) receives 1024 = 64×4×4 features from Flatten (layer 6)',
    );
    expect(text).toContain('fix: set in_features = 1024');
  });
  test('an input of the wrong size is a shape error too', async () => {
    expect(await runSummary([EXAMPLE, '--input', '8,1,32,32'])).toBe(1);
    expect(err.join('\n')).toContain('Conv2d(in_channels=3) receives 1 channel (input 8×1×32×32) from the input');
  });
  test('an invalid model file lists its problems with JSON paths, exit 1', async () => {
    const path = modelFile('invalid.json', {
      format: 'layerboard-model',
      version: 1,
      input: [3, 8, 8],
      layers: [{ type: 'Conv2d', in_channels: 3, out_channels: 4, kernel_size: 0 }],
    });
    expect(await runSummary([path])).toBe(1);
    expect(err.join('\n')).toMatch(/layers\[0\]\.kernel_size: .*positive integer/);
    expect(await runSummary([modelFile('text.json', 'not json')])).toBe(1);
    expect(await runSummary([join(dir, 'missing.json')])).toBe(1);
    expect(err.join('\n')).toContain('cannot read');
  });
  test('usage errors exit 2', async () => {
    expect(await runSummary([])).toBe(2);
    expect(await runSummary([EXAMPLE, '--input'])).toBe(2);
    expect(await runSummary([EXAMPLE, '--input', '64,3,a'])).toBe(2);
    expect(await runSummary([EXAMPLE, '--input', '0,3,32,32'])).toBe(2);
    expect(await runSummary([EXAMPLE, '--batch', '3'])).toBe(2);
    expect(await runSummary([EXAMPLE, EXAMPLE])).toBe(2);
    expect(err.join('\n')).toContain('usage: layerboard summary');
  });
});

describe('through the CLI entry', () => {
  test('npm run -s cli -- summary: exit 0, and exit 1 on a shape error', () => {
    const ok = spawnSync(
      'npx',
      ['tsx', 'src/cli/main.ts', 'summary', 'examples/cifar10-bs.json', '--input', '64,3,32,32'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('Total params: 145,578');
    const doc = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
    doc.layers[2].in_channels = 16;
    const bad = spawnSync('npx', ['tsx', 'src/cli/main.ts', 'summary', modelFile('bad2.json', doc)], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(
      'Conv2d(in_channels=16) receives 32 channels (input 1×32×16×16) from Conv2d (layer 0)',
    );
    expect(bad.stderr).toContain('fix: set in_channels = 32');
  }, 60_000);
});
