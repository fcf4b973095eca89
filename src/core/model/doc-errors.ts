// Shared pieces of model-file checking: errors at JSON paths, value descriptions, and the
// checks versions 1 and 2 have in common (input shape, className, training, metadata).
import { classNameError } from '../python/python-names.ts';
import type { FieldError } from './validate.ts';
import { MODEL_LIMITS } from './catalogue.ts';
import { parseTrainingConfig } from '../run/config-parse.ts';

/** One problem of a model file, at its JSON path ('modules[2].layer.kernel_size'). */
export interface DocError {
  path: string;
  message: string;
}

export type Obj = Record<string, unknown>;

const { dim: MAX_DIM, elements: MAX_ELEMENTS } = MODEL_LIMITS;

export const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A key as a path segment: `.name`, or `["odd key"]` (quoted, cut to 40 characters) when not an identifier. */
const segment = (key: string): string =>
  /^[A-Za-z_]\w*(\[\d+\])?$/.test(key) ? key : `[${JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)}]`;
export const join = (path: string, key: string | number): string => {
  if (typeof key === 'number') return `${path}[${key}]`;
  const s = segment(key);
  return s.startsWith('[') || !path ? `${path}${s}` : `${path}.${s}`;
};
export const describe = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'a list'
      : typeof v === 'object'
        ? 'an object'
        : `${typeof v} ${JSON.stringify(v)}`;

/**
 * A layer's FieldError at its JSON path. Messages that start with the field name
 * ('kernel_size[1] must be ...') move that name into the path: `layers[3].kernel_size[1]: must be ...`.
 */
export function fieldErrorAt(base: string, e: FieldError): DocError {
  const m = /^([A-Za-z_]\w*(?:\[\d+\])?) (.*)$/s.exec(e.message);
  if (e.field && m && (m[1] === e.field || m[1].startsWith(`${e.field}[`)))
    return { path: join(base, m[1]), message: m[2] };
  return { path: e.field ? join(base, e.field) : base, message: e.message };
}

/** Keys of `v` outside `known`, each an error naming what is allowed. */
export function unknownKeys(v: Obj, known: readonly string[], path: string, what: string): DocError[] {
  return Object.keys(v)
    .filter((k) => !known.includes(k))
    .map((k) => ({ path: join(path, k), message: `unknown field; ${what} has ${known.join(', ')}` }));
}

export function inputErrors(input: unknown): DocError[] {
  const shape = 'the input shape without the batch dimension: [C, H, W] or [F], 1 to 3 positive integers';
  const what = `must be ${shape}`;
  if (!Array.isArray(input))
    return [
      {
        path: 'input',
        message: input === undefined ? `missing; it must be ${shape}` : `${what}, got ${describe(input)}`,
      },
    ];
  if (input.length < 1 || input.length > 3) {
    const batch = input.length === 4 ? ' (leave out the batch size N)' : '';
    return [{ path: 'input', message: `${what}, got ${input.length} values${batch}` }];
  }
  const errors = input.flatMap((n, i) => {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
      return [{ path: `input[${i}]`, message: `must be a positive integer, got ${describe(n)}` }];
    if (n > MAX_DIM) return [{ path: `input[${i}]`, message: `must be at most ${MAX_DIM} (the limit), got ${n}` }];
    return [];
  });
  const elements = (input as number[]).reduce((a, b) => a * b, 1);
  if (errors.length === 0 && elements > MAX_ELEMENTS)
    errors.push({
      path: 'input',
      message: `${input.join('×')} = ${elements.toLocaleString('en-US')} values per sample; the limit is ${MAX_ELEMENTS.toLocaleString('en-US')} per tensor (8 GiB of float32)`,
    });
  return errors;
}

export function classNameErrors(className: unknown): DocError[] {
  if (className === undefined) return [];
  const err =
    typeof className === 'string' ? classNameError(className) : `must be a string, got ${describe(className)}`;
  return err ? [{ path: 'className', message: err }] : [];
}

export function pointErrors(path: string, p: unknown): DocError[] {
  if (isObject(p) && Number.isFinite(p.x) && Number.isFinite(p.y) && Object.keys(p).length === 2) return [];
  return [{ path, message: `must be a position {"x": number, "y": number}, got ${describe(p)}` }];
}

/** training: a TrainingConfig (core/run), checked field by field; metadata: any JSON object whose known keys are strings. */
export function freeFormErrors(v: Obj): DocError[] {
  const errors: DocError[] = [];
  if (v.training !== undefined) {
    const parsed = parseTrainingConfig(v.training, 'training');
    if (!parsed.ok) errors.push(...parsed.errors);
  }
  if (v.metadata !== undefined) {
    if (!isObject(v.metadata))
      errors.push({ path: 'metadata', message: `must be an object, got ${describe(v.metadata)}` });
    else errors.push(...jsonValueErrors('metadata', v.metadata));
  }
  if (isObject(v.metadata)) {
    for (const k of ['name', 'description', 'created']) {
      const x = v.metadata[k];
      if (x !== undefined && typeof x !== 'string')
        errors.push({ path: `metadata.${k}`, message: `must be a string, got ${describe(x)}` });
    }
  }
  return errors;
}

/** Values JSON cannot carry (NaN, undefined, functions) break the lossless round trip. */
function jsonValueErrors(path: string, v: unknown): DocError[] {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return [];
  if (typeof v === 'number') return Number.isFinite(v) ? [] : [{ path, message: `must be a finite number, got ${v}` }];
  if (Array.isArray(v)) return v.flatMap((x, i) => jsonValueErrors(join(path, i), x));
  if (isObject(v) && Object.getPrototypeOf(v) === Object.prototype)
    return Object.entries(v).flatMap(([k, x]) => jsonValueErrors(join(path, k), x));
  return [{ path, message: `is not a JSON value (${typeof v})` }];
}
