// A model moved to another input shape (a 3×32×32 CIFAR-10 net onto 1×28×28 MNIST): the
// Input is set, then every size that follows from it — a first Conv2d's in_channels, a
// BatchNorm's num_features, the in_features a Flatten feeds a Linear — is repaired with the
// shape checker's own one-click fixes, in forward order, so the architecture stays the same
// and only the numbers PyTorch derives from the input change. Nothing else is touched: a
// failure that is not such a size (a kernel larger than the image, say) is left to the user.
import { analyze } from './analysis.ts';
import { layerOf, setKeyword, type EditorGraph } from './graph-model.ts';
import type { Shape } from '../model/types.ts';

/** Keywords that only restate the size of what flows in. */
const DERIVED_SIZES = new Set(['in_channels', 'in_features', 'num_features', 'normalized_shape']);

export interface AdaptResult {
  graph: EditorGraph;
  /** What was changed, in words ('conv1.in_channels 3 → 1'). */
  changes: string[];
}

export function adaptToInput(graph: EditorGraph, input: Shape): AdaptResult {
  let next: EditorGraph = { ...graph, input: [...input] };
  const changes: string[] = [];
  // each fix moves the first failure further along the model: at most one per block
  for (let i = 0; i <= graph.nodes.length; i++) {
    const analysis = analyze(next);
    const failing = [...analysis.nodes].find(([, info]) => info.shapeError);
    const fix = failing?.[1].shapeError?.fix;
    if (!failing || !fix?.set || fix.insert || !DERIVED_SIZES.has(fix.set.field)) break;
    const node = next.nodes.find((n) => n.id === failing[0]);
    const layer = layerOf(node);
    const label = node?.name ?? layer?.type ?? failing[0];
    changes.push(`${label}.${fix.set.field} ${String(layer?.[fix.set.field])} → ${String(fix.set.value)}`);
    next = setKeyword(next, failing[0], fix.set.field, fix.set.value);
  }
  return { graph: next, changes };
}
