// Winograd F(2, r) for Conv2d on the wasm backend: the transform matrices (Cook–Toom on the
// points 0, ±1 (, ±2) and ∞; checked against direct correlation in the unit tests), which
// convolutions take the Winograd weight gradient, and its last step on the host.
import type { ConvShape } from '../backend.ts';
import type { ConvGeometry } from '../kernels/im2col.ts';
import { zeroPadding } from './conv-transpose.ts';

export interface WinogradMatrices {
  /** 2×α: output transform of the forward (y = Aᵀ[(G·g) ⊙ (Bᵀ·d)]). */
  AT: number[][];
  /** α×r: filter transform. */
  G: number[][];
  /** α×α: input transform. */
  BT: number[][];
}

export const WINOGRAD: Record<3 | 5, WinogradMatrices> = {
  // Lavin & Gray's F(2×2, 3×3) (the hand-written tiles of winograd-kernels.ts use the same)
  3: {
    AT: [
      [1, 1, 1, 0],
      [0, 1, -1, -1],
    ],
    G: [
      [1, 0, 0],
      [1 / 2, 1 / 2, 1 / 2],
      [1 / 2, -1 / 2, 1 / 2],
      [0, 0, 1],
    ],
    BT: [
      [1, 0, -1, 0],
      [0, 1, 1, 0],
      [0, -1, 1, 0],
      [0, 1, 0, -1],
    ],
  },
  5: {
    AT: [
      [1, 1, 1, 1, 1, 0],
      [0, 1, -1, 2, -2, 1],
    ],
    G: [
      [1 / 4, 0, 0, 0, 0],
      [-1 / 6, -1 / 6, -1 / 6, -1 / 6, -1 / 6],
      [-1 / 6, 1 / 6, -1 / 6, 1 / 6, -1 / 6],
      [1 / 24, 1 / 12, 1 / 6, 1 / 3, 2 / 3],
      [1 / 24, -1 / 12, 1 / 6, -1 / 3, 2 / 3],
      [0, 0, 0, 0, 1],
    ],
    BT: [
      [4, 0, -5, 0, 1, 0],
      [0, -4, -4, 1, 1, 0],
      [0, 4, -4, -1, 1, 0],
      [0, -2, -1, 2, 1, 0],
      [0, 2, -1, -2, 1, 0],
      [0, 4, 0, -5, 0, 1],
    ],
  },
};

export interface WinogradDw extends WinogradGeometry {
  /** Tile rows ⌈oh/2⌉ and tile columns ⌈ow/2⌉ rounded up to 4. */
  th: number;
  tw4: number;
}

/** A square 3×3 or 5×5 stride-1, dilation-1, zero-padded convolution: its kernel size and top/left padding. */
export interface WinogradGeometry {
  r: 3 | 5;
  top: number;
  left: number;
}

const geometries = new WeakMap<ConvGeometry, WinogradGeometry | null>();

/**
 * The geometry Winograd F(2×2, r×r) can run, or null (other kernel sizes, stride, dilation,
 * non-zero padding modes): read from the gather tables once per geometry, the one check of
 * both the forward plan (winograd-conv.ts) and the weight gradient's.
 */
export function winogradGeometry(g: ConvGeometry): WinogradGeometry | null {
  let hit = geometries.get(g);
  if (hit !== undefined) return hit;
  const pad = g.kh === g.kw && (g.kh === 3 || g.kh === 5) ? zeroPadding(g) : null;
  hit = pad && { r: g.kh === 5 ? 5 : 3, top: pad.top, left: pad.left };
  geometries.set(g, hit);
  return hit;
}

/**
 * The Winograd weight gradient's plan for s, or null where it does not apply (groups, or
 * see winogradGeometry) or does not pay: few channels leave the GEMMs too thin for the
 * transforms' cost.
 */
export function winogradDwPlan(s: ConvShape): WinogradDw | null {
  if (s.groups !== 1 || s.pointwise) return null;
  // measured (batch 64, one thread, CPU ms): 3×3 8→8 at 32×32 3.5 against im2col's 4.6, 16→16 7.2 against 10.6;
  // below 8 channels the transforms outweigh the GEMM they save
  if (Math.min(s.cin, s.cout) < 8) return null;
  const geo = winogradGeometry(s.geo);
  if (!geo) return null;
  const th = Math.ceil(s.geo.oh / 2),
    tw4 = Math.ceil(Math.ceil(s.geo.ow / 2) / 4) * 4;
  return { ...geo, th, tw4 };
}
