// The optimizer contract and the base every optimizer extends: one parameter group, state
// per parameter (created on its first step, as PyTorch), parameters without a gradient
// skipped. State tensors are float32 like PyTorch's, so updates round to float32 after
// each tensor operation (Math.fround) where PyTorch's kernels do.
import type { Param } from '../tensor.ts';

export interface OptimizerSpec {
  type: string;
  lr?: number;
  [keyword: string]: unknown;
}

export interface Optimizer {
  readonly type: string;
  readonly params: Param[];
  /** The group's learning rate; schedulers set it between steps. */
  lr: number;
  /** SGD and RMSprop: the momentum a scheduler may cycle (OneCycleLR). */
  momentum?: number;
  /** Adam and AdamW: (beta1, beta2); OneCycleLR cycles beta1. */
  betas?: [number, number];
  /** How many times step() ran. */
  readonly stepCount: number;
  step(): void;
  /** PyTorch 1.13's default keeps the gradient tensors and fills them with zeros. */
  zeroGrad(setToNone?: boolean): void;
}

/** float32 rounding of one tensor operation's result. */
export const f32 = Math.fround;

export abstract class BaseOptimizer<S> implements Optimizer {
  readonly params: Param[];
  stepCount = 0;
  protected readonly state = new Map<Param, S>();

  protected constructor(
    readonly type: string,
    params: Param[],
    public lr: number,
  ) {
    const seen = new Set<Param>();
    for (const p of params) {
      if (seen.has(p)) throw new Error(`${type}: parameter '${p.name}' appears more than once`);
      seen.add(p);
    }
    this.params = [...params];
  }

  /** Creates the state of a parameter at its first step. */
  protected abstract initState(p: Param): S;
  /** Updates one parameter in place from its gradient. */
  protected abstract update(p: Param, grad: Float32Array, state: S): void;

  step(): void {
    for (const p of this.params) {
      if (!p.grad) continue;
      if (p.grad.data.length !== p.value.data.length) {
        throw new Error(
          `${this.type}: gradient of '${p.name}' has shape [${p.grad.shape.join(', ')}], the parameter [${p.value.shape.join(', ')}]`,
        );
      }
      let s = this.state.get(p);
      if (!s) {
        s = this.initState(p);
        this.state.set(p, s);
      }
      this.update(p, p.grad.data, s);
    }
    this.stepCount++;
  }

  zeroGrad(setToNone = false): void {
    for (const p of this.params) {
      if (!p.grad) continue;
      if (setToNone) p.grad = null;
      else p.grad.data.fill(0);
    }
  }
}
