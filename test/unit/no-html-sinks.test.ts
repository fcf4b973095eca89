// Data never becomes HTML: run names, tags, graph node types and class names come from
// files anyone can hand the user, so the app renders them as text only (d3 .text(),
// Svelte text). This scan fails the build when an HTML sink appears anywhere in src/.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../src');
const SINKS: [RegExp, string][] = [
  [/\.html\s*\(/, 'd3 .html(…)'],
  [/\binnerHTML\b/, 'innerHTML'],
  [/\bouterHTML\b/, 'outerHTML'],
  [/\binsertAdjacentHTML\b/, 'insertAdjacentHTML'],
  [/\{@html\b/, '{@html …}'],
  [/\bdocument\.write(ln)?\s*\(/, 'document.write'],
  [/\bcreateContextualFragment\b/, 'createContextualFragment'],
  [/\bparseFromString\s*\([^)]*text\/html/, "DOMParser 'text/html'"],
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|svelte|js)$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
  });
}

function htmlSinks(text: string): string[] {
  return text
    .split('\n')
    .flatMap((line, i) => SINKS.filter(([re]) => re.test(line)).map(([, what]) => `line ${i + 1}: ${what}`));
}

describe('no HTML sinks in the app', () => {
  it('the scanner catches each sink it names', () => {
    expect(htmlSinks('sel.html((d) => d.name)')).toEqual(['line 1: d3 .html(…)']);
    expect(htmlSinks('el.innerHTML = name')).toEqual(['line 1: innerHTML']);
    expect(htmlSinks('<p>{@html run.name}</p>')).toEqual(['line 1: {@html …}']);
    expect(htmlSinks('sel.text((d) => d.name)')).toEqual([]);
  });

  it('src/ has none', () => {
    const found = sources(ROOT).flatMap((file) =>
      htmlSinks(readFileSync(file, 'utf8')).map((hit) => `${relative(ROOT, file)} ${hit}`),
    );
    expect(found).toEqual([]);
  });
});
