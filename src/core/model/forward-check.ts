// Checks of a forward graph (module-types.ts ForwardGraph): node names, what each node
// does, inputs defined before use (a later one is named as a cycle when it is one), an
// output, and no dangling node (every node lies on a path to the output).
import { identifierError } from '../python/python-names.ts';
import { describe, fieldErrorAt, isObject, unknownKeys, type DocError, type Obj } from './doc-errors.ts';
import type { LayerSpec } from './types.ts';
import { didYouMean, validateLayer } from './validate.ts';

/** Layers that may appear as functional `apply` nodes: no parameters, same result as F.* / torch.flatten. */
export const APPLY_TYPES: readonly string[] = [
  'ReLU',
  'LeakyReLU',
  'Sigmoid',
  'Tanh',
  'GELU',
  'ELU',
  'Softmax',
  'LogSoftmax',
  'MaxPool2d',
  'AvgPool2d',
  'AdaptiveAvgPool2d',
  'Flatten',
];
/** Names a forward node may not take: the forward argument and the names forward's code uses. */
export const RESERVED_NODE_NAMES: readonly string[] = ['input', 'self', 'torch', 'nn', 'F'];

const KINDS = ['call', 'apply', 'op'] as const;

function nodeNameError(name: unknown, earlier: Map<string, number>, path: string): string | null {
  if (typeof name !== 'string')
    return name === undefined ? 'missing; every node has a name' : `must be a string, got ${describe(name)}`;
  if (RESERVED_NODE_NAMES.includes(name)) {
    return name === 'input'
      ? "'input' names the forward argument; give the node another name"
      : `'${name}' is a name forward's code uses; give the node another name`;
  }
  const err = identifierError(name);
  if (err) return err;
  return earlier.has(name)
    ? `'${name}' is already the name of ${path}[${earlier.get(name)}]; node names must be unique`
    : null;
}

/** What the node does: one of call / apply / op, with its own fields and input count. */
function kindErrors(n: Obj, at: string, modules: string[]): DocError[] {
  const kinds = KINDS.filter((k) => n[k] !== undefined);
  if (kinds.length !== 1) {
    return [
      {
        path: at,
        message:
          kinds.length === 0
            ? 'needs one of "call" (a module), "apply" (a functional layer) or "op" ("add" or "cat")'
            : `has both "${kinds[0]}" and "${kinds[1]}"; a node is one of them`,
      },
    ];
  }
  const kind = kinds[0];
  const errors = unknownKeys(
    n,
    ['name', kind, ...(n.op === 'cat' ? ['dim'] : []), 'inputs'],
    at,
    `a ${kind === 'op' ? `${String(n.op)} node` : `${kind} node`}`,
  );
  const count = Array.isArray(n.inputs) ? n.inputs.length : -1;
  if (kind === 'call') {
    if (typeof n.call !== 'string')
      errors.push({ path: `${at}.call`, message: `must be a module name, got ${describe(n.call)}` });
    else if (!modules.includes(n.call)) {
      const guess = didYouMean(n.call, modules);
      errors.push({
        path: `${at}.call`,
        message: `no module '${n.call}'${guess ? ` (did you mean '${guess}'?)` : modules.length ? `; the modules are ${modules.join(', ')}` : '; the class has no modules'}`,
      });
    }
  } else if (kind === 'apply') errors.push(...applyErrors(n.apply, `${at}.apply`));
  else if (n.op === 'cat') {
    if (typeof n.dim !== 'number' || !Number.isInteger(n.dim))
      errors.push({
        path: `${at}.dim`,
        message:
          n.dim === undefined
            ? 'missing; torch.cat needs the dim to join along'
            : `must be an integer, got ${describe(n.dim)}`,
      });
    if (count === 0) errors.push({ path: `${at}.inputs`, message: 'torch.cat needs at least one input' });
  } else if (n.op === 'add') {
    if (count >= 0 && count < 2)
      errors.push({ path: `${at}.inputs`, message: `add needs at least two inputs, got ${count}` });
  } else errors.push({ path: `${at}.op`, message: `must be "add" or "cat", got ${describe(n.op)}` });
  if ((kind === 'call' || kind === 'apply') && count >= 0 && count !== 1)
    errors.push({ path: `${at}.inputs`, message: `a ${kind} node takes exactly one input, got ${count}` });
  return errors;
}

function applyErrors(layer: unknown, path: string): DocError[] {
  if (!isObject(layer) || typeof layer.type !== 'string')
    return [{ path, message: `must be a layer like {"type": "ReLU"}, got ${describe(layer)}` }];
  if (!APPLY_TYPES.includes(layer.type)) {
    return [
      {
        path: `${path}.type`,
        message: `${layer.type} cannot be applied in functional form (it has parameters or behaves differently); register it as a module and call it. Functional layers: ${APPLY_TYPES.join(', ')}`,
      },
    ];
  }
  return validateLayer(layer as LayerSpec).map((e) => fieldErrorAt(path, e));
}

/** A path from `from` back to `to` through inputs, for naming a cycle: ['b', 'c', 'a']. */
function cyclePath(from: string, to: string, inputsOf: Map<string, string[]>): string[] | null {
  const seen = new Set<string>();
  const walk = (n: string): string[] | null => {
    if (n === to) return [n];
    if (seen.has(n)) return null;
    seen.add(n);
    for (const i of inputsOf.get(n) ?? []) {
      const rest = walk(i);
      if (rest) return [n, ...rest];
    }
    return null;
  };
  return walk(from);
}

function inputsErrors(
  n: Obj,
  at: string,
  index: number,
  order: Map<string, number>,
  inputsOf: Map<string, string[]>,
): DocError[] {
  if (!Array.isArray(n.inputs))
    return [
      {
        path: `${at}.inputs`,
        message:
          n.inputs === undefined
            ? 'missing; a list of node names ("input" for the forward argument)'
            : `must be a list of node names, got ${describe(n.inputs)}`,
      },
    ];
  return n.inputs.flatMap((name: unknown, j): DocError[] => {
    const path = `${at}.inputs[${j}]`;
    if (typeof name !== 'string') return [{ path, message: `must be a node name, got ${describe(name)}` }];
    if (name === 'input') return [];
    const k = order.get(name);
    if (k === undefined) {
      const guess = didYouMean(name, ['input', ...order.keys()]);
      return [{ path, message: `no node '${name}'${guess ? ` (did you mean '${guess}'?)` : ''}` }];
    }
    if (k < index) return [];
    if (k === index) return [{ path, message: `node '${name}' takes its own output: a cycle` }];
    const cycle = typeof n.name === 'string' ? cyclePath(name, n.name, inputsOf) : null;
    if (cycle)
      return [
        { path, message: `cycle: ${[n.name as string, ...cycle].reverse().join(' → ')}; a forward graph has no loops` },
      ];
    return [
      { path, message: `node '${name}' comes later (node ${k}); list nodes so that every input is defined before use` },
    ];
  });
}

/** The nodes whose value never reaches `output`. */
function danglingNodes(nodes: Obj[], output: string): string[] {
  const inputsOf = new Map(nodes.map((n) => [n.name as string, n.inputs as string[]]));
  const used = new Set<string>();
  const stack = [output];
  while (stack.length) {
    const n = stack.pop()!;
    if (used.has(n)) continue;
    used.add(n);
    stack.push(...(inputsOf.get(n) ?? []));
  }
  return nodes.map((n) => n.name as string).filter((name) => !used.has(name));
}

/** Every problem of a class's forward graph; `modules` are the names `call` may use. */
export function forwardErrors(forward: unknown, path: string, modules: string[]): DocError[] {
  if (!isObject(forward))
    return [{ path, message: `must be null (a chain) or {"nodes": [...], "output": name}, got ${describe(forward)}` }];
  const errors = unknownKeys(forward, ['nodes', 'output'], path, 'forward');
  const nodes = forward.nodes;
  if (!Array.isArray(nodes))
    return [...errors, { path: `${path}.nodes`, message: `must be a list of nodes, got ${describe(nodes)}` }];
  const order = new Map<string, number>();
  const inputsOf = new Map<string, string[]>();
  nodes.forEach((n, i) => {
    if (isObject(n) && typeof n.name === 'string' && !order.has(n.name)) {
      order.set(n.name, i);
      inputsOf.set(n.name, Array.isArray(n.inputs) ? n.inputs.filter((x): x is string => typeof x === 'string') : []);
    }
  });
  const earlier = new Map<string, number>();
  nodes.forEach((n, i) => {
    const at = `${path}.nodes[${i}]`;
    if (!isObject(n)) {
      errors.push({
        path: at,
        message: `must be a node like {"name": "conv1", "call": "conv1", "inputs": ["input"]}, got ${describe(n)}`,
      });
      return;
    }
    const nameErr = nodeNameError(n.name, earlier, `${path}.nodes`);
    if (nameErr) errors.push({ path: `${at}.name`, message: nameErr });
    if (typeof n.name === 'string' && !earlier.has(n.name)) earlier.set(n.name, i);
    errors.push(...kindErrors(n, at, modules), ...inputsErrors(n, at, i, order, inputsOf));
  });
  if (typeof forward.output !== 'string') {
    errors.push({
      path: `${path}.output`,
      message:
        forward.output === undefined
          ? 'missing; the name of the node whose value forward returns'
          : `must be a node name, got ${describe(forward.output)}`,
    });
  } else if (!order.has(forward.output)) {
    const guess = didYouMean(forward.output, [...order.keys()]);
    errors.push({
      path: `${path}.output`,
      message: `no node '${forward.output}'${guess ? ` (did you mean '${guess}'?)` : nodes.length === 0 ? '; forward has no nodes' : ''}`,
    });
  } else if (errors.length === 0) {
    for (const name of danglingNodes(nodes as Obj[], forward.output)) {
      errors.push({
        path: `${path}.nodes[${order.get(name)}]`,
        message: `node '${name}' is dangling: its value never reaches the output '${forward.output}'; connect it or remove it`,
      });
    }
  }
  return errors;
}
