// Reads PyTorch's print(model) text into a tree of modules (class name, the text inside
// its parentheses, named children), with line numbers. Never evaluates anything.
// Indentation is not trusted (pasted text often loses it): a line `(key): Module(` opens a
// child, a line `)` closes the innermost open module.

export interface ReprNode {
  className: string;
  /** The extra_repr text of a one-line module (`3, 32, kernel_size=(5, 5)`), else null. */
  args: string | null;
  children: { key: string; node: ReprNode }[];
  line: number;
  /** Set when a child's line could not be read; reading goes on with the next line. */
  error?: string;
}

export class ReprSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

interface Line {
  n: number;
  text: string;
}

const ONE_LINE = /^([A-Za-z_][\w.]*)\((.*)\)$/;
const OPENS = /^([A-Za-z_][\w.]*)\($/;
const CHILD = /^\((.*?)\): (.*)$/;

/** Deepest nesting of modules read; deeper text is refused with its line (no recursion on depth). */
export const MAX_REPR_DEPTH = 100;

/** The module tree of print(model) text; throws ReprSyntaxError with a line number. */
export function parseReprTree(text: string): ReprNode {
  const lines: Line[] = text
    .split(/\r\n|\r|\n/)
    .map((t, i) => ({ n: i + 1, text: t.trim() }))
    .filter((l) => l.text !== '');
  if (lines.length === 0) throw new ReprSyntaxError(1, 'the text is empty; paste the output of print(model)');
  const first = moduleOf(lines[0].text, lines[0].n);
  if (first.error !== undefined) throw new ReprSyntaxError(first.line, first.error);
  // Open containers, innermost last: each `Name(` line pushes, each `)` line pops.
  const open: ReprNode[] = first.args === null ? [first] : [];
  let i = 1;
  for (; i < lines.length && open.length > 0; i++) {
    const line = lines[i];
    const parent = open[open.length - 1];
    if (line.text === ')') {
      open.pop();
      continue;
    }
    const child = CHILD.exec(line.text);
    if (!child)
      throw new ReprSyntaxError(
        line.n,
        `expected '(name): Module(...)' inside ${parent.className} or ')' to close it, got '${line.text}'`,
      );
    const node = moduleOf(child[2], line.n);
    parent.children.push({ key: child[1], node });
    if (node.args === null && node.error === undefined) {
      if (open.length >= MAX_REPR_DEPTH)
        throw new ReprSyntaxError(line.n, `modules are nested more than ${MAX_REPR_DEPTH} levels deep`);
      open.push(node);
    }
  }
  if (open.length > 0) {
    const inner = open[open.length - 1];
    throw new ReprSyntaxError(
      lines[lines.length - 1].n,
      `${inner.className}( opened on line ${inner.line} is never closed with ')'`,
    );
  }
  if (i < lines.length)
    throw new ReprSyntaxError(lines[i].n, `unexpected text after the end of the model: '${lines[i].text}'`);
  return first;
}

/** One module's text (after any `(key): ` prefix): a one-line layer, an opening `Name(`, or an error. */
function moduleOf(text: string, n: number): ReprNode {
  const single = ONE_LINE.exec(text);
  if (single) return { className: single[1], args: single[2], children: [], line: n };
  const open = OPENS.exec(text);
  if (open) return { className: open[1], args: null, children: [], line: n };
  return {
    className: '',
    args: null,
    children: [],
    line: n,
    error: `expected a module such as 'Conv2d(3, 32, kernel_size=(5, 5), stride=(1, 1))' or 'Sequential(', got '${text}'`,
  };
}

// ---- the text inside a layer's parentheses -------------------------------------------

export type PyValue = number | string | boolean | null | PyValue[];
/** A bare word such as `same` in `padding=same` (Conv2d prints strings unquoted). */
export class BareWord {
  constructor(readonly word: string) {}
}
export interface ReprArgs {
  positional: (PyValue | BareWord)[];
  keywords: Map<string, PyValue | BareWord>;
  /** Keyword names and positional indexes of values written as Python floats (3.0, 1e300, or a tuple holding one). */
  floats: Set<string | number>;
}

const TOKEN =
  /\s*(?:(-?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|inf|nan))(?![\w.])|([A-Za-z_]\w*)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|([(),=]))/y;

/** Parses `3, 32, kernel_size=(5, 5), padding=same, approximate='none'`; throws Error naming the column. */
export function parseReprArgs(text: string): ReprArgs {
  const tokens = tokenize(text);
  const args: ReprArgs = { positional: [], keywords: new Map(), floats: new Set() };
  let i = 0;
  const at = () => tokens[i]?.col ?? text.length + 1;
  while (i < tokens.length) {
    if (tokens[i + 1]?.punct === '=' && tokens[i].word !== undefined) {
      const key = tokens[i].word!;
      i += 2;
      if (args.keywords.has(key)) throw new Error(`keyword '${key}' is given twice`);
      const [v, next, float] = value(tokens, i, text);
      args.keywords.set(key, v);
      if (float) args.floats.add(key);
      i = next;
    } else {
      if (args.keywords.size > 0) throw new Error(`a positional value follows keywords at column ${at()}`);
      const [v, next, float] = value(tokens, i, text);
      if (float) args.floats.add(args.positional.length);
      args.positional.push(v);
      i = next;
    }
    if (i < tokens.length) {
      if (tokens[i].punct !== ',') throw new Error(`expected ',' at column ${at()}`);
      i++;
    }
  }
  return args;
}

interface Token {
  col: number;
  num?: string;
  word?: string;
  str?: string;
  punct?: string;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex;
    if (/^\s*$/.test(text.slice(start))) break;
    const m = TOKEN.exec(text);
    if (!m)
      throw new Error(
        `cannot read '${text.slice(start).trim()}' at column ${start + 1 + (text.slice(start).length - text.slice(start).trimStart().length)}`,
      );
    const col = m.index + m[0].length - m[0].trimStart().length + 1;
    tokens.push({ col, num: m[1], word: m[2], str: m[3], punct: m[4] });
  }
  return tokens;
}

const MAX_TUPLE_DEPTH = 16;

/** One value at tokens[i]: a number, True/False/None, a quoted string, a bare word or a tuple; and whether it holds a float literal. */
function value(tokens: Token[], i: number, text: string, depth = 0): [PyValue | BareWord, number, boolean] {
  const t = tokens[i];
  if (!t) throw new Error(`a value is missing at the end of '${text}'`);
  if (t.num !== undefined) return [pyNumber(t.num), i + 1, /[.eEn]/.test(t.num)];
  if (t.str !== undefined) return [unquote(t.str), i + 1, false];
  if (t.word !== undefined) {
    const consts: Record<string, PyValue> = { True: true, False: false, None: null };
    return [t.word in consts ? consts[t.word] : new BareWord(t.word), i + 1, false];
  }
  if (t.punct === '(') {
    // print(model) nests tuples one level ((3, 3)); deep nesting is refused, never recursed into
    if (depth >= MAX_TUPLE_DEPTH)
      throw new Error(`tuples are nested more than ${MAX_TUPLE_DEPTH} levels deep at column ${t.col}`);
    const items: PyValue[] = [];
    let float = false;
    let j = i + 1;
    while (tokens[j]?.punct !== ')') {
      const [v, next, f] = value(tokens, j, text, depth + 1);
      if (v instanceof BareWord) throw new Error(`unexpected '${v.word}' inside a tuple at column ${tokens[j].col}`);
      items.push(v);
      float ||= f;
      j = next;
      if (tokens[j]?.punct === ',') j++;
      else if (tokens[j]?.punct !== ')')
        throw new Error(`expected ',' or ')' in a tuple at column ${tokens[j]?.col ?? text.length + 1}`);
    }
    return [items, j + 1, float];
  }
  throw new Error(`unexpected '${t.punct}' at column ${t.col}`);
}

function pyNumber(text: string): number {
  const neg = text.startsWith('-');
  const body = neg ? text.slice(1) : text;
  const v = body === 'inf' ? Infinity : body === 'nan' ? NaN : Number(body);
  return neg ? -v : v;
}

/** Python string literal (as repr writes them) to its value. */
function unquote(lit: string): string {
  const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"' };
  return lit
    .slice(1, -1)
    .replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, e: string) =>
      e.length === 3 ? String.fromCharCode(parseInt(e.slice(1), 16)) : (escapes[e] ?? `\\${e}`),
    );
}
