// Python source that builds a model, read without running it: `nn.Sequential(...)`
// (positional or OrderedDict), a class holding `self.model = nn.Sequential(...)` as the
// seed does, or a class of layer attributes called one after another in forward().
// Anything else is named with its line.
import { CATALOGUE, isLayerType } from '../model/catalogue.ts';
import { describe, ExprParser, PySyntaxError, tokenize, type Expr } from './python-expr.ts';
import { classNameError, layerNamesErrors } from './python-names.ts';
import type { LayerSpec } from '../model/types.ts';
import { validateLayer } from '../model/validate.ts';

export type PythonImport = { ok: true; layers: LayerSpec[]; names: string[] | null; className?: string }
                         | { ok: false; errors: { line: number; message: string }[] };
type LineError = { line: number; message: string };

interface ClassInfo { name: string; line: number; attrs: Map<string, Expr>; forwardCalls: { path: string[]; line: number }[] }
interface Scan { classes: ClassInfo[]; topLevel: { name: string; value: Expr }[]; errors: LineError[] }

const isNnPath = (path: string[]) => path.length === 1 || (path.length === 2 && path[0] === 'nn') || (path.length === 3 && path[0] === 'torch' && path[1] === 'nn');
const callName = (e: Expr) => (e.kind === 'call' && e.callee.kind === 'name' ? e.callee.path : null);
const isSequential = (e: Expr) => { const p = callName(e); return p !== null && p[p.length - 1] === 'Sequential' && isNnPath(p); };

export function parsePythonModel(source: string): PythonImport {
  let scan: Scan;
  try {
    scan = scanSource(source);
  } catch (err) {
    if (err instanceof PySyntaxError) return { ok: false, errors: [{ line: err.line, message: err.message }] };
    throw err;
  }
  const picked = pickModel(scan);
  if ('errors' in picked) return { ok: false, errors: [...scan.errors, ...picked.errors].sort((a, b) => a.line - b.line) };
  const errors = [...scan.errors];
  const layers: LayerSpec[] = [];
  for (const e of picked.exprs) {
    const r = toLayer(e);
    if (r.error) errors.push(r.error); else layers.push(r.spec);
  }
  if (picked.names) for (const { index, message } of layerNamesErrors(picked.names)) errors.push({ line: picked.exprs[index]?.line ?? 1, message });
  if (picked.className && classNameError(picked.className)) errors.push({ line: picked.classLine ?? 1, message: classNameError(picked.className)! });
  if (errors.length) return { ok: false, errors: errors.sort((a, b) => a.line - b.line) };
  return { ok: true, layers, names: picked.names, ...(picked.className ? { className: picked.className } : {}) };
}

/** Walks the statements: class bodies, self.X = ... assignments, forward() calls, NAME = ... */
function scanSource(source: string): Scan {
  const p = new ExprParser(tokenize(source));
  const indentOf = source.split('\n').map((l) => /^[ \t]*/.exec(l)![0].replace(/\t/g, '        ').length);
  const scan: Scan = { classes: [], topLevel: [], errors: [] };
  let cls: ClassInfo | null = null;
  let classIndent = -1, defIndent = -1;
  let inForward = false;
  while (p.peek().type !== 'eof') {
    const t = p.peek();
    if (t.type === 'newline') { p.next(); continue; }
    // A statement at or left of a block's header closes that block.
    const indent = indentOf[t.line - 1] ?? 0;
    if (inForward && indent <= defIndent) inForward = false;
    if (cls && indent <= classIndent) cls = null;
    if (t.text === 'class' && p.peek(1).type === 'name') {
      p.next();
      cls = { name: p.next().text, line: t.line, attrs: new Map(), forwardCalls: [] };
      classIndent = indent;
      scan.classes.push(cls);
      inForward = false;
    } else if (t.text === 'def' && p.peek(1).type === 'name') {
      p.next();
      inForward = cls !== null && p.next().text === 'forward';
      defIndent = indent;
    } else if (t.text === 'self' && p.peek(1).text === '.' && p.peek(2).type === 'name' && p.peek(3).text === '=' && cls && !inForward) {
      p.pos += 3;
      p.next();
      cls.attrs.set(p.tokens[p.pos - 2].text, p.expression());
    } else if (t.type === 'name' && p.peek(1).text === '=' && p.peek(1).type === 'op' && !inForward && !['import', 'from'].includes(t.text)) {
      p.pos += 2;
      const value = tryExpression(p);
      if (value && !cls) scan.topLevel.push({ name: t.text, value });
      if (value && cls === null && isSequential(value)) { /* kept in topLevel */ }
    } else if (inForward && cls) {
      collectForward(p, cls, scan.errors);
      continue;
    } else if (t.type === 'name' && !['import', 'from', 'return', 'if', 'for', 'with', 'print', 'super'].includes(t.text) && !cls) {
      const value = tryExpression(p);
      if (value && isSequential(value)) scan.topLevel.push({ name: '', value });
    }
    while (p.peek().type !== 'newline' && p.peek().type !== 'eof') p.next();
  }
  return scan;
}

function tryExpression(p: ExprParser): Expr | null {
  const start = p.pos;
  try { return p.expression(); } catch { p.pos = start; return null; }
}

/** One statement of forward(): every call, innermost first; self.<attr> calls are the chain. */
function collectForward(p: ExprParser, cls: ClassInfo, errors: LineError[]): void {
  const line = p.peek().line;
  if (p.peek().type === 'name' && p.peek(1).text === '=' && p.peek(1).type === 'op') p.pos += 2;
  else if (p.peek().text === 'return') p.next();
  const e = tryExpression(p);
  while (p.peek().type !== 'newline' && p.peek().type !== 'eof') p.next();
  if (!e) return;
  const visit = (x: Expr): void => {
    if (x.kind !== 'call') return;
    x.args.forEach(visit);
    const path = callName(x);
    if (path && path[0] === 'self' && path.length === 2) cls.forwardCalls.push({ path, line: x.line });
    else errors.push({ line, message: `forward() calls ${describe(x.callee)}, which is not a layer attribute: Layerboard reads a chain of self.<layer>(x) calls (use nn.Flatten / nn.ReLU modules instead of functions)` });
  };
  visit(e);
}

type Picked = { exprs: Expr[]; names: string[] | null; className?: string; classLine?: number } | { errors: LineError[] };

function pickModel(scan: Scan): Picked {
  for (const cls of scan.classes) {
    const seq = [...cls.attrs.entries()].find(([, v]) => isSequential(v));
    if (seq) return { ...sequentialItems(seq[1]), className: cls.name, classLine: cls.line };
  }
  for (const cls of scan.classes) {
    const layers = [...cls.attrs.entries()].filter(([, v]) => callName(v) !== null);
    if (layers.length === 0) continue;
    const order = cls.forwardCalls.length ? cls.forwardCalls.map((c) => c.path[1]) : layers.map(([k]) => k);
    const missing = cls.forwardCalls.find((c) => !cls.attrs.has(c.path[1]));
    if (missing) return { errors: [{ line: missing.line, message: `forward() calls self.${missing.path[1]}, which __init__ does not define` }] };
    const repeated = order.find((name, i) => order.indexOf(name) !== i);
    if (repeated) return { errors: [{ line: cls.forwardCalls[order.lastIndexOf(repeated)].line, message: `forward() calls self.${repeated} twice: an nn.Sequential uses each layer once` }] };
    return { exprs: order.map((k) => cls.attrs.get(k)!), names: order, className: cls.name, classLine: cls.line };
  }
  const seq = [...scan.topLevel].reverse().find((t) => isSequential(t.value));
  if (seq) return sequentialItems(seq.value);
  return { errors: [{ line: 1, message: 'no model found: expected nn.Sequential(...), or a class whose __init__ sets self.<name> = nn.<Layer>(...) or self.model = nn.Sequential(...)' }] };
}

/** nn.Sequential(a, b, ...) or nn.Sequential(OrderedDict([('name', layer), ...])). */
function sequentialItems(seq: Expr): Picked {
  if (seq.kind !== 'call') return { errors: [{ line: seq.line, message: 'expected a call of nn.Sequential' }] };
  const first = seq.args[0];
  const od = first && callName(first);
  if (od && od[od.length - 1] === 'OrderedDict' && seq.args.length === 1) {
    const list = first.kind === 'call' ? first.args[0] : undefined;
    if (!list || list.kind !== 'seq') return { errors: [{ line: first.line, message: 'OrderedDict needs a list of (name, layer) pairs' }] };
    const names: string[] = [];
    const exprs: Expr[] = [];
    for (const item of list.items) {
      if (item.kind !== 'seq' || item.items.length !== 2 || item.items[0].kind !== 'str') return { errors: [{ line: item.line, message: "each OrderedDict entry must be a ('name', layer) pair" }] };
      names.push((item.items[0] as { value: string }).value);
      exprs.push(item.items[1]);
    }
    return { exprs, names };
  }
  return { exprs: seq.args, names: null };
}

function toValue(e: Expr): unknown {
  switch (e.kind) {
    case 'num': return e.value;
    case 'str': return e.value;
    case 'const': return e.value;
    case 'seq': return e.items.map(toValue);
    default: throw new PySyntaxError(e.line, `${describe(e)} is not a constant value`);
  }
}

type LayerResult = { spec: LayerSpec; error?: undefined } | { error: LineError; spec?: undefined };

function toLayer(e: Expr): LayerResult {
  const path = callName(e);
  if (!path || e.kind !== 'call') return { error: { line: e.line, message: `expected a layer like nn.Conv2d(...), found ${describe(e)}` } };
  const type = path[path.length - 1];
  if (type === 'Sequential') return { error: { line: e.line, message: 'a Sequential inside a Sequential is not supported: Layerboard models are one flat chain' } };
  if (!isLayerType(type) || !isNnPath(path)) return { error: { line: e.line, message: `${path.join('.')} is not a layer Layerboard knows (${Object.keys(CATALOGUE).join(', ')})` } };
  const params = CATALOGUE[type].params;
  if (e.args.length > params.length) return { error: { line: e.line, message: `${type} takes at most ${params.length} positional arguments, got ${e.args.length}` } };
  const spec: LayerSpec = { type };
  try {
    e.args.forEach((a, i) => { spec[params[i].name] = toValue(a); });
    for (const [k, v] of e.kwargs) {
      if (k in spec && k !== 'type') return { error: { line: e.line, message: `${type}: '${k}' is given twice` } };
      spec[k] = toValue(v);
    }
  } catch (err) {
    if (err instanceof PySyntaxError) return { error: { line: err.line, message: `${type}: ${err.message}` } };
    throw err;
  }
  const problems = validateLayer(spec);
  if (problems.length) return { error: { line: e.line, message: `${type}: ${problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('; ')}` } };
  return { spec };
}
