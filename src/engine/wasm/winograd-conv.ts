// Host side of the Winograd F(2×2, 3×3) and F(2×2, 5×5) convolution (winograd-kernels.ts): which Conv2d
// calls take it, the filter transform U = G g Gᵀ packed for the GEMMs, and the parameter
// block. Used for the forward (x ⋆ W) and for the stride-1 input gradient (dY ⋆ W flipped,
// conv-transpose.ts).
import type { ConvShape } from '../backend.ts';
import type { Arena } from './arena.ts';
import { transposedGeometry } from './conv-transpose.ts';
import type { GemmFuncs } from './gemm-kernels.ts';
import { WINO, winoTailBytes } from './winograd-kernels.ts';
import { winogradGeometry } from './winograd.ts';

export interface WinoPlan {
  /** The convolution as run: K input channels of h×w, M output channels of oh×ow, zero padding pt (top) and pl (left). */
  K: number;
  M: number;
  h: number;
  w: number;
  oh: number;
  ow: number;
  pt: number;
  pl: number;
  /** dx = dY ⋆ W flipped: U from W[o][c] flipped, M = cin, K = cout. */
  dx: boolean;
  /** Kernel size: F(2×2, 3×3) or F(2×2, 5×5). */
  r: 3 | 5;
}

/**
 * The Winograd plan for this call (dx: the input gradient), or null for the im2col path.
 * Taken only where it measured faster than im2col + GEMM (docs/engine-speed.md, "Winograd").
 */
export function winogradPlan(s: ConvShape, dx: boolean): WinoPlan | null {
  if (s.groups !== 1 || s.pointwise || (s.exact && !dx)) return null;
  const g = dx ? transposedGeometry(s.geo) : s.geo;
  if (!g) return null;
  // pads outside [0, r) (a transposed geometry's may be negative) fall outside the planes the kernels lay out
  const p = winogradGeometry(g);
  if (!p || p.top < 0 || p.left < 0 || p.top >= p.r || p.left >= p.r) return null;
  const K = dx ? s.cout : s.cin,
    M = dx ? s.cin : s.cout;
  // measured (1 thread, batch 64, 32×32): 8→8 and 16→16 run 1.5–1.8× faster forward, but
  // ResNet-20's 3→16 forward and its 16→3 dx are no faster (the GEMMs' depth or rows are 3,
  // the transforms dominate): under 8 channels on either side stays on im2col + GEMM
  if (Math.min(K, M) < 8) return null;
  return {
    K,
    M,
    h: g.h,
    w: g.w,
    oh: g.oh,
    ow: g.ow,
    pt: p.top,
    pl: p.left,
    dx,
    r: p.r,
  };
}

/** What winogradParams needs of the backend. */
export interface WinoHost {
  arena: Arena;
  gemm: GemmFuncs;
  packAll(M: number, K: number, a: number, ars: number, acs: number, dst: number): void;
  /** U[ξ][m][k] = (G·g·Gᵀ)[ξ] into raw from the weights at pw (winograd-filter-kernels.ts). */
  filter(r: 3 | 5, pw: number, raw: number, M: number, K: number, cin: number, dx: boolean): void;
  /** Writes parameter word i. */
  word(i: number, v: number): void;
}

/**
 * Writes U[ξ] (M×K per ξ, packed by pack_a_all) and the parameter block; returns the scratch
 * bytes each thread needs. pw, x, b, y: byte addresses of the layer's weights
 * [cout][cin][r][r], the input planes, the bias (0: none) and the output.
 */
export function winogradParams(p: WinoPlan, pw: number, x: number, b: number, y: number, host: WinoHost): number {
  const { arena: ar, gemm: g, packAll, word } = host;
  const { K, M } = p,
    cin = p.dx ? M : K;
  const th = Math.ceil(p.oh / 2),
    tw4 = Math.ceil(Math.ceil(p.ow / 2) / 4) * 4,
    N = th * tw4,
    npad = Math.ceil(N / 8) * 8;
  const alpha = p.r + 1,
    pts = alpha * alpha;
  // the tiles' rows and columns (and the 5×5 transform's loads) inside the plane
  const hp = Math.max(2 * th + alpha - 2, p.pt + p.h),
    wp = Math.max(2 * tw4 + alpha - 2, p.pl + p.w);
  const r = (bytes: number) => (bytes + 63) & ~63;
  const usz = g.packedABytes(M, K),
    // one cache line more than the matrices: the 16 ξ of a tile are written and read
    // together, and strides of a power of two (8×8 to 32×32 images) put them all in one L1 set
    vsz = K * npad * 4 + 64,
    msz = M * N * 4 + 64;
  const raw = ar.alloc(pts * M * K * 4),
    upk = ar.alloc(pts * usz);
  host.filter(p.r, pw, raw, M, K, cin, p.dx);
  for (let xi = 0; xi < pts; xi++) packAll(M, K, raw + xi * M * K * 4, K, 1, upk + xi * usz);
  const voff = r(K * hp * wp * 4 + 16),
    moff = voff + r(pts * vsz),
    gsoff = moff + r(pts * msz);
  const v: [number, number][] = [
    [WINO.X, x],
    [WINO.B, b],
    [WINO.Y, y],
    [WINO.UPK, upk],
    [WINO.K, K],
    [WINO.M, M],
    [WINO.H, p.h],
    [WINO.WD, p.w],
    [WINO.OH, p.oh],
    [WINO.OW, p.ow],
    [WINO.PT, p.pt],
    [WINO.PL, p.pl],
    [WINO.TH, th],
    [WINO.TW4, tw4],
    [WINO.N, N],
    [WINO.HP, hp],
    [WINO.WP, wp],
    [WINO.USZ, usz],
    [WINO.VSZ, vsz],
    [WINO.MSZ, msz],
    [WINO.VOFF, voff],
    [WINO.MOFF, moff],
    [WINO.GSOFF, gsoff],
  ];
  for (const [i, val] of v) word(i, val);
  return gsoff + winoTailBytes(g) + 64;
}
