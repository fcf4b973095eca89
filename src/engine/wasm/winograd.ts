// Winograd F(2, r) for Conv2d on the wasm backend: the transform matrices (Cook–Toom on the
// points 0, ±1 (, ±2) and ∞; checked against direct correlation in the unit tests), which
// convolutions take the Winograd weight gradient, and its last step on the host.
import type { ConvShape } from '../backend.ts';
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

export interface WinogradDw {
  r: 3 | 5;
  top: number;
  left: number;
  /** Tile rows ⌈oh/2⌉ and tile columns ⌈ow/2⌉ rounded up to 4. */
  th: number;
  tw4: number;
}

/**
 * The Winograd weight gradient's plan for s, or null where it does not apply (groups,
 * stride, dilation, non-zero padding modes, kernels other than 3×3 and 5×5) or does not
 * pay: few channels leave the GEMMs too thin for the transforms' cost.
 */
export function winogradDwPlan(s: ConvShape): WinogradDw | null {
  const g = s.geo;
  if (s.groups !== 1 || s.pointwise || g.kh !== g.kw || (g.kh !== 3 && g.kh !== 5)) return null;
  // measured (batch 64, one thread, CPU ms): 3×3 8→8 at 32×32 3.5 against im2col's 4.6, 16→16 7.2 against 10.6;
  // below 8 channels the transforms outweigh the GEMM they save
  if (Math.min(s.cin, s.cout) < 8) return null;
  const pad = zeroPadding(g);
  if (!pad) return null;
  const th = Math.ceil(g.oh / 2),
    tw4 = Math.ceil(Math.ceil(g.ow / 2) / 4) * 4;
  return { r: g.kh, top: pad.top, left: pad.left, th, tw4 };
}
