// The engine's model: any forward graph of the catalogue's layers and the tensor ops add and
// cat (core/model/flat-graph.ts), chains included (Sequential is the chain case). PyTorch's
// default init from a seeded RNG in registration order, state_dict names and layouts
// ('layer1.0.conv1.weight'), train/eval, forward and backward with accumulating gradients.
//
//   const model = new Model(graph, { seed: 0 });
//   const y = model.forward(x);            // a fresh tensor the caller may keep
//   model.zeroGrad(); model.backward(dy);  // param.grad += ∂(Σ y·dy)/∂param; returns ∂/∂x
//
// A value used by several nodes gets the sum of their gradients; a module applied by several
// nodes shares its parameters (each call keeps its own activations) and sums their gradients.
// Input shapes are checked with core's shape rules first, so a bad input fails with the
// editor's message and the node's place before any kernel runs. Buffers are reused step to step.
import { chainLayers } from '../core/model/chain.ts';
import { flattenModel, type FlatGraph, type FlatNode } from '../core/model/flat-graph.ts';
import type { ModelDocument } from '../core/model/module-types.ts';
import { addShape, catShape } from '../core/model/graph-ops.ts';
import { resolveLayer } from '../core/model/resolve.ts';
import type { ResolvedLayer } from '../core/model/resolved.ts';
import { wrapDim } from '../core/model/shape-math.ts';
import { layerOutputShape } from '../core/model/shapes.ts';
import type { Shape } from '../core/model/types.ts';
import { backend } from './backend.ts';
import { Workspace } from './kernels/workspace.ts';
import { createLayer, type Buffer, type Layer } from './layers/index.ts';
import { markExactConvs } from './exact-forward.ts';
import { shapeStr } from './layers/layer.ts';
import { copyState, loadState, type StateDict } from './state-dict.ts';
import { addBackwardReduce, addForward, addPassesGradient, catBackward, catForward } from './ops.ts';
import { Rng } from './rng.ts';
import type { IntTensor, Param, Tensor } from './tensor.ts';

export interface ModelOptions {
  /** Seeds initialization and dropout masks (default 0). */
  seed?: number;
  /** The root module's class name, for messages ('Error(s) in loading state_dict for BasicBlock'). */
  className?: string;
}

/** A registered leaf module: its state_dict path, resolved spec and the layer that owns its parameters. */
export interface ModelModule {
  path: string;
  resolved: ResolvedLayer;
  layer: Layer;
}

/** One node of forward as the engine runs it; inputs are value indices (0: the model input, i + 1: node i). */
type Step =
  | { kind: 'layer'; node: FlatNode; resolved: ResolvedLayer; layer: Layer; inputs: [number] }
  | { kind: 'add'; node: FlatNode; inputs: number[] }
  | { kind: 'cat'; node: FlatNode; dim: number; inputs: number[] };

/** Per node: what it computes and where its output lives in the shape list. */
export interface NodeShape {
  node: FlatNode;
  resolved: ResolvedLayer | null;
  inputs: Shape[];
  output: Shape;
}

/** A chain: node i applies module i to node i − 1's output (the form Sequential builds). */
function isChain(g: FlatGraph): boolean {
  return (
    g.nodes.length === g.modules.length &&
    g.nodes.every(
      (n, i) =>
        'module' in n && n.module === g.modules[i].path && n.inputs[0] === (i === 0 ? 'input' : g.nodes[i - 1].id),
    ) &&
    g.output === (g.nodes.length ? g.nodes[g.nodes.length - 1].id : 'input')
  );
}

export class Model {
  readonly modules: ModelModule[];
  readonly className: string;
  /** The generator init drew from and dropout draws from (its state travels with "continue training"). */
  readonly rng: Rng;
  private readonly steps: Step[];
  /** Where each node is named in messages: 'layer 3' in a chain, the node id otherwise. */
  private readonly labels: string[];
  private readonly outIndex: number;
  /** Per value: how many inputs read it (the model output counts once). */
  private readonly uses: number[];
  /** Per value: whether its gradient is needed, when the input's is (needs[1]) or not (needs[0]). */
  private readonly needs: [boolean[], boolean[]];
  private readonly values: (Tensor | null)[];
  private readonly grads: (Tensor | null)[];
  private readonly filled: Uint8Array;
  /** Outputs of add and cat, by node id. */
  private readonly outWs = new Workspace();
  /** Gradient buffers: sums for values used several times (accKeys), and per op input (opGradKeys). */
  private readonly gradWs = new Workspace();
  private readonly accKeys: string[];
  private readonly opGradKeys: string[][];
  private mode = true;
  private checked = '';
  /** Value shapes for the checked input (index as values). */
  private shapes: Shape[] = [];
  /** Output shape of the last forward; null before any. */
  private outShape: number[] | null = null;

  constructor(
    readonly graph: FlatGraph,
    options: ModelOptions = {},
  ) {
    this.className = options.className ?? 'Model';
    const rng = (this.rng = new Rng(options.seed ?? 0));
    const chain = isChain(graph);
    const where = (i: number, id: string): string => (chain ? `layer ${i}` : id);
    // registration order: init draws from the RNG module by module, as PyTorch's constructors do
    const byPath = new Map<string, ModelModule>();
    this.modules = graph.modules.map((m, i) => {
      if (byPath.has(m.path)) throw new Error(`${m.path}: module path registered twice`);
      let resolved: ResolvedLayer;
      try {
        resolved = resolveLayer(m.layer);
      } catch (e) {
        throw new Error(`${where(i, m.path)}: ${(e as Error).message}`);
      }
      const entry = { path: m.path, resolved, layer: createLayer(resolved, `${m.path}.`, rng) };
      byPath.set(m.path, entry);
      return entry;
    });
    const index = new Map<string, number>([['input', 0]]);
    const called = new Set<string>();
    this.labels = graph.nodes.map((n, i) => where(i, n.id));
    this.steps = graph.nodes.map((n, i) => {
      if (index.has(n.id))
        throw new Error(`${n.id}: node id used twice${n.id === 'input' ? " ('input' names the model input)" : ''}`);
      const inputs = n.inputs.map((name) => {
        const v = index.get(name);
        if (v === undefined) throw new Error(`${this.labels[i]}: input '${name}' is not defined before this node`);
        return v;
      });
      index.set(n.id, i + 1);
      return this.compileNode(n, inputs, i, { byPath, called, rng });
    });
    const out = index.get(graph.output);
    if (out === undefined) throw new Error(`output '${graph.output}' is not a node of the graph`);
    this.outIndex = out;
    const count = graph.nodes.length + 1;
    this.uses = new Array<number>(count).fill(0);
    for (const s of this.steps) for (const v of s.inputs) this.uses[v]++;
    this.uses[out]++;
    this.needs = [this.gradientNeeds(false), this.gradientNeeds(true)];
    this.values = new Array<Tensor | null>(count).fill(null);
    this.grads = new Array<Tensor | null>(count).fill(null);
    this.filled = new Uint8Array(count);
    this.accKeys = Array.from({ length: count }, (_, v) => `value${v}`);
    this.opGradKeys = this.steps.map((s, i) => s.inputs.map((_, k) => `node${i}.input${k}`));
    markExactConvs(this.steps.map((s) => ({ layer: s.kind === 'layer' ? s.layer : null, inputs: s.inputs })));
  }

  private compileNode(
    n: FlatNode,
    inputs: number[],
    i: number,
    at: { byPath: Map<string, ModelModule>; called: Set<string>; rng: Rng },
  ): Step {
    const { byPath, called, rng } = at;
    const label = this.labels[i];
    if ('op' in n) {
      if (n.op === 'add') return { kind: 'add', node: n, inputs };
      if (n.op === 'cat') return { kind: 'cat', node: n, dim: n.dim, inputs };
      throw new Error(`${label}: unknown op '${String((n as { op: unknown }).op)}' (expected 'add' or 'cat')`);
    }
    if (inputs.length !== 1) throw new Error(`${label}: a layer takes one input, got ${inputs.length}`);
    if ('module' in n) {
      const m = byPath.get(n.module);
      if (!m) throw new Error(`${label}: calls module '${n.module}', which is not registered`);
      // the first call runs the module's own layer; later calls a twin sharing its parameters
      const layer = called.has(n.module) ? createLayer(m.resolved, `${m.path}.`, rng, m.layer) : m.layer;
      called.add(n.module);
      return { kind: 'layer', node: n, resolved: m.resolved, layer, inputs: [inputs[0]] };
    }
    let resolved: ResolvedLayer;
    try {
      resolved = resolveLayer(n.apply);
    } catch (e) {
      throw new Error(`${label}: ${(e as Error).message}`);
    }
    // functional dropout draws its masks from the model's RNG, like the module (a layer with
    // parameters is refused below; the throw makes its init draws irrelevant)
    const layer = createLayer(resolved, '', rng);
    if (layer.params.length || layer.buffers.length)
      throw new Error(
        `${label}: ${resolved.type} has parameters, so it must be a registered module, not a functional call`,
      );
    return { kind: 'layer', node: n, resolved, layer, inputs: [inputs[0]] };
  }

  /** Which values need a gradient: the input when asked, and whatever depends on it or on parameters. */
  private gradientNeeds(input: boolean): boolean[] {
    const needs = [input];
    for (const s of this.steps)
      needs.push(s.inputs.some((v) => needs[v]) || (s.kind === 'layer' && s.layer.params.length > 0));
    return needs;
  }

  get training(): boolean {
    return this.mode;
  }
  train(mode = true): void {
    this.mode = mode;
  }
  eval(): void {
    this.mode = false;
  }

  /** named_parameters(), in order. */
  parameters(): Param[] {
    return this.modules.flatMap((m) => m.layer.params);
  }

  /** Parameters then buffers, module by module, as state_dict(). */
  private entries(): { name: string; value: Tensor | IntTensor }[] {
    return this.modules.flatMap(({ layer: l }): Buffer[] => [
      ...l.params.map((p) => ({ name: p.name, value: p.value })),
      ...l.buffers,
    ]);
  }

  /** Every state_dict() entry, copied. */
  stateDict(): StateDict {
    return copyState(this.entries());
  }

  /**
   * Copies `state` into the model. Size mismatches are always errors; with strict, missing
   * and unexpected keys too. All problems are reported together and nothing is changed.
   */
  loadStateDict(state: StateDict, strict = true): void {
    loadState(this.entries(), state, strict, this.className);
  }

  /** Who produced value v, for messages. */
  private source(v: number): string {
    return v === 0 ? 'the input' : this.steps[v - 1].node.id;
  }

  /**
   * Every node's input and output shapes for a batched input shape, by core's shape rules
   * (train or eval as now); throws at the first node PyTorch would refuse, naming it.
   */
  nodeShapes(input: Shape): NodeShape[] {
    const shapes: Shape[] = [input];
    return this.steps.map((s, i) => {
      const ins = s.inputs.map((v) => shapes[v]);
      let out: Shape;
      try {
        if (s.kind === 'layer') out = layerOutputShape(s.resolved, ins[0], { training: this.mode });
        else if (s.kind === 'add')
          out = addShape(
            s.node.id,
            s.inputs.map((v) => ({ shape: shapes[v], from: this.source(v) })),
          ).shape;
        else
          out = catShape(
            s.inputs.map((v) => ({ shape: shapes[v], from: this.source(v) })),
            s.dim,
          ).shape;
      } catch (e) {
        throw new Error(`${this.labels[i]}: ${(e as Error).message}`);
      }
      shapes.push(out);
      return { node: s.node, resolved: s.kind === 'layer' ? s.resolved : null, inputs: ins, output: out };
    });
  }

  /** The layers in forward order (the bench's profiler times them). */
  get layers(): Layer[] {
    return this.steps.flatMap((s) => (s.kind === 'layer' ? [s.layer] : []));
  }

  /**
   * Returns the memory of every activation and gradient buffer to the backend now (on the
   * wasm backend it lives in the backend's memory, and garbage collection may come late);
   * tensors from forwardView() and earlier passes must not be used afterwards. The model
   * stays usable: its next forward allocates again. Parameters are untouched.
   */
  release(): void {
    for (const l of this.layers) l.release?.();
    this.outWs.release();
    this.gradWs.release();
    this.values.fill(null);
    this.grads.fill(null);
  }

  /** The output shape for a batched input shape, by core's shape rules (throws naming the node PyTorch would refuse). */
  outputShape(input: Shape): Shape {
    const nodes = this.nodeShapes(input);
    return this.outIndex === 0 ? [...input] : nodes[this.outIndex - 1].output;
  }

  /** Checks the input shape against core's shape rules once per shape and mode. */
  private check(shape: number[]): void {
    const key = `${shape.join(',')}/${this.mode}`;
    if (key === this.checked) return;
    this.shapes = [[...shape], ...this.nodeShapes(shape).map((n) => n.output)];
    this.checked = key;
  }

  /**
   * Runs forward; the result is a buffer of the model's own, valid until the next forward
   * (no copy). Use forward() unless you consume the output before then.
   */
  forwardView(x: Tensor): Tensor {
    this.check(x.shape);
    const values = this.values;
    values[0] = x;
    for (let i = 0; i < this.steps.length; i++) {
      const s = this.steps[i];
      try {
        if (s.kind === 'layer') {
          values[i + 1] = s.layer.forward(values[s.inputs[0]]!, this.mode);
        } else {
          const y = this.outWs.tensor(s.node.id, this.shapes[i + 1]);
          const ins = s.inputs.map((v) => values[v]!);
          if (s.kind === 'add') addForward(ins, y);
          else catForward(ins, wrapDim(s.dim, y.shape.length)!, y);
          values[i + 1] = y;
        }
      } catch (e) {
        throw new Error(`${this.labels[i]}: ${(e as Error).message}`);
      }
    }
    const y = values[this.outIndex]!;
    this.outShape = y.shape;
    return y;
  }

  forward(x: Tensor): Tensor {
    const y = this.forwardView(x);
    return { shape: [...y.shape], data: y.data.slice() };
  }

  /** Backpropagates gradOutput through the last forward; accumulates into param.grad; returns ∂/∂input. */
  backward(gradOutput: Tensor): Tensor {
    const g = this.run(gradOutput, true);
    // an output that does not depend on the input gives it a zero gradient
    return g
      ? { shape: [...g.shape], data: g.data.slice() }
      : { shape: [...this.shapes[0]], data: new Float32Array(this.values[0]!.data.length) };
  }

  /** backward() without the input gradient: what a training step needs (skips work only the input's gradient needs). */
  backwardParams(gradOutput: Tensor): void {
    this.run(gradOutput, false);
  }

  /** Adds a gradient contribution to value v: kept by reference when v has one use, summed into a buffer otherwise. */
  private contribute(v: number, g: Tensor): void {
    if (this.uses[v] <= 1) {
      this.grads[v] = g;
      return;
    }
    const acc = this.gradWs.tensor(this.accKeys[v], this.shapes[v]),
      A = acc.data,
      G = g.data;
    if (this.filled[v]) backend().elementwise('add', A, G, A);
    else {
      A.set(G);
      this.filled[v] = 1;
    }
    this.grads[v] = acc;
  }

  private run(gradOutput: Tensor, needInput: boolean): Tensor | null {
    const out = this.outShape;
    if (!out) throw new Error(`${this.className}.backward called before forward`);
    if (gradOutput.shape.length !== out.length || gradOutput.shape.some((d, i) => d !== out[i])) {
      throw new Error(
        `backward: gradOutput has shape ${shapeStr(gradOutput.shape)} but the output has shape ${shapeStr(out)}`,
      );
    }
    const needs = this.needs[needInput ? 1 : 0],
      grads = this.grads;
    grads.fill(null);
    this.filled.fill(0);
    this.contribute(this.outIndex, gradOutput);
    for (let i = this.steps.length - 1; i >= 0; i--) {
      const s = this.steps[i],
        g = grads[i + 1];
      // a node off the path to the output gets no gradient; one with nothing to learn upstream needs none
      if (!g || !needs[i + 1]) continue;
      if (s.kind === 'layer') {
        const v = s.inputs[0],
          dx = s.layer.backward(g, needs[v]);
        if (dx && needs[v]) this.contribute(v, dx);
        continue;
      }
      const shapes = s.inputs.map((v) => this.shapes[v]);
      s.inputs.forEach((v, k) => {
        if (!needs[v]) return;
        if (s.kind === 'add' && addPassesGradient(shapes[k], g.shape)) {
          this.contribute(v, g);
          return;
        }
        const dx = this.gradWs.tensor(this.opGradKeys[i][k], shapes[k]);
        if (s.kind === 'add') addBackwardReduce(g, dx);
        else catBackward(g, shapes, wrapDim(s.dim, g.shape.length)!, k, dx);
        this.contribute(v, dx);
      });
    }
    return needInput ? grads[0] : null;
  }

  /** optimizer.zero_grad(): zero every gradient, or drop them (set_to_none, torch 1.13's default is False). */
  zeroGrad(setToNone = false): void {
    for (const p of this.parameters()) {
      if (setToNone) p.grad = null;
      else p.grad?.data.fill(0);
    }
  }
}

/**
 * The model of a document, any shape of it (core's flattenModel inlines blocks and
 * Sequentials). A chain keeps nn.Sequential's state_dict names ('0.weight', or its
 * OrderedDict names), so weights saved from chains before graphs existed still load.
 */
export function modelFromDocument(doc: ModelDocument, options: { seed?: number } = {}): Model {
  const className = chainLayers(doc) ? 'Sequential' : (doc.className ?? 'Model');
  return new Model(flattenModel(doc), { seed: options.seed, className });
}
