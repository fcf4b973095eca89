// safetensors (Hugging Face): u64 little-endian header length, a JSON header naming
// each tensor's dtype, shape and byte range, then the raw little-endian data.
// We write F32 for float tensors and I64 for integer ones (num_batches_tracked), as PyTorch keeps them.

export type NamedTensor =
  { dtype: 'F32'; shape: number[]; data: Float32Array } | { dtype: 'I64'; shape: number[]; data: BigInt64Array };

export type TensorMap = Record<string, NamedTensor>;

const BYTES = { F32: 4, I64: 8 } as const;

/** Why a tensor cannot be written as it is (its shape and data disagree), or null. */
export function tensorProblem(name: string, shape: readonly unknown[], values: number): string | null {
  if (name === '' || name === '__metadata__') return `tensor name ${JSON.stringify(name)} is reserved`;
  const bad = shape.findIndex((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0);
  if (bad >= 0)
    return `${name}: shape [${shape.join(', ')}] has ${JSON.stringify(shape[bad])} at dimension ${bad}; dimensions are whole numbers ≥ 0`;
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  if (count !== values)
    return `${name}: shape [${shape.join(', ')}] holds ${count.toLocaleString('en-US')} values but the data has ${values.toLocaleString('en-US')}`;
  return null;
}

/**
 * The safetensors bytes of `tensors`. Refuses (throws) a tensor whose shape and data
 * disagree, so that whatever is written reads back — with our reader and PyTorch's.
 */
export function encodeSafetensors(tensors: TensorMap, metadata: Record<string, string> = {}): Uint8Array {
  const names = Object.keys(tensors).sort();
  for (const name of names) {
    const problem = tensorProblem(name, tensors[name].shape, tensors[name].data.length);
    if (problem) throw new Error(`cannot write the weights as safetensors: ${problem}`);
  }
  const header: Record<string, unknown> = Object.keys(metadata).length ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    const size = t.data.length * BYTES[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8); // the reference writer pads to 8 bytes
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const name of names) {
    const t = tensors[name];
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    out.set(bytes, at); // typed arrays are little-endian on every platform we run on
    at += bytes.length;
  }
  return out;
}

export function decodeSafetensors(bytes: Uint8Array): { tensors: TensorMap; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new Error('not a safetensors file: shorter than its 8-byte header length');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(dv.getBigUint64(0, true));
  if (8 + headerLength > bytes.length)
    throw new Error(`not a safetensors file: header length ${headerLength} exceeds the file (${bytes.length} bytes)`);
  let header: Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>
  >;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    throw new Error('not a safetensors file: the header is not JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw new Error('not a safetensors file: the header is not a JSON object of tensors');
  const base = 8 + headerLength;
  const tensors: TensorMap = {};
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Object.values(entry).some((v) => typeof v !== 'string'))
        throw new Error('safetensors header: __metadata__ must be an object of strings');
      metadata = entry as Record<string, string>;
      continue;
    }
    const offsets = (entry as { data_offsets?: unknown } | null)?.data_offsets;
    if (
      typeof entry !== 'object' ||
      entry === null ||
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      offsets[0] > offsets[1]
    )
      throw new Error(
        `${name}: the header entry needs dtype, shape and data_offsets [begin, end] (whole numbers, begin ≤ end)`,
      );
    const {
      dtype,
      shape,
      data_offsets: [begin, end],
    } = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (dtype !== 'F32' && dtype !== 'I64') throw new Error(`${name}: dtype ${dtype} is not supported (F32, I64)`);
    if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0))
      throw new Error(`${name}: shape ${JSON.stringify(shape)} is not a list of whole numbers ≥ 0`);
    const count = shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * BYTES[dtype] || base + end > bytes.length)
      throw new Error(`${name}: byte range [${begin}, ${end}) does not fit shape [${shape.join(', ')}] of ${dtype}`);
    // a copy of its own (aligned, and not a view: Node's Buffer.slice shares the file's memory)
    const copy = new Uint8Array(bytes.subarray(base + begin, base + end));
    tensors[name] =
      dtype === 'F32'
        ? { dtype, shape, data: new Float32Array(copy.buffer) }
        : { dtype, shape, data: new BigInt64Array(copy.buffer) };
  }
  return { tensors, metadata };
}

/** A state_dict as the engine and the run store keep it: float32 values, int counters as Int32Array. */
export type PlainState = Record<string, { shape: number[]; data: Float32Array | Int32Array }>;

/** state_dict → safetensors, with PyTorch's names and layouts; int counters (num_batches_tracked) as I64. */
export function stateToSafetensors(state: PlainState, metadata: Record<string, string> = { format: 'pt' }): Uint8Array {
  const tensors: TensorMap = {};
  for (const [name, t] of Object.entries(state)) {
    tensors[name] =
      t.data instanceof Int32Array
        ? { dtype: 'I64', shape: [...t.shape], data: BigInt64Array.from(t.data, (v) => BigInt(v)) }
        : { dtype: 'F32', shape: [...t.shape], data: t.data };
  }
  return encodeSafetensors(tensors, metadata);
}

/** safetensors → state_dict (I64 back to Int32Array; values beyond int32 are refused). */
export function safetensorsToState(bytes: Uint8Array): PlainState {
  const state: PlainState = {};
  for (const [name, t] of Object.entries(decodeSafetensors(bytes).tensors)) {
    if (t.dtype === 'F32') {
      state[name] = { shape: t.shape, data: t.data };
      continue;
    }
    const data = Int32Array.from(t.data, (v) => {
      if (v > 2147483647n || v < -2147483648n)
        throw new Error(`${name}: value ${v} does not fit the engine's int32 counters`);
      return Number(v);
    });
    state[name] = { shape: t.shape, data };
  }
  return state;
}
