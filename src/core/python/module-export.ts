// PyTorch text for models beyond a chain: print(model) of nested modules exactly as PyTorch
// 1.13 prints it, and runnable source — one `class <Block>(nn.Module)` per block with its
// constructor parameters, then the model class with `__init__` (submodules in registration
// order) and `forward` (module calls, functional layers as F.relu / torch.flatten(x, 1) /
// F.max_pool2d, `a + b`, `torch.cat([...], dim=d)`). Every name that lands in Python has
// been checked by parseModelDocument first; nothing else reaches the text.
import { substituteArgs, bindBlockArgs } from '../model/flat-graph.ts';
import { isArgRef } from '../model/module-check.ts';
import { parseModelDocument } from '../model/model-json.ts';
import type {
  ArgRef,
  BlockArgValue,
  BlockDef,
  ForwardGraph,
  ForwardNode,
  ModelDocument,
  ModuleClass,
  NamedModule,
} from '../model/module-types.ts';
import type { LayerSpec } from '../model/types.ts';
import { pyFloat, pyString, pyValue } from './python-literals.ts';
import { batchArgs, className, containerRepr, layerConstructor, layerRepr } from './pytorch-export.ts';

type Env = Record<string, BlockArgValue>;

/** The document, checked as a file is (names, blocks, arguments, every instance); throws the first problem. */
export function checkedDocument(doc: ModelDocument): ModelDocument {
  const r = parseModelDocument(doc);
  if (!r.ok) throw new Error(`${r.errors[0].path ? `${r.errors[0].path}: ` : ''}${r.errors[0].message}`);
  return r.doc;
}

// ---- print(model) -------------------------------------------------------------------

function moduleText(m: NamedModule, env: Env, blocks: Map<string, BlockDef>): string {
  if ('layer' in m) return layerRepr(substituteArgs(m.layer, env));
  if ('sequential' in m)
    return containerRepr(
      'Sequential',
      m.sequential.map((c) => [c.name, moduleText(c, env, blocks)]),
    );
  const def = blocks.get(m.block)!;
  return classText(def.name, def, bindBlockArgs(def, m.args, env), blocks);
}

function classText(name: string, cls: ModuleClass, env: Env, blocks: Map<string, BlockDef>): string {
  return containerRepr(
    name,
    cls.modules.map((c) => [c.name, moduleText(c, env, blocks)]),
  );
}

/** print(model) of a graph document's class: `ResNet(\n  (conv1): Conv2d(...)\n  (layer1): Sequential(\n    (0): BasicBlock(...`. */
export function graphModuleRepr(input: ModelDocument): string {
  const doc = checkedDocument(input);
  const blocks = new Map((doc.blocks ?? []).map((b) => [b.name, b]));
  // A chain of blocks or Sequentials is exported as today's chains: `self.model = nn.Sequential(...)`.
  if (doc.forward === null)
    return containerRepr(className(doc), [
      [
        'model',
        containerRepr(
          'Sequential',
          doc.modules.map((m) => [m.name, moduleText(m, {}, blocks)]),
        ),
      ],
    ]);
  return classText(className(doc), doc, {}, blocks);
}

// ---- source -------------------------------------------------------------------------

const argText = (v: BlockArgValue | ArgRef): string =>
  isArgRef(v) ? v.arg : typeof v === 'number' && !Number.isInteger(v) ? pyFloat(v) : pyValue(v);

/** The constructor expression of a module: `nn.Conv2d(...)`, `BasicBlock(in_planes=16, planes=32, stride=2)`, `nn.Sequential(...)`. */
function constructorText(m: NamedModule, indent: string): string {
  if ('layer' in m) return layerConstructor(m.layer);
  if ('block' in m)
    return `${m.block}(${Object.entries(m.args ?? {})
      .map(([k, v]) => `${k}=${argText(v)}`)
      .join(', ')})`;
  if (m.sequential.length === 0) return 'nn.Sequential()';
  const inner = `${indent}    `;
  if (m.sequential.every((c, i) => c.name === String(i))) {
    return `nn.Sequential(\n${m.sequential.map((c) => `${inner}${constructorText(c, inner)},`).join('\n')}\n${indent})`;
  }
  return `nn.Sequential(OrderedDict([\n${m.sequential.map((c) => `${inner}(${pyString(c.name)}, ${constructorText(c, inner)}),`).join('\n')}\n${indent}]))`;
}

/** A keyword list of the layer's non-default values for a functional call: `, kernel_size=2, stride=2`. */
function keywords(layer: LayerSpec, defaults: Record<string, unknown>, floats: string[] = []): string {
  return Object.entries(defaults)
    .filter(
      ([k, d]) =>
        layer[k] !== undefined &&
        JSON.stringify(layer[k]) !== JSON.stringify(d) &&
        !(Array.isArray(layer[k]) && (layer[k] as unknown[]).every((x) => x === d)),
    )
    .map(([k]) => `, ${k}=${floats.includes(k) ? pyFloat(layer[k] as number) : pyValue(layer[k])}`)
    .join('');
}

/** The functional form of a parameter-free layer, the same result as the module. */
export function functionalText(layer: LayerSpec, x: string): string {
  const inplace = layer.inplace === true ? ', inplace=True' : '';
  switch (layer.type) {
    case 'ReLU':
      return `F.relu(${x}${inplace})`;
    case 'LeakyReLU':
      return `F.leaky_relu(${x}${keywords(layer, { negative_slope: 0.01 }, ['negative_slope'])}${inplace})`;
    case 'Sigmoid':
      return `torch.sigmoid(${x})`;
    case 'Tanh':
      return `torch.tanh(${x})`;
    case 'GELU':
      return `F.gelu(${x}${keywords(layer, { approximate: 'none' })})`;
    case 'ELU':
      return `F.elu(${x}${keywords(layer, { alpha: 1 }, ['alpha'])}${inplace})`;
    case 'Softmax':
      return `F.softmax(${x}, dim=${pyValue(layer.dim ?? null)})`;
    case 'LogSoftmax':
      return `F.log_softmax(${x}, dim=${pyValue(layer.dim ?? null)})`;
    case 'MaxPool2d':
      return `F.max_pool2d(${x}, kernel_size=${pyValue(layer.kernel_size)}${keywords(layer, { stride: null, padding: 0, dilation: 1, ceil_mode: false })})`;
    case 'AvgPool2d':
      return `F.avg_pool2d(${x}, kernel_size=${pyValue(layer.kernel_size)}${keywords(layer, { stride: null, padding: 0, ceil_mode: false, count_include_pad: true, divisor_override: null })})`;
    case 'AdaptiveAvgPool2d':
      return `F.adaptive_avg_pool2d(${x}, ${pyValue(layer.output_size)})`;
    // nn.Flatten's start_dim is 1; torch.flatten's is 0, so it is always written.
    case 'Flatten':
      return `torch.flatten(${x}, ${pyValue(layer.start_dim ?? 1)}${layer.end_dim !== undefined && layer.end_dim !== -1 ? `, ${pyValue(layer.end_dim)}` : ''})`;
    default:
      throw new Error(`${String(layer.type)} has no functional form here`);
  }
}

function nodeLine(n: ForwardNode, value: (name: string) => string): string {
  if ('call' in n) return `${n.name} = self.${n.call}(${value(n.inputs[0])})`;
  if ('apply' in n) return `${n.name} = ${functionalText(n.apply, value(n.inputs[0]))}`;
  if (n.op === 'add') return `${n.name} = ${n.inputs.map(value).join(' + ')}`;
  return `${n.name} = torch.cat([${n.inputs.map(value).join(', ')}], dim=${n.dim})`;
}

/** `def forward(self, x):` with one line per node (or the modules in order for a chain class). */
function forwardLines(cls: ModuleClass): string[] {
  const f: ForwardGraph | null = cls.forward;
  if (f === null) {
    const body = cls.modules.map((m) => `        x = self.${m.name}(x)`);
    return ['    def forward(self, x):', ...body, '        return x'];
  }
  const arg = f.nodes.some((n) => n.name === 'x') ? 'input' : 'x';
  const value = (name: string): string => (name === 'input' ? arg : name);
  return [
    `    def forward(self, ${arg}):`,
    ...f.nodes.map((n) => `        ${nodeLine(n, value)}`),
    `        return ${value(f.output)}`,
  ];
}

function initLines(name: string, params: string, modules: NamedModule[]): string[] {
  const init = modules.map((m) => `        self.${m.name} = ${constructorText(m, '        ')}`);
  return [`class ${name}(nn.Module):`, `    def __init__(self${params}):`, '        super().__init__()', ...init];
}

const paramsText = (b: BlockDef): string =>
  b.params.map((p) => `, ${p.name}${'default' in p ? `=${argText(p.default as BlockArgValue)}` : ''}`).join('');

function usesOrderedDict(modules: NamedModule[]): boolean {
  return modules.some(
    (m) => 'sequential' in m && (m.sequential.some((c, i) => c.name !== String(i)) || usesOrderedDict(m.sequential)),
  );
}
const usesFunctional = (classes: ModuleClass[]): boolean =>
  classes.some((c) => c.forward?.nodes.some((n) => 'apply' in n));

/** Runnable source of a graph document: block classes, the model class, and a `__main__` check. */
export function graphPythonSource(input: ModelDocument): string {
  const doc = checkedDocument(input);
  const name = className(doc);
  const blocks = doc.blocks ?? [];
  const classes: ModuleClass[] = [...blocks, doc];
  const model: ModuleClass =
    doc.forward === null ? { modules: [{ name: 'model', sequential: doc.modules }], forward: null } : doc;
  const modelForward =
    doc.forward === null ? ['    def forward(self, x):', '        return self.model(x)'] : forwardLines(doc);
  const what = doc.forward === null ? 'an nn.Sequential of blocks' : 'an nn.Module with a forward graph';
  const lines = [
    `"""${name}: ${what} for input [N, ${doc.input.join(', ')}], exported by Layerboard.`,
    '',
    'Run `python model.py` to build it and check one forward pass.',
    '"""',
    'import torch',
    'import torch.nn as nn',
    ...(usesFunctional(classes) ? ['import torch.nn.functional as F'] : []),
    ...(usesOrderedDict([...blocks.flatMap((b) => b.modules), ...model.modules])
      ? ['from collections import OrderedDict']
      : []),
    '',
    '',
    ...blocks.flatMap((b) => [...initLines(b.name, paramsText(b), b.modules), '', ...forwardLines(b), '', '']),
    ...initLines(name, '', model.modules),
    '',
    ...modelForward,
    '',
    '',
    "if __name__ == '__main__':",
    `    model = ${name}()`,
    '    print(model)',
    '    model.eval()',
    '    with torch.no_grad():',
    `        out = model(torch.zeros(${batchArgs(doc.input)}))`,
    "    print('output shape:', tuple(out.shape))",
  ];
  return `${lines.join('\n')}\n`;
}
