// Picking the engine backend from the command line: `--backend ts|wasm` and `--threads N`,
// with LAYERBOARD_BACKEND / LAYERBOARD_THREADS as defaults (so a runner command such as the
// conformance checker's can be switched without changing its arguments).
import type { BackendChoice as ConfigBackend, BackendName } from '../core/run/training-config.ts';
import { useBackend, type Backend } from '../engine/backend.ts';

/** core's BackendChoice with the thread count settled. */
export type BackendChoice = Required<ConfigBackend>;

function parseBackend(v: string | undefined, where: string): BackendName {
  if (v === 'ts' || v === 'wasm') return v;
  throw new Error(`${where}: expected 'ts' or 'wasm', got '${v ?? ''}'`);
}

function parseThreads(v: string | undefined, where: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`${where}: expected a thread count from 1 to 64, got '${v ?? ''}'`);
  return n;
}

/** The choice from the environment alone (`fallback` when unset: ts on 1 thread unless a command says otherwise). */
export function backendFromEnv(env: NodeJS.ProcessEnv = process.env, fallback: BackendChoice = { backend: 'ts', threads: 1 }): BackendChoice {
  const backend = env.LAYERBOARD_BACKEND ? parseBackend(env.LAYERBOARD_BACKEND, 'LAYERBOARD_BACKEND') : fallback.backend;
  const threads = env.LAYERBOARD_THREADS ? parseThreads(env.LAYERBOARD_THREADS, 'LAYERBOARD_THREADS') : env.LAYERBOARD_BACKEND ? 1 : fallback.threads;
  return { backend, threads };
}

/**
 * Takes `--backend X` and `--threads N` (also `--backend=X`) out of args; what is not given
 * comes from the environment. Returns the choice and the remaining arguments.
 */
export function takeBackendOptions(args: string[], env: NodeJS.ProcessEnv = process.env, fallback?: BackendChoice): { choice: BackendChoice; rest: string[] } {
  const choice = backendFromEnv(env, fallback), rest: string[] = [];
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
