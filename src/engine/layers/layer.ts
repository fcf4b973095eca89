// What every layer implements. A layer owns its parameters (with state_dict names), its
// buffers and its workspaces; forward keeps what backward needs.
//
// Buffer ownership: forward's output and backward's input gradient live in the layer's
// workspace and are overwritten by the next call. Layers never modify their input or the
// incoming gradient. Sequential copies what it hands out to callers.
import type { IntTensor, Param, Tensor } from '../tensor.ts';

/** A state_dict entry that is not a parameter: running_mean, running_var, num_batches_tracked. */
export interface Buffer {
  name: string;
  value: Tensor | IntTensor;
}

export interface Layer {
  readonly type: string;
  /** named_parameters() order, full names ('3.weight'). */
  readonly params: Param[];
  /** Buffers in register_buffer order, full names. */
  readonly buffers: Buffer[];
  forward(x: Tensor, training: boolean): Tensor;
  /**
   * Accumulates parameter gradients (creating them when null) and, if needInput, returns
   * the gradient wrt the input of the last forward; otherwise returns null (saves work on
   * the first layer, whose input needs no gradient).
   */
  backward(gy: Tensor, needInput: boolean): Tensor | null;
  /** Returns its buffers' memory to the backend now (a later forward allocates again). */
  release?(): void;
}

/** The gradient buffer of a parameter, created zero-filled on first use (set_to_none semantics). */
export function gradOf(p: Param): Float32Array {
  if (!p.grad) p.grad = { shape: [...p.value.shape], data: new Float32Array(p.value.data.length) };
  return p.grad.data;
}

/** A twin layer's parameters for another call of the same module (createLayer's `twin`), checked to be what `type` expects. */
export function sharedParams(twin: Layer, type: string, count: number): Param[] {
  if (twin.type !== type || twin.params.length !== count)
    throw new Error(`cannot share ${twin.type}'s parameters with a ${type}`);
  return twin.params;
}

export function param(name: string, shape: number[]): Param {
  let n = 1;
  for (const d of shape) n *= d;
  return { name, value: { shape, data: new Float32Array(n) }, grad: null };
}

export function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Accepts [N, C, H, W] or unbatched [C, H, W] (as PyTorch's 2-D layers do); returns the batched view. */
export function asBatched4d(x: Tensor, layer: string): { n: number; c: number; h: number; w: number } {
  const s = x.shape;
  if (s.length === 4) return { n: s[0], c: s[1], h: s[2], w: s[3] };
  if (s.length === 3) return { n: 1, c: s[0], h: s[1], w: s[2] };
  throw new Error(`${layer} expects a 3-D [C, H, W] or 4-D [N, C, H, W] input, got ${s.length}-D ${shapeStr(s)}`);
}

/** Output shape in the input's batched/unbatched form. */
export function like4d(x: Tensor, n: number, c: number, h: number, w: number): number[] {
  return x.shape.length === 3 ? [c, h, w] : [n, c, h, w];
}
