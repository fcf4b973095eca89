// A tokenizer and expression parser for the Python that builds models: calls with
// positional and keyword arguments, dotted names, numbers, strings, tuples, lists,
// True/False/None and integer arithmetic on constants (64*4*4). It builds a tree and
// folds constants; nothing is ever executed.

export type Expr =
  | { kind: 'num'; value: number; isFloat: boolean; line: number }
  | { kind: 'str'; value: string; line: number }
  | { kind: 'const'; value: boolean | null; line: number }
  | { kind: 'name'; path: string[]; line: number }
  | { kind: 'seq'; items: Expr[]; tuple: boolean; line: number }
  | { kind: 'call'; callee: Expr; args: Expr[]; kwargs: [string, Expr][]; line: number };

export class PySyntaxError extends Error {
  constructor(readonly line: number, message: string) { super(message); }
}

interface Token { type: 'name' | 'num' | 'str' | 'op' | 'newline' | 'eof'; text: string; line: number }

const OPS = ['**', '//', '==', '->', '(', ')', '[', ']', '{', '}', ',', ':', '.', '=', '+', '-', '*', '/', '%', '@', '<', '>'];

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0, line = 1, depth = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') { if (depth === 0) tokens.push({ type: 'newline', text: '\n', line }); line++; i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') { i++; continue; }
    if (c === '\\' && src[i + 1] === '\n') { i += 2; line++; continue; }
    if (c === '#') { while (i < src.length && src[i] !== '\n') i++; continue; }
    const str = /^([rRbBuUfF]{0,2})('''|"""|'|")/.exec(src.slice(i, i + 5));
    if (str && (str[1] === '' || /^[a-zA-Z]/.test(c))) {
      const quote = str[2];
      const start = line;
      let j = i + str[0].length, value = '';
      while (j < src.length && !src.startsWith(quote, j)) {
        if (src[j] === '\n') { if (quote.length === 1) throw new PySyntaxError(line, 'unterminated string'); line++; }
        if (src[j] === '\\' && !/[rR]/.test(str[1])) { value += unescape(src[j + 1]); j += 2; continue; }
        value += src[j++];
      }
      if (j >= src.length) throw new PySyntaxError(start, 'unterminated string');
      tokens.push({ type: 'str', text: value, line: start });
      i = j + quote.length;
      continue;
    }
    const num = /^(\d[\d_]*\.?[\d_]*([eE][+-]?\d+)?|\.\d[\d_]*([eE][+-]?\d+)?)/.exec(src.slice(i));
    if (num) { tokens.push({ type: 'num', text: num[0].replace(/_/g, ''), line }); i += num[0].length; continue; }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (name) { tokens.push({ type: 'name', text: name[0], line }); i += name[0].length; continue; }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new PySyntaxError(line, `unexpected character '${c}'`);
    if ('([{'.includes(op)) depth++;
    if (')]}'.includes(op)) depth = Math.max(0, depth - 1);
    tokens.push({ type: 'op', text: op, line });
    i += op.length;
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
  constructor(readonly tokens: Token[]) {}

  peek(offset = 0): Token { return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]; }
  next(): Token { return this.tokens[this.pos++]; }
  accept(text: string): boolean { if (this.peek().text === text && this.peek().type !== 'str') { this.pos++; return true; } return false; }
  expect(text: string): void {
    const t = this.peek();
    if (!this.accept(text)) throw new PySyntaxError(t.line, `expected '${text}' but found ${t.type === 'eof' ? 'the end' : `'${t.text}'`}`);
  }

  expression(): Expr { return this.additive(); }

  private additive(): Expr {
    let left = this.term();
    while (this.peek().text === '+' || this.peek().text === '-') {
      const op = this.next().text;
      left = fold(left, op, this.term());
    }
    return left;
  }
  private term(): Expr {
    let left = this.unary();
    while (['*', '//', '/', '%'].includes(this.peek().text) && this.peek().type === 'op') {
      const op = this.next().text;
      left = fold(left, op, this.unary());
    }
    return left;
  }
  private unary(): Expr {
    const t = this.peek();
    if (t.type === 'op' && (t.text === '-' || t.text === '+')) {
      this.next();
      const e = this.unary();
      if (e.kind !== 'num') throw new PySyntaxError(t.line, `'${t.text}' applies to numbers only`);
      return t.text === '-' ? { ...e, value: -e.value } : e;
    }
    return this.postfix();
  }
  private postfix(): Expr {
    let e = this.atom();
    for (;;) {
      if (this.accept('.')) {
        const t = this.next();
        if (t.type !== 'name' || e.kind !== 'name') throw new PySyntaxError(t.line, `unexpected '.${t.text}'`);
        e = { ...e, path: [...e.path, t.text] };
      } else if (this.peek().text === '(' && this.peek().type === 'op') {
        e = this.call(e);
      } else return e;
    }
  }
  private call(callee: Expr): Expr {
    const line = this.next().line;
    const args: Expr[] = [];
    const kwargs: [string, Expr][] = [];
    while (!this.accept(')')) {
      if (this.peek().type === 'name' && this.peek(1).text === '=' && this.peek(1).type === 'op') {
        const key = this.next().text;
        this.next();
        kwargs.push([key, this.expression()]);
      } else {
        if (kwargs.length) throw new PySyntaxError(this.peek().line, 'positional argument follows keyword argument');
        if (this.peek().text === '*') throw new PySyntaxError(this.peek().line, 'unpacking (*args) cannot be read without running the code');
        args.push(this.expression());
      }
      if (!this.accept(',')) { this.expect(')'); break; }
    }
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
    if (t.text === '(' || t.text === '[') {
      const close = t.text === '(' ? ')' : ']';
      const items: Expr[] = [];
      let comma = false;
      while (!this.accept(close)) {
        items.push(this.expression());
        if (this.accept(',')) comma = true;
        else { this.expect(close); break; }
      }
      if (t.text === '(' && items.length === 1 && !comma) return items[0];
      return { kind: 'seq', items, tuple: t.text === '(', line: t.line };
    }
    throw new PySyntaxError(t.line, t.type === 'eof' || t.type === 'newline' ? 'the expression ends too early' : `unexpected '${t.text}'`);
  }
}

/** Constant folding of integer/float arithmetic; anything else is not a constant. */
function fold(a: Expr, op: string, b: Expr): Expr {
  if (a.kind !== 'num' || b.kind !== 'num') throw new PySyntaxError(a.line, `'${op}' is only understood between numbers (found ${describe(a)} ${op} ${describe(b)})`);
  const isFloat = a.isFloat || b.isFloat || op === '/';
  const value = op === '+' ? a.value + b.value : op === '-' ? a.value - b.value : op === '*' ? a.value * b.value
    : op === '/' ? a.value / b.value : op === '//' ? Math.floor(a.value / b.value) : ((a.value % b.value) + b.value) % b.value;
  return { kind: 'num', value, isFloat, line: a.line };
}

export function describe(e: Expr): string {
  switch (e.kind) {
    case 'num': return String(e.value);
    case 'str': return JSON.stringify(e.value);
    case 'const': return e.value === null ? 'None' : e.value ? 'True' : 'False';
    case 'name': return e.path.join('.');
    case 'seq': return e.tuple ? 'a tuple' : 'a list';
    case 'call': return `a call of ${describe(e.callee)}`;
  }
}
