// RMSprop, torch 1.13's _single_tensor_rmsprop:
//   s = α·s + (1 − α)·g²;  centered: ḡ = α·ḡ + (1 − α)·g, avg = √(s − ḡ²), else avg = √s;
//   avg += ε;  momentum: buf = μ·buf + g/avg, θ -= lr·buf;  else θ -= lr·g/avg
import type { Param } from '../tensor.ts';
import type { OptimizerStateValue, ParamGroupState } from '../../core/run/train-state.ts';
import { BaseOptimizer, f32, optionalStateTensor, stateCount, stateTensor, tensorOut } from './optimizer.ts';

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weight_decay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

interface RMSpropState {
  step: number;
  squareAvg: Float32Array;
  gradAvg: Float32Array | null;
  buf: Float32Array | null;
}

export class RMSprop extends BaseOptimizer<RMSpropState> {
  momentum: number;

  constructor(
    params: Param[],
    private readonly o: RMSpropOptions,
  ) {
    super('RMSprop', params, o.lr);
    this.momentum = o.momentum;
  }

  protected initState(p: Param): RMSpropState {
    const n = p.value.data.length;
    return {
      step: 0,
      squareAvg: new Float32Array(n),
      gradAvg: this.o.centered ? new Float32Array(n) : null,
      buf: null,
    };
  }

  protected saveState(p: Param, s: RMSpropState): Record<string, OptimizerStateValue> {
    return {
      step: s.step,
      square_avg: tensorOut(p, s.squareAvg),
      ...(s.buf && { momentum_buffer: tensorOut(p, s.buf) }),
      ...(s.gradAvg && { grad_avg: tensorOut(p, s.gradAvg) }),
    };
  }

  protected loadState(p: Param, saved: Record<string, OptimizerStateValue>, where: string): RMSpropState {
    const n = p.value.data.length;
    const gradAvg = optionalStateTensor(saved, 'grad_avg', n, where);
    return {
      step: stateCount(saved, 'step', where),
      squareAvg: stateTensor(saved, 'square_avg', n, where),
      gradAvg: this.o.centered ? (gradAvg ?? new Float32Array(n)) : null,
      buf: optionalStateTensor(saved, 'momentum_buffer', n, where),
    };
  }

  protected hyperparameters(): Record<string, unknown> {
    return { ...this.o, momentum: this.momentum };
  }

  protected override applyGroup(group: ParamGroupState): void {
    super.applyGroup(group);
    if (typeof group.momentum === 'number') this.momentum = group.momentum;
  }

  protected update(p: Param, grad: Float32Array, s: RMSpropState): void {
    const theta = p.value.data,
      n = theta.length;
    s.step += 1;
    const wd = f32(this.o.weight_decay),
      a = f32(this.o.alpha),
      c = f32(1 - this.o.alpha),
      eps = f32(this.o.eps);
    const mu = f32(this.momentum),
      lr = f32(this.lr),
      negLr = f32(-this.lr);
    // the momentum buffer appears once momentum is positive (OneCycleLR may set it later)
    if (this.momentum > 0 && !s.buf) s.buf = new Float32Array(n);
    const { squareAvg: sq, gradAvg: ga } = s,
      buf = this.momentum > 0 ? s.buf : null;
    for (let i = 0; i < n; i++) {
      let g = this.o.maximize ? -grad[i] : grad[i];
      if (wd !== 0) g = f32(g + wd * theta[i]);
      sq[i] = f32(f32(sq[i] * a) + f32(c * g) * g);
      let avg: number;
      if (ga) {
        ga[i] = f32(f32(ga[i] * a) + c * g);
        avg = f32(Math.sqrt(f32(sq[i] - ga[i] * ga[i])));
      } else {
        avg = f32(Math.sqrt(sq[i]));
      }
      avg = f32(avg + eps);
      if (buf) {
        buf[i] = f32(f32(buf[i] * mu) + f32(g / avg));
        theta[i] = f32(theta[i] - lr * buf[i]);
      } else {
        theta[i] = f32(theta[i] + f32(f32(negLr * g) / avg));
      }
    }
  }
}
