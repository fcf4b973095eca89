// BatchNorm's per-channel loops over x as [N, C, S] (S: the spatial size), in their
// reference form (the TS backend's), float64 throughout as PyTorch's CPU kernel
// accumulates: batch statistics (two passes: mean, then the squared deviations), the
// normalization, and the backward sums with the input gradient.

export interface NormShape {
  n: number;
  c: number;
  s: number;
  /** Normalize by the batch's statistics (training, or no running stats) rather than the given ones. */
  batch: boolean;
  eps: number;
}

/**
 * stats holds 3 floats per channel: mean, 1/√(var + eps), Σ(x − mean)². With s.batch they
 * are computed here from x; otherwise mean and 1/√(var + eps) are read (running stats).
 * y = (x − mean)·invStd·γ + β (γ = 1, β = 0 when absent).
 */
export function batchNormForward(
  s: NormShape,
  X: Float32Array,
  gamma: Float32Array | null,
  beta: Float32Array | null,
  stats: Float64Array,
  Y: Float32Array,
): void {
  const { n: N, c: C, s: S } = s,
    count = N * S;
  for (let c = 0; c < C; c++) {
    if (s.batch) {
      let sum = 0;
      for (let n = 0; n < N; n++) for (let i = (n * C + c) * S, e = i + S; i < e; i++) sum += X[i];
      const mean = sum / count;
      let sq = 0;
      for (let n = 0; n < N; n++)
        for (let i = (n * C + c) * S, e = i + S; i < e; i++) {
          const d = X[i] - mean;
          sq += d * d;
        }
      stats[3 * c] = mean;
      stats[3 * c + 1] = 1 / Math.sqrt(sq / count + s.eps);
      stats[3 * c + 2] = sq;
    }
    const m = stats[3 * c],
      is = stats[3 * c + 1],
      g = gamma ? gamma[c] : 1,
      sh = beta ? beta[c] : 0;
    for (let n = 0; n < N; n++) for (let i = (n * C + c) * S, e = i + S; i < e; i++) Y[i] = (X[i] - m) * is * g + sh;
  }
}

/**
 * sums gets 2 floats per channel: Σ gy and Σ gy·(x − mean) (the caller turns them into
 * ∂β and ∂γ); dx, when given, is overwritten: γ·invStd·(gy − mean(gy) − x̂·mean(gy·x̂)) with
 * batch statistics, γ·invStd·gy with running ones.
 */
export function batchNormBackward(
  s: NormShape,
  X: Float32Array,
  G: Float32Array,
  gamma: Float32Array | null,
  stats: Float64Array,
  sums: Float64Array,
  D: Float32Array | null,
): void {
  const { n: N, c: C, s: S } = s,
    count = N * S;
  for (let c = 0; c < C; c++) {
    const m = stats[3 * c],
      is = stats[3 * c + 1];
    let sumG = 0,
      sumGX = 0;
    for (let n = 0; n < N; n++)
      for (let i = (n * C + c) * S, e = i + S; i < e; i++) {
        sumG += G[i];
        sumGX += G[i] * (X[i] - m);
      }
    sums[2 * c] = sumG;
    sums[2 * c + 1] = sumGX;
    if (!D) continue;
    const g = gamma ? gamma[c] : 1;
    if (!s.batch) {
      for (let n = 0; n < N; n++) for (let i = (n * C + c) * S, e = i + S; i < e; i++) D[i] = G[i] * g * is;
      continue;
    }
    const meanG = sumG / count,
      k = (sumGX / count) * is * is;
    for (let n = 0; n < N; n++)
      for (let i = (n * C + c) * S, e = i + S; i < e; i++) D[i] = (G[i] - meanG - (X[i] - m) * k) * is * g;
  }
}
