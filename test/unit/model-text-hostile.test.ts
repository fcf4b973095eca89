// Careless and hostile model text: every truncation, deletion and duplication of the
// reference sources and printouts gives an import or errors with line numbers inside the
// text — never an exception, never a line outside it.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseModelText } from '../../src/core/python/model-text.ts';
import { makeRng } from './helpers/random-layers.ts';

const dirs = ['pytorch-source', 'pytorch-text'];
const FIXTURES = dirs.flatMap((d) =>
  readdirSync(new URL(`../fixtures/${d}/`, import.meta.url)).map(
    (f) => [`${d}/${f}`, readFileSync(new URL(`../fixtures/${d}/${f}`, import.meta.url), 'utf8')] as const,
  ),
);

/** A damaged copy: cut at a point, a span deleted, or a span repeated. */
function damage(text: string, rand: () => number): string {
  const a = Math.floor(rand() * text.length),
    b = Math.min(text.length, a + 1 + Math.floor(rand() * 40));
  const kind = Math.floor(rand() * 3);
  if (kind === 0) return text.slice(0, a);
  if (kind === 1) return text.slice(0, a) + text.slice(b);
  return text.slice(0, b) + text.slice(a);
}

describe('damaged model text', () => {
  test.each(FIXTURES)('%s: 150 damaged copies each import or give errors inside the text', (_, text) => {
    const rand = makeRng(text.length);
    for (let k = 0; k < 150; k++) {
      const bad = damage(text, rand);
      const lines = bad.split('\n').length;
      let r: ReturnType<typeof parseModelText>;
      try {
        r = parseModelText(bad);
      } catch (err) {
        throw new Error(`threw ${String(err)} on:\n${bad}`);
      }
      if (r.ok) continue;
      expect(r.errors.length).toBeGreaterThan(0);
      for (const e of r.errors) {
        expect(e.line, `${e.message}\n--- in ---\n${bad}`).toBeGreaterThanOrEqual(1);
        expect(e.line, e.message).toBeLessThanOrEqual(Math.max(lines, 1));
        expect(e.message).not.toMatch(
          /Cannot read propert|of undefined|is not a function(?! Layerboard)|is not iterable|Maximum call stack|\bNaN\b/,
        );
      }
    }
  });
});
