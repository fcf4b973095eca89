// forward() read as a graph of calls, never run: `x = self.conv1(x)`, nested calls
// `self.pool(F.relu(self.conv1(x)))`, the functional forms with a module equivalent
// (`F.relu`, `F.max_pool2d(x, 2)`, `torch.flatten(x, 1)`, `x.view(x.size(0), -1)`,
// `x.flatten(1)`), `a + b` / `out += identity`, `torch.cat([a, b], dim=1)`, `return x`.
// Every statement is understood or refused with its line; nothing is skipped.
import type { ForwardGraph, ForwardNode } from '../model/module-types.ts';
import type { LayerSpec } from '../model/types.ts';
import { ExprParser, PySyntaxError, describe, type Expr, type Token } from './python-expr.ts';
import { functionalLayer, tensorMethod, type ViewCheck } from './python-functional.ts';
import type { Stmt } from './python-statements.ts';
import type { ImportNote, LineError } from './import-result.ts';

export interface ForwardRead {
  graph: ForwardGraph | null;
  /** `x.view(-1, K)` nodes: a flatten only if each sample holds K values (checked with shapes). */
  viewChecks: (ViewCheck & { node: string })[];
}

/** Reads the body of `def forward(self, x)`; `modules` are the class's registered submodules. */
export function readForward(
  body: Stmt[],
  input: string,
  modules: string[],
  errors: LineError[],
  notes: ImportNote[],
  text: (line: number) => string,
): ForwardRead {
  const reader = new ForwardReader(input, new Set(modules));
  let output: string | null = null;
  let returnLine = 0;
  for (const stmt of body) {
    if (output !== null) {
      errors.push({
        line: stmt.line,
        message: `'${text(stmt.line)}' comes after return on line ${returnLine} and never runs`,
      });
      continue;
    }
    try {
      const r = reader.statement(stmt, text);
      if (r !== null) {
        output = r;
        returnLine = stmt.line;
      }
    } catch (err) {
      if (!(err instanceof PySyntaxError)) throw err;
      errors.push({ line: err.line, message: err.message });
    }
  }
  if (output === null) {
    if (body.length && !errors.length)
      errors.push({
        line: body[body.length - 1].line,
        message: 'forward() has no return statement: Layerboard needs to know which value the model returns',
      });
    return { graph: null, viewChecks: [] };
  }
  if (output === 'input') {
    errors.push({ line: returnLine, message: 'forward() returns its input unchanged' });
    return { graph: null, viewChecks: [] };
  }
  const used = reader.reachable(output);
  for (const n of reader.nodes) {
    if (!used.has(n.name))
      errors.push({
        line: reader.lines.get(n.name)!,
        message: `the value computed here (${n.name}) is never used by what forward() returns`,
      });
  }
  const called = new Set(reader.nodes.flatMap((n) => ('call' in n ? [n.call] : [])));
  for (const m of modules)
    if (!called.has(m))
      notes.push({
        line: null,
        message: `self.${m} is registered in __init__ but forward() never calls it: it is kept (its parameters count, as in PyTorch)`,
      });
  return { graph: { nodes: reader.nodes, output }, viewChecks: reader.viewChecks.filter((v) => used.has(v.node)) };
}

class ForwardReader {
  nodes: ForwardNode[] = [];
  lines = new Map<string, number>();
  viewChecks: (ViewCheck & { node: string })[] = [];
  private vars = new Map<string, string>();
  private taken = new Set<string>(['input']);
  /** Next suffix to try per base name (a module called 20,000 times stays linear). */
  private suffix = new Map<string, number>();

  constructor(
    private readonly input: string,
    private readonly modules: Set<string>,
  ) {
    this.vars.set(input, 'input');
  }

  /** One statement; returns the returned node's name for `return`, else null. */
  statement(stmt: Stmt, text: (line: number) => string): string | null {
    const t = stmt.tokens;
    const refuse = (why: string): never => {
      throw new PySyntaxError(stmt.line, `'${text(stmt.line)}': ${why}`);
    };
    if (stmt.body !== null)
      refuse(`${t[0].text} blocks are not understood in forward() (Layerboard reads a fixed graph of calls)`);
    if (t.length === 1 && (t[0].type === 'str' || t[0].text === 'pass')) return null;
    if (t[0].type === 'name' && t[0].text === 'return') {
      if (t.length === 1) refuse('forward() must return a tensor');
      return this.value(parse(t.slice(1), stmt.line));
    }
    if (t.length >= 3 && t[0].type === 'name' && t[1].type === 'op' && (t[1].text === '=' || t[1].text === '+=')) {
      const target = t[0].text;
      const value = this.value(parse(t.slice(2), stmt.line));
      if (t[1].text === '=') {
        this.vars.set(target, value);
        return null;
      }
      const prior = this.vars.get(target);
      if (prior === undefined) refuse(`${target} is not defined before this line`);
      this.vars.set(target, this.add([prior!, value], stmt.line));
      return null;
    }
    if (t[0].type === 'name' && t[1]?.text === ',') refuse('unpacking several values is not understood');
    if (
      t[0].type === 'name' &&
      t[1]?.type === 'op' &&
      t[1].text.endsWith('=') &&
      t[1].text.length >= 2 &&
      t[1].text !== '=='
    )
      refuse(`'${t[1].text}' is not understood between tensors (only + and +=)`);
    return refuse('not understood in forward() (Layerboard reads x = <call>, x += <value> and return <value>)');
  }

  /** The node computing a tensor expression (nested calls first). */
  private value(e: Expr): string {
    switch (e.kind) {
      case 'name': {
        if (e.path.length === 1) {
          const v = this.vars.get(e.path[0]);
          if (v !== undefined) return v;
          throw new PySyntaxError(e.line, `${e.path[0]} is not defined before line ${e.line}`);
        }
        throw new PySyntaxError(
          e.line,
          `${describe(e)} is not a tensor of forward() (only calls of self.<module>(...) and values computed earlier are)`,
        );
      }
      case 'binop': {
        if (e.op !== '+') throw new PySyntaxError(e.line, `'${describe(e)}': only + is understood between tensors`);
        const terms: Expr[] = [];
        let cur: Expr = e;
        while (cur.kind === 'binop' && cur.op === '+') {
          terms.unshift(cur.right);
          cur = cur.left;
        }
        terms.unshift(cur);
        return this.add(
          terms.map((x) => this.value(x)),
          e.line,
        );
      }
      case 'call':
        return this.call(e);
      default:
        throw new PySyntaxError(e.line, `${describe(e)} is not a tensor`);
    }
  }

  private call(e: Expr & { kind: 'call' }): string {
    const path = e.callee.kind === 'name' ? e.callee.path : null;
    if (path && path[0] === 'self' && path.length === 2) {
      const module = path[1];
      if (!this.modules.has(module))
        throw new PySyntaxError(e.line, `forward() calls self.${module}, which __init__ does not register as a module`);
      if (e.args.length !== 1 || e.kwargs.length)
        throw new PySyntaxError(
          e.line,
          `self.${module}(...) takes exactly one tensor here, got ${e.args.length + e.kwargs.length} arguments`,
        );
      const input = this.value(e.args[0]);
      return this.push({ name: this.fresh(module), call: module, inputs: [input] }, e.line);
    }
    if (path && ['torch.cat', 'torch.concat', 'torch.concatenate'].includes(path.join('.'))) return this.cat(e);
    if (path && path.length === 2 && this.vars.has(path[0]))
      return this.method(path[0], this.vars.get(path[0])!, path[1], e);
    if (e.callee.kind === 'attr') {
      const inner = this.value(e.callee.object);
      return this.method(null, inner, e.callee.name, e);
    }
    const fn = path ? functionalLayer(path, e) : null;
    if (!fn) throw new PySyntaxError(e.line, `${describe(e.callee)}(...) is not understood in forward()`);
    const input = this.value(fn.input);
    return this.apply(fn.layer, fn.name, input, e.line);
  }

  /** `x.view(...)`, `x.flatten(1)`, `x.relu()` … on a tensor (var: its variable name, for x.size(0)). */
  private method(variable: string | null, node: string, method: string, e: Expr & { kind: 'call' }): string {
    const m = tensorMethod(variable, method, e);
    if (m.check) {
      const name = this.apply(m.layer, m.name, node, e.line);
      this.viewChecks.push({ ...m.check, node: name });
      return name;
    }
    return this.apply(m.layer, m.name, node, e.line);
  }

  private cat(e: Expr & { kind: 'call' }): string {
    const list = e.args[0];
    if (!list || list.kind !== 'seq')
      throw new PySyntaxError(e.line, 'torch.cat takes a list or tuple of tensors: torch.cat([a, b], dim=1)');
    const dimExpr = e.args[1] ?? e.kwargs.find(([k]) => k === 'dim')?.[1];
    if (e.args.length > 2 || e.kwargs.some(([k]) => k !== 'dim') || (e.args[1] && e.kwargs.length))
      throw new PySyntaxError(e.line, 'torch.cat takes the tensors and dim only');
    const dim =
      dimExpr === undefined ? 0 : dimExpr.kind === 'num' && Number.isInteger(dimExpr.value) ? dimExpr.value : null;
    if (dim === null) throw new PySyntaxError(e.line, `torch.cat: dim must be an integer, got ${describe(dimExpr!)}`);
    if (list.items.length === 0) throw new PySyntaxError(e.line, 'torch.cat of an empty list');
    const inputs = list.items.map((x) => this.value(x));
    return this.push({ name: this.fresh('cat'), op: 'cat', dim, inputs }, e.line);
  }

  private add(inputs: string[], line: number): string {
    return this.push({ name: this.fresh('add'), op: 'add', inputs }, line);
  }

  private apply(layer: LayerSpec, base: string, input: string, line: number): string {
    return this.push({ name: this.fresh(base), apply: layer, inputs: [input] }, line);
  }

  private push(node: ForwardNode, line: number): string {
    this.nodes.push(node);
    this.lines.set(node.name, line);
    return node.name;
  }

  /** A node name not used yet (a module's name for its first call; then name_1, name_2 …). */
  private fresh(base: string): string {
    let k = this.suffix.get(base) ?? 0;
    let name = k === 0 ? base : `${base}_${k}`;
    while (this.taken.has(name) || (!this.modules.has(base) && this.modules.has(name))) name = `${base}_${++k}`;
    this.suffix.set(base, k + 1);
    this.taken.add(name);
    return name;
  }

  /** Names of the nodes the output depends on (walked with a stack). */
  reachable(output: string): Set<string> {
    const byName = new Map(this.nodes.map((n) => [n.name, n]));
    const seen = new Set<string>();
    const stack = [output];
    while (stack.length) {
      const name = stack.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      for (const i of byName.get(name)?.inputs ?? []) stack.push(i);
    }
    return seen;
  }
}

function parse(tokens: Token[], line: number): Expr {
  const p = new ExprParser([...tokens, { type: 'newline', text: '\n', line }, { type: 'eof', text: '', line }]);
  const e = p.expression();
  if (!p.atEnd()) throw new PySyntaxError(p.peek().line, `unexpected '${p.peek().text}' after ${describe(e)}`);
  return e;
}
