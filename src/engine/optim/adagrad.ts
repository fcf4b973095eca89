// Adagrad, torch 1.13's _single_tensor_adagrad:
//   clr = lr / (1 + (t − 1)·lr_decay);  sum += g²;  θ -= clr · g / (√sum + ε)
// The accumulator starts at initial_accumulator_value (PyTorch fills it in the constructor).
import type { Param } from '../tensor.ts';
import type { OptimizerStateValue } from '../../core/run/train-state.ts';
import { BaseOptimizer, f32, stateCount, stateTensor, tensorOut } from './optimizer.ts';

export interface AdagradOptions {
  lr: number;
  lr_decay: number;
  weight_decay: number;
  initial_accumulator_value: number;
  eps: number;
  maximize: boolean;
}

interface AdagradState {
  step: number;
  sum: Float32Array;
}

export class Adagrad extends BaseOptimizer<AdagradState> {
  constructor(
    params: Param[],
    private readonly o: AdagradOptions,
  ) {
    super('Adagrad', params, o.lr);
  }

  protected initState(p: Param): AdagradState {
    return { step: 0, sum: new Float32Array(p.value.data.length).fill(this.o.initial_accumulator_value) };
  }

  protected saveState(p: Param, s: AdagradState): Record<string, OptimizerStateValue> {
    return { step: s.step, sum: tensorOut(p, s.sum) };
  }

  protected loadState(p: Param, saved: Record<string, OptimizerStateValue>, where: string): AdagradState {
    return { step: stateCount(saved, 'step', where), sum: stateTensor(saved, 'sum', p.value.data.length, where) };
  }

  protected hyperparameters(): Record<string, unknown> {
    return { ...this.o };
  }

  protected update(p: Param, grad: Float32Array, s: AdagradState): void {
    const theta = p.value.data,
      n = theta.length,
      sum = s.sum;
    s.step += 1;
    const wd = f32(this.o.weight_decay),
      eps = f32(this.o.eps);
    const negClr = f32(-(this.lr / (1 + (s.step - 1) * this.o.lr_decay)));
    for (let i = 0; i < n; i++) {
      let g = this.o.maximize ? -grad[i] : grad[i];
      if (wd !== 0) g = f32(g + wd * theta[i]);
      sum[i] = f32(sum[i] + g * g);
      const std = f32(f32(Math.sqrt(sum[i])) + eps);
      theta[i] = f32(theta[i] + f32(f32(negClr * g) / std));
    }
  }
}
