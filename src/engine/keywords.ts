// Keyword validation for losses and optimizers: each type lists its keywords with PyTorch's
// defaults and a checker; a problem is reported with the keyword's name.
import { floatTensorFromJson, isTensorJson } from './tensor-json.ts';
import type { Tensor } from './tensor.ts';

export interface FieldError {
  /** Keyword name, or 'type' / '' for the spec as a whole. */
  field: string;
  message: string;
}

/** Turns a raw keyword value into the typed one, or throws an Error whose message says why. */
export interface Rule<T = unknown> {
  default: T;
  check: (v: unknown) => T;
}

const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : (JSON.stringify(v) ?? String(v)));

export function number(
  opts: { min?: number; above?: number; below?: number; max?: number; int?: boolean } = {},
  dflt = 0,
): Rule<number> {
  return {
    default: dflt,
    check(v) {
      if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`must be a number, got ${show(v)}`);
      if (opts.int && !Number.isInteger(v)) throw new Error(`must be an integer, got ${show(v)}`);
      if (opts.min !== undefined && v < opts.min) throw new Error(`must be >= ${opts.min}, got ${v}`);
      if (opts.above !== undefined && v <= opts.above) throw new Error(`must be > ${opts.above}, got ${v}`);
      if (opts.below !== undefined && v >= opts.below) throw new Error(`must be < ${opts.below}, got ${v}`);
      if (opts.max !== undefined && v > opts.max) throw new Error(`must be <= ${opts.max}, got ${v}`);
      return v;
    },
  };
}

export function boolean(dflt = false): Rule<boolean> {
  return {
    default: dflt,
    check(v) {
      if (typeof v !== 'boolean') throw new Error(`must be true or false, got ${show(v)}`);
      return v;
    },
  };
}

/** PyTorch's implementation switches (foreach): accepted, with no effect on the numbers. */
export function nullableBoolean(): Rule<boolean | null> {
  return {
    default: null,
    check(v) {
      if (v !== null && typeof v !== 'boolean') throw new Error(`must be true, false or null, got ${show(v)}`);
      return v;
    },
  };
}

export function oneOf<T extends string>(values: readonly T[], dflt: T): Rule<T> {
  return {
    default: dflt,
    check(v) {
      if (typeof v !== 'string' || !values.includes(v as T))
        throw new Error(`${show(v)} is not a valid value (${values.join(', ')})`);
      return v as T;
    },
  };
}

/** An optional float tensor: tensor JSON, a Tensor, a flat list of numbers, or null. */
export function optionalTensor(): Rule<Tensor | null> {
  return {
    default: null,
    check(v) {
      if (v === null || v === undefined) return null;
      if (Array.isArray(v) && v.every((x) => typeof x === 'number'))
        return { shape: [v.length], data: Float32Array.from(v as number[]) };
      if (v !== null && typeof v === 'object' && (v as Tensor).data instanceof Float32Array) return v as Tensor;
      if (isTensorJson(v)) return floatTensorFromJson(v, 'tensor');
      throw new Error(`must be a tensor {"shape": [...], "data": [...]} or null, got ${show(v)}`);
    },
  };
}

/** A pair of numbers each in [0, 1), like Adam's betas; index-specific messages as PyTorch. */
export function betas(dflt: [number, number]): Rule<[number, number]> {
  return {
    default: dflt,
    check(v) {
      if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number'))
        throw new Error(`must be a pair [beta1, beta2], got ${show(v)}`);
      v.forEach((b: number, i) => {
        if (!(b >= 0 && b < 1)) throw new Error(`invalid beta parameter at index ${i}: ${b} (must be in [0, 1))`);
      });
      return [v[0], v[1]];
    },
  };
}

export type Rules = Record<string, Rule>;
export type Values<R extends Rules> = { [K in keyof R]: R[K] extends Rule<infer T> ? T : never };

/** Checks every keyword of `spec` (except `type`) against `rules`; unknown keywords are errors. */
export function parseKeywords<R extends Rules>(
  spec: Record<string, unknown>,
  rules: R,
  ignore: readonly string[] = ['type'],
): { values: Values<R>; errors: FieldError[] } {
  const values: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  for (const [name, rule] of Object.entries(rules)) {
    const raw = spec[name];
    if (raw === undefined) {
      values[name] = rule.default;
      continue;
    }
    try {
      values[name] = rule.check(raw);
    } catch (e) {
      errors.push({ field: name, message: (e as Error).message });
      values[name] = rule.default;
    }
  }
  for (const name of Object.keys(spec)) {
    if (!(name in rules) && !ignore.includes(name)) {
      errors.push({
        field: name,
        message: `unknown keyword '${name}' for ${String(spec.type)} (known: ${Object.keys(rules).join(', ')})`,
      });
    }
  }
  return { values: values as Values<R>, errors };
}

/** Throws the first error as `Type.field: message`. */
export function throwFirst(type: string, errors: FieldError[]): void {
  if (errors.length) throw new Error(`${type}${errors[0].field ? '.' + errors[0].field : ''}: ${errors[0].message}`);
}
