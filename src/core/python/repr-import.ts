// PyTorch print(model) text to a version-2 model document, never evaluated: Sequentials
// (index or OrderedDict names) stay Sequentials, other classes with children become block
// classes (repr-blocks.ts), and the seed's wrapper `BS(\n  (model): Sequential(...))` is a
// chain as before. print(model) does not show forward(): what was assumed is returned as
// notes, never silently.
//
// print(model) omits some keywords (AvgPool2d ceil_mode, count_include_pad,
// divisor_override; MaxPool2d return_indices): they come back as PyTorch's defaults.
// Keywords equal to PyTorch's default are left out of the result; pool sizes keep the
// form PyTorch printed (2 vs (2, 2)) because print(model) shows that difference.
import { CATALOGUE, isLayerType, type ParamSpec } from '../model/catalogue.ts';
import type { ModelDocument, NamedModule } from '../model/module-types.ts';
import type { LayerSpec, LayerType } from '../model/types.ts';
import { validateLayer } from '../model/validate.ts';
import { byLine, type ImportNote, type LineError, type ModelRead } from './import-result.ts';
import { classNameError, layerNamesErrors } from './python-names.ts';
import { chainForward, defineBlocks, type BlockInstance, type BlockUse } from './repr-blocks.ts';
import {
  BareWord,
  parseReprArgs,
  parseReprTree,
  ReprSyntaxError,
  type PyValue,
  type ReprArgs,
  type ReprNode,
} from './repr-tree.ts';

function unknownLayer(type: string): string {
  return `unknown layer '${type}'; Layerboard knows ${Object.keys(CATALOGUE).join(', ')}`;
}

/** Keywords each layer's extra_repr prints positionally, in order. */
const POSITIONAL: Partial<Record<LayerType, string[]>> = {
  Conv2d: ['in_channels', 'out_channels'],
  BatchNorm1d: ['num_features'],
  BatchNorm2d: ['num_features'],
};
/** Conv2d stores every pair expanded, so (5, 5) and 5 mean and print the same. */
const COLLAPSE_PAIRS = new Set<LayerType>(['Conv2d']);

/** print(model) text to a version-2 document (without its input shape) and notes on what was assumed; never throws. */
export function readModelRepr(text: string): ModelRead {
  let root: ReprNode;
  try {
    root = parseReprTree(text);
  } catch (err) {
    if (err instanceof ReprSyntaxError)
      return { ok: false, errors: [{ line: err.line, message: err.message }], notes: [] };
    return {
      ok: false,
      errors: [{ line: 1, message: `could not read the text: ${err instanceof Error ? err.message : String(err)}` }],
      notes: [],
    };
  }
  const ctx: Ctx = { errors: [], notes: [], instances: [], moduleLines: [] };
  const doc = rootDocument(root, ctx);
  const blocks = ctx.errors.length ? [] : defineBlocks(ctx.instances, ctx.errors, ctx.notes);
  if (ctx.errors.length) return { ok: false, errors: byLine(ctx.errors), notes: byLine(ctx.notes) };
  const lines = {
    modules: ctx.moduleLines,
    blocks: blocks.map((b) => ctx.instances.find((i) => i.use.block === b.name)?.line ?? 1),
  };
  return {
    ok: true,
    doc: { ...doc, ...(blocks.length ? { blocks } : {}) },
    notes: byLine(ctx.notes),
    viewChecks: [],
    lines,
  };
}

interface Ctx {
  errors: LineError[];
  notes: ImportNote[];
  instances: BlockInstance[];
  /** Line of each model module. */ moduleLines: number[];
}
type Body = Pick<ModelDocument, 'format' | 'version' | 'modules' | 'forward' | 'className'>;
const doc = (modules: NamedModule[], forward: ModelDocument['forward'], className?: string): Body => ({
  format: 'layerboard-model',
  version: 2,
  ...(className ? { className } : {}),
  modules,
  forward,
});

/** The model: a Sequential (a chain), one layer, the seed's wrapper `BS((model): Sequential)`, or a class of modules. */
function rootDocument(root: ReprNode, ctx: Ctx): Body {
  const linesOf = (node: ReprNode) => {
    ctx.moduleLines = node.children.map((c) => c.node.line);
  };
  linesOf(root);
  if (root.className === 'Sequential' && (root.args === null || root.args === ''))
    return doc(children(root, '', ctx, null), null);
  if (root.args !== null) {
    if (isLayerType(root.className)) {
      ctx.moduleLines = [root.line];
      const m = convert('0', root, '', ctx, null);
      return doc(m ? [m] : [], null);
    }
    ctx.errors.push({ line: root.line, message: unknownLayer(root.className) });
    return doc([], null);
  }
  const nameError = classNameError(root.className);
  if (nameError) ctx.errors.push({ line: root.line, message: `class ${root.className}: ${nameError}` });
  const only = root.children.length === 1 ? root.children[0] : null;
  if (
    only &&
    only.key === 'model' &&
    only.node.className === 'Sequential' &&
    (only.node.args === null || only.node.args === '')
  ) {
    linesOf(only.node);
    return doc(
      children(only.node, 'model', ctx, null).map((m) => m),
      null,
      root.className,
    );
  }
  const modules = children(root, '', ctx, null);
  if (ctx.errors.length) return doc(modules, null, root.className);
  const flattenBefore = flattensNeeded(modules, ctx.instances);
  const order = modules.map((m) => m.name);
  const assumed = `${root.className}: forward not shown by print(model): assumed to call ${order.join(' → ')} in printed order`;
  const flat = flattenBefore.size
    ? `, with torch.flatten(x, 1) before ${[...flattenBefore].join(', ')} (a Linear after a 4-D output; torchvision's forward does this and print(model) does not show it)`
    : '';
  ctx.notes.push({ line: root.line, message: assumed + flat });
  return doc(modules, chainForward(order, flattenBefore), root.className);
}

/** The children of a container, each converted; errors recorded. */
function children(node: ReprNode, path: string, ctx: Ctx, inBlock: string | null): NamedModule[] {
  nameErrors(node, ctx.errors);
  const out: NamedModule[] = [];
  for (const { key, node: child } of node.children) {
    const m = convert(key, child, path ? `${path}.${key}` : key, ctx, inBlock);
    if (m) out.push(m);
  }
  return out;
}

/** One printed module: a layer, a Sequential, or an instance of a block class. */
function convert(key: string, node: ReprNode, path: string, ctx: Ctx, inBlock: string | null): NamedModule | null {
  // An empty Sequential prints as one line: `(shortcut): Sequential()`.
  if (node.className === 'Sequential' && node.args === '') return { name: key, sequential: [] };
  if (node.error !== undefined || node.args !== null) {
    const r = readLayer(node);
    if (r.error) {
      ctx.errors.push(r.error);
      return null;
    }
    return { name: key, layer: r.spec };
  }
  if (node.className === 'Sequential') return { name: key, sequential: children(node, path, ctx, inBlock) };
  const nameError = classNameError(node.className);
  if (nameError) {
    ctx.errors.push({ line: node.line, message: `class ${node.className}: ${nameError}` });
    return null;
  }
  if (inBlock) {
    ctx.errors.push({
      line: node.line,
      message: `${path} (${node.className}) inside a ${inBlock}: blocks nested in blocks are not read from print(model)`,
    });
    return null;
  }
  const use: BlockUse = { name: key, block: node.className };
  ctx.instances.push({
    className: node.className,
    path,
    line: node.line,
    modules: children(node, path, ctx, node.className),
    use,
  });
  return use;
}

/**
 * A Sequential's keys are 0, 1, 2, … or all identifiers (an OrderedDict); a class's are
 * attribute names. A key equal to its index among names is reported only when nothing
 * else is wrong with the names.
 */
function nameErrors(node: ReprNode, errors: LineError[]): void {
  const keys = node.children.map((c) => c.key);
  if (node.className === 'Sequential' && keys.every((k, i) => k === String(i))) return;
  const all = layerNamesErrors(keys);
  const named = all.filter((e) => keys[e.index] !== String(e.index));
  const mixed = ' (the model mixes index keys and names: name every layer)';
  for (const e of named.length > 0 ? named : all) {
    errors.push({
      line: node.children[e.index].node.line,
      message: `layer name ${e.message}${named.length > 0 ? '' : mixed}`,
    });
  }
}

/** Leaf types in registration order, block instances included. */
function leafTypes(m: NamedModule, instances: BlockInstance[]): string[] {
  if ('layer' in m) return [m.layer.type];
  const list = 'sequential' in m ? m.sequential : (instances.find((i) => i.use === m)?.modules ?? []);
  return list.flatMap((c) => leafTypes(c, instances));
}

const SPATIAL = new Set(['Conv2d', 'MaxPool2d', 'AvgPool2d', 'AdaptiveAvgPool2d', 'BatchNorm2d']);
const FLAT = new Set(['Flatten', 'Linear', 'BatchNorm1d']);
/** Layers that keep the shape: a classifier may start with Dropout before its first Linear. */
const ELEMENTWISE = new Set(['ReLU', 'LeakyReLU', 'Sigmoid', 'Tanh', 'GELU', 'ELU', 'Dropout']);

/** Top-level modules that start with a Linear right after a module ending 4-D: torchvision flattens there. */
function flattensNeeded(modules: NamedModule[], instances: BlockInstance[]): Set<string> {
  const before = new Set<string>();
  let spatial = false;
  for (const m of modules) {
    const types = leafTypes(m, instances);
    const head = types.find((t) => !ELEMENTWISE.has(t));
    if (spatial && head === 'Linear') {
      before.add(m.name);
      spatial = false;
    }
    for (const t of types) {
      if (SPATIAL.has(t)) spatial = true;
      else if (FLAT.has(t)) spatial = false;
    }
  }
  return before;
}

/** One printed layer to its spec: every keyword checked by validateLayer. */
function readLayer(node: ReprNode): { spec: LayerSpec; error?: undefined } | { error: LineError } {
  const fail = (message: string) => ({ error: { line: node.line, message } });
  if (node.error !== undefined) return fail(node.error);
  if (!isLayerType(node.className)) return fail(unknownLayer(node.className));
  const type = node.className;
  let args: ReprArgs;
  try {
    args = parseReprArgs(node.args ?? '');
  } catch (err) {
    const text = node.args ?? '';
    return fail(`cannot read ${type}(${text.length > 80 ? `${text.slice(0, 80)}…` : text}): ${(err as Error).message}`);
  }
  const positional = POSITIONAL[type] ?? [];
  if (args.positional.length > positional.length) {
    return fail(
      `${type} takes ${positional.length === 0 ? 'no' : `at most ${positional.length}`} positional values, got ${args.positional.length}`,
    );
  }
  const raw: [string, PyValue | BareWord][] = [
    ...args.positional.map((v, i) => [positional[i], v] as [string, PyValue | BareWord]),
    ...args.keywords,
  ];
  const spec: LayerSpec = { type };
  for (const [key, v] of raw) spec[key] = v instanceof BareWord ? v.word : v;
  const float = floatForInt(type, args, positional);
  if (float) return fail(`${type}: ${float}`);
  const errors = validateLayer(spec);
  if (errors.length > 0) return fail(`${type}: ${errors.map((e) => e.message).join('; ')}`);
  return { spec: withoutDefaults(spec, type) };
}

const asFloat = (v: unknown): string =>
  Array.isArray(v)
    ? `(${v.map(asFloat).join(', ')})`
    : typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 1e16
      ? `${v}.0`
      : String(v);

/** An int keyword written as a float (`Conv2d(3.0, 64, ...)`, `kernel_size=(1e300, 3)`): print(model) never shows one, PyTorch refuses it. */
function floatForInt(type: LayerType, args: ReprArgs, positional: string[]): string | null {
  for (const at of args.floats) {
    const name = typeof at === 'number' ? positional[at] : at;
    const p = CATALOGUE[type].params.find((q) => q.name === name);
    if (p && (p.kind === 'int' || p.kind === 'pair')) {
      const v = typeof at === 'number' ? args.positional[at] : args.keywords.get(at);
      return `${name} must be an integer, got ${asFloat(v)} (written as a Python float, which PyTorch refuses here)`;
    }
  }
  return null;
}

/** The spec with keywords equal to PyTorch's default left out (stride == kernel_size for pools). */
function withoutDefaults(spec: LayerSpec, type: LayerType): LayerSpec {
  const out: LayerSpec = { type };
  for (const p of CATALOGUE[type].params) {
    let v = spec[p.name];
    if (v === undefined) continue;
    if (COLLAPSE_PAIRS.has(type) && Array.isArray(v) && v[0] === v[1]) v = v[0];
    if (isDefault(p, v, spec)) continue;
    out[p.name] = v;
  }
  return out;
}

function isDefault(p: ParamSpec, v: unknown, spec: LayerSpec): boolean {
  if (p.required) return false;
  // Pools print stride=None as the kernel size itself.
  if (p.name === 'stride' && p.default === null)
    return JSON.stringify(v) === JSON.stringify(spec.kernel_size) || v === null;
  if (Array.isArray(v)) return false;
  return v === p.default;
}
