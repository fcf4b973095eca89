// Where JSON text goes wrong, as line and column: browsers word JSON.parse's errors
// differently (and V8 often gives no position), so a small scanner finds the first error.

export interface JsonSyntaxError { line: number; column: number; offset: number; message: string }

class Scanner {
  pos = 0;
  constructor(private readonly text: string) {}

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
      if (this.text.startsWith(word, this.pos)) { this.pos += word.length; return; }
    }
    this.fail(c === undefined ? 'unexpected end of text, a value was expected' : `unexpected ${this.describe()}, a value was expected`);
  }

  object(): void {
    this.pos++;
    this.space();
    if (this.peek() === '}') { this.pos++; return; }
    for (;;) {
      this.space();
      if (this.peek() !== '"') this.fail(`expected a "quoted" property name, got ${this.describe()}`);
      this.string();
      this.space();
      if (this.peek() !== ':') this.fail(`expected ':' after the property name, got ${this.describe()}`);
      this.pos++;
      this.value();
      this.space();
      const c = this.peek();
      this.pos++;
      if (c === '}') return;
      if (c !== ',') this.fail(`expected ',' or '}' in an object, got ${c === undefined ? 'the end of the text' : `'${c}'`}`, this.pos - 1);
      this.space();
      if (this.peek() === '}') this.fail("trailing comma before '}'", this.pos);
    }
  }

  array(): void {
    this.pos++;
    this.space();
    if (this.peek() === ']') { this.pos++; return; }
    for (;;) {
      this.value();
      this.space();
      const c = this.peek();
      this.pos++;
      if (c === ']') return;
      if (c !== ',') this.fail(`expected ',' or ']' in a list, got ${c === undefined ? 'the end of the text' : `'${c}'`}`, this.pos - 1);
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
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.pos));
    if (!m) this.fail('malformed number');
    this.pos += m[0].length;
    if (/^[0-9]/.test(this.text.slice(this.pos)) && m[1] === '0') this.fail('numbers must not have leading zeros');
  }
}

/** The first syntax error of `text` as JSON, or null when it is valid JSON. */
export function jsonSyntaxError(text: string): JsonSyntaxError | null {
  const s = new Scanner(text);
  try {
    s.value();
    s.space();
    if (s.pos < text.length) s.fail(`unexpected ${s.describe()} after the end of the JSON value`);
    return null;
  } catch (err) {
    const offset = (err as { offset?: number }).offset ?? s.pos;
    const before = text.slice(0, offset).split('\n');
    return { line: before.length, column: before[before.length - 1].length + 1, offset, message: (err as Error).message };
  }
}
