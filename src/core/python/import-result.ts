// What reading a PyTorch model text gives: a version-2 model document and notes on what
// was assumed or left out (shown by the Paste dialog and the CLI), or errors with line
// numbers. Nothing is ever dropped without a note or an error.
import type { ModelDocument } from '../model/module-types.ts';
import type { ViewCheck } from './python-functional.ts';

export interface LineError {
  line: number;
  message: string;
}
/** Something the user should know about an import that succeeded; line null: the whole text. */
export interface ImportNote {
  line: number | null;
  message: string;
}

export type ModelImport =
  { ok: true; doc: ModelDocument; notes: ImportNote[] } | { ok: false; errors: LineError[]; notes: ImportNote[] };

/**
 * What a reader gives before the input shape is chosen: the document without `input`, and
 * the `x.view(-1, K)` sites to check once shapes are known (node: the model's forward node).
 */
export type ModelRead =
  | {
      ok: true;
      doc: Omit<ModelDocument, 'input'>;
      notes: ImportNote[];
      viewChecks: (ViewCheck & { node: string })[];
      lines: SourceLines;
    }
  | { ok: false; errors: LineError[]; notes: ImportNote[] };

/** Where the document's parts come from in the text: each model module's line, each block's. */
export interface SourceLines {
  modules: number[];
  blocks: number[];
}

/** The text line of a document path ('modules[3].sequential[1]' → that module's line), else 1. */
export function lineOfPath(lines: SourceLines, path: string): number {
  const m = /^(modules|blocks)\[(\d+)\]/.exec(path);
  return (m && lines[m[1] as keyof SourceLines][Number(m[2])]) || 1;
}

export const byLine = <T extends { line: number | null }>(items: T[]): T[] =>
  [...items].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));

/** Errors, sorted, or null when there are none. */
export function failed(
  errors: LineError[],
  notes: ImportNote[] = [],
): { ok: false; errors: LineError[]; notes: ImportNote[] } {
  return { ok: false, errors: byLine(errors), notes: byLine(notes) };
}
