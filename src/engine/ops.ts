// The forward graph's tensor ops, forward and backward: `add` (a + b + …, with PyTorch's
// broadcasting) and `cat` (torch.cat along one dim). Plain loops over typed arrays that
// write into buffers the caller owns; shapes were checked before (core/model/graph-ops.ts).
import { backend } from './backend.ts';
import type { Tensor } from './tensor.ts';

/** Per output dim, the input's stride there (0 where the input broadcasts: size 1 or missing). */
function broadcastStrides(inShape: readonly number[], outShape: readonly number[]): number[] {
  const r = outShape.length,
    off = r - inShape.length,
    strides = new Array<number>(r).fill(0);
  let s = 1;
  for (let i = inShape.length - 1; i >= 0; i--) {
    strides[off + i] = inShape[i] === 1 ? 0 : s;
    s *= inShape[i];
  }
  return strides;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Visits every output element in row-major order with the matching input offset:
 * visit(outIndex, inIndex). The last dim runs in the inner loop.
 */
function forEachBroadcast(
  inShape: readonly number[],
  outShape: readonly number[],
  visit: (o: number, i: number) => void,
): void {
  const r = outShape.length;
  if (r === 0) {
    visit(0, 0);
    return;
  }
  const strides = broadcastStrides(inShape, outShape),
    last = outShape[r - 1],
    ls = strides[r - 1];
  const idx = new Array<number>(r).fill(0);
  let total = 1;
  for (const d of outShape) total *= d;
  let base = 0;
  for (let o = 0; o < total; o += last) {
    for (let j = 0; j < last; j++) visit(o + j, base + j * ls);
    // odometer over the outer dims
    for (let d = r - 2; d >= 0; d--) {
      idx[d]++;
      base += strides[d];
      if (idx[d] < outShape[d]) break;
      base -= strides[d] * idx[d];
      idx[d] = 0;
    }
  }
}

/** y = inputs[0] + inputs[1] + …, left to right (each partial sum rounded to float32, as PyTorch). */
export function addForward(inputs: readonly Tensor[], y: Tensor): void {
  const Y = y.data;
  inputs.forEach((x, k) => {
    const X = x.data;
    if (sameShape(x.shape, y.shape)) {
      if (k === 0) Y.set(X);
      else backend().elementwise('add', Y, X, Y);
    } else if (k === 0) {
      forEachBroadcast(x.shape, y.shape, (o, i) => {
        Y[o] = X[i];
      });
    } else {
      forEachBroadcast(x.shape, y.shape, (o, i) => {
        Y[o] += X[i];
      });
    }
  });
}

/** ∂/∂input of add for an input that broadcast: gy summed over the stretched dims into dx. */
export function addBackwardReduce(gy: Tensor, dx: Tensor): void {
  const G = gy.data,
    D = dx.data;
  D.fill(0);
  forEachBroadcast(dx.shape, gy.shape, (o, i) => {
    D[i] += G[o];
  });
}

/** Whether add's gradient for an input of this shape is gy itself (no broadcasting). */
export function addPassesGradient(inShape: readonly number[], outShape: readonly number[]): boolean {
  return sameShape(inShape, outShape);
}

/** Rows before dim d and the elements of one slice from d on, per input (dim already wrapped). */
function catLayout(shapes: readonly (readonly number[])[], d: number): { outer: number; blocks: number[] } {
  const first = shapes[0];
  let outer = 1,
    inner = 1;
  for (let i = 0; i < d; i++) outer *= first[i];
  for (let i = d + 1; i < first.length; i++) inner *= first[i];
  return { outer, blocks: shapes.map((s) => s[d] * inner) };
}

/** y = torch.cat(inputs, d). */
export function catForward(inputs: readonly Tensor[], d: number, y: Tensor): void {
  const { outer, blocks } = catLayout(
    inputs.map((x) => x.shape),
    d,
  );
  const row = blocks.reduce((a, b) => a + b, 0),
    Y = y.data;
  let off = 0;
  inputs.forEach((x, k) => {
    const X = x.data,
      b = blocks[k];
    for (let o = 0; o < outer; o++) Y.set(X.subarray(o * b, (o + 1) * b), o * row + off);
    off += b;
  });
}

/** dx = the slice of gy that input k of cat produced. */
export function catBackward(
  gy: Tensor,
  shapes: readonly (readonly number[])[],
  d: number,
  k: number,
  dx: Tensor,
): void {
  const { outer, blocks } = catLayout(shapes, d);
  const row = blocks.reduce((a, b) => a + b, 0),
    G = gy.data,
    D = dx.data,
    b = blocks[k];
  let off = 0;
  for (let j = 0; j < k; j++) off += blocks[j];
  for (let o = 0; o < outer; o++) D.set(G.subarray(o * row + off, o * row + off + b), o * b);
}
