// A pasted or dropped PyTorch model text: either what print(model) shows, or Python
// source that builds the model. Both are parsed, never executed.
import { parsePythonModel } from './python-import.ts';
import { parseModelRepr } from './repr-import.ts';
import type { LayerSpec } from '../model/types.ts';

export type ModelTextKind = 'print(model)' | 'Python source';
export type ModelTextImport = ({ ok: true; layers: LayerSpec[]; names: string[] | null; className?: string }
                            | { ok: false; errors: { line: number; message: string }[] }) & { kind: ModelTextKind };

/** print(model) text starts with `Name(` and has `(name): Layer(...)` lines. */
export function looksLikeRepr(text: string): boolean {
  return /^\s*[A-Za-z_]\w*\(\s*$/m.test(text.split('\n')[0] ?? '') || /^\s*\([\w.]+\): [A-Za-z_]\w*\(/m.test(text);
}

/** print(model) text or Python source, told apart by looksLikeRepr. */
export function parseModelText(text: string): ModelTextImport {
  return looksLikeRepr(text) ? { ...parseModelRepr(text), kind: 'print(model)' } : { ...parsePythonModel(text), kind: 'Python source' };
}
