// The reliability suite: `npm run test:hostile` (every generated input, and the browser's
// 50-edits-then-reload test for lost edits) or `--sample N` (N inputs spread over the entry
// points, for `npm test`). Seeded: the same inputs every run. Inputs run in a child process
// that the parent watches: an input that takes longer than HANG_MS is a hang, and the child
// is restarted after it. Prints the count table; exits 1 on any crash, hang, wrong accept or
// wrong refusal.
import { fork, spawnSync } from 'node:child_process';
import { cifarCases, gzipTarCases, lbdsCases, safetensorsCases, zipCases } from './archives.ts';
import { CLI_PLACE, cliCases } from './cli.ts';
import { crashOf, FAILURES, judge, VERDICTS, type Case, type EntryPoint, type Judged, type Verdict } from './judge.ts';
import { eventFiles, eventImport, runFiles } from './logs.ts';
import { modelJson, trainingConfig } from './models.ts';
import { printModel, pythonSource } from './python.ts';

/** An input slower than this counts as a hang, even when it ends. */
const BUDGET_MS = 5000;
/** The watchdog kills the child after this long on one input. */
const HANG_MS = 20_000;

const entry = (id: string, place: RegExp, generate: EntryPoint['generate']): EntryPoint => ({ id, place, generate });

/** Entry points and how many inputs each gets in the full run. */
const ENTRIES: [EntryPoint, number][] = [
  [modelJson, 300],
  [trainingConfig, 150],
  [pythonSource, 250],
  [printModel, 200],
  [entry('CLI (in-process)', CLI_PLACE, cliCases), 60],
  [eventFiles, 250],
  [eventImport, 80],
  [runFiles, 200],
  [entry('zip archives', /zip|entry '|byte \d+/i, zipCases), 150],
  [entry('gzip and tar', /gzip|tar|byte \d+/, gzipTarCases), 120],
  [entry('CIFAR-10 files', /\.bin|CIFAR-10|gzip|tar/, cifarCases), 12],
  [entry('safetensors', /safetensors|tensor|header|shape|offset|dtype/, safetensorsCases), 100],
  [entry('LBDS dataset cache', /dataset|LBDS|header|pixels|labels|bytes|image \d+/, lbdsCases), 60],
];

type Message =
  | { type: 'start'; entry: number; i: number; name: string }
  | { type: 'done'; entry: number; i: number; name: string; judged: Judged; ms: number }
  | { type: 'end' };

// ---- child: runs inputs, reports each ----------------------------------------------------

async function child(seed: number, counts: number[], fromEntry: number, fromCase: number): Promise<void> {
  const send = (m: Message) => new Promise<void>((resolve) => process.send!(m, () => resolve()));
  for (let e = fromEntry; e < ENTRIES.length; e++) {
    const [ep] = ENTRIES[e];
    const cases: Case[] = await ep.generate(seed + e * 1000, counts[e]);
    for (let i = e === fromEntry ? fromCase : 0; i < cases.length; i++) {
      const c = cases[i];
      await send({ type: 'start', entry: e, i, name: c.name });
      const t0 = performance.now();
      let judged: Judged;
      try {
        judged = judge(c, await c.run(), ep.place);
      } catch (err) {
        judged = crashOf(err);
      }
      const ms = performance.now() - t0;
      if (ms > BUDGET_MS)
        judged = { verdict: 'hang', detail: `took ${Math.round(ms)} ms; the budget is ${BUDGET_MS} ms` };
      await send({ type: 'done', entry: e, i, name: c.name, judged, ms });
    }
  }
  await send({ type: 'end' });
}

// ---- parent: watches the child, counts ------------------------------------------------------

interface Result {
  entry: number;
  name: string;
  verdict: Verdict;
  detail: string;
}

function runChild(
  seed: number,
  counts: number[],
  fromEntry: number,
  fromCase: number,
  results: Result[],
): Promise<{ entry: number; i: number } | null> {
  return new Promise((resolve) => {
    const proc = fork(
      process.argv[1],
      ['--child', String(seed), counts.join(','), String(fromEntry), String(fromCase)],
      {
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      },
    );
    let current: Extract<Message, { type: 'start' }> | null = null;
    let finished = false;
    let stderr = '';
    proc.stderr?.on('data', (d) => (stderr = (stderr + String(d)).slice(-2000)));
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (!current) return;
        results.push({
          entry: current.entry,
          name: current.name,
          verdict: 'hang',
          detail: `no answer in ${HANG_MS / 1000} s`,
        });
        finished = true;
        proc.kill('SIGKILL');
        resolve({ entry: current.entry, i: current.i + 1 });
      }, HANG_MS);
    };
    proc.on('message', (m: Message) => {
      if (m.type === 'start') current = m;
      else if (m.type === 'done') {
        results.push({ entry: m.entry, name: m.name, verdict: m.judged.verdict, detail: m.judged.detail });
        current = null;
      } else {
        finished = true;
        clearTimeout(timer);
        resolve(null);
      }
      arm();
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (finished) return;
      finished = true;
      if (current) {
        results.push({
          entry: current.entry,
          name: current.name,
          verdict: 'crash',
          detail: `the process died (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').pop()}`,
        });
        resolve({ entry: current.entry, i: current.i + 1 });
      } else {
        console.error(`hostile: the input runner failed before its first input:\n${stderr}`);
        process.exit(2);
      }
    });
    arm();
  });
}

/** The browser suite's 50 edits + immediate reload: 0 lost when it passes. */
function lostEdits(): { lost: number | null; how: string } {
  const r = spawnSync(
    'npx',
    [
      'vitest',
      'run',
      '--config',
      'vitest.browser.config.ts',
      'test/browser/security-projects.test.ts',
      '-t',
      '50 quick edits',
    ],
    { encoding: 'utf8' },
  );
  const passed = r.status === 0 && /1 passed/.test(r.stdout);
  return {
    lost: passed ? 0 : 1,
    how: `test/browser/security-projects.test.ts "50 quick edits and an immediate reload keep all 50" run now in Chromium: ${passed ? 'passed, 0 of 50 edits lost' : `FAILED (exit ${r.status}): at least one edit lost`}`,
  };
}

function table(results: Result[], counts: number[]): string {
  const cols = ['tried', ...VERDICTS];
  const row = (label: string, rs: Result[]) =>
    [
      label.padEnd(24),
      String(rs.length).padStart(6),
      ...VERDICTS.map((v, i) => String(rs.filter((r) => r.verdict === v).length).padStart(cols[i + 1].length + 2)),
    ].join('');
  const lines = [
    ['entry point'.padEnd(24), ...cols.map((c, i) => (i === 0 ? c.padStart(6) : c.padStart(c.length + 2)))].join(''),
  ];
  ENTRIES.forEach(
    ([ep], e) =>
      counts[e] > 0 &&
      lines.push(
        row(
          ep.id,
          results.filter((r) => r.entry === e),
        ),
      ),
  );
  lines.push(row('total', results));
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--child') {
    await child(Number(argv[1]), argv[2].split(',').map(Number), Number(argv[3]), Number(argv[4]));
    return 0;
  }
  const opt = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const seed = Number(opt('--seed') ?? 16);
  const sample = opt('--sample') ? Number(opt('--sample')) : null;
  const full = ENTRIES.map(([, n]) => n);
  const total = full.reduce((a, b) => a + b, 0);
  const counts = sample === null ? full : full.map((n) => Math.max(2, Math.round((n * sample) / total)));
  // rounding leaves the sample a few off: the largest entry point takes the difference
  if (sample !== null) counts[0] += sample - counts.reduce((a, b) => a + b, 0);
  const t0 = performance.now();
  const results: Result[] = [];
  let resume: { entry: number; i: number } | null = { entry: 0, i: 0 };
  while (resume) resume = await runChild(seed, counts, resume.entry, resume.i, results);
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(
    `hostile inputs, seed ${seed}${sample === null ? ' (full run)' : ` (sample of ${sample})`}, ${seconds} s, budget ${BUDGET_MS} ms per input\n`,
  );
  console.log(table(results, counts));
  const failures = results.filter((r) => FAILURES.includes(r.verdict));
  for (const f of failures.slice(0, 40))
    console.log(`  ${f.verdict}: [${ENTRIES[f.entry][0].id}] ${f.name}: ${f.detail}`);
  if (failures.length > 40) console.log(`  … and ${failures.length - 40} more`);
  const edits = sample === null && !argv.includes('--no-browser') ? lostEdits() : null;
  console.log(
    `\nlost edits: ${edits ? edits.how : 'not measured in this run; the browser suite (npm run test:browser, part of npm test) measures them in test/browser/security-projects.test.ts'}`,
  );
  const n = (v: Verdict) => results.filter((r) => r.verdict === v).length;
  console.log(
    `hostile: ${results.length} tried, ${n('clear error')} clear errors, ${n('correct accept')} correct accepts, ${n('crash')} crashes, ${n('hang')} hangs, ${n('wrong accept')} wrong accepts, ${n('wrong refusal')} wrong refusals, lost edits ${edits ? edits.lost : 'n/a'}`,
  );
  return failures.length > 0 || (edits?.lost ?? 0) > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    if (process.argv[2] === '--child') process.disconnect?.();
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 2;
  },
);
