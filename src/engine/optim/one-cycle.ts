// OneCycleLR, torch 1.13: lr rises from max_lr/div_factor to max_lr over pct_start of the
// steps, then falls to initial_lr/final_div_factor (three_phase: back to initial_lr first,
// then down to min_lr); momentum (SGD, RMSprop) or beta1 (Adam, AdamW) cycles inversely
// between max_momentum and base_momentum when cycle_momentum is set.
import { LRScheduler } from './lr-scheduler.ts';
import type { Optimizer } from './optimizer.ts';

export interface OneCycleOptions {
  max_lr: number;
  total_steps: number | null;
  epochs: number | null;
  steps_per_epoch: number | null;
  pct_start: number;
  anneal_strategy: 'cos' | 'linear';
  cycle_momentum: boolean;
  base_momentum: number;
  max_momentum: number;
  div_factor: number;
  final_div_factor: number;
  three_phase: boolean;
}

interface Phase {
  endStep: number;
  startLr: number;
  endLr: number;
  startMomentum: number;
  endMomentum: number;
}

/** Cosine anneal from start to end as pct goes from 0 to 1 (PyTorch's _annealing_cos). */
export const annealCos = (start: number, end: number, pct: number): number =>
  end + ((start - end) / 2.0) * (Math.cos(Math.PI * pct) + 1);
export const annealLinear = (start: number, end: number, pct: number): number => (end - start) * pct + start;

export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  private readonly phases: Phase[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  private readonly useBeta1: boolean;

  constructor(
    opt: Optimizer,
    private readonly o: OneCycleOptions,
  ) {
    super('OneCycleLR', opt);
    this.totalSteps = o.total_steps ?? o.epochs! * o.steps_per_epoch!;
    const initialLr = o.max_lr / o.div_factor,
      maxLr = o.max_lr,
      minLr = initialLr / o.final_div_factor;
    const { max_momentum: hi, base_momentum: lo, pct_start: pct } = o,
      total = this.totalSteps;
    this.phases = o.three_phase
      ? [
          { endStep: pct * total - 1, startLr: initialLr, endLr: maxLr, startMomentum: hi, endMomentum: lo },
          { endStep: 2 * pct * total - 2, startLr: maxLr, endLr: initialLr, startMomentum: lo, endMomentum: hi },
          { endStep: total - 1, startLr: initialLr, endLr: minLr, startMomentum: hi, endMomentum: hi },
        ]
      : [
          { endStep: pct * total - 1, startLr: initialLr, endLr: maxLr, startMomentum: hi, endMomentum: lo },
          { endStep: total - 1, startLr: maxLr, endLr: minLr, startMomentum: lo, endMomentum: hi },
        ];
    this.anneal = o.anneal_strategy === 'cos' ? annealCos : annealLinear;
    this.baseLr = initialLr;
    this.useBeta1 = opt.betas !== undefined;
    if (o.cycle_momentum) this.setMomentum(hi);
    this.step();
  }

  private setMomentum(m: number): void {
    if (this.useBeta1) this.opt.betas = [m, this.opt.betas![1]];
    else this.opt.momentum = m;
  }

  protected getLr(): number {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new Error(
        `OneCycleLR: Tried to step ${stepNum + 1} times. The specified number of total steps is ${this.totalSteps}`,
      );
    }
    let startStep = 0;
    for (let i = 0; i < this.phases.length; i++) {
      const ph = this.phases[i];
      if (stepNum <= ph.endStep || i === this.phases.length - 1) {
        const pct = (stepNum - startStep) / (ph.endStep - startStep);
        if (this.o.cycle_momentum) this.setMomentum(this.anneal(ph.startMomentum, ph.endMomentum, pct));
        return this.anneal(ph.startLr, ph.endLr, pct);
      }
      startStep = ph.endStep;
    }
    throw new Error('OneCycleLR: no phase'); // unreachable: the last phase always matches
  }
}
