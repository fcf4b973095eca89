// nn.Sequential: the chain case of the engine's Model (model.ts). Layers are registered as
// '0', '1', … (or OrderedDict names), so the state_dict reads '0.weight', '3.running_mean',
// and node i applies layer i to node i − 1's output. Messages name layers by index.
//
//   const model = new Sequential(doc.layers, { seed: 0 });
import type { FlatGraph } from '../core/model/flat-graph.ts';
import type { LayerSpec } from '../core/model/types.ts';
import { Model, type ModelOptions } from './model.ts';

export interface SequentialOptions extends Omit<ModelOptions, 'className'> {
  /** OrderedDict names, one per layer (state_dict keys 'conv1.weight'); null or absent for 0, 1, 2, … */
  names?: (string | null | undefined)[] | null;
}

/** The flat graph of nn.Sequential(*layers): module i named names[i] or i, each applied to the previous output. */
export function chainGraph(layers: LayerSpec[], names: (string | null | undefined)[] | null = null): FlatGraph {
  if (names && names.length !== layers.length)
    throw new Error(`Sequential: ${names.length} names for ${layers.length} layers`);
  const paths = layers.map((_, i) => `${names?.[i] ?? i}`);
  return {
    modules: layers.map((layer, i) => ({ path: paths[i], layer })),
    // node ids are the indices: unique even when a name is 'input'
    nodes: paths.map((path, i) => ({
      id: String(i),
      module: path,
      inputs: [i === 0 ? 'input' : String(i - 1)] as [string],
    })),
    output: paths.length ? String(paths.length - 1) : 'input',
  };
}

export class Sequential extends Model {
  constructor(
    readonly specs: LayerSpec[],
    options: SequentialOptions = {},
  ) {
    super(chainGraph(specs, options.names ?? null), { seed: options.seed, className: 'Sequential' });
  }
}
