// One colour per layer kind (catalogue category), the same in every view.
import { CATALOGUE, isLayerType, type LayerCategory } from '../../core/model/catalogue.ts';

export const CATEGORY_VAR: Record<LayerCategory, string> = {
  Convolution: 'var(--kind-convolution)',
  Pooling: 'var(--kind-pooling)',
  Linear: 'var(--kind-linear)',
  Activation: 'var(--kind-activation)',
  Normalization: 'var(--kind-normalization)',
  Regularization: 'var(--kind-regularization)',
  Reshape: 'var(--kind-reshape)',
};

/** The CSS colour of a layer type; the Input's grey for anything unknown. */
export function kindColor(type: string | undefined): string {
  return type && isLayerType(type) ? CATEGORY_VAR[CATALOGUE[type].category] : 'var(--kind-input)';
}
