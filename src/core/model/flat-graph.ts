// The model as the engine runs it: every leaf layer with its full state_dict path, and
// forward as one flat list of calls. Block instances and Sequentials are inlined, block
// arguments substituted. Produced from a ModelDocument (v1 chains included) by core;
// a conformance `graph` case maps onto it directly.
import type { LayerSpec } from './types.ts';

/** A leaf layer, by its dotted path ('layer1.0.conv1'); array order is registration order (state_dict order). */
export interface FlatModule { path: string; layer: LayerSpec }

/**
 * One step of forward. ids are unique ('conv1', 'layer1.0.add'); 'input' is the model
 * input. A module path may be applied by several nodes (shared weights or a reused pool):
 * gradients from every use add up.
 */
export type FlatNode =
  | { id: string; module: string; inputs: [string] }
  | { id: string; apply: LayerSpec; inputs: [string] }
  | { id: string; op: 'add'; inputs: string[] }
  | { id: string; op: 'cat'; dim: number; inputs: string[] };

export interface FlatGraph {
  modules: FlatModule[];
  /** In an order where every input is defined before use. */
  nodes: FlatNode[];
  /** The node id whose value the model returns. */
  output: string;
}
