// BatchNorm1d / BatchNorm2d (https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm2d.html).
// Train mode (or track_running_stats=False): normalize by the batch's mean and BIASED
// variance, and update running_mean / running_var (UNBIASED) with momentum, or with the
// cumulative average 1/num_batches_tracked when momentum is None. Eval mode: running stats.
import type { ResolvedBatchNorm } from '../../core/model/resolved.ts';
import { Workspace } from '../kernels/workspace.ts';
import type { IntTensor, Param, Tensor } from '../tensor.ts';
import { gradOf, param, shapeStr, sharedParams, type Buffer, type Layer } from './layer.ts';

export class BatchNorm implements Layer {
  readonly params: Param[];
  readonly buffers: Buffer[];
  private readonly weight: Param | null;
  private readonly bias: Param | null;
  private readonly runningMean: Tensor | null;
  private readonly runningVar: Tensor | null;
  private readonly tracked: IntTensor | null;
  private readonly ws = new Workspace();
  /** Per-channel mean and 1/√(var + eps) used by the last forward, and whether they were batch stats. */
  private mean: Float64Array;
  private invStd: Float64Array;
  private batchStats = false;
  private x: Tensor | null = null;

  constructor(
    private readonly cfg: ResolvedBatchNorm,
    prefix: string,
    twin?: Layer,
  ) {
    const C = cfg.num_features;
    if (twin) {
      // another call of the same module: its affine parameters and running stats
      [this.weight = null, this.bias = null] = sharedParams(twin, cfg.type, cfg.affine ? 2 : 0);
      this.buffers = twin.buffers;
      const [mean, variance, tracked] = twin.buffers.map((b) => b.value);
      this.runningMean = (mean as Tensor | undefined) ?? null;
      this.runningVar = (variance as Tensor | undefined) ?? null;
      this.tracked = (tracked as IntTensor | undefined) ?? null;
    } else {
      this.weight = cfg.affine ? param(`${prefix}weight`, [C]) : null;
      this.bias = cfg.affine ? param(`${prefix}bias`, [C]) : null;
      this.weight?.value.data.fill(1);
      this.runningMean = cfg.track_running_stats ? { shape: [C], data: new Float32Array(C) } : null;
      this.runningVar = cfg.track_running_stats ? { shape: [C], data: new Float32Array(C).fill(1) } : null;
      this.tracked = cfg.track_running_stats ? { shape: [], data: new Int32Array(1) } : null;
      this.buffers =
        this.runningMean && this.runningVar && this.tracked
          ? [
              { name: `${prefix}running_mean`, value: this.runningMean },
              { name: `${prefix}running_var`, value: this.runningVar },
              { name: `${prefix}num_batches_tracked`, value: this.tracked },
            ]
          : [];
    }
    this.params = this.weight && this.bias ? [this.weight, this.bias] : [];
    this.mean = new Float64Array(C);
    this.invStd = new Float64Array(C);
  }

  get type(): string {
    return this.cfg.type;
  }

  /** [N, C, spatial] view, with PyTorch's rank checks. */
  private dims(x: Tensor): [number, number, number] {
    const s = x.shape,
      C = this.cfg.num_features;
    const ok = this.cfg.type === 'BatchNorm2d' ? s.length === 4 : s.length === 2 || s.length === 3;
    if (!ok)
      throw new Error(
        `${this.type} expects a ${this.cfg.type === 'BatchNorm2d' ? '4-D [N, C, H, W]' : '2-D [N, C] or 3-D [N, C, L]'} input, got ${s.length}-D ${shapeStr(s)}`,
      );
    if (s[1] !== C)
      throw new Error(`${this.type}(num_features=${C}) got an input with ${s[1]} channels, shape ${shapeStr(s)}`);
    let spatial = 1;
    for (let d = 2; d < s.length; d++) spatial *= s[d];
    return [s[0], C, spatial];
  }

  forward(x: Tensor, training: boolean): Tensor {
    const [N, C, S] = this.dims(x);
    this.batchStats = training || !this.cfg.track_running_stats;
    if (this.batchStats) {
      if (N * S === 1 && training)
        throw new Error(
          `${this.type}: expected more than 1 value per channel when training, got input size ${shapeStr(x.shape)}`,
        );
      this.batchStatistics(x.data, N, C, S, training);
    } else {
      const rm = this.runningMean!.data,
        rv = this.runningVar!.data;
      for (let c = 0; c < C; c++) {
        this.mean[c] = rm[c];
        this.invStd[c] = 1 / Math.sqrt(rv[c] + this.cfg.eps);
      }
    }
    const y = this.ws.tensor('y', x.shape),
      X = x.data,
      Y = y.data;
    const w = this.weight?.value.data,
      b = this.bias?.value.data;
    for (let c = 0; c < C; c++) {
      const m = this.mean[c],
        is = this.invStd[c],
        g = w ? w[c] : 1,
        sh = b ? b[c] : 0;
      for (let n = 0; n < N; n++) {
        const base = (n * C + c) * S;
        for (let i = base; i < base + S; i++) Y[i] = (X[i] - m) * is * g + sh;
      }
    }
    this.x = x;
    return y;
  }

  /** Batch mean and biased variance per channel; in training, the running-stat update. */
  private batchStatistics(X: Float32Array, N: number, C: number, S: number, training: boolean): void {
    const count = N * S,
      eps = this.cfg.eps;
    const update = training && this.cfg.track_running_stats;
    let factor = 0;
    if (update) {
      this.tracked!.data[0] += 1;
      factor = this.cfg.momentum ?? 1 / this.tracked!.data[0];
    }
    for (let c = 0; c < C; c++) {
      let sum = 0;
      for (let n = 0; n < N; n++) {
        const base = (n * C + c) * S;
        for (let i = base; i < base + S; i++) sum += X[i];
      }
      const mean = sum / count;
      let sq = 0;
      for (let n = 0; n < N; n++) {
        const base = (n * C + c) * S;
        for (let i = base; i < base + S; i++) {
          const d = X[i] - mean;
          sq += d * d;
        }
      }
      const v = sq / count;
      this.mean[c] = mean;
      this.invStd[c] = 1 / Math.sqrt(v + eps);
      if (update) {
        const rm = this.runningMean!.data,
          rv = this.runningVar!.data;
        rm[c] = (1 - factor) * rm[c] + factor * mean;
        // running_var takes the unbiased variance (Bessel's n/(n−1))
        rv[c] = (1 - factor) * rv[c] + factor * (count > 1 ? sq / (count - 1) : NaN);
      }
    }
  }

  backward(gy: Tensor, needInput: boolean): Tensor | null {
    const x = this.x;
    if (!x) throw new Error(`${this.type}.backward called before forward`);
    const [N, C, S] = this.dims(x),
      X = x.data,
      G = gy.data,
      count = N * S;
    const w = this.weight?.value.data;
    const dw = this.weight ? gradOf(this.weight) : null,
      db = this.bias ? gradOf(this.bias) : null;
    const dx = needInput ? this.ws.tensor('dx', x.shape) : null;
    for (let c = 0; c < C; c++) {
      const m = this.mean[c],
        is = this.invStd[c];
      let sumG = 0,
        sumGX = 0;
      for (let n = 0; n < N; n++) {
        const base = (n * C + c) * S;
        for (let i = base; i < base + S; i++) {
          sumG += G[i];
          sumGX += G[i] * (X[i] - m);
        }
      }
      if (dw) dw[c] += sumGX * is;
      if (db) db[c] += sumG;
      if (!dx) continue;
      const g = w ? w[c] : 1,
        D = dx.data;
      if (!this.batchStats) {
        for (let n = 0; n < N; n++) {
          const base = (n * C + c) * S;
          for (let i = base; i < base + S; i++) D[i] = G[i] * g * is;
        }
        continue;
      }
      // dx = γ·invstd·(g − mean(g) − x̂·mean(g·x̂)), with x̂ = (x − μ)·invstd
      const meanG = sumG / count,
        k = (sumGX / count) * is * is;
      for (let n = 0; n < N; n++) {
        const base = (n * C + c) * S;
        for (let i = base; i < base + S; i++) D[i] = (G[i] - meanG - (X[i] - m) * k) * is * g;
      }
    }
    return dx;
  }
}
