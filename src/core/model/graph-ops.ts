// What `add` (a + b, PyTorch broadcasting) and `cat` (torch.cat) do to shapes, PyTorch
// 1.13's rules, with messages that show the arithmetic and a Fix when the shapes differ:
// `add receives 64×8×8 from bn2 and 32×16×16 from input: channels 64 ≠ 32 and size 8 ≠ 16`
// → insert a 1×1 Conv2d(stride=2) + BatchNorm2d shortcut on the input from `input`.
import type { LayerSpec, Shape } from './types.ts';

/** A change that makes the graph run; `node` is the failing node's id. */
export interface GraphFix {
  label: string;
  node: string;
  /** A keyword change on the failing node's layer. */
  set?: { field: string; value: unknown };
  /** Layers to insert, in order, on the edge into `node` from its inputs[input] (a shortcut, a Flatten). */
  insert?: { input: number; layers: LayerSpec[] };
}

export class GraphOpError extends Error {
  constructor(
    message: string,
    readonly fix?: GraphFix,
  ) {
    super(message);
    this.name = 'GraphOpError';
  }
}

/** One input of an op: its value's shape and the name it is shown by. */
export interface OpInput {
  shape: Shape;
  from: string;
}

const fmt = (s: Shape): string => (s.length === 0 ? '[]' : s.join('×'));
/** The shape without the batch dim, as users think of a sample: 64×8×8. */
const sample = (s: Shape): string => fmt(s.length >= 2 ? s.slice(1) : s);

/** The name of dim d of a rank-r tensor (batch first). */
export function dimName(d: number, r: number): string {
  if (d === 0) return 'batch';
  if (r === 2) return 'features';
  if (r === 4) return ['batch', 'channels', 'height', 'width'][d];
  if (r === 3) return ['batch', 'channels', 'length'][d];
  return `dim ${d}`;
}

/** 'channels 64 ≠ 32 and size 8 ≠ 16' for the dims in `dims` (height and width together when both square). */
function differences(a: Shape, b: Shape, dims: number[]): string {
  const r = a.length;
  const parts: string[] = [];
  const square = r === 4 && dims.includes(2) && dims.includes(3) && a[2] === a[3] && b[2] === b[3];
  for (const d of dims) {
    if (square && d === 3) continue;
    parts.push(square && d === 2 ? `size ${a[2]} ≠ ${b[2]}` : `${dimName(d, r)} ${a[d]} ≠ ${b[d]}`);
  }
  return parts.join(' and ');
}

/** PyTorch broadcasting of two shapes, or the dims (of the right-aligned result) that clash. */
function broadcast(a: Shape, b: Shape): { shape: Shape } | { clash: number[] } {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  const clash: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x === y || y === 1) out.push(x);
    else if (x === 1) out.push(y);
    else clash.push(i);
  }
  return clash.length ? { clash } : { shape: out };
}

/** A projection that turns `from` into `to`: a 1×1 strided conv + BN for images, a Linear for features. */
function projection(from: Shape, to: Shape): { layers: LayerSpec[]; text: string } | null {
  if (from.length !== to.length || from[0] !== to[0]) return null;
  if (from.length === 2) {
    return {
      layers: [{ type: 'Linear', in_features: from[1], out_features: to[1] }],
      text: `a Linear(${from[1]}→${to[1]}) projection`,
    };
  }
  if (from.length !== 4) return null;
  for (let s = 1; s <= Math.max(from[2], from[3]); s++) {
    const h = Math.floor((from[2] - 1) / s) + 1;
    const w = Math.floor((from[3] - 1) / s) + 1;
    if (h === to[2] && w === to[3]) {
      const conv: LayerSpec = {
        type: 'Conv2d',
        in_channels: from[1],
        out_channels: to[1],
        kernel_size: 1,
        ...(s > 1 ? { stride: s } : {}),
        bias: false,
      };
      return {
        layers: [conv, { type: 'BatchNorm2d', num_features: to[1] }],
        text: `a 1×1 Conv2d(${from[1]}→${to[1]}${s > 1 ? `, stride=${s}` : ''}) + BatchNorm2d shortcut`,
      };
    }
    if (h < to[2] || w < to[3]) break;
  }
  return null;
}

/** The fix for an add whose inputs j and k clash: project the larger (or the later) one onto the other. */
function addFix(node: string, inputs: OpInput[], left: Shape, j: number): GraphFix | undefined {
  // Usually the later input is the identity path that skipped the downsampling (add(bn2, input)).
  const right = inputs[j];
  const onRight = projection(right.shape, left);
  if (onRight)
    return {
      node,
      label: `insert ${onRight.text} on the input from ${right.from}`,
      insert: { input: j, layers: onRight.layers },
    };
  if (j === 1) {
    const onLeft = projection(inputs[0].shape, right.shape);
    if (onLeft)
      return {
        node,
        label: `insert ${onLeft.text} on the input from ${inputs[0].from}`,
        insert: { input: 0, layers: onLeft.layers },
      };
  }
  return undefined;
}

/** The shape of `inputs[0] + inputs[1] + …` and its arithmetic, or a GraphOpError. */
export function addShape(node: string, inputs: OpInput[]): { shape: Shape; note: string } {
  let shape = inputs[0].shape;
  for (let j = 1; j < inputs.length; j++) {
    const b = broadcast(shape, inputs[j].shape);
    if ('shape' in b) {
      shape = b.shape;
      continue;
    }
    const left =
      j === 1
        ? inputs[0].from
        : inputs
            .slice(0, j)
            .map((x) => x.from)
            .join(' + ');
    const other = inputs[j].shape;
    const what =
      shape.length === other.length
        ? differences(shape, other, b.clash)
        : `they do not broadcast (${shape.length}-D and ${other.length}-D)`;
    throw new GraphOpError(
      `add receives ${sample(shape)} from ${left} and ${sample(other)} from ${inputs[j].from}: ${what}`,
      addFix(node, inputs, shape, j),
    );
  }
  return { shape, note: `add: ${inputs.map((x) => sample(x.shape)).join(' + ')} → ${sample(shape)}` };
}

/** The shape of torch.cat(inputs, dim) and its arithmetic ('cat along channels: 3 + 3 + 2 = 8'), or a GraphOpError. */
export function catShape(inputs: OpInput[], dim: number): { shape: Shape; note: string } {
  const r = inputs[0].shape.length;
  const odd = inputs.find((x) => x.shape.length !== r);
  if (odd) {
    throw new GraphOpError(
      `cat needs tensors of one rank: ${inputs[0].from} gives ${r}-D ${fmt(inputs[0].shape)}, ${odd.from} gives ${odd.shape.length}-D ${fmt(odd.shape)}`,
    );
  }
  if (dim < -r || dim >= r)
    throw new GraphOpError(`cat dim=${dim} is out of range for ${r}-D tensors (expected ${-r} to ${r - 1})`);
  const d = dim < 0 ? dim + r : dim;
  const along = dimName(d, r);
  const first = inputs[0].shape;
  for (const x of inputs.slice(1)) {
    const clash = x.shape.map((n, i) => i).filter((i) => i !== d && x.shape[i] !== first[i]);
    if (clash.length) {
      const others = first
        .map((_, i) => i)
        .filter((i) => i !== d && i > 0)
        .map((i) => dimName(i, r));
      const need = others.length ? `equal ${others.join(' and ')}` : 'equal sizes outside the joined dim';
      throw new GraphOpError(
        `cat along ${along} needs ${need}: ${inputs[0].from} gives ${sample(first)}, ${x.from} gives ${sample(x.shape)} (${differences(first, x.shape, clash)})`,
      );
    }
  }
  const sizes = inputs.map((x) => x.shape[d]);
  const total = sizes.reduce((a, b) => a + b, 0);
  const shape = first.map((n, i) => (i === d ? total : n));
  return { shape, note: `cat along ${along}: ${sizes.length > 1 ? `${sizes.join(' + ')} = ` : ''}${total}` };
}
