// Seeded generation of hostile inputs: a small PRNG, and mutations of JSON values, text
// and bytes. The same seed gives the same inputs on every machine.

export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  /** mulberry32: uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

/** Numbers no size keyword may take: past every limit, or not integers. */
export const HUGE_NUMBERS = [1e300, -1e300, 1e21, 2 ** 31, 2 ** 53, 2 ** 64, 1.5, -1, 0];
/** Values of the wrong kind, or awkward ones. */
export const ODD_VALUES: unknown[] = [
  null,
  true,
  '3',
  '',
  'NaN',
  [],
  {},
  [1, 2, 3],
  { type: 'Conv2d' },
  'x'.repeat(10_000),
  '__proto__',
  -0,
  5e-324,
  Number.MAX_VALUE,
];

type Json = unknown;
type Path = (string | number)[];

/** Every path in a JSON value (depth first), the root included. */
export function paths(v: Json, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

export function getAt(v: Json, path: Path): Json {
  return path.reduce<Json>((x, k) => (x as Record<string | number, Json>)?.[k], v);
}

/** A copy of `v` with the value at `path` replaced (or deleted when `value` is `DELETE`). */
export const DELETE = Symbol('delete');
export function setAt(v: Json, path: Path, value: Json | typeof DELETE): Json {
  if (path.length === 0) return value === DELETE ? undefined : value;
  const copy = structuredClone(v) as Record<string | number, Json>;
  const parent = getAt(copy, path.slice(0, -1)) as Record<string | number, Json>;
  const key = path[path.length - 1];
  if (value === DELETE) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else parent[key] = value;
  return copy;
}

/** One random structural mutation of a JSON value, and what it did. */
export function mutateJson(rng: Rng, v: Json): { value: Json; what: string } {
  const all = paths(v);
  const path = rng.pick(all);
  const where = path.join('.') || '(root)';
  switch (rng.int(5)) {
    case 0: {
      const x = rng.pick(HUGE_NUMBERS);
      return { value: setAt(v, path, x), what: `${where} = ${x}` };
    }
    case 1: {
      const x = rng.pick(ODD_VALUES);
      return { value: setAt(v, path, x), what: `${where} = ${JSON.stringify(x)?.slice(0, 20)}` };
    }
    case 2:
      return { value: setAt(v, path, DELETE), what: `delete ${where}` };
    case 3: {
      const inner = getAt(v, path);
      return {
        value: setAt(v, path, { nested: inner, [rng.pick(['type', 'x', 'training'])]: inner }),
        what: `nest ${where}`,
      };
    }
    default: {
      const target = getAt(v, path);
      if (target && typeof target === 'object' && !Array.isArray(target))
        return { value: setAt(v, [...path, 'unknownKey'], 1), what: `unknown key at ${where}` };
      return { value: setAt(v, path, [getAt(v, path)]), what: `wrap ${where} in a list` };
    }
  }
}

/** One random text-level mutation: truncation, a deleted/inserted/duplicated span, deep nesting. */
export function mutateText(rng: Rng, text: string): { text: string; what: string } {
  const at = rng.int(text.length + 1);
  switch (rng.int(7)) {
    case 0:
      return { text: text.slice(0, at), what: `truncated at ${at}` };
    case 1: {
      const n = 1 + rng.int(20);
      return { text: text.slice(0, at) + text.slice(at + n), what: `deleted ${n} chars at ${at}` };
    }
    case 2: {
      const ch = rng.pick(['(', ')', '[', ']', '{', '}', '"', "'", ',', ':', '\\', '\u0000', '\u2028', '\uFEFF', '🙂']);
      return { text: text.slice(0, at) + ch + text.slice(at), what: `inserted ${JSON.stringify(ch)} at ${at}` };
    }
    case 3: {
      const n = 1 + rng.int(200);
      return {
        text: text.slice(0, at) + text.slice(at, at + n).repeat(3) + text.slice(at + n),
        what: `tripled ${n} chars at ${at}`,
      };
    }
    case 4: {
      const depth = rng.pick([1000, 100_000]);
      const [open, close] = rng.pick([
        ['[', ']'],
        ['(', ')'],
        ['{"a":', '}'],
      ]);
      return {
        text: text.slice(0, at) + open.repeat(depth) + close.repeat(depth) + text.slice(at),
        what: `${depth} levels of ${open} at ${at}`,
      };
    }
    case 5: {
      const digits = rng.pick(['1e300', '100000000000000000000000', '2147483648', '-1', '1.5', '9'.repeat(400)]);
      const m = /\d+/.exec(text.slice(at));
      if (!m) return { text: text + digits, what: `appended ${digits}` };
      const i = at + m.index;
      return { text: text.slice(0, i) + digits + text.slice(i + m[0].length), what: `number at ${i} = ${digits}` };
    }
    default: {
      const junk = String.fromCharCode(...rng.bytes(1 + rng.int(64)));
      return { text: text.slice(0, at) + junk + text.slice(at), what: `inserted ${junk.length} random chars at ${at}` };
    }
  }
}

/** One random byte-level mutation of a binary file. */
export function mutateBytes(rng: Rng, bytes: Uint8Array): { bytes: Uint8Array; what: string } {
  const at = rng.int(bytes.length);
  switch (rng.int(5)) {
    case 0:
      return { bytes: bytes.slice(0, at), what: `truncated at ${at}` };
    case 1: {
      const out = bytes.slice();
      out[at] ^= 1 << rng.int(8);
      return { bytes: out, what: `bit flip at byte ${at}` };
    }
    case 2: {
      const out = bytes.slice();
      const n = Math.min(8, out.length - at);
      out.set(
        rng
          .pick([
            [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
            [0, 0, 0, 0, 0, 0, 0, 0],
            [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0],
          ])
          .slice(0, n),
        at,
      );
      return { bytes: out, what: `8 bytes set to an extreme at ${at}` };
    }
    case 3:
      return { bytes: rng.bytes(rng.int(2048)), what: 'random bytes' };
    default: {
      const out = new Uint8Array(bytes.length + 16);
      out.set(bytes.subarray(0, at));
      out.set(rng.bytes(16), at);
      out.set(bytes.subarray(at), at + 16);
      return { bytes: out, what: `16 random bytes inserted at ${at}` };
    }
  }
}
