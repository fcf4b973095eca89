// SGD, torch 1.13's _single_tensor_sgd:
//   d = ±g (+ wd·θ); buf = d on the first step, else μ·buf + (1 − τ)·d;
//   d = d + μ·buf (nesterov) or buf; θ -= lr·d
import type { Param } from '../tensor.ts';
import type { OptimizerStateValue, ParamGroupState } from '../../core/run/train-state.ts';
import { BaseOptimizer, f32, optionalStateTensor, tensorOut } from './optimizer.ts';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weight_decay: number;
  nesterov: boolean;
  maximize: boolean;
}

interface SGDState {
  buf: Float32Array | null;
}

export class SGD extends BaseOptimizer<SGDState> {
  momentum: number;

  constructor(
    params: Param[],
    private readonly o: SGDOptions,
  ) {
    super('SGD', params, o.lr);
    this.momentum = o.momentum;
  }

  protected initState(): SGDState {
    return { buf: null };
  }

  protected saveState(p: Param, s: SGDState): Record<string, OptimizerStateValue> {
    return { momentum_buffer: s.buf ? tensorOut(p, s.buf) : null };
  }

  protected loadState(p: Param, saved: Record<string, OptimizerStateValue>, where: string): SGDState {
    return { buf: optionalStateTensor(saved, 'momentum_buffer', p.value.data.length, where) };
  }

  protected hyperparameters(): Record<string, unknown> {
    return { ...this.o, momentum: this.momentum };
  }

  protected override applyGroup(group: ParamGroupState): void {
    super.applyGroup(group);
    if (typeof group.momentum === 'number') this.momentum = group.momentum;
  }

  protected update(p: Param, grad: Float32Array, s: SGDState): void {
    const theta = p.value.data,
      n = theta.length;
    const wd = f32(this.o.weight_decay),
      mu = f32(this.momentum),
      keep = f32(1 - this.o.dampening),
      step = f32(-this.lr);
    const first = this.momentum !== 0 && !s.buf;
    if (first) s.buf = new Float32Array(n);
    const buf = this.momentum !== 0 ? s.buf : null;
    for (let i = 0; i < n; i++) {
      let d = this.o.maximize ? -grad[i] : grad[i];
      if (wd !== 0) d = f32(d + wd * theta[i]);
      if (buf) {
        // the first step's buffer is a clone of d, without dampening
        buf[i] = first ? d : f32(f32(buf[i] * mu) + keep * d);
        d = this.o.nesterov ? f32(d + mu * buf[i]) : buf[i];
      }
      theta[i] = f32(theta[i] + step * d);
    }
  }
}
