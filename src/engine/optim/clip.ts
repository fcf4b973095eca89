// torch.nn.utils.clip_grad_norm_ and clip_grad_value_ (torch 1.13), applied between
// backward() and step(). Gradients are float32, as PyTorch's: each tensor's norm, the
// total and the coefficient are rounded to float32 where PyTorch has a float32 tensor.
import type { GradClipConfig } from '../../core/run/training-config.ts';
import type { Param } from '../tensor.ts';
import { f32 } from './optimizer.ts';

/** What the trainer clips with: clip_grad_norm_(max_norm, norm_type) or clip_grad_value_(clip_value). */
export type GradClip = { kind: 'norm'; maxNorm: number; normType: number } | { kind: 'value'; clipValue: number };

function vectorNorm(data: Float32Array, p: number): number {
  if (p === Infinity) {
    let m = 0;
    for (const v of data) m = Math.max(m, Math.abs(v));
    return m;
  }
  let s = 0;
  if (p === 2) for (const v of data) s += v * v;
  else if (p === 1) for (const v of data) s += Math.abs(v);
  else for (const v of data) s += Math.abs(v) ** p;
  return p === 2 ? Math.sqrt(s) : p === 1 ? s : s ** (1 / p);
}

/**
 * Scales every gradient so that their total `normType`-norm is at most `maxNorm` (the
 * coefficient is max_norm / (total + 1e-6), clamped to 1); returns the total norm before
 * clipping. Parameters without a gradient are left out, as in PyTorch.
 */
export function clipGradNorm(params: readonly Param[], maxNorm: number, normType = 2): number {
  const grads = params.flatMap((p) => (p.grad ? [p.grad.data] : []));
  if (grads.length === 0) return 0;
  const norms = grads.map((g) => f32(vectorNorm(g, normType)));
  const total = f32(normType === Infinity ? Math.max(...norms) : vectorNorm(Float32Array.from(norms), normType));
  const coef = Math.min(f32(maxNorm / f32(total + 1e-6)), 1.0);
  for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = f32(g[i] * coef);
  return total;
}

/** Clamps every gradient element to [−clipValue, clipValue]. */
export function clipGradValue(params: readonly Param[], clipValue: number): void {
  const hi = f32(clipValue),
    lo = -hi;
  for (const p of params) {
    const g = p.grad?.data;
    if (!g) continue;
    for (let i = 0; i < g.length; i++) g[i] = g[i] > hi ? hi : g[i] < lo ? lo : g[i];
  }
}

/** The training config's clipping (PyTorch's keyword names) as the trainer's. */
export function gradClipOf(c: GradClipConfig | null | undefined): GradClip | null {
  if (!c) return null;
  return c.type === 'norm'
    ? { kind: 'norm', maxNorm: c.max_norm, normType: c.norm_type ?? 2 }
    : { kind: 'value', clipValue: c.clip_value };
}

/** Applies a trainer's clip setting (none: nothing). */
export function clipGradients(params: readonly Param[], clip: GradClip | null | undefined): void {
  if (!clip) return;
  if (clip.kind === 'norm') clipGradNorm(params, clip.maxNorm, clip.normType);
  else clipGradValue(params, clip.clipValue);
}
