// Chains in the version-2 format: a document whose forward is null and whose modules are
// all layers is an nn.Sequential of them, which most of the app (trainer, summary,
// editor) handles as a list of layers and OrderedDict names.
import type { ModelDocument } from './module-types.ts';
import type { LayerSpec } from './types.ts';

/** A chain as a list: names null when they are 0, 1, 2, … */
export interface ChainLayers {
  layers: LayerSpec[];
  names: string[] | null;
}

/** The layers and names of a chain document, or null when the document is a graph (forward, blocks or nested Sequentials). */
export function chainLayers(doc: ModelDocument): ChainLayers | null {
  if (doc.forward !== null && doc.forward !== undefined) return null;
  const layers: LayerSpec[] = [];
  for (const m of doc.modules) {
    if (!('layer' in m)) return null;
    layers.push(m.layer);
  }
  const names = doc.modules.map((m) => m.name);
  return { layers, names: names.every((n, i) => n === String(i)) ? null : names };
}

/** chainLayers for code that handles chains only: throws a clear error for a graph. */
export function requireChain(doc: ModelDocument, what: string): ChainLayers {
  const chain = chainLayers(doc);
  if (!chain)
    throw new Error(
      `${what} handles chains (nn.Sequential) only so far; this model has branches, blocks or nested modules`,
    );
  return chain;
}
