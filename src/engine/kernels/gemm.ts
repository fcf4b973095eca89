// General matrix multiply on float32 row-major buffers, the engine's hot loop (conv via
// im2col, Linear). B is packed into column panels 4 wide and contiguous along k, then a
// 4×4 register tile runs down k: 8 loads per 32 flops and no stores in the inner loop.
// Accumulation is in float64 registers, rounded once on store.

const NR = 4;
let panel = new Float32Array(4096);

/** B(k, j) packed as panel[jp][k][t] = B(k, 4·jp + t), zero-filled past N. */
function packB(transB: boolean, N: number, K: number, B: Float32Array, bOff: number, ldb: number): Float32Array {
  const np = Math.ceil(N / NR);
  if (panel.length < np * K * NR) panel = new Float32Array(np * K * NR);
  const P = panel;
  for (let jp = 0; jp < np; jp++) {
    const j0 = jp * NR, w = Math.min(NR, N - j0), base = jp * K * NR;
    if (w === NR && !transB) {
      for (let k = 0, o = base, b = bOff + j0; k < K; k++, o += NR, b += ldb) {
        P[o] = B[b]; P[o + 1] = B[b + 1]; P[o + 2] = B[b + 2]; P[o + 3] = B[b + 3];
      }
      continue;
    }
    if (w === NR) {
      const b0 = bOff + j0 * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
      for (let k = 0, o = base; k < K; k++, o += NR) {
        P[o] = B[b0 + k]; P[o + 1] = B[b1 + k]; P[o + 2] = B[b2 + k]; P[o + 3] = B[b3 + k];
      }
      continue;
    }
    for (let t = 0; t < NR; t++) {
      if (t >= w) { for (let k = 0; k < K; k++) P[base + k * NR + t] = 0; continue; }
      // transB: B is [N, K], so B(k, j) = B[j·ldb + k]
      const ks = transB ? 1 : ldb, b0 = transB ? bOff + (j0 + t) * ldb : bOff + j0 + t;
      for (let k = 0, o = base + t, b = b0; k < K; k++, o += NR, b += ks) P[o] = B[b];
    }
  }
  return P;
}

/**
 * C[M, N] = A·B (accumulate: C += A·B), where A is [M, K] (transA: stored [K, M]) and
 * B is [K, N] (transB: stored [N, K]); offsets and leading dimensions address sub-blocks.
 */
export function gemm(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  A: Float32Array, aOff: number, lda: number,
  B: Float32Array, bOff: number, ldb: number,
  C: Float32Array, cOff: number, ldc: number, accumulate: boolean,
): void {
  if (M === 0 || N === 0) return;
  if (K === 0) { if (!accumulate) for (let i = 0; i < M; i++) C.fill(0, cOff + i * ldc, cOff + i * ldc + N); return; }
  const P = packB(transB, N, K, B, bOff, ldb);
  const rs = transA ? 1 : lda, ks = transA ? lda : 1;
  let i = 0;
  for (; i + 4 <= M; i += 4) tile4(P, N, K, A, aOff + i * rs, rs, ks, C, cOff + i * ldc, ldc, accumulate);
  for (; i < M; i++) tile1(P, N, K, A, aOff + i * rs, ks, C, cOff + i * ldc, accumulate);
}

function tile4(
  P: Float32Array, N: number, K: number, A: Float32Array, a0: number, rs: number, ks: number,
  C: Float32Array, c0: number, ldc: number, acc: boolean,
): void {
  const np = Math.ceil(N / NR);
  for (let jp = 0; jp < np; jp++) {
    let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
    let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
    let p = jp * K * NR, pa = a0;
    for (let k = 0; k < K; k++, p += NR, pa += ks) {
      const b0 = P[p], b1 = P[p + 1], b2 = P[p + 2], b3 = P[p + 3];
      let a = A[pa];
      c00 += a * b0; c01 += a * b1; c02 += a * b2; c03 += a * b3;
      a = A[pa + rs];
      c10 += a * b0; c11 += a * b1; c12 += a * b2; c13 += a * b3;
      a = A[pa + 2 * rs];
      c20 += a * b0; c21 += a * b1; c22 += a * b2; c23 += a * b3;
      a = A[pa + 3 * rs];
      c30 += a * b0; c31 += a * b1; c32 += a * b2; c33 += a * b3;
    }
    const j = jp * NR, w = Math.min(NR, N - j);
    store(C, c0 + j, w, acc, c00, c01, c02, c03);
    store(C, c0 + ldc + j, w, acc, c10, c11, c12, c13);
    store(C, c0 + 2 * ldc + j, w, acc, c20, c21, c22, c23);
    store(C, c0 + 3 * ldc + j, w, acc, c30, c31, c32, c33);
  }
}

function tile1(P: Float32Array, N: number, K: number, A: Float32Array, a0: number, ks: number, C: Float32Array, c0: number, acc: boolean): void {
  const np = Math.ceil(N / NR);
  for (let jp = 0; jp < np; jp++) {
    let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
    let p = jp * K * NR, pa = a0;
    for (let k = 0; k < K; k++, p += NR, pa += ks) {
      const a = A[pa];
      c00 += a * P[p]; c01 += a * P[p + 1]; c02 += a * P[p + 2]; c03 += a * P[p + 3];
    }
    const j = jp * NR;
    store(C, c0 + j, Math.min(NR, N - j), acc, c00, c01, c02, c03);
  }
}

function store(C: Float32Array, o: number, w: number, acc: boolean, v0: number, v1: number, v2: number, v3: number): void {
  if (w === NR) {
    if (acc) { C[o] += v0; C[o + 1] += v1; C[o + 2] += v2; C[o + 3] += v3; }
    else { C[o] = v0; C[o + 1] = v1; C[o + 2] = v2; C[o + 3] = v3; }
    return;
  }
  // a partial panel at the right edge: w is 1, 2 or 3
  if (acc) { C[o] += v0; if (w > 1) C[o + 1] += v1; if (w > 2) C[o + 2] += v2; }
  else { C[o] = v0; if (w > 1) C[o + 1] = v1; if (w > 2) C[o + 2] = v2; }
}
