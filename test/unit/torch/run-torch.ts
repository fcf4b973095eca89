// Runs a reference script under Debian's PyTorch (/usr/bin/python3, or TORCH_PYTHON).
// Tests that need it skip with a visible note when torch cannot be imported.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PYTHON = process.env.TORCH_PYTHON || '/usr/bin/python3';

function probe(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** torch's version, or null when it is not importable. */
export const torchVersion = probe();

if (!torchVersion)
  console.warn(`NOTE: PyTorch not importable with ${PYTHON}: the tests against real PyTorch are skipped`);

/** Runs test/unit/torch/<script> with `input` as JSON on stdin; returns its JSON stdout. */
export function runTorch<T>(script: string, input: unknown): T {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const r = spawnSync(PYTHON, [path], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`${script} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
