// Tensor JSON, the format of ../shared/conformance and of tensor-valued keywords:
//   {"shape": [2, 3], "data": [1, 2, 3, 4, 5, 6], "dtype"?: "int64" | "float32"}
// JSON has no NaN or infinities, so they travel as the strings "NaN", "Infinity", "-Infinity".
import { numel, type IntTensor, type Tensor } from './tensor.ts';

export interface TensorJson {
  shape: number[];
  data: (number | string)[];
  dtype?: string;
}

const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** A JSON value as a float: numbers as they are, the three non-finite strings decoded. */
export function decodeFloat(v: unknown, where = 'value'): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v in NON_FINITE) return NON_FINITE[v];
  throw new Error(`${where}: expected a number, got ${JSON.stringify(v)}`);
}

/** A float for JSON: finite numbers as numbers, NaN/±Infinity as strings. */
export function encodeFloat(x: number): number | string {
  if (Number.isFinite(x)) return x;
  return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

export function isTensorJson(x: unknown): x is TensorJson {
  return (
    x !== null &&
    typeof x === 'object' &&
    Array.isArray((x as TensorJson).shape) &&
    Array.isArray((x as TensorJson).data)
  );
}

export function isIntTensor(t: Tensor | IntTensor): t is IntTensor {
  return t.data instanceof Int32Array;
}

function checkShape(shape: unknown[], where: string): number[] {
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0)
      throw new Error(`${where}.shape: dimensions must be non-negative integers, got [${shape.join(', ')}]`);
  }
  return shape as number[];
}

/** Decodes tensor JSON; `dtype: "int64"` (or int32) gives an IntTensor, anything else float32. */
export function tensorFromJson(x: unknown, where = 'tensor'): Tensor | IntTensor {
  if (!isTensorJson(x))
    throw new Error(
      `${where}: expected a tensor {"shape": [...], "data": [...]}, got ${JSON.stringify(x)?.slice(0, 60)}`,
    );
  const shape = checkShape(x.shape, where);
  const n = numel(shape);
  if (x.data.length !== n)
    throw new Error(`${where}: shape [${shape.join(', ')}] needs ${n} values, got ${x.data.length}`);
  const dtype = x.dtype ?? 'float32';
  if (dtype === 'int64' || dtype === 'int32') {
    const data = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const v = x.data[i];
      if (typeof v !== 'number' || !Number.isInteger(v) || Math.abs(v) > 2 ** 31 - 1)
        throw new Error(`${where}.data[${i}]: expected an integer, got ${JSON.stringify(v)}`);
      data[i] = v;
    }
    return { shape: [...shape], data };
  }
  if (dtype !== 'float32' && dtype !== 'float64')
    throw new Error(`${where}.dtype: unsupported dtype '${dtype}' (float32 or int64)`);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = decodeFloat(x.data[i], `${where}.data[${i}]`);
  return { shape: [...shape], data };
}

/** Decodes tensor JSON that must hold floats (an int64 tensor is converted, as torch's .float()). */
export function floatTensorFromJson(x: unknown, where = 'tensor'): Tensor {
  const t = tensorFromJson(x, where);
  return isIntTensor(t) ? { shape: t.shape, data: Float32Array.from(t.data) } : t;
}

/** Encodes a tensor; IntTensors carry `dtype: "int64"` as PyTorch's class indices do. */
export function tensorToJson(t: Tensor | IntTensor): TensorJson {
  if (isIntTensor(t)) return { shape: [...t.shape], dtype: 'int64', data: Array.from(t.data) };
  const data = new Array<number | string>(t.data.length);
  for (let i = 0; i < t.data.length; i++) data[i] = encodeFloat(t.data[i]);
  return { shape: [...t.shape], data };
}
