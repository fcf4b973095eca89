// The training form's logic, driven by core's option catalogues (LOSSES, OPTIMIZERS,
// SCHEDULERS): text ⇄ keyword values in Python's spelling, switching a type to PyTorch's
// defaults while keeping the user's edits the new one shares, and validateTrainingConfig's
// messages by field.
import {
  validateTrainingConfig,
  type Choice,
  type KeywordValue,
  type TrainingConfig,
} from '../../core/run/training-config.ts';
import { findOptionType, type OptionSpec, type OptionTypeDef } from '../../core/run/training-catalogue.ts';

/** A field's text read as a keyword: undefined is "PyTorch's default" (the keyword left out). */
export type Parsed = { ok: true; value: KeywordValue | undefined } | { ok: false; message: string };

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** How a keyword reads in the form ('' when it is left at PyTorch's default). */
export function optionText(value: KeywordValue | undefined): string {
  if (value === undefined) return '';
  if (value === null) return 'None';
  if (Array.isArray(value)) return value.map((v) => String(v)).join(', ');
  return String(value);
}

/** The placeholder: PyTorch's default. */
export function optionPlaceholder(spec: OptionSpec): string {
  if (spec.default === undefined) return spec.required ? 'required' : '';
  return `${optionText(spec.default) || 'None'} (default)`;
}

function parseNumber(t: string, name: string, int: boolean): Parsed {
  if (!NUMBER.test(t) || !Number.isFinite(Number(t))) return { ok: false, message: `${name} must be a number` };
  const v = Number(t);
  return int && !Number.isInteger(v)
    ? { ok: false, message: `${name} must be a whole number` }
    : { ok: true, value: v };
}

function parseList(t: string, name: string, pair: boolean): Parsed {
  const items = t
    .replace(/^[([]\s*|\s*[)\]]$/g, '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.some((s) => !NUMBER.test(s)))
    return { ok: false, message: `${name} must be ${pair ? 'two numbers' : 'a list of numbers'}, separated by commas` };
  if (pair && items.length !== 2) return { ok: false, message: `${name} must be two numbers, e.g. 0.9, 0.999` };
  if (items.length === 0) return { ok: false, message: `${name} needs at least one number (or None)` };
  return { ok: true, value: items.map(Number) };
}

/** A typed keyword from the field's text; '' means "PyTorch's default" (undefined). */
export function parseOption(text: string, spec: OptionSpec): Parsed {
  const t = text.trim();
  if (t === '')
    return spec.required && spec.default === undefined
      ? { ok: false, message: `${spec.name} is required` }
      : { ok: true, value: undefined };
  if (/^none$/i.test(t))
    return spec.nullable ? { ok: true, value: null } : { ok: false, message: `${spec.name} cannot be None` };
  switch (spec.kind) {
    case 'int':
      return parseNumber(t, spec.name, true);
    case 'float':
      return parseNumber(t, spec.name, false);
    case 'floats':
      return parseList(t, spec.name, false);
    case 'floatPair':
      return parseList(t, spec.name, true);
    case 'bool':
      return /^(true|false)$/i.test(t)
        ? { ok: true, value: /^true$/i.test(t) }
        : { ok: false, message: `${spec.name} must be True or False` };
    case 'choice':
      return spec.choices!.includes(t)
        ? { ok: true, value: t }
        : { ok: false, message: `${spec.name} must be one of ${spec.choices!.join(', ')}` };
  }
}

/** Sets (or with undefined removes) one keyword of a loss/optimizer/scheduler choice. */
export function withKeyword(choice: Choice, name: string, value: KeywordValue | undefined): Choice {
  const next: Choice = { ...choice };
  if (value === undefined) delete next[name];
  else next[name] = value;
  return next;
}

/** Two keyword values are the same (lists compared item by item). */
function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The choice switched to `type`, as PyTorch would construct it: every keyword at the new
 * class's default (Adam after SGD gets lr=0.001), except the user's own edits — values
 * that differ from the old class's default — of keywords both classes take. A required
 * keyword, and lr, are written out with the catalogue's default.
 */
export function switchType(list: OptionTypeDef[], from: Choice | null, type: string): Choice {
  const def = findOptionType(list, type);
  if (!def) throw new Error(`unknown type ${type}`);
  const old = from ? findOptionType(list, from.type) : undefined;
  const next: Choice = { type };
  for (const o of def.options) {
    const kept = from?.[o.name];
    const oldSpec = old?.options.find((x) => x.name === o.name);
    const edited = kept !== undefined && oldSpec !== undefined && !sameValue(kept, oldSpec.default);
    if (edited) next[o.name] = kept;
    else if ((o.required || o.name === 'lr') && o.default !== undefined) next[o.name] = o.default;
  }
  return next;
}

/** validateTrainingConfig's messages keyed by field ('optimizer.lr' → 'must be a number ≥ 0'). */
export function fieldErrors(config: TrainingConfig): Map<string, string> {
  const out = new Map<string, string>();
  for (const message of validateTrainingConfig(config)) {
    const m = /^([\w.]+): (.*)$/.exec(message);
    const key = m ? m[1] : 'config';
    if (!out.has(key)) out.set(key, m ? m[2] : message);
  }
  return out;
}

/** PyTorch's constructor call for a choice: 'SGD(lr=0.01, momentum=0.9)'. */
export function callText(choice: Choice | null): string {
  if (!choice) return 'None';
  const py = (v: unknown): string =>
    v === null
      ? 'None'
      : typeof v === 'boolean'
        ? v
          ? 'True'
          : 'False'
        : typeof v === 'string'
          ? `'${v}'`
          : Array.isArray(v)
            ? `(${v.map(py).join(', ')})`
            : String(v);
  const args = Object.entries(choice)
    .filter(([k]) => k !== 'type')
    .map(([k, v]) => `${k}=${py(v)}`);
  return `${choice.type}(${args.join(', ')})`;
}
