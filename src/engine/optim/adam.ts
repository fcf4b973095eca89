// Adam and AdamW, torch 1.13's single-tensor paths:
//   m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²  (float32 state)
//   θ -= (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)  (bias corrections in double)
// Adam adds wd·θ to the gradient; AdamW first decays θ by (1 − lr·wd).
import type { Param } from '../tensor.ts';
import type { OptimizerStateValue, ParamGroupState } from '../../core/run/train-state.ts';
import { BaseOptimizer, f32, optionalStateTensor, stateCount, stateTensor, tensorOut } from './optimizer.ts';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weight_decay: number;
  amsgrad: boolean;
  maximize: boolean;
}

interface AdamState {
  step: number;
  expAvg: Float32Array;
  expAvgSq: Float32Array;
  maxExpAvgSq: Float32Array | null;
}

export class Adam extends BaseOptimizer<AdamState> {
  betas: [number, number];

  constructor(
    params: Param[],
    protected readonly o: AdamOptions,
    type: 'Adam' | 'AdamW' = 'Adam',
  ) {
    super(type, params, o.lr);
    this.betas = [...o.betas];
  }

  protected get decoupled(): boolean {
    return false;
  }

  protected initState(p: Param): AdamState {
    const n = p.value.data.length;
    return {
      step: 0,
      expAvg: new Float32Array(n),
      expAvgSq: new Float32Array(n),
      maxExpAvgSq: this.o.amsgrad ? new Float32Array(n) : null,
    };
  }

  protected saveState(p: Param, s: AdamState): Record<string, OptimizerStateValue> {
    return {
      step: s.step,
      exp_avg: tensorOut(p, s.expAvg),
      exp_avg_sq: tensorOut(p, s.expAvgSq),
      ...(s.maxExpAvgSq && { max_exp_avg_sq: tensorOut(p, s.maxExpAvgSq) }),
    };
  }

  protected loadState(p: Param, saved: Record<string, OptimizerStateValue>, where: string): AdamState {
    const n = p.value.data.length;
    const vMax = optionalStateTensor(saved, 'max_exp_avg_sq', n, where);
    return {
      step: stateCount(saved, 'step', where),
      expAvg: stateTensor(saved, 'exp_avg', n, where),
      expAvgSq: stateTensor(saved, 'exp_avg_sq', n, where),
      // amsgrad turned on for the continued run starts its maximum at zero
      maxExpAvgSq: this.o.amsgrad ? (vMax ?? new Float32Array(n)) : null,
    };
  }

  protected hyperparameters(): Record<string, unknown> {
    return { ...this.o, betas: [...this.betas] };
  }

  protected override applyGroup(group: ParamGroupState): void {
    super.applyGroup(group);
    const b = group.betas;
    if (Array.isArray(b) && b.length === 2 && b.every((x) => typeof x === 'number')) this.betas = [b[0], b[1]];
  }

  protected update(p: Param, grad: Float32Array, s: AdamState): void {
    const theta = p.value.data,
      n = theta.length,
      [beta1, beta2] = this.betas;
    s.step += 1;
    const wd = f32(this.o.weight_decay);
    // AdamW: param.mul_(1 - lr * weight_decay)
    const decay = f32(1 - this.lr * this.o.weight_decay);
    const b1 = f32(beta1),
      b2 = f32(beta2),
      c1 = f32(1 - beta1),
      c2 = f32(1 - beta2),
      eps = f32(this.o.eps);
    const stepSize = f32(-(this.lr / (1 - beta1 ** s.step)));
    const bc2Sqrt = f32(Math.sqrt(1 - beta2 ** s.step));
    const { expAvg: m, expAvgSq: v, maxExpAvgSq: vMax } = s;
    for (let i = 0; i < n; i++) {
      let g = this.o.maximize ? -grad[i] : grad[i];
      if (this.decoupled) {
        if (this.o.weight_decay !== 0) theta[i] = f32(theta[i] * decay);
      } else if (wd !== 0) {
        g = f32(g + wd * theta[i]);
      }
      m[i] = f32(f32(m[i] * b1) + c1 * g);
      v[i] = f32(f32(v[i] * b2) + f32(c2 * g) * g);
      let second = v[i];
      if (vMax) second = vMax[i] = Math.max(vMax[i], v[i]);
      const denom = f32(f32(f32(Math.sqrt(second)) / bc2Sqrt) + eps);
      theta[i] = f32(theta[i] + f32(f32(stepSize * m[i]) / denom));
    }
  }
}

export class AdamW extends Adam {
  constructor(params: Param[], o: AdamOptions) {
    super(params, o, 'AdamW');
  }

  protected override get decoupled(): boolean {
    return true;
  }
}
