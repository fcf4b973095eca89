// What differs between two models: layers aligned by their types (longest common
// subsequence, so one inserted layer does not shift every later one into a "change"),
// then every keyword compared with PyTorch's defaults filled in.
import { flattenModel } from '../../../core/model/flat-graph.ts';
import { withDefaults } from '../../../core/model/resolve.ts';
import type { LayerSpec, ModelDocument } from '../../../core/model/types.ts';

export interface KeywordDiff {
  field: string;
  base: unknown;
  other: unknown;
}

export type LayerDiff =
  | { kind: 'same'; base: number; other: number; type: string; name: string }
  | { kind: 'changed'; base: number; other: number; type: string; name: string; keywords: KeywordDiff[] }
  | { kind: 'removed'; base: number; type: string; name: string }
  | { kind: 'added'; other: number; type: string; name: string };

export interface ModelDiff {
  input: { base: number[]; other: number[] } | null;
  className: { base: string; other: string } | null;
  layers: LayerDiff[];
  /** Number of differences (input, class, each added/removed/changed layer). */
  count: number;
}

/** Pairs of equal values print once: kernel_size 5 and (5, 5) are the same layer. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v) && v.length === 2 && v[0] === v[1] && typeof v[0] === 'number') return v[0];
  return v;
}

const same = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

/** Keywords whose effective values differ (defaults filled on both sides). */
export function keywordDiffs(a: LayerSpec, b: LayerSpec): KeywordDiff[] {
  const fa = withDefaults(a),
    fb = withDefaults(b);
  const fields = [...new Set([...Object.keys(fa), ...Object.keys(fb)])].filter((f) => f !== 'type');
  return fields.filter((f) => !same(fa[f], fb[f])).map((field) => ({ field, base: fa[field], other: fb[field] }));
}

/** Longest common subsequence of two type sequences, as index pairs. */
function align(a: string[], b: string[]): [number, number][] {
  const n = a.length,
    m = b.length;
  const L = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) L[i][j] = a[i] === b[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const pairs: [number, number][] = [];
  let i = 0,
    j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) pairs.push([i++, j++]);
    else if (L[i + 1][j] >= L[i][j + 1]) i++;
    else j++;
  }
  return pairs;
}

/** The leaf layers in registration order, named by state_dict path ('0', 'conv1', 'layer1.0.conv1'). */
function leavesOf(doc: ModelDocument): { layers: LayerSpec[]; paths: string[]; named: boolean } {
  const leaves = flattenModel(doc).modules;
  const paths = leaves.map((l) => l.path);
  return { layers: leaves.map((l) => l.layer), paths, named: !paths.every((p, i) => p === String(i)) };
}

function layerDiffs(baseDoc: ModelDocument, otherDoc: ModelDocument): LayerDiff[] {
  const [base, other] = [leavesOf(baseDoc), leavesOf(otherDoc)];
  const nameOf = (d: typeof base, i: number) => d.paths[i];
  const pairs = align(
    base.layers.map((l) => l.type),
    other.layers.map((l) => l.type),
  );
  const out: LayerDiff[] = [];
  let i = 0,
    j = 0;
  const flush = (toI: number, toJ: number) => {
    for (; i < toI; i++) out.push({ kind: 'removed', base: i, type: base.layers[i].type, name: nameOf(base, i) });
    for (; j < toJ; j++) out.push({ kind: 'added', other: j, type: other.layers[j].type, name: nameOf(other, j) });
  };
  for (const [bi, oj] of pairs) {
    flush(bi, oj);
    const keywords = keywordDiffs(base.layers[bi], other.layers[oj]);
    const [nb, no] = [nameOf(base, bi), nameOf(other, oj)];
    // Index names shift with every insertion: only explicit names count as a rename.
    if ((base.named || other.named) && nb !== no) keywords.unshift({ field: 'name', base: nb, other: no });
    const type = base.layers[bi].type;
    out.push(
      keywords.length
        ? { kind: 'changed', base: bi, other: oj, type, name: nb, keywords }
        : { kind: 'same', base: bi, other: oj, type, name: nb },
    );
    i = bi + 1;
    j = oj + 1;
  }
  flush(base.layers.length, other.layers.length);
  return out;
}

export function diffModels(base: ModelDocument, other: ModelDocument): ModelDiff {
  const input = same(base.input, other.input) ? null : { base: base.input, other: other.input };
  const [cb, co] = [base.className ?? 'Model', other.className ?? 'Model'];
  const className = cb === co ? null : { base: cb, other: co };
  const layers = layerDiffs(base, other);
  const count = (input ? 1 : 0) + (className ? 1 : 0) + layers.filter((l) => l.kind !== 'same').length;
  return { input, className, layers, count };
}

/** A keyword value as PyTorch would print it: (5, 5), True, None, 'same'. */
export function pyValue(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `(${v.map(pyValue).join(', ')}${v.length === 1 ? ',' : ''})`;
  return String(v);
}
