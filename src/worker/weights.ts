// state_dict ↔ transferable payload. Each entry's values get their own ArrayBuffer so the
// payload can be transferred (moved, not copied) through postMessage.
import type { StateDict } from '../engine/state-dict.ts';
import type { WeightEntry, WeightsPayload } from './protocol.ts';

/** Own buffer of exactly the array's bytes (a view into a larger buffer is copied out). */
function ownBuffer(a: Float32Array | Int32Array): ArrayBuffer {
  const b = a.buffer;
  if (b instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === b.byteLength) return b;
  return a.slice().buffer as ArrayBuffer;
}

/** Packs a state_dict; its arrays must not be used afterwards if the payload is transferred. */
export function encodeWeights(state: StateDict): WeightsPayload {
  const entries: WeightEntry[] = Object.entries(state).map(([name, t]) => ({
    name,
    shape: [...t.shape],
    dtype: t.data instanceof Int32Array ? 'int64' : 'float32',
    buffer: ownBuffer(t.data),
  }));
  return { entries };
}

export function decodeWeights(w: WeightsPayload): StateDict {
  const state: StateDict = {};
  for (const e of w.entries) {
    const n = e.shape.reduce((a, d) => a * d, 1);
    const data = e.dtype === 'int64' ? new Int32Array(e.buffer) : new Float32Array(e.buffer);
    if (data.length !== n)
      throw new Error(`weights: '${e.name}' has ${data.length} values for shape [${e.shape.join(', ')}]`);
    state[e.name] =
      e.dtype === 'int64'
        ? { shape: [...e.shape], data: data as Int32Array }
        : { shape: [...e.shape], data: data as Float32Array };
  }
  return state;
}
