// What add_graph records for a run: the module hierarchy (`BS` → `Sequential[model]`
// → `Conv2d[0]` …) with every tensor shape, parameter count and Mult-Adds.
// Written with each run (db graphs table), drawn by the board's Graph view.
import type { Shape } from './types.ts';

export interface ModuleNode {
  /** Scope path as PyTorch's tracer names it: 'BS/Sequential[model]/Conv2d[0]'. */
  id: string;
  /** Attribute name in the parent ('model', '0', 'conv1'). */
  name: string;
  /** Class name ('BS', 'Sequential', 'Conv2d'). */
  type: string;
  /** Constructor keywords of a leaf layer, with defaults filled. */
  keywords?: Record<string, unknown>;
  inputShape: Shape;
  outputShape: Shape;
  params: number;
  multAdds: number;
  children: ModuleNode[];
}

export interface ModuleEdge { from: string; to: string; shape: Shape }

export interface ModuleGraph {
  version: 1;
  input: Shape;
  root: ModuleNode;
  /** Data flow between leaves (and from 'input' / to 'output'), each with its tensor shape. */
  edges: ModuleEdge[];
}
