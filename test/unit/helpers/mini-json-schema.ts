// A tiny JSON Schema (2020-12) checker for exactly the keywords docs/model.schema.json
// uses, so tests can hold documents against the schema without a new dependency.
type Schema = Record<string, unknown> | boolean;

const typeOf = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'array'
      : typeof v === 'number' && Number.isInteger(v)
        ? 'integer'
        : typeof v;

const KNOWN = new Set([
  '$schema',
  '$id',
  '$defs',
  '$ref',
  'title',
  'description',
  'default',
  'type',
  'const',
  'enum',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'pattern',
  'not',
  'anyOf',
  'allOf',
  'if',
  'then',
  'uniqueItems',
]);

/** The paths where `value` breaks `schema` (empty when it conforms). Throws on unknown keywords. */
export function schemaErrors(root: Record<string, unknown>, value: unknown): string[] {
  const errors: string[] = [];
  const check = (s: Schema, v: unknown, path: string): boolean => {
    const before = errors.length;
    run(s, v, path);
    return errors.length === before;
  };
  const quiet = (s: Schema, v: unknown): boolean => {
    const saved = errors.length;
    const ok = check(s, v, '');
    errors.length = saved;
    return ok;
  };
  const run = (s: Schema, v: unknown, path: string): void => {
    if (s === true) return;
    if (s === false) {
      errors.push(`${path}: not allowed`);
      return;
    }
    for (const k of Object.keys(s)) if (!KNOWN.has(k)) throw new Error(`mini-json-schema: unsupported keyword ${k}`);
    const fail = (why: string): void => {
      errors.push(`${path || '(root)'}: ${why}`);
    };
    if (typeof s.$ref === 'string')
      run((root.$defs as Record<string, Schema>)[s.$ref.replace('#/$defs/', '')], v, path);
    if (s.type !== undefined) {
      const types = ([] as string[]).concat(s.type as string);
      const t = typeOf(v);
      if (!types.includes(t) && !(t === 'integer' && types.includes('number')))
        return fail(`type ${t}, expected ${types}`);
    }
    if ('const' in s && JSON.stringify(s.const) !== JSON.stringify(v)) fail(`expected ${JSON.stringify(s.const)}`);
    if (s.enum && !(s.enum as unknown[]).some((e) => JSON.stringify(e) === JSON.stringify(v))) fail('not in enum');
    if (typeof v === 'number') {
      if (typeof s.minimum === 'number' && v < s.minimum) fail(`below minimum ${s.minimum}`);
      if (typeof s.maximum === 'number' && v > s.maximum) fail(`above maximum ${s.maximum}`);
      if (typeof s.exclusiveMinimum === 'number' && v <= s.exclusiveMinimum) fail(`not above ${s.exclusiveMinimum}`);
    }
    if (typeof v === 'string' && typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(v))
      fail(`does not match ${s.pattern}`);
    if (Array.isArray(v)) {
      if (typeof s.minItems === 'number' && v.length < s.minItems) fail(`fewer than ${s.minItems} items`);
      if (typeof s.maxItems === 'number' && v.length > s.maxItems) fail(`more than ${s.maxItems} items`);
      if (s.uniqueItems && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) fail('items not unique');
      const prefix = (s.prefixItems as Schema[] | undefined) ?? [];
      v.forEach((x, i) => {
        if (i < prefix.length) run(prefix[i], x, `${path}[${i}]`);
        else if (s.items !== undefined) run(s.items as Schema, x, `${path}[${i}]`);
      });
    }
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const obj = v as Record<string, unknown>;
      for (const r of (s.required as string[] | undefined) ?? []) if (!(r in obj)) fail(`missing ${r}`);
      const props = (s.properties as Record<string, Schema> | undefined) ?? {};
      for (const [k, x] of Object.entries(obj)) {
        const p = path ? `${path}.${k}` : k;
        if (k in props) run(props[k], x, p);
        else if (s.additionalProperties === false) errors.push(`${p}: unknown property`);
        else if (typeof s.additionalProperties === 'object') run(s.additionalProperties as Schema, x, p);
      }
    }
    if (s.not !== undefined && quiet(s.not as Schema, v)) fail('matches a forbidden schema');
    if (s.anyOf && !(s.anyOf as Schema[]).some((x) => quiet(x, v))) fail('matches none of anyOf');
    for (const x of (s.allOf as Schema[] | undefined) ?? []) run(x, v, path);
    if (s.if !== undefined && quiet(s.if as Schema, v) && s.then !== undefined) run(s.then as Schema, v, path);
  };
  run(root, value, '');
  return errors;
}
