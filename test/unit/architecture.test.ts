// The architecture, checked: every import in src/ (static, dynamic, `new URL(…, import.meta.url)`
// of a worker) stays within what its part may import (README, "Architecture"). A forbidden
// import fails here with the file, the line and the rule.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
type Part = 'core' | 'engine' | 'worker' | 'db' | 'ui' | 'cli' | 'main';

/** What each part may import besides itself (and npm packages; core, engine and worker: none that touch the DOM). */
export const MAY_IMPORT: Record<Part, readonly Part[]> = {
  core: [],
  engine: ['core'],
  worker: ['core', 'engine', 'db'],
  db: ['core'],
  ui: ['core', 'db', 'worker'],
  cli: ['core', 'engine', 'db', 'worker'],
  main: ['ui', 'core', 'db', 'worker'],
};

function partOf(file: string): Part {
  const top = relative(SRC, file).split(/[\\/]/)[0];
  if (top === 'main.ts') return 'main';
  if (top in MAY_IMPORT) return top as Part;
  throw new Error(`src/${top} is no part of the architecture: add it to MAY_IMPORT and the README`);
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|svelte)$/.test(name) && !/\.test\.ts$/.test(name) ? [path] : [];
  });
}

const SPECIFIERS = [
  /\bfrom\s+'([^']+)'/g,
  /\bimport\s*\(\s*'([^']+)'\s*\)/g,
  /\bimport\s+'([^']+)'/g,
  /new URL\(\s*'([^']+)',\s*import\.meta\.url/g,
];

/** Every relative import of a file, with its line. */
export function importsOf(text: string): { spec: string; line: number }[] {
  const out: { spec: string; line: number }[] = [];
  for (const re of SPECIFIERS) {
    for (const m of text.matchAll(re))
      if (m[1].startsWith('.')) out.push({ spec: m[1], line: text.slice(0, m.index).split('\n').length });
  }
  return out.sort((a, b) => a.line - b.line);
}

export function violations(files: { path: string; text: string }[]): string[] {
  const found: string[] = [];
  for (const { path, text } of files) {
    const from = partOf(path);
    for (const { spec, line } of importsOf(text)) {
      const target = resolve(dirname(path), spec);
      if (!target.startsWith(SRC)) continue;
      const to = partOf(target);
      if (to !== from && !MAY_IMPORT[from].includes(to)) {
        found.push(
          `src/${relative(SRC, path)}:${line} imports ${spec} — ${from} may not import ${to} (allowed: ${MAY_IMPORT[from].join(', ') || 'nothing'})`,
        );
      }
    }
  }
  return found;
}

test('no part imports what the architecture forbids (core → nothing; engine → core; ui never engine; db never ui/engine; cli never ui)', () => {
  const files = sources(SRC).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
  expect(files.length).toBeGreaterThan(100);
  expect(violations(files)).toEqual([]);
});

test('the check sees forbidden imports of every kind, and each rule of the issue holds', () => {
  const text = [
    "import { x } from '../../engine/tensor.ts';",
    "const w = new URL('../worker/engine.worker.ts', import.meta.url);",
    "const m = await import('../ui/app.ts');",
    "import type { Y } from 'dexie';",
    "import { z } from './same-part.ts';",
  ].join('\n');
  expect(importsOf(text).map((i) => i.spec)).toEqual([
    '../../engine/tensor.ts',
    '../worker/engine.worker.ts',
    '../ui/app.ts',
    './same-part.ts',
  ]);
  const found = violations([{ path: join(SRC, 'core/run/x.ts'), text }]);
  expect(found).toEqual([
    'src/core/run/x.ts:1 imports ../../engine/tensor.ts — core may not import engine (allowed: nothing)',
  ]);
  expect(violations([{ path: join(SRC, 'db/x.ts'), text }])).toEqual([
    'src/db/x.ts:2 imports ../worker/engine.worker.ts — db may not import worker (allowed: core)',
    'src/db/x.ts:3 imports ../ui/app.ts — db may not import ui (allowed: core)',
  ]);
  const forbidden: [Part, Part][] = [
    ['core', 'ui'],
    ['core', 'engine'],
    ['core', 'db'],
    ['core', 'worker'],
    ['engine', 'ui'],
    ['engine', 'db'],
    ['engine', 'worker'],
    ['ui', 'engine'],
    ['db', 'ui'],
    ['db', 'engine'],
    ['cli', 'ui'],
  ];
  for (const [from, to] of forbidden) expect(MAY_IMPORT[from]).not.toContain(to);
});
