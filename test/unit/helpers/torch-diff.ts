// Compares a result with a recording from PyTorch, walking only what the recording holds:
// tensors within |a − b| ≤ atol + rtol·|b| (NaN matches NaN, infinities exactly), numbers alike.
import { decodeFloat, type TensorJson } from '../../../src/engine/tensor-json.ts';

export interface Tolerance {
  rtol: number;
  atol: number;
}
/** The conformance tolerances of module cases and of train cases. */
export const MODULE_TOL: Tolerance = { rtol: 1e-4, atol: 1e-5 };
export const TRAIN_TOL: Tolerance = { rtol: 1e-3, atol: 1e-4 };

function close(a: number, b: number, t: Tolerance): boolean {
  return Number.isFinite(b)
    ? Math.abs(a - b) <= t.atol + t.rtol * Math.abs(b)
    : Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

/** Pushes one line per mismatch between `want` (recorded) and `got` (ours) onto `out`. */
export function diff(want: unknown, got: unknown, at: string, out: string[], t: Tolerance = MODULE_TOL): void {
  if (want && typeof want === 'object' && 'shape' in want && 'data' in want) {
    const w = want as TensorJson,
      g = got as TensorJson | undefined;
    if (!g || JSON.stringify(g.shape) !== JSON.stringify(w.shape)) {
      out.push(`${at}: shape ${JSON.stringify(g?.shape)} != ${JSON.stringify(w.shape)}`);
      return;
    }
    w.data.forEach((wv, i) => {
      const a = decodeFloat(g.data[i]),
        b = decodeFloat(wv);
      if (!close(a, b, t)) out.push(`${at}[${i}]: got ${a}, want ${b}`);
    });
    return;
  }
  if (typeof want === 'number') {
    if (typeof got !== 'number' || !close(got, want, t)) out.push(`${at}: got ${String(got)}, want ${want}`);
    return;
  }
  if (want && typeof want === 'object') {
    for (const [k, v] of Object.entries(want))
      diff(v, (got as Record<string, unknown> | undefined)?.[k], `${at}.${k}`, out, t);
  }
}
