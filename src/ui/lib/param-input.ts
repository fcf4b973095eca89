// Text ⇄ keyword value for the inspector's fields, in Python's spelling: `5`, `(5, 3)`,
// `None`, `'same'`. Parsing only checks the form; the core's validateLayer judges the value.
import type { ParamSpec } from '../../core/model/catalogue.ts';
import { pyFloat } from '../../core/python/python-literals.ts';

export type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

/** The field's text for a value, as Python writes it (floats `1e-05`, `0.5`); '' for an omitted keyword. */
export function formatValue(value: unknown, float = false): string {
  if (value === undefined) return '';
  if (value === null) return 'None';
  if (Array.isArray(value)) return `(${value.map((v) => formatValue(v)).join(', ')})`;
  if (typeof value === 'string') return value;
  if (float && typeof value === 'number') return pyFloat(value);
  return String(value);
}

/** The placeholder: PyTorch's default, or 'required'. */
export function placeholderOf(spec: ParamSpec): string {
  if (spec.required) return 'required';
  return `${formatValue(spec.default, spec.kind === 'float') || 'None'} (default)`;
}

export function parseValue(text: string, spec: ParamSpec): Parsed {
  const t = text.trim();
  if (t === '')
    return spec.required ? { ok: false, message: `${spec.name} is required` } : { ok: true, value: undefined };
  if (/^none$/i.test(t))
    return spec.nullable ? { ok: true, value: null } : { ok: false, message: `${spec.name} cannot be None` };
  switch (spec.kind) {
    case 'int':
      return parseInt(t, spec.name);
    case 'float':
      return parseFloat(t, spec.name);
    case 'pair':
      return parsePair(t, spec);
    case 'choice':
      return spec.choices?.includes(unquote(t))
        ? { ok: true, value: unquote(t) }
        : { ok: false, message: `${spec.name} must be one of ${spec.choices?.join(', ')}` };
    case 'bool':
      return /^(true|false)$/i.test(t)
        ? { ok: true, value: /^true$/i.test(t) }
        : { ok: false, message: `${spec.name} must be True or False` };
  }
}

function parseInt(t: string, name: string): Parsed {
  return /^[+-]?\d+$/.test(t) ? { ok: true, value: Number(t) } : { ok: false, message: `${name} must be an integer` };
}

function parseFloat(t: string, name: string): Parsed {
  const v = Number(t);
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t) && Number.isFinite(v)
    ? { ok: true, value: v }
    : { ok: false, message: `${name} must be a number` };
}

function parsePair(t: string, spec: ParamSpec): Parsed {
  const word = unquote(t);
  if (spec.strings?.includes(word)) return { ok: true, value: word };
  const inner = t.replace(/^[([]\s*/, '').replace(/\s*[)\]]$/, '');
  const items = inner
    .split(',')
    .map((s) => s.trim())
    .filter((s, i, all) => s !== '' || i < all.length - 1);
  const expected = `${spec.name} must be an integer or a pair (h, w)${spec.strings ? ` or ${spec.strings.map((s) => `'${s}'`).join(' / ')}` : ''}`;
  if (items.length === 1 && inner === t)
    return parseInt(items[0], spec.name).ok ? { ok: true, value: Number(items[0]) } : { ok: false, message: expected };
  if (items.length !== 2) return { ok: false, message: expected };
  const value = items.map((s) =>
    /^none$/i.test(s) && spec.nullableItems ? null : /^[+-]?\d+$/.test(s) ? Number(s) : NaN,
  );
  return value.some((v) => Number.isNaN(v)) ? { ok: false, message: expected } : { ok: true, value };
}

function unquote(t: string): string {
  return t.replace(/^(['"])(.*)\1$/, '$2');
}
