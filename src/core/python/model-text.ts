// A pasted or dropped PyTorch model text: either what print(model) shows, or Python
// source that builds the model. Both are parsed, never executed, into a version-2 model
// document with notes on what was assumed; errors carry line numbers.
import { flattenModel } from '../model/flat-graph.ts';
import { parseModelDocument } from '../model/model-json.ts';
import { viewErrors } from './import-check.ts';
import { guessInput } from './import-input.ts';
import { byLine, failed, lineOfPath, type ImportNote, type ModelImport } from './import-result.ts';
import { readPythonModel } from './python-import.ts';
import { readModelRepr } from './repr-import.ts';

export type ModelTextKind = 'print(model)' | 'Python source';
export type ModelTextImport = ModelImport & { kind: ModelTextKind };
export interface ModelTextOptions {
  /** The input shape without the batch; guessed from the first layer when absent (and said so in a note). */
  input?: number[];
}

/** print(model) text starts with `Name(` and has `(name): Layer(...)` lines. */
export function looksLikeRepr(text: string): boolean {
  return /^\s*[A-Za-z_]\w*\(\s*$/m.test(text.split('\n')[0] ?? '') || /^\s*\([\w.]+\): [A-Za-z_]\w*\(/m.test(text);
}

/** print(model) text or Python source, told apart by looksLikeRepr. */
export function parseModelText(text: string, options: ModelTextOptions = {}): ModelTextImport {
  const kind: ModelTextKind = looksLikeRepr(text) ? 'print(model)' : 'Python source';
  const read = kind === 'print(model)' ? readModelRepr(text) : readPythonModel(text);
  if (!read.ok) return { ...read, kind };
  const notes: ImportNote[] = [...read.notes];
  let input = options.input;
  if (!input) {
    const guess = guessInput(read.doc);
    input = guess.input;
    notes.push({
      line: null,
      message: `input shape guessed as ${input.join('×')} (${guess.why}); print(model) and the code do not say it — change it if your data differs`,
    });
  }
  // The file's own checks (names, blocks, forward, each block instance's layers): the
  // readers aim never to fail them; if one does, it is reported, not written.
  const checked = parseModelDocument({ ...read.doc, input: [...input] });
  if (!checked.ok) {
    return {
      ...failed(
        checked.errors.map((e) => ({
          line: lineOfPath(read.lines, e.path),
          message: `the imported model is not valid: ${e.path ? `${e.path}: ` : ''}${e.message}`,
        })),
        notes,
      ),
      kind,
    };
  }
  const views = viewErrors(flattenModel(checked.doc), input, read.viewChecks);
  if (views.length) return { ...failed(views, notes), kind };
  return { ok: true, doc: checked.doc, notes: byLine(notes), kind };
}
