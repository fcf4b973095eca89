// PyTorch print(model) text back to layers: a flat Sequential (index or OrderedDict names),
// a wrapper class holding one Sequential (the seed's `BS(\n  (model): Sequential(...))`),
// or a wrapper whose children are all layers (taken in printed order). Never evaluated.
//
// print(model) omits some keywords (AvgPool2d ceil_mode, count_include_pad,
// divisor_override; MaxPool2d return_indices): they come back as PyTorch's defaults.
// Keywords equal to PyTorch's default are left out of the result; pool sizes keep the
// form PyTorch printed (2 vs (2, 2)) because print(model) shows that difference.
import { CATALOGUE, isLayerType, type ParamSpec } from '../model/catalogue.ts';
import { classNameError, layerNamesErrors } from './python-names.ts';
import { BareWord, parseReprArgs, parseReprTree, ReprSyntaxError, type PyValue, type ReprArgs, type ReprNode } from './repr-tree.ts';
import type { LayerSpec, LayerType } from '../model/types.ts';
import { validateLayer } from '../model/validate.ts';

export type ReprImport = { ok: true; layers: LayerSpec[]; names: string[] | null; className?: string }
                       | { ok: false; errors: { line: number; message: string }[] };
type LineError = { line: number; message: string };

/** Keywords each layer's extra_repr prints positionally, in order. */
const POSITIONAL: Partial<Record<LayerType, string[]>> = {
  Conv2d: ['in_channels', 'out_channels'],
  BatchNorm1d: ['num_features'],
  BatchNorm2d: ['num_features'],
};
/** Conv2d stores every pair expanded, so (5, 5) and 5 mean and print the same. */
const COLLAPSE_PAIRS = new Set<LayerType>(['Conv2d']);

/** print(model) text to layers, names and the wrapper's class name; never throws. */
export function parseModelRepr(text: string): ReprImport {
  let root: ReprNode;
  try {
    root = parseReprTree(text);
  } catch (err) {
    if (err instanceof ReprSyntaxError) return { ok: false, errors: [{ line: err.line, message: err.message }] };
    return { ok: false, errors: [{ line: 1, message: `could not read the text: ${err instanceof Error ? err.message : String(err)}` }] };
  }
  const { children, className, errors } = modelChildren(root);
  const layers: LayerSpec[] = [];
  for (const { node } of children) {
    if (isContainer(node)) continue;  // reported by modelChildren
    const r = readLayer(node);
    if (r.error) errors.push(r.error);
    else layers.push(r.spec);
  }
  const names = childNames(children, errors);
  if (errors.length > 0) return { ok: false, errors: errors.sort((a, b) => a.line - b.line) };
  return { ok: true, layers, names, ...(className ? { className } : {}) };
}

type Children = ReprNode['children'];

/** The layer nodes of the model: the Sequential's children, or a wrapper's. */
function modelChildren(root: ReprNode): { children: Children; className?: string; errors: LineError[] } {
  if (root.className === 'Sequential') return { children: root.children, errors: nestedErrors(root) };
  if (isLayerType(root.className) && root.children.length === 0) {
    return { children: [{ key: '0', node: root }], errors: [] };
  }
  if (root.args !== null && root.args !== '') {
    return { children: [], errors: [{ line: root.line, message: unknownLayer(root.className) }] };
  }
  const wrapper = classNameError(root.className) ? undefined : root.className;
  const only = root.children.length === 1 ? root.children[0].node : null;
  if (only && only.className === 'Sequential') return { children: only.children, className: wrapper, errors: nestedErrors(only) };
  return { children: root.children, className: wrapper, errors: nestedErrors(root) };
}

/** Containers inside the model are not importable: its layers must form one flat chain. */
function nestedErrors(parent: ReprNode): LineError[] {
  return parent.children
    .filter(({ node }) => isContainer(node))
    .map(({ key, node }) => ({
      line: node.line,
      message: `nested module '${key}' (${node.className}) inside ${parent.className}: Layerboard imports one flat nn.Sequential of layers`,
    }));
}

const isContainer = (node: ReprNode): boolean => node.args === null && node.error === undefined;

function unknownLayer(type: string): string {
  return `unknown layer '${type}'; Layerboard knows ${Object.keys(CATALOGUE).join(', ')}`;
}

/**
 * Names from the printed keys: null when they are 0, 1, 2, ... A key equal to its index
 * among real names is reported only when nothing else is wrong with the names.
 */
function childNames(children: Children, errors: LineError[]): string[] | null {
  const keys = children.map((c) => c.key);
  if (keys.every((k, i) => k === String(i))) return null;
  const all = layerNamesErrors(keys);
  const named = all.filter((e) => keys[e.index] !== String(e.index));
  const mixed = ' (the model mixes index keys and names: name every layer)';
  for (const e of named.length > 0 ? named : all) {
    errors.push({ line: children[e.index].node.line, message: `layer name ${e.message}${named.length > 0 ? '' : mixed}` });
  }
  return keys;
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
    return fail(`cannot read ${type}(${node.args}): ${(err as Error).message}`);
  }
  const positional = POSITIONAL[type] ?? [];
  if (args.positional.length > positional.length) {
    return fail(`${type} takes ${positional.length === 0 ? 'no' : `at most ${positional.length}`} positional values, got ${args.positional.length}`);
  }
  const raw: [string, PyValue | BareWord][] = [...args.positional.map((v, i) => [positional[i], v] as [string, PyValue | BareWord]), ...args.keywords];
  const spec: LayerSpec = { type };
  for (const [key, v] of raw) spec[key] = v instanceof BareWord ? v.word : v;
  const errors = validateLayer(spec);
  if (errors.length > 0) return fail(`${type}: ${errors.map((e) => e.message).join('; ')}`);
  return { spec: withoutDefaults(spec, type) };
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
  if (p.name === 'stride' && p.default === null) return JSON.stringify(v) === JSON.stringify(spec.kernel_size) || v === null;
  if (Array.isArray(v)) return false;
  return v === p.default;
}
