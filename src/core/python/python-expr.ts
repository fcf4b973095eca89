// A tokenizer and expression parser for the Python that builds models: calls with
// positional and keyword arguments, dotted names and attributes, numbers, strings, tuples,
// lists, True/False/None, `+ - * / // %` (constants folded: 64*4*4 is 1024; tensor sums
// such as `out + identity` stay as a tree). Nothing is ever executed.
//
// Hostile input: brackets are matched with an explicit stack (an unclosed or unmatched
// one is named with its line), and nesting deeper than MAX_NESTING is refused instead of
// recursing: 100,000 nested parentheses give an error, not a stack overflow.

export type Expr =
  | { kind: 'num'; value: number; isFloat: boolean; line: number }
  | { kind: 'str'; value: string; line: number }
  | { kind: 'const'; value: boolean | null; line: number }
  | { kind: 'name'; path: string[]; line: number }
  | { kind: 'attr'; object: Expr; name: string; line: number }
  | { kind: 'seq'; items: Expr[]; tuple: boolean; line: number }
  | { kind: 'call'; callee: Expr; args: Expr[]; kwargs: [string, Expr][]; line: number }
  | { kind: 'binop'; op: string; left: Expr; right: Expr; line: number };

export class PySyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Token {
  type: 'name' | 'num' | 'str' | 'op' | 'newline' | 'eof';
  text: string;
  line: number;
}

/** Deepest nesting of brackets and calls read; deeper input is refused with its line. */
export const MAX_NESTING = 100;
/** Most `+ - * /` between non-constants in one expression (`a + b + c` has 2). */
export const MAX_OPERATORS = 1000;

const OPS = [
  '**=',
  '//=',
  '**',
  '//',
  '==',
  '!=',
  '<=',
  '>=',
  '->',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '@=',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  ';',
  '.',
  '=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '@',
  '<',
  '>',
];
const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  const open: { text: string; line: number }[] = [];
  let i = 0,
    line = 1;
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') {
      if (open.length === 0) tokens.push({ type: 'newline', text: '\n', line });
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    if (c === '\\' && (src[i + 1] === '\n' || (src[i + 1] === '\r' && src[i + 2] === '\n'))) {
      i += src[i + 1] === '\r' ? 3 : 2;
      line++;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    const str = /^([rRbBuUfF]{0,2})('''|"""|'|")/.exec(src.slice(i, i + 5));
    if (str && (str[1] === '' || /^[a-zA-Z]/.test(c))) {
      const quote = str[2];
      const start = line;
      let j = i + str[0].length,
        value = '';
      while (j < src.length && !src.startsWith(quote, j)) {
        if (src[j] === '\n') {
          if (quote.length === 1) throw new PySyntaxError(line, 'unterminated string');
          line++;
        }
        if (src[j] === '\\' && !/[rR]/.test(str[1])) {
          value += unescape(src[j + 1]);
          j += 2;
          continue;
        }
        value += src[j++];
      }
      if (j >= src.length) throw new PySyntaxError(start, 'unterminated string');
      tokens.push({ type: 'str', text: value, line: start });
      i = j + quote.length;
      continue;
    }
    const num = /^(\d[\d_]*\.?[\d_]*([eE][+-]?\d+)?|\.\d[\d_]*([eE][+-]?\d+)?)/.exec(src.slice(i, i + 400));
    if (num) {
      tokens.push({ type: 'num', text: num[0].replace(/_/g, ''), line });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 400));
    if (name) {
      tokens.push({ type: 'name', text: name[0], line });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new PySyntaxError(line, `unexpected character '${c}'`);
    if (op in CLOSER) open.push({ text: op, line });
    else if (op === ')' || op === ']' || op === '}') {
      const top = open.pop();
      if (!top) throw new PySyntaxError(line, `unmatched '${op}': no bracket is open here`);
      if (CLOSER[top.text] !== op)
        throw new PySyntaxError(line, `'${op}' does not match '${top.text}' opened on line ${top.line}`);
    }
    tokens.push({ type: 'op', text: op, line });
    i += op.length;
  }
  if (open.length > 0) {
    const first = open[open.length - 1];
    throw new PySyntaxError(
      first.line,
      `'${first.text}' opened on line ${first.line} is never closed${open.length > 1 ? ` (${open.length} brackets are still open at the end)` : ''}`,
    );
  }
  tokens.push({ type: 'newline', text: '\n', line }, { type: 'eof', text: '', line });
  return tokens;
}

function unescape(c: string): string {
  return ({ n: '\n', t: '\t', r: '\r', '0': '\0' } as Record<string, string>)[c] ?? c;
}

/** Parses expressions from a token stream; `pos` is advanced by each call. */
export class ExprParser {
  pos = 0;
  private depth = 0;
  private operators = 0;
  constructor(readonly tokens: Token[]) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
  }
  next(): Token {
    return this.tokens[Math.min(this.pos++, this.tokens.length - 1)];
  }
  atEnd(): boolean {
    const t = this.peek();
    return t.type === 'newline' || t.type === 'eof';
  }
  accept(text: string): boolean {
    if (this.peek().text === text && this.peek().type === 'op') {
      this.pos++;
      return true;
    }
    return false;
  }
  expect(text: string): void {
    const t = this.peek();
    if (!this.accept(text))
      throw new PySyntaxError(
        t.line,
        `expected '${text}' but found ${t.type === 'eof' || t.type === 'newline' ? 'the end of the line' : `'${t.text}'`}`,
      );
  }

  /** One expression; counting of nesting and operators starts afresh at depth 0. */
  expression(): Expr {
    if (this.depth === 0) this.operators = 0;
    return this.additive();
  }

  private enter(line: number): void {
    if (++this.depth > MAX_NESTING)
      throw new PySyntaxError(line, `brackets or calls are nested more than ${MAX_NESTING} levels deep`);
  }
  private leave(): void {
    this.depth--;
  }

  private additive(): Expr {
    let left = this.term();
    while ((this.peek().text === '+' || this.peek().text === '-') && this.peek().type === 'op') {
      const op = this.next().text;
      left = this.combine(left, op, this.term());
    }
    return left;
  }
  private term(): Expr {
    let left = this.unary();
    while (['*', '//', '/', '%'].includes(this.peek().text) && this.peek().type === 'op') {
      const op = this.next().text;
      left = this.combine(left, op, this.unary());
    }
    return left;
  }
  /** Numbers fold; a chain of other operands is bounded like nesting (its tree is as deep as it is long). */
  private combine(a: Expr, op: string, b: Expr): Expr {
    const e = combine(a, op, b);
    if (e.kind === 'binop' && ++this.operators > MAX_OPERATORS)
      throw new PySyntaxError(a.line, `an expression with more than ${MAX_OPERATORS} operators is not understood`);
    return e;
  }
  /** Signs are counted in a loop (no recursion per sign). */
  private unary(): Expr {
    const first = this.peek();
    let negate = false,
      signs = 0;
    while (this.peek().type === 'op' && (this.peek().text === '-' || this.peek().text === '+')) {
      if (this.next().text === '-') negate = !negate;
      signs++;
    }
    const e = this.postfix();
    if (signs === 0) return e;
    if (e.kind !== 'num')
      throw new PySyntaxError(
        first.line,
        `'${first.text}' in front of ${describe(e)} is not understood: signs apply to numbers only`,
      );
    return negate ? { ...e, value: -e.value } : e;
  }
  private postfix(): Expr {
    let e = this.atom();
    for (;;) {
      if (this.accept('.')) {
        const t = this.next();
        if (t.type !== 'name') throw new PySyntaxError(t.line, `expected a name after '.', found '${t.text}'`);
        e =
          e.kind === 'name'
            ? { ...e, path: [...e.path, t.text] }
            : { kind: 'attr', object: e, name: t.text, line: t.line };
      } else if (this.peek().text === '(' && this.peek().type === 'op') {
        e = this.call(e);
      } else if (this.peek().text === '[' && this.peek().type === 'op') {
        throw new PySyntaxError(this.peek().line, `indexing (${describe(e)}[...]) is not understood`);
      } else return e;
    }
  }
  private call(callee: Expr): Expr {
    const line = this.next().line;
    this.enter(line);
    const args: Expr[] = [];
    const kwargs: [string, Expr][] = [];
    while (!this.accept(')')) {
      if (this.peek().type === 'name' && this.peek(1).text === '=' && this.peek(1).type === 'op') {
        const key = this.next().text;
        this.next();
        if (kwargs.some(([k]) => k === key))
          throw new PySyntaxError(this.peek().line, `keyword argument '${key}' is given twice`);
        kwargs.push([key, this.expression()]);
      } else {
        if (this.peek().text === '*' || this.peek().text === '**')
          throw new PySyntaxError(
            this.peek().line,
            'unpacking (*args, **kwargs) cannot be read without running the code',
          );
        if (kwargs.length) throw new PySyntaxError(this.peek().line, 'positional argument follows keyword argument');
        args.push(this.expression());
      }
      if (!this.accept(',')) {
        this.expect(')');
        break;
      }
    }
    this.leave();
    return { kind: 'call', callee, args, kwargs, line };
  }
  private atom(): Expr {
    const t = this.next();
    if (t.type === 'num') {
      const isFloat = /[.eE]/.test(t.text);
      return { kind: 'num', value: Number(t.text), isFloat, line: t.line };
    }
    if (t.type === 'str') {
      let value = t.text;
      while (this.peek().type === 'str') value += this.next().text; // implicit concatenation
      return { kind: 'str', value, line: t.line };
    }
    if (t.type === 'name') {
      if (t.text === 'True' || t.text === 'False') return { kind: 'const', value: t.text === 'True', line: t.line };
      if (t.text === 'None') return { kind: 'const', value: null, line: t.line };
      return { kind: 'name', path: [t.text], line: t.line };
    }
    if (t.type === 'op' && (t.text === '(' || t.text === '[')) {
      this.enter(t.line);
      const close = t.text === '(' ? ')' : ']';
      const items: Expr[] = [];
      let comma = false;
      while (!this.accept(close)) {
        items.push(this.expression());
        if (this.accept(',')) comma = true;
        else {
          this.expect(close);
          break;
        }
      }
      this.leave();
      if (t.text === '(' && items.length === 1 && !comma) return items[0];
      return { kind: 'seq', items, tuple: t.text === '(', line: t.line };
    }
    throw new PySyntaxError(
      t.line,
      t.type === 'eof' || t.type === 'newline' ? 'the expression ends too early' : `unexpected '${t.text}'`,
    );
  }
}

/** Numbers fold (Python's int/float arithmetic); anything else stays a binop for the reader to judge. */
function combine(a: Expr, op: string, b: Expr): Expr {
  if (a.kind !== 'num' || b.kind !== 'num') return { kind: 'binop', op, left: a, right: b, line: a.line };
  if ((op === '/' || op === '//' || op === '%') && b.value === 0)
    throw new PySyntaxError(a.line, `division by zero in ${a.value} ${op} 0`);
  const isFloat = a.isFloat || b.isFloat || op === '/';
  const value =
    op === '+'
      ? a.value + b.value
      : op === '-'
        ? a.value - b.value
        : op === '*'
          ? a.value * b.value
          : op === '/'
            ? a.value / b.value
            : op === '//'
              ? Math.floor(a.value / b.value)
              : ((a.value % b.value) + b.value) % b.value;
  return { kind: 'num', value, isFloat, line: a.line };
}

/** Short text for messages: `self.conv1`, `a call of F.relu`, `out + identity`. */
export function describe(e: Expr, depth = 0): string {
  if (depth > 4) return '…';
  const d = (x: Expr) => describe(x, depth + 1);
  switch (e.kind) {
    case 'num':
      return String(e.value);
    case 'str':
      return JSON.stringify(e.value);
    case 'const':
      return e.value === null ? 'None' : e.value ? 'True' : 'False';
    case 'name':
      return e.path.join('.');
    case 'attr':
      return `${e.object.kind === 'call' ? `(${d(e.object)})` : d(e.object)}.${e.name}`;
    case 'seq':
      return e.tuple ? 'a tuple' : 'a list';
    case 'call':
      return `a call of ${d(e.callee)}`;
    case 'binop':
      return `${d(e.left)} ${e.op} ${d(e.right)}`;
  }
}
