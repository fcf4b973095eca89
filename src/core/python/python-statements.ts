// Python source as a tree of statements by indentation, built with an explicit stack (no
// recursion on input depth): each logical line with its tokens, and for a line ending in
// ':' (class, def, if, ...) the indented statements under it. Nothing is executed.
import { PySyntaxError, tokenize, type Token } from './python-expr.ts';

export interface Stmt {
  line: number;
  /** The logical line's tokens, without the newline. */
  tokens: Token[];
  /** Statements of a compound statement (the line ends with ':'), else null. */
  body: Stmt[] | null;
}

/** The source line's text, for messages ('x = self.conv1(x)'). */
export function lineText(source: string, line: number): string {
  const text = source.split('\n')[line - 1]?.trim() ?? '';
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Top-level statements of the source; throws PySyntaxError for bad brackets, strings or indentation. */
export function parseStatements(source: string): Stmt[] {
  const tokens = tokenize(source);
  const lines = source.split('\n');
  const indentOf = (line: number) => /^[ \t]*/.exec(lines[line - 1] ?? '')![0].replace(/\t/g, '        ').length;
  const root: Stmt[] = [];
  const frames: { indent: number; body: Stmt[] }[] = [];
  let header: Stmt | null = null;
  let headerIndent = 0;
  let current: Token[] = [];
  const flush = () => {
    if (current.length === 0) return;
    const stmtTokens = current;
    current = [];
    const line = stmtTokens[0].line;
    const indent = indentOf(line);
    if (header) {
      if (indent <= headerIndent)
        throw new PySyntaxError(header.line, `expected an indented block after line ${header.line}`);
      frames.push({ indent, body: header.body! });
      header = null;
    } else if (frames.length === 0) {
      frames.push({ indent, body: root });
    }
    while (frames.length > 1 && indent < frames[frames.length - 1].indent) frames.pop();
    const frame = frames[frames.length - 1];
    if (indent > frame.indent) throw new PySyntaxError(line, 'unexpected indent');
    if (indent < frame.indent) throw new PySyntaxError(line, 'unindent does not match any outer indentation level');
    const last = stmtTokens[stmtTokens.length - 1];
    const compound = last.type === 'op' && last.text === ':';
    const stmt: Stmt = { line, tokens: stmtTokens, body: compound ? [] : null };
    frame.body.push(stmt);
    if (compound) {
      header = stmt;
      headerIndent = indent;
    }
  };
  for (const t of tokens) {
    if (t.type === 'newline' || t.type === 'eof') flush();
    else current.push(t);
  }
  if (header)
    throw new PySyntaxError((header as Stmt).line, `expected an indented block after line ${(header as Stmt).line}`);
  return root;
}
