// Where JSON text goes wrong, as line and column: browsers word JSON.parse's errors
// differently (and V8 often gives no position), so a small scanner finds the first error.
// It also bounds the nesting depth (with the path where it is exceeded), so that no
// reader after it — JSON.parse, our recursive validators — can overflow the stack.

/** Deepest nesting of objects and arrays we read; model and run files need a few dozen. */
export const MAX_JSON_DEPTH = 256;

export interface JsonSyntaxError {
  line: number;
  column: number;
  offset: number;
  message: string;
}

class Scanner {
  pos = 0;
  /** Keys and indices from the root to the value being read. */
  readonly path: (string | number)[] = [];
  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  enter(): void {
    if (this.path.length >= this.maxDepth)
      this.fail(
        `nested too deeply at ${formatJsonPath(this.path)}: more than ${this.maxDepth} levels of objects and lists`,
      );
  }

  fail(message: string, at = this.pos): never {
    throw Object.assign(new Error(message), { offset: at });
  }

  space(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos])) this.pos++;
  }

  peek(): string | undefined {
    return this.text[this.pos];
  }

  describe(): string {
    const c = this.peek();
    return c === undefined ? 'the end of the text' : `'${c === '\n' ? '\\n' : c}'`;
  }

  value(): void {
    this.space();
    const c = this.peek();
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return;
      }
    }
    this.fail(
      c === undefined
        ? 'unexpected end of text, a value was expected'
        : `unexpected ${this.describe()}, a value was expected`,
    );
  }

  object(): void {
    this.enter();
    this.pos++;
    this.space();
    if (this.peek() === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      this.space();
      if (this.peek() !== '"') this.fail(`expected a "quoted" property name, got ${this.describe()}`);
      const keyStart = this.pos;
      this.string();
      const key = this.text.slice(keyStart + 1, this.pos - 1).slice(0, 40);
      this.space();
      if (this.peek() !== ':') this.fail(`expected ':' after the property name, got ${this.describe()}`);
      this.pos++;
      this.path.push(key);
      this.value();
      this.path.pop();
      this.space();
      const c = this.peek();
      this.pos++;
      if (c === '}') return;
      if (c !== ',')
        this.fail(
          `expected ',' or '}' in an object, got ${c === undefined ? 'the end of the text' : `'${c}'`}`,
          this.pos - 1,
        );
      this.space();
      if (this.peek() === '}') this.fail("trailing comma before '}'", this.pos);
    }
  }

  array(): void {
    this.enter();
    this.pos++;
    this.space();
    if (this.peek() === ']') {
      this.pos++;
      return;
    }
    for (let i = 0; ; i++) {
      this.path.push(i);
      this.value();
      this.path.pop();
      this.space();
      const c = this.peek();
      this.pos++;
      if (c === ']') return;
      if (c !== ',')
        this.fail(
          `expected ',' or ']' in a list, got ${c === undefined ? 'the end of the text' : `'${c}'`}`,
          this.pos - 1,
        );
      this.space();
      if (this.peek() === ']') this.fail("trailing comma before ']'", this.pos);
    }
  }

  string(): void {
    const start = this.pos++;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos++];
      if (c === '"') return;
      if (c === '\\') {
        const e = this.text[this.pos++];
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos, this.pos + 4))) this.pos += 4;
        else if (e === undefined || !'"\\/bfnrt'.includes(e)) this.fail('bad escape in a string', this.pos - 2);
      } else if (c < ' ') this.fail('control character (such as a raw line break) inside a string', this.pos - 1);
    }
    this.fail('unterminated string', start);
  }

  number(): void {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) this.fail('malformed number');
    this.pos += m[0].length;
    const next = this.text[this.pos];
    if (next !== undefined && next >= '0' && next <= '9' && m[1] === '0')
      this.fail('numbers must not have leading zeros');
  }
}

const NUMBER = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

/** `$.layers[3].keywords`, the middle elided when it is long. */
export function formatJsonPath(path: readonly (string | number)[]): string {
  const part = (p: string | number) =>
    typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`;
  const shown =
    path.length > 12
      ? [...path.slice(0, 6).map(part), `…(${path.length - 12} more)…`, ...path.slice(-6).map(part)]
      : path.map(part);
  return `$${shown.join('')}`;
}

/** The first syntax error of `text` as JSON (or nesting over `maxDepth`), or null when it is valid JSON. */
export function jsonSyntaxError(text: string, maxDepth = MAX_JSON_DEPTH): JsonSyntaxError | null {
  const s = new Scanner(text, maxDepth);
  try {
    s.value();
    s.space();
    if (s.pos < text.length) s.fail(`unexpected ${s.describe()} after the end of the JSON value`);
    return null;
  } catch (err) {
    const offset = (err as { offset?: number }).offset ?? s.pos;
    const before = text.slice(0, offset).split('\n');
    return {
      line: before.length,
      column: before[before.length - 1].length + 1,
      offset,
      message: (err as Error).message,
    };
  }
}

/** Text as it may come from a file: a leading UTF-8 byte-order mark is not part of the JSON. */
export const stripBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

export type JsonRead = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * JSON text to a value, safely for any input: BOM accepted, syntax errors with line and
 * column, nesting bounded (a clear "nested too deeply at $.a[0]…" instead of a stack overflow).
 */
export function readJson(text: string, maxDepth = MAX_JSON_DEPTH): JsonRead {
  const body = stripBom(text);
  const syntax = jsonSyntaxError(body, maxDepth);
  if (syntax)
    return { ok: false, message: `not valid JSON: line ${syntax.line}, column ${syntax.column}: ${syntax.message}` };
  return { ok: true, value: JSON.parse(body) };
}
