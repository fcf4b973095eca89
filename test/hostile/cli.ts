// The command line, in-process: hostile model files through `summary` and `export`, hostile
// Python through `import`. A refusal is a nonzero exit whose stderr names the place and
// shows no stack; an exception out of the command is a crash.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExport } from '../../src/cli/export.ts';
import { runImport } from '../../src/cli/import.ts';
import { runSummary } from '../../src/cli/summary.ts';
import { parseModelDocument } from '../../src/core/model/model-json.ts';
import { serializeModelDocument } from '../../src/core/model/model-serialize.ts';
import type { Case, Outcome } from './judge.ts';
import { brokenModel, MODEL_BASES } from './models.ts';
import { mutateText, Rng } from './mutate.ts';

/** Runs a command with console and stdout captured. */
async function captured(run: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { log: console.log, error: console.error, warn: console.warn, write: process.stdout.write };
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = console.warn = (...a: unknown[]) => void err.push(a.join(' '));
  process.stdout.write = ((chunk: string | Uint8Array) => (
    out.push(String(chunk)),
    true
  )) as typeof process.stdout.write;
  try {
    return { code: await run(), out: out.join('\n'), err: err.join('\n') };
  } finally {
    Object.assign(console, { log: saved.log, error: saved.error, warn: saved.warn });
    process.stdout.write = saved.write;
  }
}

/** `written`: the file an accept must have written (import --out), else stdout must say something. */
async function cliOutcome(run: () => Promise<number>, written?: string): Promise<Outcome> {
  const r = await captured(run);
  if (r.code === 0) {
    const ok = written
      ? existsSync(written) && parseModelDocument(readFileSync(written, 'utf8')).ok
      : r.out.trim() !== '';
    return {
      kind: 'accept',
      problem: ok ? null : written ? `exit 0 but ${written} is missing or invalid` : 'exit 0 with no output',
    };
  }
  // notes are advice, not the refusal
  const lines = r.err.split('\n').filter((l) => l.trim() && !/: note: /.test(l));
  return { kind: 'error', messages: [lines.join('\n')] };
}

/** The CLI prints the parsers' messages (judged strictly by their own entry points) under a header line. */
export const CLI_PLACE = /[\w\]"]: \S|line \d+|layer \d+|byte \d+/;

export function cliCases(seed: number, count: number): Case[] {
  const rng = new Rng(seed);
  const dir = mkdtempSync(join(tmpdir(), 'layerboard-hostile-'));
  const python = readFileSync(new URL('../fixtures/pytorch-source/cifar10-tutorial-net.py', import.meta.url), 'utf8');
  const cases: Case[] = [];
  for (let i = 0; cases.length < count; i++) {
    const file = join(dir, `case${i}`);
    const pick = rng.int(4);
    if (pick === 0) {
      const { value, what } = brokenModel(rng);
      writeFileSync(`${file}.json`, JSON.stringify(value));
      const command = rng.int(2)
        ? () => runSummary([`${file}.json`])
        : () => runExport([`${file}.json`, '--format', 'pytorch']);
      cases.push({ name: `broken model: ${what}`, expect: 'refuse', run: () => cliOutcome(command) });
    } else if (pick === 1) {
      const { text, what } = mutateText(rng, serializeModelDocument(rng.pick(MODEL_BASES)));
      writeFileSync(`${file}.json`, text);
      cases.push({
        name: `model text: ${what}`,
        expect: 'either',
        run: () => cliOutcome(() => runSummary([`${file}.json`])),
      });
    } else {
      const { text, what } = mutateText(rng, python);
      writeFileSync(`${file}.py`, text);
      cases.push({
        name: `import: ${what}`,
        expect: 'either',
        run: () => cliOutcome(() => runImport([`${file}.py`, '--out', `${file}.out.json`]), `${file}.out.json`),
      });
    }
  }
  return cases;
}
