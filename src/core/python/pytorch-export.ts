// PyTorch text for a model: print(model) exactly as PyTorch 1.13 prints it (each layer's
// extra_repr, Module.__repr__'s nesting), and runnable Python source.
//
// Generated constructors use keywords for every argument (`nn.Conv2d(in_channels=3,
// out_channels=32, kernel_size=5, padding=2)`), as the seed does: explicit for learners and
// immune to positional-order differences. Only keywords that differ from PyTorch's default
// are written; required ones always are.
import { CATALOGUE, isLayerType, type ParamSpec } from '../model/catalogue.ts';
import { chainLayers, requireChain, type ChainLayers } from '../model/chain.ts';
import { graphModuleRepr, graphPythonSource } from './module-export.ts';
import { isArgRef } from '../model/module-check.ts';
import { fieldErrorAt } from '../model/model-json.ts';
import { classNameError, layerNamesErrors, torchModuleNameError } from './python-names.ts';
import { pyFloat, pyString, pyValue } from './python-literals.ts';
import type { LayerSpec, LayerType, ModelDocument } from '../model/types.ts';
import { validateLayer } from '../model/validate.ts';

/** Throws the first problem of an invalid layer, so no bad value reaches Python text. */
function assertValid(spec: LayerSpec, where?: string): LayerType {
  const errors = validateLayer(spec);
  if (errors.length > 0) {
    const e = fieldErrorAt(where ?? (isLayerType(spec?.type) ? spec.type : 'layer'), errors[0]);
    throw new Error(`${e.path}: ${e.message}`);
  }
  return spec.type as LayerType;
}

/** The keyword's value, PyTorch's default when omitted. */
function kw(spec: LayerSpec, name: string): unknown {
  if (spec[name] !== undefined) return spec[name];
  return CATALOGUE[spec.type as LayerType].params.find((p) => p.name === name)?.default;
}

/** `_pair`: an int becomes (k, k), a pair stays a tuple. */
function pair(v: unknown): string {
  return Array.isArray(v) ? pyValue(v) : pyValue([v, v]);
}

/** A keyword PyTorch stores as given (pools): an int prints as an int, a pair as a tuple. */
const raw = (v: unknown): string => pyValue(v);
const flag = (spec: LayerSpec, name: string): boolean => kw(spec, name) === true;
const isPair = (v: unknown, n: number): boolean => (Array.isArray(v) ? v.every((x) => x === n) : v === n);

function convRepr(s: LayerSpec): string {
  let out = `${kw(s, 'in_channels')}, ${kw(s, 'out_channels')}, kernel_size=${pair(kw(s, 'kernel_size'))}, stride=${pair(kw(s, 'stride'))}`;
  const padding = kw(s, 'padding');
  // Conv's extra_repr prints the padding string unquoted (`padding=same`) via str.format.
  if (typeof padding === 'string') out += `, padding=${padding}`;
  else if (!isPair(padding, 0)) out += `, padding=${pair(padding)}`;
  if (!isPair(kw(s, 'dilation'), 1)) out += `, dilation=${pair(kw(s, 'dilation'))}`;
  if (kw(s, 'groups') !== 1) out += `, groups=${kw(s, 'groups')}`;
  if (kw(s, 'bias') === false) out += ', bias=False';
  if (kw(s, 'padding_mode') !== 'zeros') out += `, padding_mode=${kw(s, 'padding_mode')}`;
  return out;
}

/** Pools keep `stride=None` as kernel_size, stored as given. */
function poolHead(s: LayerSpec): string {
  const stride = kw(s, 'stride') ?? kw(s, 'kernel_size');
  return `kernel_size=${raw(kw(s, 'kernel_size'))}, stride=${raw(stride)}, padding=${raw(kw(s, 'padding'))}`;
}

const inplaceSuffix = (s: LayerSpec): string => (flag(s, 'inplace') ? ', inplace=True' : '');

const EXTRA_REPR: Record<LayerType, (s: LayerSpec) => string> = {
  Conv2d: convRepr,
  MaxPool2d: (s) => `${poolHead(s)}, dilation=${raw(kw(s, 'dilation'))}, ceil_mode=${pyValue(flag(s, 'ceil_mode'))}`,
  AvgPool2d: poolHead,
  AdaptiveAvgPool2d: (s) => `output_size=${raw(kw(s, 'output_size'))}`,
  Flatten: (s) => `start_dim=${kw(s, 'start_dim')}, end_dim=${kw(s, 'end_dim')}`,
  Linear: (s) =>
    `in_features=${kw(s, 'in_features')}, out_features=${kw(s, 'out_features')}, bias=${pyValue(kw(s, 'bias'))}`,
  ReLU: (s) => (flag(s, 'inplace') ? 'inplace=True' : ''),
  LeakyReLU: (s) => `negative_slope=${pyFloat(kw(s, 'negative_slope') as number)}${inplaceSuffix(s)}`,
  Sigmoid: () => '',
  Tanh: () => '',
  GELU: (s) => `approximate=${pyString(kw(s, 'approximate') as string)}`,
  ELU: (s) => `alpha=${pyFloat(kw(s, 'alpha') as number)}${inplaceSuffix(s)}`,
  Softmax: (s) => `dim=${pyValue(kw(s, 'dim'))}`,
  LogSoftmax: (s) => `dim=${pyValue(kw(s, 'dim'))}`,
  Dropout: (s) => `p=${pyFloat(kw(s, 'p') as number)}, inplace=${pyValue(flag(s, 'inplace'))}`,
  BatchNorm1d: batchNormRepr,
  BatchNorm2d: batchNormRepr,
};

function batchNormRepr(s: LayerSpec): string {
  const momentum = kw(s, 'momentum');
  return (
    `${kw(s, 'num_features')}, eps=${pyFloat(kw(s, 'eps') as number)}, momentum=${momentum === null ? 'None' : pyFloat(momentum as number)}, ` +
    `affine=${pyValue(flag(s, 'affine'))}, track_running_stats=${pyValue(flag(s, 'track_running_stats'))}`
  );
}

/** repr(layer) in PyTorch 1.13: `Conv2d(3, 32, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))`. */
export function layerRepr(spec: LayerSpec): string {
  const type = assertValid(spec);
  return `${type}(${EXTRA_REPR[type](spec)})`;
}

/** torch.nn.modules.module._addindent: indent every line but the first. */
function addIndent(text: string, spaces: number): string {
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? line : ' '.repeat(spaces) + line))
    .join('\n');
}

/** Module.__repr__ of a container with named children (no extra_repr). */
export function containerRepr(className: string, children: [string, string][]): string {
  if (children.length === 0) return `${className}()`;
  const lines = children.map(([key, text]) => `(${key}): ${addIndent(text, 2)}`);
  return `${className}(\n  ${lines.join('\n  ')}\n)`;
}

/** Names checked before they reach code: the right count, identifiers, unique. */
function checkedNames(layers: LayerSpec[], names?: string[] | null): string[] {
  if (names === null || names === undefined) return layers.map((_, i) => String(i));
  if (names.length !== layers.length) throw new Error(`names has ${names.length} entries for ${layers.length} layers`);
  const errors = layerNamesErrors(names);
  if (errors.length > 0) throw new Error(`names[${errors[0].index}]: ${errors[0].message}`);
  return names;
}

/** Names as PyTorch's add_module takes them (any non-empty text without '.' that is not an attribute). */
function torchNames(layers: LayerSpec[], names?: string[] | null): string[] {
  if (names === null || names === undefined) return layers.map((_, i) => String(i));
  if (names.length !== layers.length) throw new Error(`names has ${names.length} entries for ${layers.length} layers`);
  names.forEach((name, i) => {
    const err = torchModuleNameError(name);
    if (err) throw new Error(`names[${i}]: ${err}`);
    if (names.indexOf(name) !== i)
      throw new Error(
        `names[${i}]: '${name}' is already the name of layer ${names.indexOf(name)}; names must be unique`,
      );
  });
  return names;
}

/**
 * Exactly print(nn.Sequential(...)) (with an OrderedDict when names are given). Names are
 * taken as PyTorch takes them, since this is text, not code ('0' or 'x y' print as given).
 */
export function sequentialRepr(layers: LayerSpec[], names?: string[] | null): string {
  const keys = torchNames(layers, names);
  return containerRepr(
    'Sequential',
    layers.map((layer, i) => [keys[i], layerRepr(layer)]),
  );
}

/** The exported class's name, checked. */
export function className(doc: ModelDocument): string {
  const name = doc.className ?? 'Model';
  const err = classNameError(name);
  if (err) throw new Error(`className: ${err}`);
  return name;
}

/** print(model) of the class pythonSource defines: `BS(\n  (model): Sequential(\n    (0): ...`. */
export function moduleRepr(doc: ModelDocument): string {
  if (!chainLayers(doc)) return graphModuleRepr(doc);
  const { layers, names } = requireChain(doc, 'print(model)');
  const keys = checkedNames(layers, names);
  const sequential = containerRepr(
    'Sequential',
    layers.map((layer, i) => [keys[i], layerRepr(layer)]),
  );
  return containerRepr(className(doc), [['model', sequential]]);
}

/** A keyword's value in Python source; floats written as floats. */
function sourceValue(param: ParamSpec, v: unknown): string {
  return pyValue(v, param.kind === 'float');
}

/** The keyword equals PyTorch's default (an int pair [k, k] equals the int k). */
function isDefault(param: ParamSpec, v: unknown): boolean {
  if (param.required) return false;
  const d = param.default;
  if (Array.isArray(v) && typeof d === 'number') return isPair(v, d);
  return v === d;
}

/** `nn.Conv2d(in_channels=3, out_channels=32, kernel_size=5, padding=2)`: non-defaults, PyTorch's order. */
export function layerConstructor(spec: LayerSpec): string {
  // Inside a block a keyword may be the block's parameter ({"arg": "planes"} → planes=planes);
  // such a layer was checked per instance by parseModelDocument, with the arguments known.
  const refs = Object.keys(spec).filter((k) => isArgRef(spec[k]));
  if (refs.length > 0 && !isLayerType(spec.type)) throw new Error(`unknown layer type '${String(spec.type)}'`);
  const type = refs.length > 0 ? (spec.type as LayerType) : assertValid(spec);
  const args = CATALOGUE[type].params
    .filter((p) => spec[p.name] !== undefined && (isArgRef(spec[p.name]) || !isDefault(p, spec[p.name])))
    .map(
      (p) =>
        `${p.name}=${isArgRef(spec[p.name]) ? (spec[p.name] as { arg: string }).arg : sourceValue(p, spec[p.name])}`,
    );
  return `nn.${type}(${args.join(', ')})`;
}

/** The shape text of a zeros batch of 2: `2, 3, 32, 32`. */
export function batchArgs(input: number[]): string {
  return [2, ...input].join(', ');
}

function sequentialSource(chain: ChainLayers, indent: string): string {
  const { layers } = chain;
  if (layers.length === 0) return 'nn.Sequential()';
  if (chain.names === null) {
    checkedNames(layers, null);
    return `nn.Sequential(\n${layers.map((l) => `${indent}    ${layerConstructor(l)},`).join('\n')}\n${indent})`;
  }
  const names = checkedNames(layers, chain.names);
  const items = layers.map((l, i) => `${indent}    (${pyString(names[i])}, ${layerConstructor(l)}),`);
  return `nn.Sequential(OrderedDict([\n${items.join('\n')}\n${indent}]))`;
}

/**
 * A runnable module (a graph: module-export.ts): imports, `class <Name>(nn.Module)` holding `self.model = nn.Sequential(...)`,
 * forward, and a `__main__` check that prints the model and the output shape of a zeros batch.
 */
export function pythonSource(doc: ModelDocument): string {
  if (!chainLayers(doc)) return graphPythonSource(doc);
  const name = className(doc);
  const chain = requireChain(doc, 'Python export');
  chain.layers.forEach((l, i) => assertValid(l, `modules[${i}].layer`));
  const input = doc.input.map((n) => {
    if (!Number.isInteger(n) || n < 1) throw new Error(`input: ${JSON.stringify(doc.input)} must be positive integers`);
    return n;
  });
  const named = chain.names !== null && chain.layers.length > 0;
  const lines = [
    `"""${name}: an nn.Sequential of ${chain.layers.length} layer${chain.layers.length === 1 ? '' : 's'} for input [N, ${input.join(', ')}], exported by Layerboard.`,
    '',
    'Run `python model.py` to build it and check one forward pass.',
    '"""',
    'import torch',
    'import torch.nn as nn',
    ...(named ? ['from collections import OrderedDict'] : []),
    '',
    '',
    `class ${name}(nn.Module):`,
    '    def __init__(self):',
    '        super().__init__()',
    `        self.model = ${sequentialSource(chain, '        ')}`,
    '',
    '    def forward(self, x):',
    '        return self.model(x)',
    '',
    '',
    "if __name__ == '__main__':",
    `    model = ${name}()`,
    '    print(model)',
    '    model.eval()',
    '    with torch.no_grad():',
    `        out = model(torch.zeros(${batchArgs(input)}))`,
    "    print('output shape:', tuple(out.shape))",
  ];
  return `${lines.join('\n')}\n`;
}
