import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test, vi } from 'vitest';
import { runExport } from '../../src/cli/export.ts';
import { serializeModelDocument } from '../../src/core/model/model-json.ts';
import { moduleRepr, pythonSource } from '../../src/core/python/pytorch-export.ts';
import { TEMPLATES } from '../../src/core/model/templates.ts';

const dir = mkdtempSync(join(tmpdir(), 'layerboard-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const bs = TEMPLATES.find((t) => t.id === 'cifar10-bs')!.doc;
const model = join(dir, 'bs.json');
writeFileSync(model, JSON.stringify(bs));

function stderrOf(run: () => Promise<number>): Promise<{ code: number; err: string }> {
  const lines: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => {
    lines.push(a.join(' '));
  });
  return run().then((code) => ({ code, err: lines.join('\n') }));
}

describe('layerboard export', () => {
  test.each([
    ['pytorch', pythonSource(bs)],
    ['repr', `${moduleRepr(bs)}\n`],
    ['json', serializeModelDocument(bs)],
  ])('--format %s --out FILE', async (format, expected) => {
    const out = join(dir, `out.${format}`);
    expect(await runExport([model, '--format', format, '--out', out])).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(expected);
  });
  test('--format=repr writes to stdout', async () => {
    const chunks: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
      chunks.push(String(c));
      return true;
    });
    expect(await runExport([model, '--format=repr'])).toBe(0);
    expect(chunks.join('')).toBe(`${moduleRepr(bs)}\n`);
  });
  test('a bad file: every error with its JSON path, exit 1', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        ...bs,
        modules: [{ name: 'a b', layer: { type: 'Conv2d', in_channels: 3, out_channels: 8, kernel_size: 0 } }],
        forward: { nodes: [{ name: 'c', call: 'a b', inputs: ['input'] }], output: 'c' },
      }),
    );
    const { code, err } = await stderrOf(() => runExport([bad, '--format', 'pytorch']));
    expect(code).toBe(1);
    expect(err).toContain(`${bad}: modules[0].layer.kernel_size: must be a positive integer`);
    expect(err).toContain(`${bad}: modules[0].name: 'a b' contains a space`);
  });
  test('not JSON: line and column, exit 1', async () => {
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, 'Sequential(\n)');
    const { code, err } = await stderrOf(() => runExport([bad, '--format', 'json']));
    expect(code).toBe(1);
    expect(err).toBe(`${bad}: not valid JSON: line 1, column 1: unexpected 'S', a value was expected`);
  });
  test('a missing file exits 1; usage errors exit 2', async () => {
    expect((await stderrOf(() => runExport([join(dir, 'none.json'), '--format', 'json']))).code).toBe(1);
    const noFormat = await stderrOf(() => runExport([model]));
    expect(noFormat).toMatchObject({ code: 2, err: expect.stringContaining('--format is required') });
    expect((await stderrOf(() => runExport([model, '--format', 'onnx']))).err).toContain(
      "unknown format 'onnx'; use pytorch, repr, json",
    );
  });
});

describe("layerboard export --format pytorch-project and the model's training", () => {
  test('a partial training object is refused naming each missing field, nothing written', async () => {
    const file = join(dir, 'partial.json');
    writeFileSync(file, JSON.stringify({ ...bs, training: { optimizer: { type: 'Adam', lr: 0.001 }, epochs: 3 } }));
    const out = join(dir, 'partial-project');
    const { code, err } = await stderrOf(() => runExport([file, '--format', 'pytorch-project', '--out', out]));
    expect(code).toBe(1);
    for (const field of ['dataset', 'transforms', 'loss', 'batchSize', 'shuffle', 'seed', 'valSplit', 'dropLast'])
      expect(err).toContain(`training.${field}: missing`);
    expect(() => readFileSync(join(out, 'train.py'))).toThrow();
  });
  test('without a training object the dataset follows the model input (3×32×32: CIFAR-10)', async () => {
    const out = join(dir, 'bs-project');
    expect(await runExport([model, '--format', 'pytorch-project', '--out', out])).toBe(0);
    expect(readFileSync(join(out, 'train.py'), 'utf8')).toContain("'dataset': {\n        'id': 'cifar10',");
  });
});
