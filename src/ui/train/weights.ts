// Trained weights in their three forms: the worker's transferable payload, the run
// record's state_dict (db), and safetensors tensors (PyTorch's names and layouts, F32, and
// I64 for num_batches_tracked as PyTorch keeps it).
import type { NamedTensor, TensorMap } from '../../core/formats/safetensors.ts';
import type { RunRecord } from '../../db/schema.ts';
import type { WeightsPayload } from '../../worker/protocol.ts';

export type StoredWeights = NonNullable<RunRecord['weights']>;
type StoredEntry = StoredWeights[string] & { dtype?: 'int64' };

/** A payload (its buffers are taken over, not copied) as the run record stores it. */
export function storedWeights(payload: WeightsPayload): StoredWeights {
  const out: StoredWeights = {};
  for (const e of payload.entries) {
    const entry: StoredEntry =
      e.dtype === 'int64'
        ? { shape: [...e.shape], data: Float32Array.from(new Int32Array(e.buffer)), dtype: 'int64' }
        : { shape: [...e.shape], data: new Float32Array(e.buffer) };
    out[e.name] = entry;
  }
  return out;
}

function isInt(name: string, entry: StoredEntry): boolean {
  return entry.dtype === 'int64' || name.endsWith('num_batches_tracked');
}

/** A fresh payload (own buffers, safe to transfer) of stored weights. */
export function payloadOf(weights: StoredWeights): WeightsPayload {
  return {
    entries: Object.entries(weights).map(([name, w]) => {
      const int = isInt(name, w);
      const buffer = int ? Int32Array.from(w.data, Math.round).buffer : w.data.slice().buffer;
      return { name, shape: [...w.shape], dtype: int ? ('int64' as const) : ('float32' as const), buffer };
    }),
  };
}

/** The state_dict as safetensors tensors. */
export function safetensorsOf(weights: StoredWeights): TensorMap {
  const out: TensorMap = {};
  for (const [name, w] of Object.entries(weights)) {
    const t: NamedTensor = isInt(name, w)
      ? { dtype: 'I64', shape: [...w.shape], data: BigInt64Array.from(w.data, (v) => BigInt(Math.round(v))) }
      : { dtype: 'F32', shape: [...w.shape], data: w.data };
    out[name] = t;
  }
  return out;
}

/** Number of values in the state_dict. */
export function weightCount(weights: StoredWeights): number {
  return Object.values(weights).reduce((n, w) => n + w.data.length, 0);
}
