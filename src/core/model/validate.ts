// Validation of one layer spec, driven by the catalogue's ParamSpec data plus the
// cross-field rules PyTorch enforces (checked against PyTorch 1.13).
//
// Strictness: the model format is JSON, so a value must have the keyword's own type.
// PyTorch would take True for an int keyword (bool subclasses int) or 0/1 for a bool
// one; we refuse both, and refuse floats for int keywords (PyTorch fails on them too).
// A float keyword takes any finite number (JSON cannot tell 1 from 1.0).
//
// A few catalogue bounds are advice rather than PyTorch rules: BatchNorm's eps > 0
// and momentum in [0, 1] are accepted by PyTorch, so they come back from
// `layerWarnings`, not as errors. Where the catalogue is stricter than PyTorch on
// sizes (0 channels or features, AdaptiveAvgPool2d output_size 0, negative
// divisor_override: PyTorch builds empty or odd tensors) we keep the catalogue's rule.
import { CATALOGUE, isLayerType, MODEL_LIMITS, type ParamSpec } from './catalogue.ts';
import type { LayerSpec } from './types.ts';

/** A change to the spec that removes the problem: `{...spec, [field]: value}`. */
export interface FieldFix {
  field: string;
  value: unknown;
  label: string;
}
/** field: keyword name, or '' for the whole layer ('type' for the class name). */
export interface FieldError {
  field: string;
  message: string;
  fix?: FieldFix;
}

/** Keywords whose catalogue bounds PyTorch does not enforce (see file comment). */
const ADVISORY_BOUNDS = new Set(['eps', 'momentum']);

/** A value as Python would print it: None, True, 'same', [3, 3]. */
export function pyValue(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(pyValue).join(', ')}]`;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : String(v).replace('Infinity', 'inf');
  return JSON.stringify(v) ?? String(v);
}

/** Levenshtein distance, for did-you-mean suggestions. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The candidate closest to `word` when it is a plausible typo (case, a letter or two). */
export function didYouMean(word: string, candidates: readonly string[]): string | null {
  const lower = word.toLowerCase();
  const exact = candidates.find((c) => c.toLowerCase() === lower);
  if (exact) return exact;
  let best: string | null = null;
  let bestD = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const full = c.toLowerCase();
    // A misspelt start counts too: 'kernal' for kernel_size.
    const prefix =
      word.length >= 4 && full.length > word.length ? distance(lower, full.slice(0, word.length)) : Infinity;
    const d = Math.min(distance(lower, full), prefix);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

const hint = (word: string, candidates: readonly string[]): string => {
  const guess = didYouMean(word, candidates);
  return guess ? ` (did you mean '${guess}'?)` : '';
};

function boundError(name: string, v: number, p: ParamSpec, integer: boolean): string | null {
  if (p.above !== undefined && !(v > p.above)) return `${name} must be greater than ${p.above}, got ${pyValue(v)}`;
  const { min, max } = p;
  // Integer sizes keep 'a positive integer' below; their max is a limit (MODEL_LIMITS).
  if (!integer && min !== undefined && max !== undefined && (v < min || v > max)) {
    return `${name} must be between ${min} and ${max}, got ${pyValue(v)}`;
  }
  if (min !== undefined && v < min) {
    if (integer && min === 1) return `${name} must be a positive integer, got ${pyValue(v)}`;
    if (integer && min === 0) return `${name} must be a non-negative integer, got ${pyValue(v)}`;
    return `${name} must be at least ${min}, got ${pyValue(v)}`;
  }
  if (max !== undefined && v > max)
    return `${name} must be at most ${max}${integer ? ' (the limit)' : ''}, got ${pyValue(v)}`;
  return null;
}

function intError(name: string, v: unknown, p: ParamSpec, bounds: boolean): string | null {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    const what = typeof v === 'boolean' ? ' (a boolean)' : '';
    return `${name} must be an integer, got ${pyValue(v)}${what}`;
  }
  // 1e21 is an integer to JavaScript but not exactly one: no keyword takes it.
  if (!Number.isSafeInteger(v) && (p.max === undefined || !bounds))
    return `${name} must be a whole number within ±${Number.MAX_SAFE_INTEGER} (a safe integer), got ${pyValue(v)}`;
  return bounds ? boundError(name, v, p, true) : null;
}

function pairError(name: string, v: unknown, p: ParamSpec, bounds: boolean): string | null {
  if (typeof v === 'string') {
    if (p.strings?.includes(v)) return null;
    const strings = p.strings ? `, or one of ${p.strings.map(pyValue).join(', ')}` : '';
    return `${name} must be an integer or a pair [h, w]${strings}, got ${pyValue(v)}${p.strings ? hint(v, p.strings) : ''}`;
  }
  if (!Array.isArray(v)) return intError(name, v, p, bounds);
  if (v.length !== 2)
    return `${name} must be an integer or a pair [h, w], got ${pyValue(v)} (${v.length} ${v.length === 1 ? 'value' : 'values'})`;
  for (let i = 0; i < 2; i++) {
    if (v[i] === null && p.nullableItems) continue;
    const e = intError(`${name}[${i}]`, v[i], p, bounds);
    if (e) return e;
  }
  return null;
}

/** The problem with one value of a keyword, or null. `bounds: false` checks the type only. */
function valueError(p: ParamSpec, v: unknown, bounds = true): string | null {
  if (v === null) return p.nullable ? null : `${p.name} cannot be None`;
  switch (p.kind) {
    case 'int':
      return intError(p.name, v, p, bounds);
    case 'pair':
      return pairError(p.name, v, p, bounds);
    case 'bool':
      return typeof v === 'boolean' ? null : `${p.name} must be True or False, got ${pyValue(v)}`;
    case 'float':
      if (typeof v !== 'number' || !Number.isFinite(v)) return `${p.name} must be a finite number, got ${pyValue(v)}`;
      return bounds ? boundError(p.name, v, p, false) : null;
    case 'choice': {
      const choices = p.choices ?? [];
      if (typeof v === 'string' && choices.includes(v)) return null;
      return `${p.name} must be one of ${choices.map(pyValue).join(', ')}, got ${pyValue(v)}${typeof v === 'string' ? hint(v, choices) : ''}`;
    }
  }
}

const enforcedBounds = (p: ParamSpec): boolean => !ADVISORY_BOUNDS.has(p.name);

/** Checks the layer's type; returns the error or null. */
function typeError(spec: unknown): FieldError | null {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    return { field: '', message: `a layer must be an object like {"type": "Conv2d", ...}, got ${pyValue(spec)}` };
  }
  const type = (spec as LayerSpec).type;
  if (typeof type !== 'string')
    return { field: 'type', message: `type must be a layer class name such as 'Conv2d', got ${pyValue(type)}` };
  if (isLayerType(type)) return null;
  const guess = didYouMean(type, Object.keys(CATALOGUE));
  return {
    field: 'type',
    message: `unknown layer type '${type}'${guess ? ` (did you mean '${guess}'?)` : ''}`,
    ...(guess ? { fix: { field: 'type', value: guess, label: `use ${guess}` } } : {}),
  };
}

/** Every keyword problem of a spec whose type is known, before cross-field rules. */
function keywordErrors(spec: LayerSpec, params: ParamSpec[]): FieldError[] {
  const errors: FieldError[] = [];
  const names = params.map((p) => p.name);
  for (const key of Object.keys(spec)) {
    if (key === 'type' || names.includes(key)) continue;
    const guess = didYouMean(key, names);
    const takes = names.length ? `takes ${names.join(', ')}` : 'takes no keywords';
    errors.push({
      field: key,
      message: `unknown keyword '${key}' for ${spec.type}${guess ? ` (did you mean '${guess}'?)` : `; ${spec.type} ${takes}`}`,
    });
  }
  for (const p of params) {
    const v = spec[p.name];
    if (v === undefined) {
      if (p.required) errors.push({ field: p.name, message: `${p.name} is required` });
      continue;
    }
    const message = valueError(p, v, enforcedBounds(p));
    if (message) errors.push({ field: p.name, message });
  }
  return errors;
}

/**
 * Every problem with one layer spec: unknown type, unknown keyword, wrong type or
 * range, missing required keyword, and PyTorch's cross-field rules.
 */
export function validateLayer(spec: LayerSpec): FieldError[] {
  const bad = typeError(spec);
  if (bad) return [bad];
  const params = CATALOGUE[spec.type as keyof typeof CATALOGUE].params;
  const errors = keywordErrors(spec, params);
  const valid = (field: string) => !errors.some((e) => e.field === field);
  errors.push(...crossFieldErrors(spec, valid));
  return errors;
}

/**
 * The problem with one raw value typed for `field` of a `type` layer (inspector use),
 * or null when it is acceptable on its own. Cross-field rules need the whole spec:
 * use validateLayer for those.
 */
export function validateField(type: string, field: string, value: unknown): string | null {
  if (!isLayerType(type)) return `unknown layer type '${type}'`;
  const p = CATALOGUE[type].params.find((q) => q.name === field);
  if (!p)
    return `unknown keyword '${field}' for ${type}${hint(
      field,
      CATALOGUE[type].params.map((q) => q.name),
    )}`;
  if (value === undefined) return p.required ? `${field} is required` : null;
  return valueError(p, value, enforcedBounds(p));
}

/** Values PyTorch accepts but that are almost surely mistakes (eps <= 0, momentum > 1). */
export function layerWarnings(spec: LayerSpec): FieldError[] {
  if (typeError(spec)) return [];
  const warnings: FieldError[] = [];
  for (const p of CATALOGUE[spec.type as keyof typeof CATALOGUE].params) {
    const v = spec[p.name];
    if (enforcedBounds(p) || typeof v !== 'number' || !Number.isFinite(v)) continue;
    const message = boundError(p.name, v, p, false);
    if (message)
      warnings.push({ field: p.name, message: `${message} (PyTorch accepts it, but it is almost surely a mistake)` });
  }
  return warnings;
}

// ---- cross-field rules -------------------------------------------------------------

const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [v[0], v[1]] : [v as number, v as number]);
const pairValue = (p: [number, number]): number | [number, number] => (p[0] === p[1] ? p[0] : p);
const given = (spec: LayerSpec, field: string, fallback: unknown): unknown => spec[field] ?? fallback;

function convErrors(spec: LayerSpec, valid: (f: string) => boolean): FieldError[] {
  const errors: FieldError[] = [];
  const groups = given(spec, 'groups', 1) as number;
  const fix: FieldFix = { field: 'groups', value: 1, label: 'set groups = 1' };
  for (const field of ['in_channels', 'out_channels']) {
    const n = spec[field] as number;
    if (valid(field) && valid('groups') && n !== undefined && n % groups !== 0) {
      errors.push({ field: 'groups', message: `groups must divide ${field} (${n} % ${groups} != 0)`, fix });
    }
  }
  const stride = pair(given(spec, 'stride', 1));
  if (spec.padding === 'same' && valid('stride') && (stride[0] !== 1 || stride[1] !== 1)) {
    errors.push({
      field: 'padding',
      message: `padding='same' needs stride 1 (PyTorch does not support it for strided convolutions), got stride=${pyValue(spec.stride)}`,
      fix: { field: 'stride', value: 1, label: 'set stride = 1' },
    });
  }
  return errors;
}

function poolErrors(spec: LayerSpec, valid: (f: string) => boolean): FieldError[] {
  const errors: FieldError[] = [];
  if (spec.type === 'MaxPool2d' && spec.return_indices === true) {
    errors.push({
      field: 'return_indices',
      message:
        'return_indices=True makes MaxPool2d return (output, indices), which no layer of an nn.Sequential can take',
      fix: { field: 'return_indices', value: false, label: 'set return_indices = False' },
    });
  }
  if (!valid('kernel_size') || !valid('padding') || spec.kernel_size === undefined) return errors;
  const k = pair(spec.kernel_size);
  const pad = pair(given(spec, 'padding', 0));
  const half: [number, number] = [Math.floor(k[0] / 2), Math.floor(k[1] / 2)];
  const d = pad[0] > half[0] ? 0 : pad[1] > half[1] ? 1 : null;
  if (d !== null) {
    const ok = pairValue([Math.min(pad[0], half[0]), Math.min(pad[1], half[1])]);
    errors.push({
      field: 'padding',
      message: `padding must be at most half of kernel_size: ${pad[d]} > ${k[d]} // 2 = ${half[d]}${k[0] === k[1] && pad[0] === pad[1] ? '' : d === 0 ? ' (height)' : ' (width)'}`,
      fix: { field: 'padding', value: ok, label: `set padding = ${pyValue(ok)}` },
    });
  }
  return errors;
}

const count = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 0 });

/**
 * A weight holding more than MODEL_LIMITS.elements values (Conv2d(3, 2**30, 3), Linear(2**20,
 * 2**20)): PyTorch fails to allocate it, the engine cannot index it. `factors` are its dims.
 */
function weightError(type: string, factors: [string, number][]): FieldError[] {
  const total = factors.reduce((n, [, v]) => n * v, 1);
  if (total <= MODEL_LIMITS.elements) return [];
  return [
    {
      field: '',
      message: `${type}'s weight would hold ${factors.map(([k]) => k).join(' × ')} = ${factors.map(([, v]) => count(v)).join(' × ')} = ${count(total)} values; the limit is ${count(MODEL_LIMITS.elements)} per tensor (8 GiB of float32)`,
    },
  ];
}

function sizeErrors(spec: LayerSpec, valid: (f: string) => boolean): FieldError[] {
  if (spec.type === 'Linear') {
    if (!valid('in_features') || !valid('out_features')) return [];
    return weightError('Linear', [
      ['out_features', spec.out_features as number],
      ['in_features', spec.in_features as number],
    ]);
  }
  const fields = ['in_channels', 'out_channels', 'groups', 'kernel_size'];
  if (fields.some((f) => !valid(f)) || spec.in_channels === undefined || spec.out_channels === undefined) return [];
  const [kh, kw] = pair(spec.kernel_size);
  return weightError('Conv2d', [
    ['out_channels', spec.out_channels as number],
    ['in_channels / groups', (spec.in_channels as number) / (given(spec, 'groups', 1) as number)],
    ['kernel height', kh],
    ['kernel width', kw],
  ]);
}

function crossFieldErrors(spec: LayerSpec, valid: (f: string) => boolean): FieldError[] {
  switch (spec.type) {
    case 'Linear':
      return sizeErrors(spec, valid);
    case 'Conv2d':
      return [...convErrors(spec, valid), ...sizeErrors(spec, valid)];
    case 'MaxPool2d':
    case 'AvgPool2d':
      return poolErrors(spec, valid);
    default:
      return [];
  }
}
