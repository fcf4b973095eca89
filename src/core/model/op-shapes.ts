// Shape rules of the forward graph's tensor ops, PyTorch's (1.13): `add` broadcasts its
// inputs left to right (`a + b + c`), `cat` joins same-rank tensors along one dim. Each
// rule returns the output shape or throws a ShapeRuleError that names the inputs and shows
// the sizes that disagree.
import { wrapDim } from './shape-math.ts';
import { ShapeRuleError } from './shape-rules.ts';
import type { Shape } from './types.ts';

/** One input of an op: its shape and who produced it ('bn2', 'the input'). */
export interface OpInput { shape: Shape; from: string }

const fmt = (s: Shape): string => (s.length === 0 ? '[]' : s.join('×'));

/** Broadcast of two shapes (aligned from the right; a size 1 stretches), or the dims that clash. */
function broadcastPair(a: Shape, b: Shape): { shape: Shape } | { clash: { dim: number; a: number; b: number }[] } {
  const r = Math.max(a.length, b.length), out: number[] = [], clash: { dim: number; a: number; b: number }[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1, db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) clash.push({ dim: i, a: da, b: db });
    out.push(da === 1 ? db : da);
  }
  return clash.length ? { clash } : { shape: out };
}

/** `inputs[0] + inputs[1] + …`: the broadcast shape, or why PyTorch refuses. */
export function addShape(inputs: OpInput[]): Shape {
  if (inputs.length === 0) throw new ShapeRuleError('add needs at least 1 input');
  let shape = inputs[0].shape;
  for (let k = 1; k < inputs.length; k++) {
    const b = broadcastPair(shape, inputs[k].shape);
    if ('clash' in b) {
      const sum = k === 1 ? inputs[0].from : `the sum of ${inputs.slice(0, k).map((i) => i.from).join(' + ')}`;
      const dims = b.clash.map((c) => `dim ${c.dim} ${c.a} ≠ ${c.b}`).join(', ');
      throw new ShapeRuleError(`add receives ${fmt(shape)} from ${sum} and ${fmt(inputs[k].shape)} from ${inputs[k].from}: ${dims} (sizes must be equal or 1)`);
    }
    shape = b.shape;
  }
  return shape;
}

/** `torch.cat(inputs, dim)`: sizes along `dim` add up; every other size must agree. */
export function catShape(inputs: OpInput[], dim: number): Shape {
  if (inputs.length === 0) throw new ShapeRuleError('cat needs at least 1 input');
  const rank = inputs[0].shape.length;
  if (rank === 0) throw new ShapeRuleError(`cat cannot join a 0-D tensor (from ${inputs[0].from})`);
  const other = inputs.find((i) => i.shape.length !== rank);
  if (other) {
    throw new ShapeRuleError(`cat needs inputs of the same rank: ${rank}-D ${fmt(inputs[0].shape)} from ${inputs[0].from} and ${other.shape.length}-D ${fmt(other.shape)} from ${other.from}`);
  }
  const d = wrapDim(dim, rank);
  if (d === null) throw new ShapeRuleError(`cat dim ${dim} is out of range for ${rank}-D inputs (expected ${-rank}…${rank - 1})`, undefined, 'dim');
  for (const input of inputs.slice(1)) {
    for (let i = 0; i < rank; i++) {
      if (i !== d && input.shape[i] !== inputs[0].shape[i]) {
        throw new ShapeRuleError(`cat along dim ${d} needs every other size equal: dim ${i} is ${inputs[0].shape[i]} from ${inputs[0].from} but ${input.shape[i]} from ${input.from} (${fmt(inputs[0].shape)} vs ${fmt(input.shape)})`);
      }
    }
  }
  const out = [...inputs[0].shape];
  out[d] = inputs.reduce((s, i) => s + i.shape[d], 0);
  return out;
}
