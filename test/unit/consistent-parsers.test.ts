// The same input reads the same everywhere: a UTF-8 BOM is accepted by the model and run
// file readers (the CLI reads files as they are; browsers strip the BOM), JSON nested
// deeper than any model needs is a clear error with its path rather than a stack
// overflow, and class names that would break the exported script's __main__ are refused.
import { describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { runImport } from '../../src/cli/import.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseModelDocument } from '../../src/core/model/model-json.ts';
import { parseRunFile } from '../../src/db/run-file.ts';
import { formatJsonPath, jsonSyntaxError, MAX_JSON_DEPTH, readJson } from '../../src/core/formats/json-syntax.ts';
import { classNameError } from '../../src/core/python/python-names.ts';
import { templateDocument } from '../../src/core/model/templates.ts';

const BOM = '\uFEFF';
const modelText = JSON.stringify(templateDocument('mlp'));

describe('consistent parsers', () => {
  test('a UTF-8 BOM is accepted by the model and run file readers', () => {
    expect(parseModelDocument(BOM + modelText).ok).toBe(true);
    const run = parseRunFile(`${BOM}{"format":"layerboard-run","version":1}`);
    expect(run.ok).toBe(false);
    if (!run.ok) expect(run.errors[0].path).not.toBe('');
  });

  test('the CLI reads a model file with a BOM like the app does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bom-'));
    writeFileSync(join(dir, 'model.json'), BOM + modelText);
    const out = execFileSync('npx', ['tsx', 'src/cli/main.ts', 'export', join(dir, 'model.json'), '--format', 'repr'], {
      encoding: 'utf8',
    });
    expect(out).toMatch(/^\w+\(\n/);
    writeFileSync(
      join(dir, 'print.txt'),
      `${BOM}Sequential(\n  (0): Linear(in_features=4, out_features=2, bias=True)\n)\n`,
    );
    // `import` as the CLI module runs it (src/cli/import.ts)
    expect(await runImport([join(dir, 'print.txt'), '--input', '4', '--out', join(dir, 'model-from-print.json')])).toBe(
      0,
    );
    expect(JSON.parse(readFileSync(join(dir, 'model-from-print.json'), 'utf8'))).toMatchObject({
      format: 'layerboard-model',
    });
  }, 60_000);

  test('JSON nested 5,000 levels deep is refused with the path, not a stack overflow', () => {
    const deep = `{"format":"layerboard-model","version":1,"metadata":{"a":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
    expect(JSON.parse(deep)).toBeTruthy(); // valid JSON
    const r = parseModelDocument(deep);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors[0].message).toBe(
        `not valid JSON: line 1, column ${deep.indexOf('[') + MAX_JSON_DEPTH - 2 + 1}: nested too deeply at $.metadata.a[0][0][0][0]…(${MAX_JSON_DEPTH - 12} more)…[0][0][0][0][0][0]: more than ${MAX_JSON_DEPTH} levels of objects and lists`,
      );
    const runFile = parseRunFile(`{"run":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`);
    expect(runFile.ok).toBe(false);
    if (!runFile.ok)
      expect(runFile.errors[0].message).toMatch(/^not valid JSON: .*nested too deeply at \$\.run\.a\.a\.a/);
    expect(readJson('[[1]]', 1)).toEqual({
      ok: false,
      message: 'not valid JSON: line 1, column 2: nested too deeply at $[0]: more than 1 levels of objects and lists',
    });
    expect(jsonSyntaxError('{"a":[1,{"b":2}]}')).toBeNull();
    expect(formatJsonPath(['layers', 3, 'keywords', 'odd key'])).toBe('$.layers[3].keywords["odd key"]');
  });

  test('dunder class names are refused with the reason', () => {
    for (const name of ['__name__', '__main__', '__init__', '__builtins__']) {
      expect(classNameError(name)).toMatch(/special \(dunder\) name.*__main__ block/);
    }
    expect(classNameError('_private')).toBeNull();
    const doc = { ...templateDocument('mlp'), className: '__name__' };
    const r = parseModelDocument(JSON.stringify(doc));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toContainEqual({ path: 'className', message: expect.stringMatching(/dunder/) });
  });
});
