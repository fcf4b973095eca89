// Block classes from print(model): every printed instance of a class such as BasicBlock
// becomes a use of one block definition. Instances with the same children (names, types,
// nesting) share a definition; keywords that differ between them become the block's
// parameters (ArgRefs), so `layer2.0` is `BasicBlock_downsample(in_channels=64,
// out_channels=128)`. A printout does not show forward(): torchvision's BasicBlock and
// Bottleneck are recognized by name and children and get their real forward (residual
// add); any other block is assumed to call its children in printed order, and says so.
import { CATALOGUE, isLayerType } from '../model/catalogue.ts';
import type { BlockArgValue, BlockDef, ForwardGraph, ForwardNode, NamedModule } from '../model/module-types.ts';
import type { LayerSpec } from '../model/types.ts';
import type { ImportNote, LineError } from './import-result.ts';

/** One printed instance: its class, where it is, its children as read, and the module that will use the definition. */
export type BlockUse = Extract<NamedModule, { block: string }>;
export interface BlockInstance {
  className: string;
  path: string;
  line: number;
  modules: NamedModule[];
  use: BlockUse;
}

const structure = (modules: NamedModule[]): unknown =>
  modules.map((m) =>
    'layer' in m
      ? [m.name, m.layer.type]
      : 'sequential' in m
        ? [m.name, structure(m.sequential)]
        : [m.name, `block ${m.block}`],
  );

/** Leaves of a module list with their dotted paths, registration order. */
function leaves(modules: NamedModule[], prefix = ''): { path: string; spec: LayerSpec }[] {
  return modules.flatMap((m) => {
    const path = prefix ? `${prefix}.${m.name}` : m.name;
    if ('layer' in m) return [{ path, spec: m.layer }];
    if ('sequential' in m) return leaves(m.sequential, path);
    return [];
  });
}

const isArgValue = (v: unknown): v is BlockArgValue =>
  v === null ||
  ['number', 'boolean', 'string'].includes(typeof v) ||
  (Array.isArray(v) && v.every((x) => typeof x === 'number'));

/** Definitions for every instance, in first-seen order; fills each instance's `use`. */
export function defineBlocks(instances: BlockInstance[], errors: LineError[], notes: ImportNote[]): BlockDef[] {
  const variants: { className: string; key: string; members: BlockInstance[] }[] = [];
  for (const inst of instances) {
    const key = JSON.stringify(structure(inst.modules));
    const v = variants.find((x) => x.className === inst.className && x.key === key);
    if (v) v.members.push(inst);
    else variants.push({ className: inst.className, key, members: [inst] });
  }
  const taken = new Set<string>();
  const defs: BlockDef[] = [];
  for (const v of variants) {
    const name = variantName(
      v.className,
      v.members[0].modules,
      variants.filter((x) => x.className === v.className)[0].members[0].modules,
      taken,
    );
    taken.add(name);
    const def = defineVariant(name, v.members, errors);
    if (!def) continue;
    const forward = blockForward(v.className, def.modules);
    def.forward = forward.graph;
    defs.push(def);
    const where = v.members.map((m) => m.path);
    const shown = where.length > 4 ? `${where.slice(0, 3).join(', ')} … ${where[where.length - 1]}` : where.join(', ');
    const renamed =
      name !== v.className
        ? ` (class ${name}: print(model) names it ${v.className}, but these instances have other children than the first ${v.className}, and a block class has one fixed set of modules)`
        : '';
    notes.push({ line: v.members[0].line, message: `${shown} (${v.className})${renamed}: ${forward.note}` });
  }
  return defs;
}

/** The first variant keeps the class name; others say how their children differ (`BasicBlock_downsample`, `Bottleneck_no_downsample`). */
function variantName(className: string, modules: NamedModule[], first: NamedModule[], taken: Set<string>): string {
  if (!taken.has(className)) return className;
  const extra = modules.map((m) => m.name).filter((n) => !first.some((f) => f.name === n));
  const missing = first.map((m) => m.name).filter((n) => !modules.some((f) => f.name === n));
  const safe = (names: string[]) => names.join('_').replace(/\W/g, '_');
  let name = extra.length
    ? `${className}_${safe(extra)}`
    : missing.length
      ? `${className}_no_${safe(missing)}`
      : `${className}_2`;
  for (let k = 2; taken.has(name); k++) name = `${className}_${k}`;
  return name;
}

/** The shared definition: keywords equal in every member stay literal, others become parameters. */
function defineVariant(name: string, members: BlockInstance[], errors: LineError[]): BlockDef | null {
  const perMember = members.map((m) => leaves(m.modules));
  const positions: { leaf: number; key: string; values: unknown[] }[] = [];
  perMember[0].forEach(({ spec }, leaf) => {
    if (!isLayerType(spec.type)) return;
    for (const p of CATALOGUE[spec.type].params) {
      const values = perMember.map((ls) => ls[leaf].spec[p.name] ?? p.default);
      if (values.some((x) => JSON.stringify(x) !== JSON.stringify(values[0])))
        positions.push({ leaf, key: p.name, values });
    }
  });
  const params: { name: string; values: unknown[] }[] = [];
  const paramOf = new Map<string, string>();
  for (const pos of positions) {
    const bad = pos.values.findIndex((x) => !isArgValue(x));
    if (bad >= 0) {
      errors.push({
        line: members[bad].line,
        message: `${members[bad].path}: ${perMember[0][pos.leaf].path}.${pos.key} = ${JSON.stringify(pos.values[bad])} differs between ${name} instances and cannot be a block argument`,
      });
      return null;
    }
    const same = params.find((p) => JSON.stringify(p.values) === JSON.stringify(pos.values));
    let param = same?.name;
    if (!param) {
      param = params.some((p) => p.name === pos.key)
        ? `${perMember[0][pos.leaf].path.replace(/\./g, '_')}_${pos.key}`
        : pos.key;
      params.push({ name: param, values: pos.values });
    }
    paramOf.set(`${pos.leaf}:${pos.key}`, param);
  }
  let leafIndex = 0;
  const withRefs = (modules: NamedModule[]): NamedModule[] =>
    modules.map((m) => {
      if ('sequential' in m) return { name: m.name, sequential: withRefs(m.sequential) };
      if (!('layer' in m)) return m;
      const leaf = leafIndex++;
      const layer: LayerSpec = { ...m.layer };
      for (const [k, param] of paramOf) if (Number(k.split(':')[0]) === leaf) layer[k.split(':')[1]] = { arg: param };
      return { name: m.name, layer };
    });
  const modules = withRefs(members[0].modules);
  members.forEach((m, i) => {
    m.use.block = name;
    if (params.length) m.use.args = Object.fromEntries(params.map((p) => [p.name, p.values[i] as BlockArgValue]));
  });
  return { name, params: params.map((p) => ({ name: p.name })), modules, forward: null };
}

const typeOf = (modules: NamedModule[], name: string): string | null => {
  const m = modules.find((x) => x.name === name);
  return !m ? null : 'layer' in m ? m.layer.type : 'sequential' in m ? 'Sequential' : m.block;
};

/** torchvision's residual blocks: children in this order, with these types (downsample optional, last). */
const RESIDUAL: Record<string, { children: [string, string][]; chain: string[] }> = {
  BasicBlock: {
    children: [
      ['conv1', 'Conv2d'],
      ['bn1', 'BatchNorm2d'],
      ['relu', 'ReLU'],
      ['conv2', 'Conv2d'],
      ['bn2', 'BatchNorm2d'],
    ],
    chain: ['conv1', 'bn1', 'relu', 'conv2', 'bn2'],
  },
  Bottleneck: {
    children: [
      ['conv1', 'Conv2d'],
      ['bn1', 'BatchNorm2d'],
      ['conv2', 'Conv2d'],
      ['bn2', 'BatchNorm2d'],
      ['conv3', 'Conv2d'],
      ['bn3', 'BatchNorm2d'],
      ['relu', 'ReLU'],
    ],
    chain: ['conv1', 'bn1', 'relu', 'conv2', 'bn2', 'relu', 'conv3', 'bn3'],
  },
};

/** The block's forward: torchvision's residual form when recognized, else its children in order. */
export function blockForward(className: string, modules: NamedModule[]): { graph: ForwardGraph; note: string } {
  const known = RESIDUAL[className];
  const names = modules.map((m) => m.name);
  const expected = known?.children.map(([n]) => n) ?? [];
  const hasDownsample =
    names.length === expected.length + 1 &&
    names[names.length - 1] === 'downsample' &&
    typeOf(modules, 'downsample') === 'Sequential';
  const matches =
    known &&
    known.children.every(([n, t], i) => names[i] === n && typeOf(modules, n) === t) &&
    (names.length === expected.length || hasDownsample);
  if (!matches)
    return {
      graph: chainForward(names),
      note: `forward not shown by print(model): assumed to call ${names.join(' → ')} in printed order`,
    };
  const nodes: ForwardNode[] = [];
  const uses = new Map<string, number>();
  const call = (module: string, input: string): string => {
    const k = uses.get(module) ?? 0;
    uses.set(module, k + 1);
    const name = k === 0 ? module : `${module}_${k}`;
    nodes.push({ name, call: module, inputs: [input] });
    return name;
  };
  let x = 'input';
  for (const m of known.chain) x = call(m, x);
  const identity = hasDownsample ? call('downsample', 'input') : 'input';
  nodes.push({ name: 'add', op: 'add', inputs: [x, identity] });
  const out = call('relu', 'add');
  const shortcut = hasDownsample ? 'downsample(x)' : 'x';
  return {
    graph: { nodes, output: out },
    note: `recognized by name and children as torchvision's ${className}: forward ${known.chain.join('→')}, + ${shortcut}, relu`,
  };
}

const RESERVED = new Set(['input', 'self', 'torch', 'nn', 'F']);

/** A forward node name for a module: its own name when that is a free identifier. */
export function nodeName(module: string, taken: Set<string>): string {
  const base = /^[A-Za-z_]\w*$/.test(module) ? module : `m_${module.replace(/\W/g, '_')}`;
  let name = base;
  for (let k = 1; taken.has(name) || RESERVED.has(name); k++) name = `${base}_${k}`;
  taken.add(name);
  return name;
}

/** Each module called once, in order; `flattenBefore`: modules preceded by torch.flatten(x, 1). */
export function chainForward(names: string[], flattenBefore: Set<string> = new Set()): ForwardGraph {
  const nodes: ForwardNode[] = [];
  const taken = new Set<string>();
  let x = 'input';
  for (const n of names) {
    if (flattenBefore.has(n)) {
      const f = nodeName('flatten', taken);
      nodes.push({ name: f, apply: { type: 'Flatten', start_dim: 1 }, inputs: [x] });
      x = f;
    }
    const name = nodeName(n, taken);
    nodes.push({ name, call: n, inputs: [x] });
    x = name;
  }
  return { nodes, output: x };
}
