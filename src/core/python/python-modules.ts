// The submodules an `__init__` registers, read from its statements without running them:
// `self.conv1 = nn.Conv2d(...)`, `nn.Sequential(...)` (positional or OrderedDict), and
// instances of the file's own block classes (`BasicBlock(64, 128, stride=2)`). Inside a
// block, a keyword may be one of `__init__`'s parameters: it becomes an ArgRef.
import { CATALOGUE, isLayerType, type ParamSpec } from '../model/catalogue.ts';
import type { ArgRef, BlockArgValue, NamedModule } from '../model/module-types.ts';
import type { LayerSpec } from '../model/types.ts';
import { validateField, validateLayer } from '../model/validate.ts';
import { describe, PySyntaxError, type Expr } from './python-expr.ts';
import type { LineError } from './import-result.ts';
import { isArgRef } from './module-args.ts';
import { pyFloat } from './python-literals.ts';

/** What `__init__` may refer to: its parameters and the block classes of the file. */
export interface InitScope {
  params: Set<string>;
  /** Block class name → its `__init__` parameters, in order (self excluded). */
  blocks: Map<string, { name: string; hasDefault: boolean }[]>;
  errors: LineError[];
}

export const callPath = (e: Expr): string[] | null =>
  e.kind === 'call' && e.callee.kind === 'name' ? e.callee.path : null;
export const isNnPath = (path: string[]): boolean =>
  path.length === 1 ||
  (path.length === 2 && path[0] === 'nn') ||
  (path.length === 3 && path[0] === 'torch' && path[1] === 'nn');
const isNnCall = (e: Expr, type: string): boolean => {
  const p = callPath(e);
  return p !== null && p[p.length - 1] === type && isNnPath(p);
};
export const isSequentialCall = (e: Expr): boolean => isNnCall(e, 'Sequential');

type Value = BlockArgValue | ArgRef;

/** A constant, or a parameter name of the enclosing `__init__` (as an ArgRef). */
function toValue(e: Expr, scope: InitScope): Value {
  switch (e.kind) {
    case 'num':
    case 'str':
    case 'const':
      return e.value;
    case 'seq': {
      const items = e.items.map((x) => toValue(x, scope));
      if (items.every((x) => typeof x === 'number')) return items as number[];
      throw new PySyntaxError(
        e.line,
        `${describe(e)} of ${items.length} values is understood only when every item is a number`,
      );
    }
    case 'name':
      if (e.path.length === 1 && scope.params.has(e.path[0])) return { arg: e.path[0] };
      throw new PySyntaxError(
        e.line,
        `${describe(e)} is not a constant value${e.path.length === 1 ? ' nor a parameter of __init__' : ''}`,
      );
    case 'binop':
      throw new PySyntaxError(
        e.line,
        `${describe(e)}: arithmetic on __init__ parameters is not understood (write the value, or pass it as its own parameter)`,
      );
    default:
      throw new PySyntaxError(e.line, `${describe(e)} is not a constant value`);
  }
}

const isFloatLiteral = (e: Expr): boolean =>
  (e.kind === 'num' && e.isFloat) || (e.kind === 'seq' && e.items.some(isFloatLiteral));

/**
 * A Python float given to an int keyword (`nn.Linear(4.0, 3)`, `kernel_size=1e300`): the
 * value reads as a JS integer, but PyTorch refuses it (`empty(): argument 'size' must be
 * tuple of SymInts, but found element of type float`), so the import does too.
 */
function floatForInt(e: Expr & { kind: 'call' }, params: ParamSpec[]): string | null {
  const given: [string, Expr][] = [...e.args.map((a, i): [string, Expr] => [params[i].name, a]), ...e.kwargs];
  for (const [name, x] of given) {
    const p = params.find((q) => q.name === name);
    if (p && (p.kind === 'int' || p.kind === 'pair') && isFloatLiteral(x))
      return `${name} must be an integer, got ${x.kind === 'num' ? pyFloat(x.value) : describe(x)} (a Python float, which PyTorch refuses here)`;
  }
  return null;
}

/** `nn.Conv2d(3, 6, 5)` → its LayerSpec; keywords given as parameters stay ArgRefs (checked per instance later). */
export function readLayer(
  e: Expr & { kind: 'call' },
  type: keyof typeof CATALOGUE,
  scope: InitScope,
): LayerSpec | null {
  const params = CATALOGUE[type].params;
  const fail = (message: string) => {
    scope.errors.push({ line: e.line, message: `${type}: ${message}` });
    return null;
  };
  if (e.args.length > params.length)
    return fail(`takes at most ${params.length} positional arguments, got ${e.args.length}`);
  const spec: LayerSpec = { type };
  try {
    e.args.forEach((a, i) => {
      spec[params[i].name] = toValue(a, scope);
    });
    for (const [k, v] of e.kwargs) {
      if (k in spec) return fail(`'${k}' is given twice`);
      spec[k] = toValue(v, scope);
    }
  } catch (err) {
    if (err instanceof PySyntaxError) return fail(err.message);
    throw err;
  }
  const floats = floatForInt(e, params);
  if (floats) return fail(floats);
  const refs = Object.keys(spec).filter((k) => isArgRef(spec[k]));
  const problems =
    refs.length === 0
      ? validateLayer(spec).map((p) =>
          p.field && !p.message.startsWith(p.field) ? `${p.field}: ${p.message}` : p.message,
        )
      : [
          ...refs.filter((k) => !params.some((p) => p.name === k)).map((k) => `unknown keyword '${k}'`),
          ...params.filter((p) => p.required && spec[p.name] === undefined).map((p) => `${p.name} is required`),
          ...Object.keys(spec)
            .filter((k) => k !== 'type' && !refs.includes(k))
            .map((k) => validateField(type, k, spec[k]))
            .filter((m): m is string => m !== null),
        ];
  if (problems.length) return fail(problems.join('; '));
  return spec;
}

/** The module an expression of `self.<name> = <expr>` builds, or null (error recorded). */
export function readModule(e: Expr, name: string, scope: InitScope): NamedModule | null {
  const path = callPath(e);
  const fail = (message: string) => {
    scope.errors.push({ line: e.line, message });
    return null;
  };
  if (!path || e.kind !== 'call') {
    return fail(
      `self.${name} = ${describe(e)}: only submodules are read in __init__ (nn layers, nn.Sequential, block classes of this file)`,
    );
  }
  const type = path[path.length - 1];
  if (type === 'Sequential' && isNnPath(path)) {
    const children = sequentialChildren(e, scope);
    return children ? { name, sequential: children } : null;
  }
  if (path.length === 1 && scope.blocks.has(type)) return readBlockInstance(e, type, name, scope);
  if (isLayerType(type) && isNnPath(path)) {
    const layer = readLayer(e, type, scope);
    return layer ? { name, layer } : null;
  }
  if (type === 'ModuleList' || type === 'ModuleDict')
    return fail(
      `nn.${type} is not supported: its use in forward() needs Python loops (use nn.Sequential, or register each module as self.<name>)`,
    );
  if (path[0] === 'self')
    return fail(
      `self.${name} = ${path.join('.')}(...): a method call cannot be read without running the code (build the modules in __init__ itself)`,
    );
  const known = Object.keys(CATALOGUE).join(', ');
  return fail(
    `${path.join('.')} is not a layer Layerboard knows (${known}, nn.Sequential${scope.blocks.size ? `, or the classes ${[...scope.blocks.keys()].join(', ')}` : ''})`,
  );
}

/** `nn.Sequential(a, b, ...)` or `nn.Sequential(OrderedDict([('name', a), ...]))`. */
export function sequentialChildren(seq: Expr & { kind: 'call' }, scope: InitScope): NamedModule[] | null {
  const fail = (line: number, message: string) => {
    scope.errors.push({ line, message });
    return null;
  };
  if (seq.kwargs.length) return fail(seq.line, `nn.Sequential takes no keyword arguments, got '${seq.kwargs[0][0]}'`);
  const first = seq.args[0];
  const od = first && callPath(first);
  let items: { name: string; expr: Expr }[];
  if (od && od[od.length - 1] === 'OrderedDict' && first.kind === 'call') {
    if (seq.args.length !== 1) return fail(seq.line, 'nn.Sequential takes one OrderedDict, or modules');
    const list = first.args[0];
    if (!list || list.kind !== 'seq' || first.args.length !== 1)
      return fail(first.line, 'OrderedDict needs a list of (name, module) pairs');
    items = [];
    for (const item of list.items) {
      if (item.kind !== 'seq' || item.items.length !== 2 || item.items[0].kind !== 'str')
        return fail(item.line, "each OrderedDict entry must be a ('name', module) pair");
      const key = item.items[0].value;
      if (items.some((x) => x.name === key))
        return fail(item.line, `OrderedDict name '${key}' is used twice: PyTorch keeps only the last`);
      items.push({ name: key, expr: item.items[1] });
    }
  } else {
    items = seq.args.map((expr, i) => ({ name: String(i), expr }));
  }
  const children = items.map(({ name, expr }) => readModule(expr, name, scope));
  return children.every((c): c is NamedModule => c !== null) ? children : null;
}

/** `BasicBlock(64, 128, stride=2)`: arguments matched to the class's `__init__` parameters. */
function readBlockInstance(
  e: Expr & { kind: 'call' },
  type: string,
  name: string,
  scope: InitScope,
): NamedModule | null {
  const params = scope.blocks.get(type)!;
  const fail = (message: string) => {
    scope.errors.push({ line: e.line, message: `${type}(...): ${message}` });
    return null;
  };
  if (e.args.length > params.length)
    return fail(
      `takes at most ${params.length} arguments (${params.map((p) => p.name).join(', ') || 'none'}), got ${e.args.length}`,
    );
  const args: Record<string, Value> = {};
  try {
    e.args.forEach((a, i) => {
      args[params[i].name] = toValue(a, scope);
    });
    for (const [k, v] of e.kwargs) {
      if (!params.some((p) => p.name === k))
        return fail(`unknown argument '${k}' (${type} takes ${params.map((p) => p.name).join(', ') || 'none'})`);
      if (k in args) return fail(`'${k}' is given twice`);
      args[k] = toValue(v, scope);
    }
  } catch (err) {
    if (err instanceof PySyntaxError) return fail(err.message);
    throw err;
  }
  const missing = params.filter((p) => !p.hasDefault && !(p.name in args));
  if (missing.length) return fail(`missing ${missing.map((p) => `'${p.name}'`).join(', ')}`);
  return { name, block: type, ...(Object.keys(args).length ? { args } : {}) };
}
