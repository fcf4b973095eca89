// Picking the engine backend from the command line: `--backend ts|wasm` and `--threads N`,
// with LAYERBOARD_BACKEND / LAYERBOARD_THREADS as defaults (so a runner command such as the
// conformance checker's can be switched without changing its arguments).
import { useBackend, type Backend, type BackendName } from '../engine/backend.ts';

export interface BackendChoice { backend: BackendName; threads: number }

function parseBackend(v: string | undefined, where: string): BackendName {
  if (v === 'ts' || v === 'wasm') return v;
  throw new Error(`${where}: expected 'ts' or 'wasm', got '${v ?? ''}'`);
}

function parseThreads(v: string | undefined, where: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`${where}: expected a thread count from 1 to 64, got '${v ?? ''}'`);
  return n;
}

/** The choice from the environment alone (ts, 1 thread when unset). */
export function backendFromEnv(env: NodeJS.ProcessEnv = process.env): BackendChoice {
  return {
    backend: env.LAYERBOARD_BACKEND ? parseBackend(env.LAYERBOARD_BACKEND, 'LAYERBOARD_BACKEND') : 'ts',
    threads: env.LAYERBOARD_THREADS ? parseThreads(env.LAYERBOARD_THREADS, 'LAYERBOARD_THREADS') : 1,
  };
}

/**
 * Takes `--backend X` and `--threads N` (also `--backend=X`) out of args; what is not given
 * comes from the environment. Returns the choice and the remaining arguments.
 */
export function takeBackendOptions(args: string[], env: NodeJS.ProcessEnv = process.env): { choice: BackendChoice; rest: string[] } {
  const choice = backendFromEnv(env), rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split('=', 2) as [string, string | undefined];
    if (flag !== '--backend' && flag !== '--threads') { rest.push(args[i]); continue; }
    const value = inline ?? args[++i];
    if (flag === '--backend') choice.backend = parseBackend(value, '--backend');
    else choice.threads = parseThreads(value, '--threads');
  }
  return { choice, rest };
}

/** Activates the chosen backend for this process. */
export async function applyBackend(choice: BackendChoice): Promise<Backend> {
  return useBackend({ backend: choice.backend, threads: choice.threads });
}
