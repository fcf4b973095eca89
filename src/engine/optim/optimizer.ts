// The optimizer contract and the base every optimizer extends: one parameter group, state
// per parameter (created on its first step, as PyTorch), parameters without a gradient
// skipped. State tensors are float32 like PyTorch's, so updates round to float32 after
// each tensor operation (Math.fround) where PyTorch's kernels do.
import type { OptimizerStateDict, OptimizerStateValue, StateTensor } from '../../core/run/train-state.ts';
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
  /** optimizer.state_dict(): per-parameter state by index, and the group's hyperparameters. */
  stateDict(): OptimizerStateDict;
  /**
   * optimizer.load_state_dict(); with `hyperparameters: false` only the per-parameter state
   * (moments, steps) is taken and the group keeps this optimizer's lr, momentum and betas.
   */
  loadStateDict(sd: OptimizerStateDict, options?: { hyperparameters?: boolean }): void;
}

/** A saved state tensor of `n` values, copied; throws naming the parameter and key when it does not fit. */
export function stateTensor(
  saved: Record<string, OptimizerStateValue>,
  key: string,
  n: number,
  where: string,
): Float32Array {
  const t = saved[key];
  if (!t || typeof t !== 'object' || !(t.data instanceof Float32Array))
    throw new Error(`optimizer state: ${where} has no tensor '${key}'`);
  if (t.data.length !== n)
    throw new Error(`optimizer state: ${where}'s '${key}' has ${t.data.length} values, the parameter ${n}`);
  return t.data.slice();
}

/** A saved tensor, or null where PyTorch keeps None (a momentum buffer before momentum). */
export function optionalStateTensor(
  saved: Record<string, OptimizerStateValue>,
  key: string,
  n: number,
  where: string,
): Float32Array | null {
  return saved[key] == null ? null : stateTensor(saved, key, n, where);
}

/** A saved count (`step`). */
export function stateCount(saved: Record<string, OptimizerStateValue>, key: string, where: string): number {
  const v = saved[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new Error(`optimizer state: ${where}'s '${key}' must be a step count, got ${JSON.stringify(v)}`);
  return v;
}

/** A state tensor of a parameter (its shape, a copy of the values). */
export function tensorOut(p: Param, data: Float32Array): StateTensor {
  return { shape: [...p.value.shape], data: data.slice() };
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
  /** A parameter's state by PyTorch's keys (exp_avg, momentum_buffer, step, …). */
  protected abstract saveState(p: Param, state: S): Record<string, OptimizerStateValue>;
  /** The state of a parameter from saveState's form; `where` names it in errors. */
  protected abstract loadState(p: Param, saved: Record<string, OptimizerStateValue>, where: string): S;
  /** The constructor's keywords as param_groups[0] holds them (lr aside). */
  protected abstract hyperparameters(): Record<string, unknown>;

  stateDict(): OptimizerStateDict {
    const state: OptimizerStateDict['state'] = {};
    this.params.forEach((p, i) => {
      const s = this.state.get(p);
      if (s) state[String(i)] = this.saveState(p, s);
    });
    const group = { ...this.hyperparameters(), lr: this.lr, params: this.params.map((_, i) => i) };
    return { state, param_groups: [group] };
  }

  loadStateDict(sd: OptimizerStateDict, options: { hyperparameters?: boolean } = {}): void {
    const group = sd.param_groups[0];
    if (sd.param_groups.length !== 1 || group.params.length !== this.params.length)
      throw new Error(
        `optimizer state: saved for ${sd.param_groups.map((g) => g.params.length).join(' + ')} parameters, this ${this.type} has ${this.params.length}`,
      );
    const restored = new Map<Param, S>();
    for (const [key, saved] of Object.entries(sd.state)) {
      const p = this.params[Number(key)];
      if (!p) throw new Error(`optimizer state: parameter index ${key} is outside 0 … ${this.params.length - 1}`);
      restored.set(p, this.loadState(p, saved, `parameter ${key} ('${p.name}')`));
    }
    this.state.clear();
    for (const [p, s] of restored) this.state.set(p, s);
    if (options.hyperparameters ?? true) this.applyGroup(group);
  }

  /** Takes the scheduled hyperparameters back: lr, and momentum or betas where this optimizer has them. */
  protected applyGroup(group: OptimizerStateDict['param_groups'][number]): void {
    this.lr = group.lr;
  }

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
