// Reusable output and scratch buffers. A layer asks for "the tensor of this shape in slot
// s" every step; the buffer is allocated once (grow-only) and the same Tensor object comes
// back while the shape is unchanged, so a training loop allocates nothing per step.
// Buffers come from the active backend (Backend.floats): on the wasm backend they live in
// its memory and kernels work on them in place. A slot's tensors live as long as its layer.
import { backend } from '../backend.ts';
import { numel, type Tensor } from '../tensor.ts';

class Slot {
  private store: Float32Array = new Float32Array(0);
  private last: Tensor | null = null;

  tensor(shape: readonly number[]): Tensor {
    const t = this.last;
    if (t && sameShape(t.shape, shape)) return t;
    const n = numel(shape);
    if (this.store.length < n) this.store = backend().floats(n);
    const data = this.store.length === n ? this.store : backend().view(this.store, n);
    this.last = { shape: [...shape], data };
    return this.last;
  }

  release(): void {
    backend().free(this.store);
    this.store = new Float32Array(0);
    this.last = null;
  }
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Named slots of one layer. Contents persist between calls: zero-fill where a kernel accumulates. */
export class Workspace {
  private slots = new Map<string, Slot>();

  tensor(name: string, shape: readonly number[]): Tensor {
    let s = this.slots.get(name);
    if (!s) {
      s = new Slot();
      this.slots.set(name, s);
    }
    return s.tensor(shape);
  }

  /** Returns every slot's memory to the backend; the next use allocates again. */
  release(): void {
    for (const s of this.slots.values()) s.release();
  }

  /** A flat scratch buffer of exactly n floats. */
  floats(name: string, n: number): Float32Array {
    return this.tensor(name, [n]).data;
  }
}

/** Grow-only Int32 scratch (argmax indices, gather tables). */
export class IntScratch {
  private store = new Int32Array(0);
  get(n: number): Int32Array {
    if (this.store.length < n) this.store = new Int32Array(n);
    return this.store.length === n ? this.store : this.store.subarray(0, n);
  }
}
