// A chain document's layers and names (version 1's shape), for tests that compare
// imported chains with sequentialRepr / moduleRepr. Imports give documents without their
// input shape until one is chosen; chains do not depend on it.
import { requireChain, type ChainLayers } from '../../../src/core/model/chain.ts';
import type { ModelDocument } from '../../../src/core/model/module-types.ts';

export function chainOf(doc: Omit<ModelDocument, 'input'>): ChainLayers {
  return requireChain({ ...doc, input: [] }, 'chainOf');
}
