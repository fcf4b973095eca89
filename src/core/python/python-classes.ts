// The classes of a Python file, read from its statement tree: name, methods with their
// parameters (defaults as expressions) and bodies; plus what the top level does besides
// (a Sequential assigned to a name, the class instantiated, lines that are not read).
import { ExprParser, PySyntaxError, describe, type Expr, type Token } from './python-expr.ts';
import { isSequentialCall } from './python-modules.ts';
import type { Stmt } from './python-statements.ts';
import type { ImportNote, LineError } from './import-result.ts';

export interface MethodDef {
  name: string;
  line: number;
  params: { name: string; default?: Expr }[];
  body: Stmt[];
}
export interface ClassDef {
  name: string;
  line: number;
  methods: Map<string, MethodDef>;
  bodyLines: number[];
}

export interface SourceScan {
  classes: ClassDef[];
  /** `model = nn.Sequential(...)` or a bare `nn.Sequential(...)` at top level, last one wins. */
  sequential: Expr | null;
  /** Class names called at top level (`net = Net()`), in order. */
  instantiated: string[];
  notes: ImportNote[];
  /** Top-level statements that could not be read: reported when no model is found. */
  unreadable: LineError[];
}

export function exprOf(tokens: Token[], line: number): Expr {
  const p = new ExprParser([...tokens, { type: 'newline', text: '\n', line }, { type: 'eof', text: '', line }]);
  const e = p.expression();
  if (!p.atEnd()) throw new PySyntaxError(p.peek().line, `unexpected '${p.peek().text}' after ${describe(e)}`);
  return e;
}

/** Classes and the top level's model-related statements; other top-level lines get one note. */
export function scanSource(stmts: Stmt[]): SourceScan {
  const scan: SourceScan = { classes: [], sequential: null, instantiated: [], notes: [], unreadable: [] };
  const unread: number[] = [];
  for (const s of stmts) {
    const first = s.tokens[0];
    if (first.type === 'name' && (first.text === 'import' || first.text === 'from')) continue;
    if (first.type === 'name' && first.text === 'class') {
      scan.classes.push(readClass(s));
      continue;
    }
    const value = s.body === null ? topLevelValue(s, scan.unreadable) : null;
    if (value && isSequentialCall(value)) {
      scan.sequential = value;
      continue;
    }
    if (value?.kind === 'call' && value.callee.kind === 'name' && value.callee.path.length === 1)
      scan.instantiated.push(value.callee.path[0]);
    if (!(s.tokens.length === 1 && s.tokens[0].type === 'str')) unread.push(s.line);
  }
  if (unread.length) {
    const shown = unread.length > 8 ? `${unread.slice(0, 8).join(', ')} …` : unread.join(', ');
    scan.notes.push({
      line: null,
      message: `${unread.length === 1 ? 'line' : 'lines'} ${shown} outside the model's classes ${unread.length === 1 ? 'is' : 'are'} not part of the model and ${unread.length === 1 ? 'was' : 'were'} not read`,
    });
  }
  return scan;
}

/** The value of `name = <expr>` or of a bare expression statement; null when it is neither or unreadable. */
function topLevelValue(s: Stmt, unreadable: LineError[]): Expr | null {
  const t = s.tokens;
  const start = t.length > 2 && t[0].type === 'name' && t[1].type === 'op' && t[1].text === '=' ? 2 : 0;
  try {
    return exprOf(t.slice(start), s.line);
  } catch (err) {
    if (!(err instanceof PySyntaxError)) throw err;
    unreadable.push({ line: err.line, message: err.message });
    return null;
  }
}

function readClass(s: Stmt): ClassDef {
  const t = s.tokens;
  if (t[1]?.type !== 'name') throw new PySyntaxError(s.line, 'expected a class name after class');
  if (s.body === null)
    throw new PySyntaxError(s.line, `class ${t[1].text}: write its body on the lines below, indented`);
  const cls: ClassDef = { name: t[1].text, line: s.line, methods: new Map(), bodyLines: [] };
  for (const stmt of s.body) {
    const first = stmt.tokens[0];
    if (first.type === 'name' && first.text === 'def') {
      const m = readMethod(stmt);
      if (cls.methods.has(m.name)) throw new PySyntaxError(stmt.line, `${cls.name}.${m.name} is defined twice`);
      cls.methods.set(m.name, m);
    } else if (first.type === 'op' && first.text === '@') {
      throw new PySyntaxError(stmt.line, `decorators in class ${cls.name} are not understood`);
    } else if (!(stmt.tokens.length === 1 && (first.type === 'str' || first.text === 'pass'))) {
      cls.bodyLines.push(stmt.line);
    }
  }
  return cls;
}

/** `def name(self, a, b=1) -> T:` with its body; annotations are skipped, *args refused. */
function readMethod(s: Stmt): MethodDef {
  const t = s.tokens;
  const name = t[1]?.type === 'name' ? t[1].text : null;
  if (!name || t[2]?.text !== '(') throw new PySyntaxError(s.line, 'expected def name(...):');
  if (s.body === null) throw new PySyntaxError(s.line, `def ${name}: write its body on the lines below, indented`);
  const params: MethodDef['params'] = [];
  let i = 3;
  while (t[i] && t[i].text !== ')') {
    if (t[i].text === '*' || t[i].text === '**' || t[i].text === '/')
      throw new PySyntaxError(s.line, `def ${name}: *args, **kwargs and / are not understood`);
    if (t[i].type !== 'name')
      throw new PySyntaxError(s.line, `def ${name}: unexpected '${t[i].text}' in the parameters`);
    const param: MethodDef['params'][number] = { name: t[i].text };
    i++;
    // Skip an annotation up to the next top-level ',' '=' or ')'.
    let depth = 0;
    if (t[i]?.text === ':') {
      i++;
      while (t[i] && !(depth === 0 && [',', '=', ')'].includes(t[i].text))) {
        if (['(', '['].includes(t[i].text)) depth++;
        if ([')', ']'].includes(t[i].text)) depth--;
        i++;
      }
    }
    if (t[i]?.text === '=') {
      const start = ++i;
      while (t[i] && !(depth === 0 && [',', ')'].includes(t[i].text))) {
        if (['(', '['].includes(t[i].text)) depth++;
        if ([')', ']'].includes(t[i].text)) depth--;
        i++;
      }
      param.default = exprOf(t.slice(start, i), s.line);
    }
    params.push(param);
    if (t[i]?.text === ',') i++;
  }
  if (params[0]?.name !== 'self') throw new PySyntaxError(s.line, `def ${name}: the first parameter must be self`);
  return { name, line: s.line, params: params.slice(1), body: s.body };
}
