// Picking the engine backend from the command line: `--backend ts|wasm` and `--threads N`,
// with LAYERBOARD_BACKEND / LAYERBOARD_THREADS as defaults (so a runner command such as the
// conformance checker's can be switched without changing its arguments). Without either,
// each command has its own default: `train` the fastest (WASM SIMD on every core), the
// conformance runner the TS reference.
import { availableParallelism } from 'node:os';
import type { BackendChoice as ConfigBackend, BackendName } from '../core/run/training-config.ts';
import { useBackend, type Backend } from '../engine/backend.ts';

/** core's BackendChoice with the thread count settled. */
export type BackendChoice = Required<ConfigBackend>;

/** The fastest backend on this machine: WASM SIMD, one thread per available core. */
export function fastestBackend(): BackendChoice {
  return { backend: 'wasm', threads: Math.max(1, Math.min(64, availableParallelism())) };
}

/** The TypeScript reference kernels on one thread. */
export const REFERENCE_BACKEND: BackendChoice = { backend: 'ts', threads: 1 };

function parseBackend(v: string | undefined, where: string): BackendName {
  if (v === 'ts' || v === 'wasm') return v;
  throw new Error(`${where}: expected 'ts' or 'wasm', got '${v ?? ''}'`);
}

function parseThreads(v: string | undefined, where: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new Error(`${where}: expected a thread count from 1 to 64, got '${v ?? ''}'`);
  return n;
}

/** Threads when none are asked for: the fallback's for its backend, else 1 (ts) or every core (wasm). */
function defaultThreads(backend: BackendName, fallback: BackendChoice): number {
  if (backend === fallback.backend) return fallback.threads;
  return backend === 'wasm' ? fastestBackend().threads : 1;
}

/** Each of backend and threads: the flag's value, else the environment's, else the fallback's. */
function resolve(
  flags: { backend?: BackendName; threads?: number },
  env: NodeJS.ProcessEnv,
  fallback: BackendChoice,
): BackendChoice {
  const backend =
    flags.backend ??
    (env.LAYERBOARD_BACKEND ? parseBackend(env.LAYERBOARD_BACKEND, 'LAYERBOARD_BACKEND') : fallback.backend);
  const threads =
    flags.threads ??
    (env.LAYERBOARD_THREADS
      ? parseThreads(env.LAYERBOARD_THREADS, 'LAYERBOARD_THREADS')
      : defaultThreads(backend, fallback));
  return { backend, threads };
}

/** The choice from the environment alone (`fallback` where it says nothing). */
export function backendFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  fallback: BackendChoice = REFERENCE_BACKEND,
): BackendChoice {
  return resolve({}, env, fallback);
}

/**
 * Takes `--backend X` and `--threads N` (also `--backend=X`) out of args; what is not given
 * comes from the environment, then `fallback`. Returns the choice and the remaining arguments.
 */
export function takeBackendOptions(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  fallback: BackendChoice = REFERENCE_BACKEND,
): { choice: BackendChoice; rest: string[] } {
  const flags: { backend?: BackendName; threads?: number } = {},
    rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split('=', 2) as [string, string | undefined];
    if (flag !== '--backend' && flag !== '--threads') {
      rest.push(args[i]);
      continue;
    }
    const value = inline ?? args[++i];
    if (flag === '--backend') flags.backend = parseBackend(value, '--backend');
    else flags.threads = parseThreads(value, '--threads');
  }
  return { choice: resolve(flags, env, fallback), rest };
}

/** Activates the chosen backend for this process. */
export async function applyBackend(choice: BackendChoice): Promise<Backend> {
  return useBackend({ backend: choice.backend, threads: choice.threads });
}
