// The wasm backend's Conv2d calls: the parameter blocks of conv-kernels.ts, the weights
// packed once per call, and the choice per call between im2col + GEMM, the input gradient
// as a convolution (conv-transpose.ts) and Winograd (winograd-conv.ts for the forward and
// the input gradient, winograd-dw-kernels.ts for the weight gradient).
import type { ConvShape } from '../backend.ts';
import type { ConvGeometry } from '../kernels/im2col.ts';
import { CONV, CONV_WORDS, convScratchBytes } from './conv-kernels.ts';
import { flipWeights, transposedGeometry } from './conv-transpose.ts';
import type { GemmFuncs } from './gemm-kernels.ts';
import { KernelCalls, PARAMS, type Exports } from './kernel-calls.ts';
import type { ThreadPool } from './thread-pool.ts';
import { winogradDwPlan, type WinogradDw } from './winograd.ts';
import { WFT, WFT_TASKS } from './winograd-filter-kernels.ts';
import { WDW, WDW_TASKS, winogradDwScratchBytes } from './winograd-dw-kernels.ts';
import { winogradParams, winogradPlan, type WinoHost, type WinoPlan } from './winograd-conv.ts';
import { WINO_TASKS } from './winograd-kernels.ts';

/** Gradient partials are kept per chunk of images: at most this many chunks, whatever the thread count. */
const GRAD_CHUNKS = 16;

export class ConvCalls extends KernelCalls {
  private readonly spans = new WeakMap<ConvGeometry, Int32Array>();

  constructor(
    memory: WebAssembly.Memory,
    k: Exports,
    pool: ThreadPool | null,
    protected readonly g: GemmFuncs,
  ) {
    super(memory, k, pool);
    this.winoHost = {
      arena: this.arena,
      gemm: this.g,
      packAll: (M, K, a, ars, acs, dst) => this.k.pack_a_all(M, K, a, ars, acs, dst),
      filter: (r, pw, raw, M, K, cin, dx) => {
        this.filterWords(pw, raw, M, K, cin, dx ? 1 : 0);
        this.scratch(M, 0);
        this.parallel(WFT_TASKS.filter[r], M, this.chunk(M));
      },
      word: (i, v) => this.w(i, v),
    };
  }

  private convParams(
    s: ConvShape,
    px: number,
    pw: number,
    pb: number,
    py: number,
    pgy: number,
    pdx: number,
    wpk: number,
  ): void {
    const g = s.geo,
      ar = this.arena;
    this.w(CONV.ROWT, ar.putInts(g.rowT));
    this.w(CONV.COLT, ar.putInts(g.colT));
    this.w(CONV.SPAN, ar.putInts(this.span(g)));
    this.w(CONV.X, px);
    this.w(CONV.W, pw);
    this.w(CONV.B, pb);
    this.w(CONV.Y, py);
    this.w(CONV.GY, pgy);
    this.w(CONV.DX, pdx);
    this.w(CONV.CIN, s.cin);
    this.w(CONV.H, g.h);
    this.w(CONV.WD, g.w);
    this.w(CONV.COUT, s.cout);
    this.w(CONV.G, s.groups);
    this.w(CONV.OH, g.oh);
    this.w(CONV.OW, g.ow);
    this.w(CONV.KH, g.kh);
    this.w(CONV.KW, g.kw);
    this.w(CONV.POINTWISE, s.pointwise ? 1 : 0);
    this.w(CONV.WPK, wpk);
    this.w(CONV.DXT, 0);
  }

  /**
   * When dx is the convolution dY ⋆ W flipped (stride 1, zero padding): its geometry as a
   * second parameter block (after the first) in DXT, and the flipped weights packed in WPK.
   */
  private transposedParams(s: ConvShape, w: Float32Array): boolean {
    const cg = s.cin / s.groups,
      og = s.cout / s.groups;
    // worth it when dY's im2col is no larger than the dcol it replaces (og ≤ cg) and the
    // GEMM's cg rows fill whole register tiles (measured: cin 3 ran 2.5× slower, og 64 > cg 32 7% slower)
    if (s.pointwise || og > cg || cg % this.g.shape.mr !== 0) return false;
    const t = transposedGeometry(s.geo);
    if (!t) return false;
    const ar = this.arena,
      K2 = (s.cout / s.groups) * t.kh * t.kw,
      flipped = ar.alloc(w.byteLength);
    flipWeights(w, ar.f32, flipped >> 2, { ...s, kh: t.kh, kw: t.kw });
    const size = this.g.packedABytes(cg, K2),
      wpk = ar.alloc(size * s.groups);
    for (let g = 0; g < s.groups; g++) this.k.pack_a_all(cg, K2, flipped + g * cg * K2 * 4, K2, 1, wpk + g * size);
    const q = (i: number, v: number) => this.w(CONV_WORDS + i, v);
    q(CONV.ROWT, ar.putInts(t.rowT));
    q(CONV.COLT, ar.putInts(t.colT));
    q(CONV.SPAN, ar.putInts(this.span(t)));
    q(CONV.H, t.h);
    q(CONV.WD, t.w);
    q(CONV.OH, t.oh);
    q(CONV.OW, t.ow);
    q(CONV.KH, t.kh);
    q(CONV.KW, t.kw);
    this.w(CONV.WPK, wpk);
    this.w(CONV.DXT, PARAMS + 4 * CONV_WORDS);
    return true;
  }

  /** Per kernel column kj: [lo, hi, base] when colT reads x[base + ox − lo] on [lo, hi) and zero elsewhere, else lo = −1. */
  private span(g: ConvGeometry): Int32Array {
    let t = this.spans.get(g);
    if (t) return t;
    t = new Int32Array(3 * g.kw);
    for (let kj = 0; kj < g.kw; kj++) {
      const row = g.colT.subarray(kj * g.ow, (kj + 1) * g.ow);
      let lo = 0,
        hi = g.ow;
      while (lo < hi && row[lo] < 0) lo++;
      while (hi > lo && row[hi - 1] < 0) hi--;
      let ok = true;
      for (let o = lo; o < hi && ok; o++) ok = row[o] === row[lo] + (o - lo);
      t.set(ok && lo < hi ? [lo, hi, row[lo]] : [-1, -1, 0], 3 * kj);
    }
    this.spans.set(g, t);
    return t;
  }

  /** The weights of every group packed once for the GEMM: W_g (forward) or W_gᵀ (input gradient). */
  private packWeights(s: ConvShape, pw: number, transposed: boolean): number {
    const og = s.cout / s.groups,
      K = this.depth(s),
      rows = transposed ? K : og,
      depth = transposed ? og : K;
    const size = this.g.packedABytes(rows, depth),
      wpk = this.arena.alloc(size * s.groups);
    for (let g = 0; g < s.groups; g++)
      this.k.pack_a_all(rows, depth, pw + g * og * K * 4, transposed ? 1 : K, transposed ? K : 1, wpk + g * size);
    return wpk;
  }

  /** im2col rows per group: (cin / groups)·kh·kw. */
  private depth(s: ConvShape): number {
    return (s.cin / s.groups) * s.geo.kh * s.geo.kw;
  }

  private convScratch(s: ConvShape): { forward: number; backward: number } {
    const g = s.geo;
    return convScratchBytes(this.g, {
      K: this.depth(s),
      P: g.oh * g.ow,
      og: s.cout / s.groups,
      cg: s.cin / s.groups,
      hw: g.h * g.w,
    });
  }

  conv2dForward(s: ConvShape, x: Float32Array, w: Float32Array, b: Float32Array | null, y: Float32Array): void {
    const ar = this.arena;
    ar.reset();
    const px = this.input(x),
      pw = this.input(w),
      pb = b ? this.input(b) : 0,
      py = this.output(y);
    const plan = winogradPlan(s, false);
    if (plan) this.winograd(plan, s.n, pw, px, pb, py);
    else {
      this.convParams(s, px, pw, pb, py, 0, 0, this.packWeights(s, pw, false));
      this.scratch(s.n, this.convScratch(s).forward);
      this.parallel('conv_fwd', s.n, this.chunk(s.n));
    }
    this.collect(py, y);
  }

  conv2dBackward(
    s: ConvShape,
    x: Float32Array,
    w: Float32Array,
    gy: Float32Array,
    dw: Float32Array,
    db: Float32Array | null,
    dx: Float32Array | null,
  ): void {
    const ar = this.arena;
    ar.reset();
    const px = this.input(x),
      pw = this.input(w),
      pgy = this.input(gy),
      pdx = dx ? this.output(dx) : 0;
    // gradient partials per chunk of images, summed in chunk order: the same sums for any thread count
    const chunk = Math.max(1, Math.ceil(s.n / GRAD_CHUNKS)),
      chunks = Math.max(1, Math.ceil(s.n / chunk));
    const wino = winogradDwPlan(s);
    if (wino) this.winogradDw(s, wino, px, pgy, dw, chunk, chunks);
    // dx by Winograd runs after conv_bwd (db, and dw where Winograd does not), in its own parameter block
    const winoDx = dx ? winogradPlan(s, true) : null;
    this.convParams(s, px, pw, 0, 0, pgy, winoDx ? 0 : pdx, 0);
    this.w(CONV.NODW, wino ? 1 : 0);
    if (dx && !winoDx && !this.transposedParams(s, w)) this.w(CONV.WPK, this.packWeights(s, pw, true));
    this.scratch(s.n, this.convScratch(s).backward);
    const dwBytes = wino ? 0 : (dw.byteLength + 63) & ~63,
      dbBytes = db ? (db.byteLength + 63) & ~63 : 0;
    const dws = wino ? 0 : ar.zeros((chunks * dwBytes) / 4),
      dbs = db ? ar.zeros((chunks * dbBytes) / 4) : 0;
    if (!wino || db || (dx && !winoDx)) this.parallel('conv_bwd', s.n, chunk, dws, dwBytes, dbs, dbBytes);
    if (!wino) {
      this.k.sum_parts(dws, dwBytes, chunks, dw.length);
      this.addTransposedInto(dw, dws, s);
    }
    if (db) {
      this.k.sum_parts(dbs, dbBytes, chunks, db.length);
      const f = ar.f32;
      for (let i = 0, q = dbs >> 2; i < db.length; i++, q++) db[i] += f[q];
    }
    if (winoDx) this.winograd(winoDx, s.n, pw, pgy, 0, pdx);
    if (dx) this.collect(pdx, dx);
  }

  /** dw += the Winograd weight gradient (winograd-dw-kernels.ts): per chunk of images into partials, summed in order. */
  private winogradDw(
    s: ConvShape,
    p: WinogradDw,
    px: number,
    pgy: number,
    dw: Float32Array,
    chunk: number,
    chunks: number,
  ): void {
    const ar = this.arena,
      g = s.geo,
      alpha = p.r + 1;
    const q = (i: number, v: number) => this.w(i, v);
    q(WDW.X, px);
    q(WDW.GY, pgy);
    q(WDW.CIN, s.cin);
    q(WDW.COUT, s.cout);
    q(WDW.H, g.h);
    q(WDW.W, g.w);
    q(WDW.OH, g.oh);
    q(WDW.OW, g.ow);
    q(WDW.TOP, p.top);
    q(WDW.LEFT, p.left);
    q(WDW.TH, p.th);
    q(WDW.TW4, p.tw4);
    // images per batch of GEMMs: about 512 tiles deep
    const nb = Math.max(1, Math.min(chunk, Math.floor(512 / (p.th * p.tw4))));
    q(WDW.NB, nb);
    const TT = p.th * p.tw4 * nb;
    this.scratch(
      s.n,
      winogradDwScratchBytes({ ...p, cin: s.cin, cout: s.cout }, nb) + this.g.scratchBytes(s.cout, s.cin, TT),
    );
    const floats = alpha * alpha * s.cout * s.cin,
      bytes = (floats * 4 + 63) & ~63,
      parts = ar.alloc(chunks * bytes);
    this.parallel(WDW_TASKS[p.r], s.n, chunk, parts, bytes);
    this.k.sum_parts(parts, bytes, chunks, floats);
    // Gᵀ·M·G per channel pair, across threads, then added to dw here
    const out = ar.alloc(dw.byteLength);
    this.filterWords(parts, out, s.cout, s.cin, 0, 0);
    this.scratch(s.cout, 0);
    this.parallel(WFT_TASKS.dw[p.r], s.cout, this.chunk(s.cout));
    const f = ar.f32;
    for (let i = 0, q = out >> 2; i < dw.length; i++, q++) dw[i] += f[q];
  }

  /** The backend side of winograd-conv.ts: arena, GEMM packing, the filter transform task, parameter words. */
  private readonly winoHost: WinoHost;

  private filterWords(src: number, dst: number, M: number, K: number, cin: number, dx: number): void {
    this.w(WFT.SRC, src);
    this.w(WFT.DST, dst);
    this.w(WFT.M, M);
    this.w(WFT.K, K);
    this.w(WFT.CIN, cin);
    this.w(WFT.DX, dx);
  }

  /** Runs a Winograd F(2×2, 3×3) or F(2×2, 5×5) plan (winograd-conv.ts) over n images. */
  private winograd(plan: WinoPlan, n: number, pw: number, src: number, pb: number, dst: number): void {
    this.scratch(n, winogradParams(plan, pw, src, pb, dst, this.winoHost));
    this.parallel(WINO_TASKS[plan.r], n, this.chunk(n));
  }

  /** dw[(g·og + o)·K + k] += part[(g·K + k)·og + o]: the kernels accumulate dWᵀ per group. */
  private addTransposedInto(dw: Float32Array, part: number, s: ConvShape): void {
    const og = s.cout / s.groups,
      K = dw.length / s.cout,
      f = this.arena.f32,
      base = part >> 2;
    for (let g = 0; g < s.groups; g++) {
      for (let k = 0; k < K; k++) {
        const src = base + (g * K + k) * og,
          dst = g * og * K + k;
        for (let o = 0; o < og; o++) dw[dst + o * K] += f[src + o];
      }
    }
  }
}
