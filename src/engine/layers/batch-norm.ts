// BatchNorm1d / BatchNorm2d (https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm2d.html).
// Train mode (or track_running_stats=False): normalize by the batch's mean and BIASED
// variance, and update running_mean / running_var (UNBIASED) with momentum, or with the
// cumulative average 1/num_batches_tracked when momentum is None. Eval mode: running stats.
import type { ResolvedBatchNorm } from '../../core/model/resolved.ts';
import { backend } from '../backend.ts';
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
  release(): void {
    this.ws.release();
  }
  /** Per channel: mean, 1/√(var + eps) and Σ(x − mean)² of the last forward (kernels/batch-norm.ts), and whether they were batch stats. */
  private readonly stats: Float64Array;
  /** Per channel: Σ gy and Σ gy·(x − mean) of the last backward. */
  private readonly sums: Float64Array;
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
    this.stats = new Float64Array(3 * C);
    this.sums = new Float64Array(2 * C);
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
    if (this.batchStats && N * S === 1 && training)
      throw new Error(
        `${this.type}: expected more than 1 value per channel when training, got input size ${shapeStr(x.shape)}`,
      );
    const stats = this.stats;
    if (!this.batchStats) {
      const rm = this.runningMean!.data,
        rv = this.runningVar!.data;
      for (let c = 0; c < C; c++) {
        stats[3 * c] = rm[c];
        stats[3 * c + 1] = 1 / Math.sqrt(rv[c] + this.cfg.eps);
      }
    }
    const y = this.ws.tensor('y', x.shape);
    const shape = { n: N, c: C, s: S, batch: this.batchStats, eps: this.cfg.eps };
    backend().batchNormForward(
      shape,
      x.data,
      this.weight?.value.data ?? null,
      this.bias?.value.data ?? null,
      stats,
      y.data,
    );
    if (training && this.cfg.track_running_stats) this.updateRunningStats(N * S);
    this.x = x;
    return y;
  }

  /** running_mean and running_var (UNBIASED: Bessel's n/(n−1)) from the batch statistics just taken. */
  private updateRunningStats(count: number): void {
    this.tracked!.data[0] += 1;
    const factor = this.cfg.momentum ?? 1 / this.tracked!.data[0];
    const rm = this.runningMean!.data,
      rv = this.runningVar!.data,
      stats = this.stats;
    for (let c = 0; c < rm.length; c++) {
      rm[c] = (1 - factor) * rm[c] + factor * stats[3 * c];
      rv[c] = (1 - factor) * rv[c] + factor * (count > 1 ? stats[3 * c + 2] / (count - 1) : NaN);
    }
  }

  backward(gy: Tensor, needInput: boolean): Tensor | null {
    const x = this.x;
    if (!x) throw new Error(`${this.type}.backward called before forward`);
    const [N, C, S] = this.dims(x);
    const dw = this.weight ? gradOf(this.weight) : null,
      db = this.bias ? gradOf(this.bias) : null;
    const dx = needInput ? this.ws.tensor('dx', x.shape) : null;
    const shape = { n: N, c: C, s: S, batch: this.batchStats, eps: this.cfg.eps },
      sums = this.sums;
    backend().batchNormBackward(
      shape,
      x.data,
      gy.data,
      this.weight?.value.data ?? null,
      this.stats,
      sums,
      dx?.data ?? null,
    );
    for (let c = 0; c < C; c++) {
      if (dw) dw[c] += sums[2 * c + 1] * this.stats[3 * c + 1];
      if (db) db[c] += sums[2 * c];
    }
    return dx;
  }
}
