// The functional forms people write in forward() that have a module equivalent giving
// PyTorch's identical result: `F.relu(x)` is ReLU, `F.max_pool2d(x, 2)` MaxPool2d(2),
// `torch.flatten(x, 1)` Flatten(start_dim=1), `x.view(x.size(0), -1)` a flatten of each
// sample. Arguments bind by position or keyword as in PyTorch's signatures.
import type { LayerSpec, LayerType } from '../model/types.ts';
import { validateLayer } from '../model/validate.ts';
import { describe, PySyntaxError, type Expr } from './python-expr.ts';

/** `x.view(-1, K)`: a flatten only when every sample holds K values (checked once shapes are known). */
export interface ViewCheck {
  line: number;
  features: number;
  text: string;
}

interface FunctionDef {
  type: LayerType;
  /** PyTorch's parameters after the tensor, in order, as the layer's keywords. */
  params: string[];
  /** Keywords that only change memory use, read and left out of the layer. */
  ignored?: string[];
  /** Defaults that differ from the module's (torch.flatten's start_dim is 0, nn.Flatten's 1). */
  defaults?: Record<string, unknown>;
}

const FUNCTIONS: Record<string, FunctionDef> = {
  relu: { type: 'ReLU', params: ['inplace'], ignored: ['inplace'] },
  leaky_relu: { type: 'LeakyReLU', params: ['negative_slope', 'inplace'], ignored: ['inplace'] },
  elu: { type: 'ELU', params: ['alpha', 'inplace'], ignored: ['inplace'] },
  gelu: { type: 'GELU', params: [] },
  sigmoid: { type: 'Sigmoid', params: [] },
  tanh: { type: 'Tanh', params: [] },
  softmax: { type: 'Softmax', params: ['dim'] },
  log_softmax: { type: 'LogSoftmax', params: ['dim'] },
  max_pool2d: {
    type: 'MaxPool2d',
    params: ['kernel_size', 'stride', 'padding', 'dilation', 'ceil_mode', 'return_indices'],
  },
  avg_pool2d: {
    type: 'AvgPool2d',
    params: ['kernel_size', 'stride', 'padding', 'ceil_mode', 'count_include_pad', 'divisor_override'],
  },
  adaptive_avg_pool2d: { type: 'AdaptiveAvgPool2d', params: ['output_size'] },
  flatten: { type: 'Flatten', params: ['start_dim', 'end_dim'], defaults: { start_dim: 0 } },
};
/** Keyword-only parameters (`F.gelu(x, approximate='tanh')`). */
const KEYWORD_ONLY: Partial<Record<string, string[]>> = { gelu: ['approximate'] };

/** torch.X functions with the same meaning as F.X. */
const TORCH_FUNCTIONS = new Set([
  'relu',
  'sigmoid',
  'tanh',
  'softmax',
  'log_softmax',
  'flatten',
  'max_pool2d',
  'avg_pool2d',
  'adaptive_avg_pool2d',
]);
/** Tensor methods with the same meaning: x.relu(), x.flatten(1) … */
const METHODS = new Set(['relu', 'sigmoid', 'tanh', 'softmax', 'log_softmax', 'flatten']);

const F_PREFIXES = ['F', 'functional', 'nn.functional', 'torch.nn.functional'];

function constant(e: Expr): unknown {
  if (e.kind === 'num' || e.kind === 'str' || e.kind === 'const') return e.value;
  if (e.kind === 'seq' && e.items.every((x) => x.kind === 'num'))
    return e.items.map((x) => (x as { value: number }).value);
  throw new PySyntaxError(e.line, `${describe(e)} is not a constant value`);
}

/** The layer a function call computes, with the tensor argument; args after the tensor are `rest`. */
function bind(
  name: string,
  def: FunctionDef,
  rest: Expr[],
  kwargs: [string, Expr][],
  e: Expr & { kind: 'call' },
  shown: string,
): LayerSpec {
  const kwOnly = KEYWORD_ONLY[name] ?? [];
  if (rest.length > def.params.length)
    throw new PySyntaxError(
      e.line,
      `${shown} takes at most ${def.params.length + 1} positional arguments, got ${rest.length + 1}`,
    );
  const spec: LayerSpec = { type: def.type, ...def.defaults };
  const given = new Set<string>();
  const set = (k: string, v: Expr) => {
    if (given.has(k)) throw new PySyntaxError(e.line, `${shown}: '${k}' is given twice`);
    given.add(k);
    if (!def.ignored?.includes(k)) spec[k] = constant(v);
    else constant(v);
  };
  rest.forEach((a, i) => set(def.params[i], a));
  for (const [k, v] of kwargs) {
    if (!def.params.includes(k) && !kwOnly.includes(k))
      throw new PySyntaxError(e.line, `${shown}: unknown argument '${k}'`);
    set(k, v);
  }
  if (name === 'softmax' || name === 'log_softmax') {
    if (spec.dim === undefined)
      throw new PySyntaxError(e.line, `${shown} needs dim (an implicit dim is deprecated in PyTorch)`);
  }
  const problems = validateLayer(spec);
  if (problems.length)
    throw new PySyntaxError(
      e.line,
      `${shown}: ${problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('; ')}`,
    );
  return spec;
}

/** `F.relu(x)`, `torch.flatten(x, 1)`, `F.max_pool2d(x, 2, 2)` → the layer, its node name and the tensor argument; null: not a known function. */
export function functionalLayer(
  path: string[],
  e: Expr & { kind: 'call' },
): { layer: LayerSpec; name: string; input: Expr } | null {
  const name = path[path.length - 1];
  const prefix = path.slice(0, -1).join('.');
  const known =
    Object.hasOwn(FUNCTIONS, name) &&
    (F_PREFIXES.includes(prefix) || (prefix === 'torch' && TORCH_FUNCTIONS.has(name)));
  if (!known) {
    if (F_PREFIXES.includes(prefix) || prefix === 'torch') {
      const hint =
        name === 'dropout'
          ? ' (F.dropout needs training=self.training to match nn.Dropout: register an nn.Dropout instead)'
          : '';
      throw new PySyntaxError(
        e.line,
        `${path.join('.')} is not a function Layerboard understands${hint}; it reads ${Object.keys(FUNCTIONS)
          .map((f) => `F.${f}`)
          .join(', ')} and torch.flatten / torch.cat`,
      );
    }
    return null;
  }
  const shown = path.join('.');
  const [input, ...rest] = e.args;
  const kwInput = e.kwargs.find(([k]) => k === 'input');
  if (!input && !kwInput) throw new PySyntaxError(e.line, `${shown} needs a tensor`);
  const kwargs = e.kwargs.filter(([k]) => k !== 'input');
  return {
    layer: bind(name, FUNCTIONS[name], input ? rest : e.args, kwargs, e, shown),
    name,
    input: input ?? kwInput![1],
  };
}

const isSizeZero = (e: Expr, variable: string | null): boolean =>
  e.kind === 'call' &&
  e.callee.kind === 'name' &&
  e.callee.path.length === 2 &&
  e.callee.path[1] === 'size' &&
  e.callee.path[0] === variable &&
  e.args.length === 1 &&
  e.args[0].kind === 'num' &&
  e.args[0].value === 0 &&
  e.kwargs.length === 0;

/**
 * A tensor method: `x.view(x.size(0), -1)` / `x.view(-1, K)` / `x.reshape(...)` (flatten of each
 * sample), `x.flatten(1)`, `x.relu()`. variable: the viewed tensor's name, for `x.size(0)`.
 */
export function tensorMethod(
  variable: string | null,
  method: string,
  e: Expr & { kind: 'call' },
): { layer: LayerSpec; name: string; check?: ViewCheck } {
  const shown = `${variable ?? 'tensor'}.${method}`;
  if (method === 'view' || method === 'reshape') {
    const dims = e.args.length === 1 && e.args[0].kind === 'seq' ? e.args[0].items : e.args;
    const text = `${shown}(${dims.map((d) => (isSizeZero(d, variable) ? `${variable}.size(0)` : describe(d))).join(', ')})`;
    const flatten: LayerSpec = { type: 'Flatten', start_dim: 1 };
    if (e.kwargs.length === 0 && dims.length === 2) {
      const [a, b] = dims;
      const batch = isSizeZero(a, variable);
      if (batch && b.kind === 'num' && b.value === -1) return { layer: flatten, name: 'flatten' };
      if (
        (batch || (a.kind === 'num' && a.value === -1)) &&
        b.kind === 'num' &&
        Number.isInteger(b.value) &&
        b.value > 0
      ) {
        return { layer: flatten, name: 'flatten', check: { line: e.line, features: b.value, text } };
      }
    }
    throw new PySyntaxError(
      e.line,
      `${text} is understood only as a flatten of each sample: ${variable ?? 'x'}.${method}(${variable ?? 'x'}.size(0), -1) or ${variable ?? 'x'}.${method}(-1, <features>)`,
    );
  }
  if (METHODS.has(method)) {
    const def = FUNCTIONS[method];
    return { layer: bind(method, def, e.args, e.kwargs, e, shown), name: method };
  }
  if (method === 'size')
    throw new PySyntaxError(
      e.line,
      `${shown}(...) is understood only inside ${variable ?? 'x'}.view(${variable ?? 'x'}.size(0), -1)`,
    );
  throw new PySyntaxError(e.line, `${shown}(...) is not understood in forward()`);
}
