// state_dict() and load_state_dict() over a model's named entries (parameters, then buffers,
// module by module), with PyTorch's messages for missing, unexpected and mis-sized keys.
import { shapeStr } from './layers/layer.ts';
import type { IntTensor, Tensor } from './tensor.ts';

export interface StateDict {
  [name: string]: Tensor | IntTensor;
}

/** A named parameter or buffer of a model, in state_dict order. */
export interface StateEntry {
  name: string;
  value: Tensor | IntTensor;
}

/** Every entry, copied. */
export function copyState(entries: readonly StateEntry[]): StateDict {
  const out: StateDict = {};
  for (const { name, value } of entries) {
    out[name] =
      value.data instanceof Int32Array
        ? { shape: [...value.shape], data: value.data.slice() }
        : { shape: [...value.shape], data: (value.data as Float32Array).slice() };
  }
  return out;
}

/** Copies `state` into the entries' tensors, or throws every problem at once and changes nothing. */
export function loadState(entries: readonly StateEntry[], state: StateDict, strict: boolean, className: string): void {
  const problems = stateProblems(entries, state, strict);
  if (problems.length) throw new Error(`Error(s) in loading state_dict for ${className}:\n\t${problems.join('\n\t')}`);
  for (const { name, value } of entries) {
    const src = state[name];
    if (src) for (let i = 0; i < value.data.length; i++) value.data[i] = src.data[i];
  }
}

function stateProblems(entries: readonly StateEntry[], state: StateDict, strict: boolean): string[] {
  const problems: string[] = [];
  const known = new Set(entries.map((e) => e.name));
  const missing = entries.filter((e) => !(e.name in state)).map((e) => e.name);
  const unexpected = Object.keys(state).filter((k) => !known.has(k));
  if (strict && missing.length)
    problems.push(`missing key(s) in state_dict: ${missing.map((k) => `'${k}'`).join(', ')}`);
  if (strict && unexpected.length)
    problems.push(`unexpected key(s) in state_dict: ${unexpected.map((k) => `'${k}'`).join(', ')}`);
  for (const { name, value } of entries) {
    const src = state[name];
    if (!src) continue;
    if (
      src.shape.length !== value.shape.length ||
      src.shape.some((d, i) => d !== value.shape[i]) ||
      src.data.length !== value.data.length
    ) {
      problems.push(
        `size mismatch for ${name}: copying a param with shape ${shapeStr(src.shape)} from checkpoint, the shape in current model is ${shapeStr(value.shape)}`,
      );
    }
  }
  return problems;
}
