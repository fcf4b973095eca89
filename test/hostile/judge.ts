// The reliability suite's vocabulary: a generated input (a Case) for one entry point, what
// running it gave (an Outcome), and the verdict. A clear error names its place (a JSON path,
// a line, a byte offset, an entry) and carries no raw JavaScript exception text; a correct
// accept keeps the entry point's promises (round trips, limits); anything else is counted.

/** refuse: the input is broken by construction; accept: valid by construction; either: judged by the invariants. */
export type Expect = 'refuse' | 'accept' | 'either';

export type Outcome =
  | { kind: 'error'; messages: string[] }
  /** problem: a promise the accepted result breaks (a value past a limit, a lost add node). */
  | { kind: 'accept'; problem?: string | null };

export interface Case {
  name: string;
  expect: Expect;
  run(): Promise<Outcome> | Outcome;
}

export interface EntryPoint {
  id: string;
  /** Every message of an error must match this: it names where the problem is. */
  place: RegExp;
  /** `count` cases, the same ones for the same seed. */
  generate(seed: number, count: number): Case[] | Promise<Case[]>;
}

export type Verdict = 'clear error' | 'correct accept' | 'crash' | 'hang' | 'wrong accept' | 'wrong refusal';
export const VERDICTS: Verdict[] = ['clear error', 'correct accept', 'crash', 'hang', 'wrong accept', 'wrong refusal'];
/** Any of these fails the suite. */
export const FAILURES: Verdict[] = ['crash', 'hang', 'wrong accept', 'wrong refusal'];

/** JavaScript's own words, which a user should never see in place of a message. */
const RAW_JS = [
  /Cannot read propert/i,
  /Cannot set propert/i,
  /Maximum call stack/i,
  /is not a function$/m,
  /is not iterable$/m,
  /of undefined|of null/,
  /Offset is outside the bounds/,
  /Invalid (typed )?array length/,
  /Array buffer allocation failed/,
  /out of memory/i,
  /\b(TypeError|RangeError|ReferenceError|SyntaxError|InternalError)\b/,
  /\[object \w+\]/,
  /\n\s+at \S+ \(/,
  /Unexpected token .* in JSON|JSON\.parse/,
];

/** Why a message is not clear, or null. */
export function unclear(message: string, place: RegExp): string | null {
  if (!message.trim()) return 'empty message';
  const raw = RAW_JS.find((r) => r.test(message));
  if (raw) return `raw JavaScript text (${raw.source})`;
  if (!place.test(message)) return 'does not name the place';
  return null;
}

export interface Judged {
  verdict: Verdict;
  detail: string;
}

/** The verdict on one finished case. */
export function judge(c: Case, outcome: Outcome, place: RegExp): Judged {
  if (outcome.kind === 'error') {
    for (const m of outcome.messages.length ? outcome.messages : ['']) {
      const why = unclear(m, place);
      if (why) return { verdict: 'crash', detail: `opaque error (${why}): ${m.slice(0, 300)}` };
    }
    if (c.expect === 'accept') return { verdict: 'wrong refusal', detail: outcome.messages.join(' | ').slice(0, 300) };
    return { verdict: 'clear error', detail: outcome.messages[0].slice(0, 200) };
  }
  if (c.expect === 'refuse') return { verdict: 'wrong accept', detail: 'accepted an input broken by construction' };
  if (outcome.problem) return { verdict: 'wrong accept', detail: outcome.problem };
  return { verdict: 'correct accept', detail: '' };
}

/** An exception that escaped the entry point: always a crash. */
export const crashOf = (err: unknown): Judged => ({
  verdict: 'crash',
  detail: `exception escaped: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`.slice(0, 300),
});
