// Structure checks of a version-2 model file: named modules (layers, block instances,
// Sequentials), block classes and forward graphs, every problem at its JSON path. Layer
// keywords that take a block's argument ({"arg": "planes"}) are checked per instance by
// instanceErrors (flat-graph.ts), where the argument's value is known.
import { identifierError, pythonNameError } from '../python/python-names.ts';
import { forwardErrors } from './forward-check.ts';
import { describe, fieldErrorAt, isObject, join, unknownKeys, type DocError, type Obj } from './doc-errors.ts';
import type { LayerSpec } from './types.ts';
import { didYouMean, validateLayer } from './validate.ts';

/** What a class body may refer to: its block parameters (ArgRefs), and the blocks defined before it. */
export interface ClassScope {
  /** The enclosing block's parameters; null in the model itself (no ArgRefs there). */
  params: string[] | null;
  /** Blocks defined before this point, by name, with the parameters each requires. */
  blocks: Map<string, { params: { name: string; required: boolean }[] }>;
  /** Every block name of the document, to tell "defined later" from "unknown". */
  allBlocks: string[];
}

export const isArgRef = (v: unknown): v is { arg: string } =>
  isObject(v) && typeof v.arg === 'string' && Object.keys(v).length === 1;

const BODY_KEYS = ['layer', 'block', 'sequential'] as const;

/** A Sequential's (or a chain's) child names: all '0', '1', … in order, or all Python identifiers. */
function sequentialNameErrors(names: unknown[], path: string): DocError[] {
  if (names.every((n, i) => n === String(i))) return [];
  return names.flatMap((n, i) => {
    if (typeof n !== 'string') return [];
    const err = /^\d+$/.test(n)
      ? `'${n}': a Sequential's names are either 0, 1, 2, … in order or all Python identifiers (an OrderedDict)`
      : pythonNameError(n);
    return err ? [{ path: `${path}[${i}].name`, message: err }] : [];
  });
}

/** The modules of a class (`sequential`: names follow nn.Sequential's rules, else attribute names). */
export function modulesErrors(modules: unknown, path: string, scope: ClassScope, sequential: boolean): DocError[] {
  if (!Array.isArray(modules)) {
    return [
      {
        path,
        message:
          modules === undefined
            ? 'missing; it must be a list of modules (possibly empty)'
            : `must be a list of modules, got ${describe(modules)}`,
      },
    ];
  }
  const errors: DocError[] = [];
  const names = modules.map((m) => (isObject(m) ? m.name : undefined));
  const seen = new Map<unknown, number>();
  modules.forEach((m, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(m)) {
      errors.push({
        path: at,
        message: `must be an object like {"name": "conv1", "layer": {...}}, got ${describe(m)}`,
      });
      return;
    }
    if (typeof m.name !== 'string')
      errors.push({
        path: `${at}.name`,
        message:
          m.name === undefined ? 'missing; every module has a name' : `must be a string, got ${describe(m.name)}`,
      });
    else if (seen.has(m.name))
      errors.push({
        path: `${at}.name`,
        message: `'${m.name}' is already the name of ${path}[${seen.get(m.name)}]; names must be unique`,
      });
    else {
      seen.set(m.name, i);
      const err = sequential ? null : pythonNameError(m.name);
      if (err) errors.push({ path: `${at}.name`, message: err });
    }
    errors.push(...moduleBodyErrors(m, at, scope));
  });
  if (sequential) errors.push(...sequentialNameErrors(names, path));
  return errors;
}

function moduleBodyErrors(m: Obj, at: string, scope: ClassScope): DocError[] {
  const bodies = BODY_KEYS.filter((k) => m[k] !== undefined);
  if (bodies.length !== 1) {
    const message =
      bodies.length === 0
        ? 'needs one of "layer", "block" or "sequential"'
        : `has both "${bodies[0]}" and "${bodies[1]}"; a module is one of them`;
    return [{ path: at, message }];
  }
  const errors = unknownKeys(
    m,
    bodies[0] === 'block' ? ['name', 'block', 'args'] : ['name', bodies[0]],
    at,
    'a module',
  );
  if (bodies[0] === 'layer') return [...errors, ...layerErrors(m.layer, `${at}.layer`, scope)];
  if (bodies[0] === 'sequential') return [...errors, ...modulesErrors(m.sequential, `${at}.sequential`, scope, true)];
  return [...errors, ...blockUseErrors(m, at, scope)];
}

function argRefError(ref: { arg: string }, path: string, scope: ClassScope): DocError[] {
  if (scope.params === null)
    return [{ path, message: `{"arg": "${ref.arg}"} takes a block's argument; only a block's modules have arguments` }];
  if (scope.params.includes(ref.arg)) return [];
  const guess = didYouMean(ref.arg, scope.params);
  const known = scope.params.length
    ? `; the block's parameters are ${scope.params.join(', ')}`
    : '; the block has no parameters';
  return [{ path, message: `unknown parameter '${ref.arg}'${guess ? ` (did you mean '${guess}'?)` : known}` }];
}

/** A layer spec; keywords holding ArgRefs are checked for the reference only (their value comes per instance). */
export function layerErrors(layer: unknown, path: string, scope: ClassScope): DocError[] {
  if (!isObject(layer))
    return [{ path, message: `must be an object like {"type": "Conv2d", ...}, got ${describe(layer)}` }];
  if (layer.type === undefined)
    return [{ path: `${path}.type`, message: 'missing; each layer needs a "type" such as "Conv2d"' }];
  const refs = Object.keys(layer).filter((k) => k !== 'type' && isArgRef(layer[k]));
  const errors = refs.flatMap((k) => argRefError(layer[k] as { arg: string }, join(path, k), scope));
  const concrete = Object.fromEntries(Object.entries(layer).filter(([k]) => !refs.includes(k))) as LayerSpec;
  const layerErrs = validateLayer(concrete).filter((e) => !refs.includes(e.field));
  return [...errors, ...layerErrs.map((e) => fieldErrorAt(path, e))];
}

const isArgValue = (v: unknown): boolean =>
  v === null ||
  typeof v === 'boolean' ||
  typeof v === 'string' ||
  (typeof v === 'number' && Number.isFinite(v)) ||
  (Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x)));

function blockUseErrors(m: Obj, at: string, scope: ClassScope): DocError[] {
  if (typeof m.block !== 'string')
    return [{ path: `${at}.block`, message: `must be the name of a block class, got ${describe(m.block)}` }];
  const def = scope.blocks.get(m.block);
  if (!def) {
    if (scope.allBlocks.includes(m.block)) {
      return [
        {
          path: `${at}.block`,
          message: `block '${m.block}' is defined after this point (or is this block itself); a block may use only blocks defined before it`,
        },
      ];
    }
    const guess = didYouMean(m.block, scope.allBlocks);
    return [
      {
        path: `${at}.block`,
        message: `unknown block '${m.block}'${guess ? ` (did you mean '${guess}'?)` : scope.allBlocks.length ? `; the document defines ${scope.allBlocks.join(', ')}` : '; the document defines no blocks'}`,
      },
    ];
  }
  if (m.args !== undefined && !isObject(m.args))
    return [{ path: `${at}.args`, message: `must be an object of the block's arguments, got ${describe(m.args)}` }];
  const args = (m.args ?? {}) as Obj;
  const errors: DocError[] = [];
  const params = def.params.map((p) => p.name);
  for (const [k, v] of Object.entries(args)) {
    const path = join(join(at, 'args'), k);
    if (!params.includes(k)) {
      const guess = didYouMean(k, params);
      errors.push({
        path,
        message: `unknown argument '${k}' for ${m.block}${guess ? ` (did you mean '${guess}'?)` : `; ${m.block} takes ${params.join(', ') || 'no arguments'}`}`,
      });
    } else if (isArgRef(v)) errors.push(...argRefError(v, path, scope));
    else if (!isArgValue(v))
      errors.push({
        path,
        message: `must be a number, boolean, string, null, a list of numbers or {"arg": name}, got ${describe(v)}`,
      });
  }
  for (const p of def.params) {
    if (p.required && !(p.name in args))
      errors.push({ path: `${at}.args`, message: `${m.block} needs the argument '${p.name}'` });
  }
  return errors;
}

/** Block classes, in definition order; returns the errors and the scope of the model's own body. */
export function blocksErrors(blocks: unknown, className: string): { errors: DocError[]; scope: ClassScope } {
  const scope: ClassScope = { params: null, blocks: new Map(), allBlocks: [] };
  if (blocks === undefined) return { errors: [], scope };
  if (!Array.isArray(blocks))
    return { errors: [{ path: 'blocks', message: `must be a list of block classes, got ${describe(blocks)}` }], scope };
  scope.allBlocks = blocks.flatMap((b) => (isObject(b) && typeof b.name === 'string' ? [b.name] : []));
  const errors: DocError[] = [];
  blocks.forEach((b, i) => {
    const at = `blocks[${i}]`;
    if (!isObject(b)) {
      errors.push({
        path: at,
        message: `must be a block class {"name", "params", "modules", "forward"}, got ${describe(b)}`,
      });
      return;
    }
    errors.push(...unknownKeys(b, ['name', 'params', 'modules', 'forward'], at, 'a block'));
    const nameErr =
      typeof b.name !== 'string'
        ? `must be a class name, got ${describe(b.name)}`
        : (identifierError(b.name) ??
          (scope.blocks.has(b.name)
            ? `'${b.name}' is already a block; block names must be unique`
            : b.name === className
              ? `'${b.name}' is the model's class name; give the block another name`
              : ['torch', 'nn', 'F', 'OrderedDict', 'print', 'tuple', 'super'].includes(b.name)
                ? `'${b.name}' would shadow a name the exported module uses`
                : null));
    if (nameErr) errors.push({ path: `${at}.name`, message: nameErr });
    const { errors: paramErrs, params } = paramsErrors(b.params, `${at}.params`, scope.allBlocks);
    errors.push(...paramErrs);
    const inner: ClassScope = {
      params: params.map((p) => p.name),
      blocks: new Map(scope.blocks),
      allBlocks: scope.allBlocks,
    };
    errors.push(...classErrors(b, at, inner));
    if (typeof b.name === 'string' && !scope.blocks.has(b.name)) scope.blocks.set(b.name, { params });
  });
  return { errors, scope };
}

/** Parameter names that would shadow what the generated __init__ uses. */
const RESERVED_PARAMS = ['self', 'torch', 'nn', 'F', 'super', 'OrderedDict'];

function paramsErrors(
  params: unknown,
  path: string,
  blockNames: string[],
): { errors: DocError[]; params: { name: string; required: boolean }[] } {
  if (params === undefined) return { errors: [], params: [] };
  if (!Array.isArray(params))
    return {
      errors: [{ path, message: `must be a list of {"name", "default"?}, got ${describe(params)}` }],
      params: [],
    };
  const errors: DocError[] = [];
  const out: { name: string; required: boolean }[] = [];
  let sawDefault = false;
  params.forEach((p, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(p) || typeof p.name !== 'string') {
      errors.push({ path: at, message: `must be {"name": identifier, "default"?: value}, got ${describe(p)}` });
      return;
    }
    errors.push(...unknownKeys(p, ['name', 'default'], at, 'a parameter'));
    const err =
      identifierError(p.name) ??
      (RESERVED_PARAMS.includes(p.name)
        ? `'${p.name}' is a name the exported __init__ uses; pick another`
        : blockNames.includes(p.name)
          ? `'${p.name}' is a block's name; a parameter would hide it`
          : out.some((q) => q.name === p.name)
            ? `'${p.name}' is already a parameter`
            : null);
    if (err) errors.push({ path: `${at}.name`, message: err });
    if ('default' in p) {
      sawDefault = true;
      if (!isArgValue(p.default))
        errors.push({
          path: `${at}.default`,
          message: `must be a number, boolean, string, null or a list of numbers, got ${describe(p.default)}`,
        });
    } else if (sawDefault)
      errors.push({
        path: at,
        message: `'${p.name}' has no default but follows a parameter with one (Python: non-default argument follows default argument)`,
      });
    out.push({ name: p.name, required: !('default' in p) });
  });
  return { errors, params: out };
}

/** modules + forward of a class (the model or a block). */
export function classErrors(c: Obj, at: string, scope: ClassScope): DocError[] {
  const chain = c.forward === null || c.forward === undefined;
  const errors: DocError[] = [];
  if (c.forward === undefined)
    errors.push({
      path: join(at, 'forward'),
      message: 'missing; null for a chain of the modules in order, or {"nodes": [...], "output": name}',
    });
  // The model's chain is an nn.Sequential (names 0, 1, … allowed); a block's modules are always attributes (self.conv).
  errors.push(...modulesErrors(c.modules, join(at, 'modules'), scope, chain && at === ''));
  if (!chain) {
    const names = Array.isArray(c.modules)
      ? c.modules.flatMap((m) => (isObject(m) && typeof m.name === 'string' ? [m.name] : []))
      : [];
    errors.push(...forwardErrors(c.forward, join(at, 'forward'), names));
  }
  return errors;
}
