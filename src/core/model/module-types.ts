// Model format v2: models beyond a chain. A model is a module class as a PyTorch user
// writes it — submodules registered in order (`self.conv1 = nn.Conv2d(...)`) plus a
// forward graph of calls and tensor ops — and may use block classes of its own
// (`BasicBlock(64, 128, stride=2)`) defined once in the document.
//
// Contract shared by core (format, shapes, export), engine (execution), python import and
// the editor. Version 1 documents (ModelDocumentV1, a list of layers) are migrated on read.
import type { LayerSpec } from './types.ts';
import type { TrainingConfig } from '../run/training-config.ts';

/** A value a block constructor receives (`BasicBlock(64, 128, stride=2)`). */
export type BlockArgValue = number | boolean | string | null | number[];

/**
 * Inside a block class, a layer keyword (or a nested block's argument) may take its value
 * from the block's constructor parameter: `{"arg": "planes"}` is `planes` in
 * `nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)`.
 */
export interface ArgRef {
  arg: string;
}

/** What one registered submodule is. */
export type ModuleBody =
  /** A catalogue layer: `nn.Conv2d(...)`. Keyword values may be ArgRefs inside a block. */
  | { layer: LayerSpec }
  /** An instance of a block class of this document: `BasicBlock(64, 64)`. */
  | { block: string; args?: Record<string, BlockArgValue | ArgRef> }
  /** `nn.Sequential(...)`: children named '0', '1', … or OrderedDict names. */
  | { sequential: NamedModule[] };

/** `self.<name> = <body>`; registration order is state_dict and print(model) order. */
export type NamedModule = ModuleBody & { name: string };

/**
 * One step of forward(). `input` names the forward argument; every other input names an
 * earlier node. A module may be called by several nodes when it has no parameters (the
 * tutorial's `self.pool`) or to share weights.
 */
export type ForwardNode =
  /** `self.<call>(x)`: a submodule of this class, one input. */
  | { name: string; call: string; inputs: [string] }
  /** A parameter-free layer in functional form, not registered: `F.relu(x)`, `torch.flatten(x, 1)`, `F.max_pool2d(x, 2)`. */
  | { name: string; apply: LayerSpec; inputs: [string] }
  /** `inputs[0] + inputs[1] + …`, left to right. */
  | { name: string; op: 'add'; inputs: string[] }
  /** `torch.cat([...], dim)`. */
  | { name: string; op: 'cat'; dim: number; inputs: string[] };

export interface ForwardGraph {
  nodes: ForwardNode[];
  /** The node whose value forward returns. */
  output: string;
}

/** The body of a module class: its submodules and its forward (null: nn.Sequential — the modules in order). */
export interface ModuleClass {
  modules: NamedModule[];
  forward: ForwardGraph | null;
}

/** A block class defined once and instantiated with its own arguments (`class BasicBlock(nn.Module)`). */
export interface BlockDef extends ModuleClass {
  /** Python class name. */
  name: string;
  /** `def __init__(self, in_planes, planes, stride=1)`: parameters in order, with defaults. */
  params: { name: string; default?: BlockArgValue }[];
}

/** A position on the editor's canvas, in flow units. */
export interface Point {
  x: number;
  y: number;
}

/** Editor-only layout: the Input node and each node by name (forward node names; module names for a chain). */
export interface EditorView {
  input?: Point;
  positions?: Record<string, Point>;
}

/**
 * The model file, version 2 (docs/model-format.md, docs/model.schema.json). The model is
 * itself a module class (`className`, default 'Model'): `modules` + `forward`; forward
 * null is a chain, exported as today (an nn.Sequential). Blocks are the document's own
 * classes, in definition order: a block may use only blocks defined before it.
 */
export interface ModelDocument extends ModuleClass {
  format: 'layerboard-model';
  version: 2;
  /** Input shape without the batch dimension: [C, H, W] or [F]. */
  input: number[];
  className?: string;
  blocks?: BlockDef[];
  editor?: EditorView;
  /** How the model trains (core/run): what the Train form shows and `export --format pytorch-project` writes. */
  training?: TrainingConfig;
  metadata?: { name?: string; description?: string; created?: string; [key: string]: unknown };
}
