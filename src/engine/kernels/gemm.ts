// General matrix multiply on float32 row-major buffers, the engine's hot loop (conv via
// im2col, Linear). Both operands are packed first: A into row panels 3 high and B into
// column panels 4 wide, each contiguous along k. A 3×4 register tile then runs down k:
// 7 sequential loads per 24 flops, 12 accumulators — as many as V8 keeps in the 16 x64
// float registers without spilling (a 4×4 tile spills and measured slower).
// Accumulation is in float64 registers, rounded once on store.

const MR = 3,
  NR = 4;
let panelA = new Float32Array(4096);
let panelB = new Float32Array(4096);

/** A(i, k) packed as panelA[ip][k][t] = A(3·ip + t, k), zero rows past M. */
function packA(transA: boolean, M: number, K: number, A: Float32Array, aOff: number, lda: number): Float32Array {
  const mp = Math.ceil(M / MR);
  if (panelA.length < mp * K * MR) panelA = new Float32Array(mp * K * MR);
  const P = panelA;
  // transA: A is stored [K, M], so A(i, k) = A[k·lda + i]
  const rs = transA ? 1 : lda,
    ks = transA ? lda : 1;
  for (let ip = 0; ip < mp; ip++) {
    const i0 = ip * MR,
      h = Math.min(MR, M - i0),
      base = ip * K * MR;
    if (h === MR) {
      const a0 = aOff + i0 * rs,
        a1 = a0 + rs,
        a2 = a1 + rs;
      for (let k = 0, o = base, kk = 0; k < K; k++, o += MR, kk += ks) {
        P[o] = A[a0 + kk];
        P[o + 1] = A[a1 + kk];
        P[o + 2] = A[a2 + kk];
      }
      continue;
    }
    for (let t = 0; t < MR; t++) {
      const a = aOff + (i0 + t) * rs;
      for (let k = 0, o = base + t; k < K; k++, o += MR) P[o] = t < h ? A[a + k * ks] : 0;
    }
  }
  return P;
}

/** B(k, j) packed as panelB[jp][k][t] = B(k, 4·jp + t), zero columns past N. */
function packB(transB: boolean, N: number, K: number, B: Float32Array, bOff: number, ldb: number): Float32Array {
  const np = Math.ceil(N / NR);
  if (panelB.length < np * K * NR) panelB = new Float32Array(np * K * NR);
  const P = panelB;
  // transB: B is stored [N, K], so B(k, j) = B[j·ldb + k]
  const cs = transB ? ldb : 1,
    ks = transB ? 1 : ldb;
  for (let jp = 0; jp < np; jp++) {
    const j0 = jp * NR,
      w = Math.min(NR, N - j0),
      base = jp * K * NR;
    if (w === NR) {
      const b0 = bOff + j0 * cs,
        b1 = b0 + cs,
        b2 = b1 + cs,
        b3 = b2 + cs;
      for (let k = 0, o = base, kk = 0; k < K; k++, o += NR, kk += ks) {
        P[o] = B[b0 + kk];
        P[o + 1] = B[b1 + kk];
        P[o + 2] = B[b2 + kk];
        P[o + 3] = B[b3 + kk];
      }
      continue;
    }
    for (let t = 0; t < NR; t++) {
      const b = bOff + (j0 + t) * cs;
      for (let k = 0, o = base + t; k < K; k++, o += NR) P[o] = t < w ? B[b + k * ks] : 0;
    }
  }
  return P;
}

/**
 * C[M, N] = A·B (accumulate: C += A·B), where A is [M, K] (transA: stored [K, M]) and
 * B is [K, N] (transB: stored [N, K]); offsets and leading dimensions address sub-blocks.
 */
export function gemm(
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  A: Float32Array,
  aOff: number,
  lda: number,
  B: Float32Array,
  bOff: number,
  ldb: number,
  C: Float32Array,
  cOff: number,
  ldc: number,
  accumulate: boolean,
): void {
  if (M === 0 || N === 0) return;
  if (K === 0) {
    if (!accumulate) for (let i = 0; i < M; i++) C.fill(0, cOff + i * ldc, cOff + i * ldc + N);
    return;
  }
  const PA = packA(transA, M, K, A, aOff, lda),
    PB = packB(transB, N, K, B, bOff, ldb);
  const mp = Math.ceil(M / MR);
  for (let ip = 0; ip < mp; ip++)
    tile(PA, PB, ip, Math.min(MR, M - ip * MR), N, K, C, cOff + ip * MR * ldc, ldc, accumulate);
}

/** Rows 3·ip … 3·ip + h − 1 of C against every column panel. */
function tile(
  PA: Float32Array,
  PB: Float32Array,
  ip: number,
  h: number,
  N: number,
  K: number,
  C: Float32Array,
  c0: number,
  ldc: number,
  acc: boolean,
): void {
  const np = Math.ceil(N / NR),
    a0 = ip * K * MR;
  for (let jp = 0; jp < np; jp++) {
    let c00 = 0,
      c01 = 0,
      c02 = 0,
      c03 = 0,
      c10 = 0,
      c11 = 0,
      c12 = 0,
      c13 = 0,
      c20 = 0,
      c21 = 0,
      c22 = 0,
      c23 = 0;
    let p = jp * K * NR,
      pa = a0;
    const end = p + K * NR;
    for (; p < end; p += NR, pa += MR) {
      const b0 = PB[p],
        b1 = PB[p + 1],
        b2 = PB[p + 2],
        b3 = PB[p + 3];
      let a = PA[pa];
      c00 += a * b0;
      c01 += a * b1;
      c02 += a * b2;
      c03 += a * b3;
      a = PA[pa + 1];
      c10 += a * b0;
      c11 += a * b1;
      c12 += a * b2;
      c13 += a * b3;
      a = PA[pa + 2];
      c20 += a * b0;
      c21 += a * b1;
      c22 += a * b2;
      c23 += a * b3;
    }
    const j = jp * NR,
      w = Math.min(NR, N - j);
    store(C, c0 + j, w, acc, c00, c01, c02, c03);
    if (h > 1) store(C, c0 + ldc + j, w, acc, c10, c11, c12, c13);
    if (h > 2) store(C, c0 + 2 * ldc + j, w, acc, c20, c21, c22, c23);
  }
}

function store(
  C: Float32Array,
  o: number,
  w: number,
  acc: boolean,
  v0: number,
  v1: number,
  v2: number,
  v3: number,
): void {
  if (w === NR) {
    if (acc) {
      C[o] += v0;
      C[o + 1] += v1;
      C[o + 2] += v2;
      C[o + 3] += v3;
    } else {
      C[o] = v0;
      C[o + 1] = v1;
      C[o + 2] = v2;
      C[o + 3] = v3;
    }
    return;
  }
  // a partial panel at the right edge: w is 1, 2 or 3
  if (acc) {
    C[o] += v0;
    if (w > 1) C[o + 1] += v1;
    if (w > 2) C[o + 2] += v2;
  } else {
    C[o] = v0;
    if (w > 1) C[o + 1] = v1;
    if (w > 2) C[o + 2] = v2;
  }
}
