// nn.Sequential over the catalogue's layers: PyTorch's default init from a seeded RNG,
// state_dict names and layouts ('0.weight' [out, in/groups, kh, kw], '3.running_mean',
// '3.num_batches_tracked'), train/eval, forward and backward with accumulating gradients.
//
//   const model = new Sequential(doc.layers, { seed: 0 });
//   const y = model.forward(x);            // a fresh tensor the caller may keep
//   model.zeroGrad(); model.backward(dy);  // param.grad += ∂(Σ y·dy)/∂param; returns ∂/∂x
//
// Input shapes are checked with core's shape inference (the same rules as the editor), so a
// bad input fails with the editor's message and the layer's index before any kernel runs.
import { resolveLayer } from '../core/model/resolve.ts';
import type { ResolvedLayer } from '../core/model/resolved.ts';
import { layerOutputShape } from '../core/model/shapes.ts';
import type { LayerSpec } from '../core/model/types.ts';
import { createLayer, type Buffer, type Layer } from './layers/index.ts';
import { shapeStr } from './layers/layer.ts';
import { Rng } from './rng.ts';
import type { IntTensor, Param, Tensor } from './tensor.ts';

export interface StateDict { [name: string]: Tensor | IntTensor }

export interface SequentialOptions {
  /** Seeds initialization and dropout masks (default 0). */
  seed?: number;
  /** OrderedDict names, one per layer (state_dict keys 'conv1.weight'); null or absent for 0, 1, 2, … */
  names?: (string | null | undefined)[] | null;
}

export class Sequential {
  readonly layers: Layer[];
  readonly resolved: ResolvedLayer[];
  private mode = true;
  private checked = '';
  /** Output shape of the last forward; null before any. */
  private outShape: number[] | null = null;

  constructor(readonly specs: LayerSpec[], options: SequentialOptions = {}) {
    const rng = new Rng(options.seed ?? 0);
    const names = options.names ?? null;
    if (names && names.length !== specs.length) throw new Error(`Sequential: ${names.length} names for ${specs.length} layers`);
    this.resolved = specs.map((spec, i) => {
      try { return resolveLayer(spec); } catch (e) { throw new Error(`layer ${i}: ${(e as Error).message}`); }
    });
    this.layers = this.resolved.map((r, i) => createLayer(r, `${names?.[i] ?? i}.`, rng));
  }

  get training(): boolean { return this.mode; }
  train(mode = true): void { this.mode = mode; }
  eval(): void { this.mode = false; }

  /** named_parameters(), in order. */
  parameters(): Param[] {
    return this.layers.flatMap((l) => l.params);
  }

  /** Parameters then buffers, layer by layer, as state_dict(). */
  private entries(): { name: string; value: Tensor | IntTensor }[] {
    return this.layers.flatMap((l): Buffer[] => [...l.params.map((p) => ({ name: p.name, value: p.value })), ...l.buffers]);
  }

  /** Every state_dict() entry, copied. */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const { name, value } of this.entries()) {
      out[name] = value.data instanceof Int32Array
        ? { shape: [...value.shape], data: value.data.slice() }
        : { shape: [...value.shape], data: (value.data as Float32Array).slice() };
    }
    return out;
  }

  /**
   * Copies `state` into the model. Size mismatches are always errors; with strict, missing
   * and unexpected keys too. All problems are reported together and nothing is changed.
   */
  loadStateDict(state: StateDict, strict = true): void {
    const own = this.entries(), problems: string[] = [];
    const known = new Set(own.map((e) => e.name));
    const missing = own.filter((e) => !(e.name in state)).map((e) => e.name);
    const unexpected = Object.keys(state).filter((k) => !known.has(k));
    if (strict && missing.length) problems.push(`missing key(s) in state_dict: ${missing.map((k) => `'${k}'`).join(', ')}`);
    if (strict && unexpected.length) problems.push(`unexpected key(s) in state_dict: ${unexpected.map((k) => `'${k}'`).join(', ')}`);
    for (const { name, value } of own) {
      const src = state[name];
      if (!src) continue;
      if (src.shape.length !== value.shape.length || src.shape.some((d, i) => d !== value.shape[i]) || src.data.length !== value.data.length) {
        problems.push(`size mismatch for ${name}: copying a param with shape ${shapeStr(src.shape)} from checkpoint, the shape in current model is ${shapeStr(value.shape)}`);
      }
    }
    if (problems.length) throw new Error(`Error(s) in loading state_dict for Sequential:\n\t${problems.join('\n\t')}`);
    for (const { name, value } of own) {
      const src = state[name];
      if (src) for (let i = 0; i < value.data.length; i++) value.data[i] = src.data[i];
    }
  }

  /** Checks the input shape against core's shape rules once per shape and mode. */
  private check(shape: number[]): void {
    const key = `${shape.join(',')}/${this.mode}`;
    if (key === this.checked) return;
    let s = shape;
    for (let i = 0; i < this.resolved.length; i++) {
      try { s = layerOutputShape(this.resolved[i], s, { training: this.mode }); } catch (e) { throw new Error(`layer ${i}: ${(e as Error).message}`); }
    }
    this.checked = key;
  }

  /**
   * Runs the layers; the result is the last layer's own buffer, valid until the next
   * forward (no copy). Use forward() unless you consume the output before then.
   */
  forwardView(x: Tensor): Tensor {
    this.check(x.shape);
    let h = x;
    for (let i = 0; i < this.layers.length; i++) {
      try { h = this.layers[i].forward(h, this.mode); } catch (e) { throw new Error(`layer ${i}: ${(e as Error).message}`); }
    }
    this.outShape = h.shape;
    return h;
  }

  forward(x: Tensor): Tensor {
    const y = this.forwardView(x);
    return { shape: [...y.shape], data: y.data.slice() };
  }

  /** Backpropagates gradOutput through the last forward; accumulates into param.grad; returns ∂/∂input. */
  backward(gradOutput: Tensor): Tensor {
    const g = this.run(gradOutput, true)!;
    return { shape: [...g.shape], data: g.data.slice() };
  }

  /** backward() without the input gradient: what a training step needs (skips the first layer's dx). */
  backwardParams(gradOutput: Tensor): void {
    this.run(gradOutput, false);
  }

  private run(gradOutput: Tensor, needInput: boolean): Tensor | null {
    const out = this.outShape;
    if (!out) throw new Error('Sequential.backward called before forward');
    if (gradOutput.shape.length !== out.length || gradOutput.shape.some((d, i) => d !== out[i])) {
      throw new Error(`backward: gradOutput has shape ${shapeStr(gradOutput.shape)} but the output has shape ${shapeStr(out)}`);
    }
    let g: Tensor | null = gradOutput;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      g = this.layers[i].backward(g!, needInput || i > 0);
    }
    return needInput ? g : null;
  }

  /** optimizer.zero_grad(): zero every gradient, or drop them (set_to_none, torch 1.13's default is False). */
  zeroGrad(setToNone = false): void {
    for (const p of this.parameters()) {
      if (setToNone) p.grad = null;
      else p.grad?.data.fill(0);
    }
  }
}
