// Python source that builds a model, read without running it, into a version-2 document:
// the model class (`class Net(nn.Module)` with `__init__` and `forward`), the block classes
// it instantiates (`BasicBlock(64, 64)`, parameters as ArgRefs), or a top-level
// `nn.Sequential(...)`. Anything in the model's classes that is not understood is refused
// with its line and text; lines outside them get a note. Never executed.
import type { BlockArgValue, BlockDef, ModuleClass } from '../model/module-types.ts';
import { PySyntaxError, type Expr } from './python-expr.ts';
import { exprOf, scanSource, type ClassDef, type SourceScan } from './python-classes.ts';
import { readForward } from './python-forward.ts';
import { readModule, sequentialChildren, type InitScope } from './python-modules.ts';
import { classNameError } from './python-names.ts';
import { lineText, parseStatements } from './python-statements.ts';
import { substituteArgs } from './module-args.ts';
import type { ViewCheck } from './python-functional.ts';
import { failed, type ImportNote, type LineError, type ModelRead } from './import-result.ts';

export function readPythonModel(source: string): ModelRead {
  try {
    return readScanned(source, scanSource(parseStatements(source)));
  } catch (err) {
    if (err instanceof PySyntaxError) return failed([{ line: err.line, message: err.message }]);
    throw err;
  }
}

function readScanned(source: string, scan: SourceScan): ModelRead {
  const errors: LineError[] = [];
  const notes = [...scan.notes];
  const text = (line: number) => lineText(source, line);
  if (scan.classes.length === 0) {
    if (!scan.sequential || scan.sequential.kind !== 'call') {
      const none = {
        line: 1,
        message:
          'no model found: expected a class Net(nn.Module) with __init__ and forward(), or model = nn.Sequential(...)',
      };
      return failed(scan.unreadable.length ? scan.unreadable : [none], notes);
    }
    const scope: InitScope = { params: new Set(), blocks: new Map(), errors };
    const modules = sequentialChildren(scan.sequential, scope);
    if (!modules) return failed(errors, notes);
    const lines = { modules: modules.map(() => scan.sequential!.line), blocks: [] };
    return {
      ok: true,
      doc: { format: 'layerboard-model', version: 2, modules, forward: null },
      notes,
      viewChecks: [],
      lines,
    };
  }
  const byName = new Map(scan.classes.map((c) => [c.name, c]));
  const uses = new Map(scan.classes.map((c) => [c.name, classesUsed(c, byName)]));
  const model = pickModel(scan, uses, notes);
  const order = blockOrder(model, byName, uses);
  if ('cycle' in order)
    return failed(
      [
        {
          line: byName.get(order.cycle)!.line,
          message: `class ${order.cycle} uses itself (through ${order.path.join(' → ')})`,
        },
      ],
      notes,
    );
  const blockParams = new Map(
    order.blocks.map((c) => [
      c.name,
      (c.methods.get('__init__')?.params ?? []).map((p) => ({ name: p.name, hasDefault: p.default !== undefined })),
    ]),
  );
  const blocks: BlockDef[] = [];
  const viewChecks: (ViewCheck & { node: string })[] = [];
  for (const cls of order.blocks) {
    const body = readClassBody(cls, blockParams, errors, notes, text);
    if (body.viewChecks.length)
      errors.push(
        ...body.viewChecks.map((v) => ({
          line: v.line,
          message: `${v.text} inside block ${cls.name}: write ${v.text.split('.')[0]}.flatten(1) (a view(-1, K) is checked against the model's shapes only in the model's own forward)`,
        })),
      );
    blocks.push({ name: cls.name, params: readParams(cls, errors), ...body.cls });
  }
  const body = readClassBody(model, blockParams, errors, notes, text);
  viewChecks.push(...body.viewChecks);
  const defaults = modelDefaults(model, errors, notes);
  for (const [name, error] of [
    [model.name, classNameError(model.name)],
    ...blocks.map((b) => [b.name, classNameError(b.name)]),
  ]) {
    if (error) errors.push({ line: byName.get(name!)!.line, message: `class ${name}: ${error}` });
  }
  if (errors.length) {
    notes.push({
      line: null,
      message:
        'code that needs running to know its modules (loops, helper methods, builder arguments) cannot be read: paste what print(model) shows for it instead — Layerboard reads that too, and says what it assumes',
    });
    return failed(errors, notes);
  }
  const cls = substituteArgs(body.cls, defaults);
  const chain = asChain(cls);
  const lines = {
    modules: chain ? chain.modules.map(() => body.moduleLines[0]) : body.moduleLines,
    blocks: order.blocks.map((b) => b.line),
  };
  return {
    ok: true,
    doc: {
      format: 'layerboard-model',
      version: 2,
      className: model.name,
      ...(chain ?? cls),
      ...(blocks.length ? { blocks } : {}),
    },
    notes,
    viewChecks,
    lines,
  };
}

/** The names of the file's classes that a class instantiates in `__init__`. */
function classesUsed(cls: ClassDef, byName: Map<string, ClassDef>): string[] {
  const used = new Set<string>();
  for (const s of cls.methods.get('__init__')?.body ?? []) {
    s.tokens.forEach((t, i) => {
      if (
        t.type === 'name' &&
        byName.has(t.text) &&
        t.text !== cls.name &&
        s.tokens[i + 1]?.text === '(' &&
        s.tokens[i - 1]?.text !== '.'
      )
        used.add(t.text);
    });
  }
  return [...used];
}

/** The model: the module class (with a forward) no other class uses — the one instantiated at top level if several, else the last. */
function pickModel(scan: SourceScan, uses: Map<string, string[]>, notes: ImportNote[]): ClassDef {
  const used = new Set([...uses.values()].flat());
  const roots = scan.classes.filter((c) => !used.has(c.name));
  // A module class has a forward(); other classes (a weights enum, a config) are not the model.
  const modules = roots.filter((c) => c.methods.has('forward'));
  const candidates = modules.length ? modules : roots.length ? roots : scan.classes;
  const named = [...scan.instantiated]
    .reverse()
    .map((n) => candidates.find((c) => c.name === n))
    .find((c) => c !== undefined);
  const model = named ?? candidates[candidates.length - 1];
  for (const c of roots) {
    if (c !== model)
      notes.push({
        line: c.line,
        message: `class ${c.name} is not used by ${model.name} and was not imported (the model is ${model.name}${named ? ', instantiated at top level' : modules.length ? ', the last class with a forward()' : ', the last class defined'})`,
      });
  }
  return model;
}

/** Block classes the model uses, each after the blocks it uses; a cycle is named. */
function blockOrder(
  model: ClassDef,
  byName: Map<string, ClassDef>,
  uses: Map<string, string[]>,
): { blocks: ClassDef[] } | { cycle: string; path: string[] } {
  const placed: ClassDef[] = [];
  const state = new Map<string, 'open' | 'done'>();
  // Iterative depth-first walk: [class, index of its next dependency].
  const stack: [string, number][] = [[model.name, 0]];
  state.set(model.name, 'open');
  while (stack.length) {
    const top = stack[stack.length - 1];
    const deps = uses.get(top[0]) ?? [];
    if (top[1] < deps.length) {
      const dep = deps[top[1]++];
      if (state.get(dep) === 'open') return { cycle: dep, path: [...stack.map(([n]) => n), dep] };
      if (!state.has(dep)) {
        state.set(dep, 'open');
        stack.push([dep, 0]);
      }
      continue;
    }
    stack.pop();
    state.set(top[0], 'done');
    if (top[0] !== model.name) placed.push(byName.get(top[0])!);
  }
  return { blocks: placed };
}

/** `__init__`'s parameters as a block's params, defaults as constants. */
function readParams(cls: ClassDef, errors: LineError[]): BlockDef['params'] {
  const init = cls.methods.get('__init__');
  return (init?.params ?? []).map((p) => {
    if (p.default === undefined) return { name: p.name };
    const v = constantOf(p.default);
    if (v === undefined) {
      errors.push({ line: init!.line, message: `${cls.name}.__init__: the default of ${p.name} must be a constant` });
      return { name: p.name };
    }
    return { name: p.name, default: v };
  });
}

function constantOf(e: Expr): BlockArgValue | undefined {
  if (e.kind === 'num' || e.kind === 'str' || e.kind === 'const') return e.value;
  if (e.kind === 'seq' && e.items.every((x) => x.kind === 'num'))
    return e.items.map((x) => (x as { value: number }).value);
  return undefined;
}

/** The model class's own parameters take their defaults (a model is built without arguments). */
function modelDefaults(model: ClassDef, errors: LineError[], notes: ImportNote[]): Record<string, BlockArgValue> {
  const values: Record<string, BlockArgValue> = {};
  const init = model.methods.get('__init__');
  for (const p of init?.params ?? []) {
    const v = p.default === undefined ? undefined : constantOf(p.default);
    if (v === undefined) {
      errors.push({
        line: init!.line,
        message: `${model.name}.__init__ needs ${p.name}: the model class must build without arguments (give ${p.name} a constant default)`,
      });
      continue;
    }
    values[p.name] = v;
  }
  if (Object.keys(values).length)
    notes.push({
      line: init!.line,
      message: `${model.name} is built with its defaults: ${Object.entries(values)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(', ')}`,
    });
  return values;
}

/** `__init__` and `forward` of one class. */
interface ClassBody {
  cls: ModuleClass;
  viewChecks: (ViewCheck & { node: string })[];
  moduleLines: number[];
}

function readClassBody(
  cls: ClassDef,
  blocks: InitScope['blocks'],
  errors: LineError[],
  notes: ImportNote[],
  text: (line: number) => string,
): ClassBody {
  const init = cls.methods.get('__init__');
  const scope: InitScope = { params: new Set((init?.params ?? []).map((p) => p.name)), blocks, errors };
  const modules: ModuleClass['modules'] = [];
  const moduleLines: number[] = [];
  for (const s of init?.body ?? []) {
    const t = s.tokens;
    if (s.body !== null) {
      errors.push({
        line: s.line,
        message: `'${text(s.line)}': ${t[0].text} blocks are not understood in __init__ (Layerboard reads self.<name> = <module> lines)`,
      });
      continue;
    }
    if (t.length === 1 && (t[0].type === 'str' || t[0].text === 'pass')) continue;
    try {
      if (
        t[0].text === 'self' &&
        t[1]?.text === '.' &&
        t[2]?.type === 'name' &&
        t[3]?.text === '=' &&
        t[3].type === 'op'
      ) {
        const name = t[2].text;
        if (modules.some((m) => m.name === name)) {
          errors.push({ line: s.line, message: `self.${name} is assigned twice` });
          continue;
        }
        const m = readModule(exprOf(t.slice(4), s.line), name, scope);
        if (m) {
          modules.push(m);
          moduleLines.push(s.line);
        }
        continue;
      }
      if (isSuperInit(exprOf(t, s.line))) continue;
      errors.push({
        line: s.line,
        message: `'${text(s.line)}' is not understood in ${cls.name}.__init__ (Layerboard reads super().__init__() and self.<name> = <module>)`,
      });
    } catch (err) {
      if (!(err instanceof PySyntaxError)) throw err;
      errors.push({ line: err.line, message: `'${text(s.line)}': ${err.message}` });
    }
  }
  for (const line of cls.bodyLines)
    notes.push({
      line,
      message: `'${text(line)}' in class ${cls.name} is not part of its modules or forward() and was not read`,
    });
  for (const m of cls.methods.values()) {
    if (m.name !== '__init__' && m.name !== 'forward')
      notes.push({
        line: m.line,
        message: `method ${cls.name}.${m.name} was not read (only __init__ and forward are)`,
      });
  }
  const forward = cls.methods.get('forward');
  if (!forward) {
    errors.push({
      line: cls.line,
      message: `class ${cls.name} has no forward(): Layerboard needs it to know how the modules connect`,
    });
    return { cls: { modules, forward: null }, viewChecks: [], moduleLines };
  }
  if (forward.params.length !== 1) {
    errors.push({
      line: forward.line,
      message: `${cls.name}.forward takes ${forward.params.length} inputs: Layerboard reads forward(self, x) with one tensor`,
    });
    return { cls: { modules, forward: null }, viewChecks: [], moduleLines };
  }
  const read = readForward(
    forward.body,
    forward.params[0].name,
    modules.map((m) => m.name),
    errors,
    notes,
    text,
  );
  return { cls: { modules, forward: read.graph }, viewChecks: read.viewChecks, moduleLines };
}

function isSuperInit(e: Expr): boolean {
  if (e.kind !== 'call') return false;
  const c = e.callee;
  if (c.kind === 'attr') {
    const sup = c.object;
    return (
      c.name === '__init__' &&
      sup.kind === 'call' &&
      sup.callee.kind === 'name' &&
      sup.callee.path.join('.') === 'super' &&
      e.args.length === 0 &&
      e.kwargs.length === 0
    );
  }
  return (
    c.kind === 'name' &&
    ['nn.Module.__init__', 'torch.nn.Module.__init__', 'Module.__init__'].includes(c.path.join('.')) &&
    e.args.length === 1 &&
    e.args[0].kind === 'name' &&
    e.args[0].path.join('.') === 'self'
  );
}

/** `self.model = nn.Sequential(...)` called once and returned: the chain form (forward null) as version 1 had it. */
function asChain(cls: ModuleClass): ModuleClass | null {
  const [only] = cls.modules;
  const nodes = cls.forward?.nodes ?? [];
  if (cls.modules.length !== 1 || !('sequential' in only) || only.name !== 'model' || nodes.length !== 1) return null;
  const [node] = nodes;
  return 'call' in node && node.inputs[0] === 'input' ? { modules: only.sequential, forward: null } : null;
}
