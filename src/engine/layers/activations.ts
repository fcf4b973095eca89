// Elementwise activations, forward and backward side by side: ReLU, LeakyReLU, Sigmoid,
// Tanh, GELU (exact erf or tanh approximation), ELU. Derivatives at 0 follow ATen:
// ReLU 0, LeakyReLU negative_slope, ELU alpha (the x ≤ 0 branch).
import type { ResolvedELU, ResolvedGELU, ResolvedLeakyReLU } from '../../core/model/resolved.ts';
import { backend } from '../backend.ts';
import { erf } from '../kernels/erf.ts';
import { Workspace } from '../kernels/workspace.ts';
import type { Tensor } from '../tensor.ts';
import type { Buffer, Layer } from './layer.ts';

abstract class Elementwise implements Layer {
  abstract readonly type: string;
  readonly params = [];
  readonly buffers: Buffer[] = [];
  private readonly ws = new Workspace();
  release(): void {
    this.ws.release();
  }
  protected x: Tensor | null = null;
  protected y: Tensor | null = null;

  /** y[i] = f(x[i]) */
  protected abstract f(X: Float32Array, Y: Float32Array): void;
  /** dx[i] = g[i] · f'(x[i]) (x and y of the last forward at hand) */
  protected abstract df(X: Float32Array, Y: Float32Array, G: Float32Array, D: Float32Array): void;

  forward(x: Tensor): Tensor {
    const y = this.ws.tensor('y', x.shape);
    this.f(x.data, y.data);
    this.x = x;
    this.y = y;
    return y;
  }

  backward(gy: Tensor, needInput: boolean): Tensor | null {
    if (!this.x || !this.y) throw new Error(`${this.type}.backward called before forward`);
    if (!needInput) return null;
    const dx = this.ws.tensor('dx', this.x.shape);
    this.df(this.x.data, this.y.data, gy.data, dx.data);
    return dx;
  }
}

export class ReLU extends Elementwise {
  readonly type = 'ReLU';
  // on the active backend (kernels/elementwise.ts): NaN stays NaN, the gradient at 0 is 0
  protected f(X: Float32Array, Y: Float32Array): void {
    backend().elementwise('relu', X, null, Y);
  }
  protected df(X: Float32Array, _Y: Float32Array, G: Float32Array, D: Float32Array): void {
    backend().elementwise('reluBackward', X, G, D);
  }
}

export class LeakyReLU extends Elementwise {
  readonly type = 'LeakyReLU';
  constructor(private readonly cfg: ResolvedLeakyReLU) {
    super();
  }
  protected f(X: Float32Array, Y: Float32Array): void {
    const s = this.cfg.negative_slope;
    for (let i = 0; i < X.length; i++) {
      const v = X[i];
      Y[i] = v > 0 ? v : v * s;
    }
  }
  protected df(X: Float32Array, _Y: Float32Array, G: Float32Array, D: Float32Array): void {
    const s = this.cfg.negative_slope;
    for (let i = 0; i < X.length; i++) D[i] = X[i] > 0 ? G[i] : G[i] * s;
  }
}

export class Sigmoid extends Elementwise {
  readonly type = 'Sigmoid';
  protected f(X: Float32Array, Y: Float32Array): void {
    for (let i = 0; i < X.length; i++) Y[i] = 1 / (1 + Math.exp(-X[i]));
  }
  protected df(_X: Float32Array, Y: Float32Array, G: Float32Array, D: Float32Array): void {
    for (let i = 0; i < Y.length; i++) D[i] = G[i] * (1 - Y[i]) * Y[i];
  }
}

export class Tanh extends Elementwise {
  readonly type = 'Tanh';
  protected f(X: Float32Array, Y: Float32Array): void {
    for (let i = 0; i < X.length; i++) Y[i] = Math.tanh(X[i]);
  }
  protected df(_X: Float32Array, Y: Float32Array, G: Float32Array, D: Float32Array): void {
    for (let i = 0; i < Y.length; i++) D[i] = G[i] * (1 - Y[i] * Y[i]);
  }
}

const SQRT1_2 = Math.SQRT1_2;
/** 1/√(2π), the standard normal density at 0. */
const INV_SQRT_2PI = 0.3989422804014327;
/** √(2/π) and the cubic coefficient of GELU's tanh form. */
const BETA = Math.sqrt(2 / Math.PI),
  KAPPA = 0.044715;

export class GELU extends Elementwise {
  readonly type = 'GELU';
  constructor(private readonly cfg: ResolvedGELU) {
    super();
  }
  protected f(X: Float32Array, Y: Float32Array): void {
    if (this.cfg.approximate === 'tanh') {
      for (let i = 0; i < X.length; i++) {
        const x = X[i];
        Y[i] = 0.5 * x * (1 + Math.tanh(BETA * (x + KAPPA * x * x * x)));
      }
    } else {
      for (let i = 0; i < X.length; i++) {
        const x = X[i];
        Y[i] = 0.5 * x * (1 + erf(x * SQRT1_2));
      }
    }
  }
  protected df(X: Float32Array, _Y: Float32Array, G: Float32Array, D: Float32Array): void {
    if (this.cfg.approximate === 'tanh') {
      for (let i = 0; i < X.length; i++) {
        const x = X[i],
          t = Math.tanh(BETA * (x + KAPPA * x * x * x));
        // d/dx [½x(1 + t)] = ½(1 + t) + ½x(1 − t²)·β(1 + 3κx²)
        D[i] = G[i] * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * BETA * (1 + 3 * KAPPA * x * x));
      }
    } else {
      for (let i = 0; i < X.length; i++) {
        const x = X[i];
        // d/dx [x·Φ(x)] = Φ(x) + x·φ(x)
        D[i] = G[i] * (0.5 * (1 + erf(x * SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x));
      }
    }
  }
}

export class ELU extends Elementwise {
  readonly type = 'ELU';
  constructor(private readonly cfg: ResolvedELU) {
    super();
  }
  protected f(X: Float32Array, Y: Float32Array): void {
    const a = this.cfg.alpha;
    for (let i = 0; i < X.length; i++) {
      const v = X[i];
      Y[i] = v > 0 ? v : a * Math.expm1(v);
    }
  }
  protected df(X: Float32Array, _Y: Float32Array, G: Float32Array, D: Float32Array): void {
    const a = this.cfg.alpha;
    for (let i = 0; i < X.length; i++) {
      const v = X[i];
      D[i] = v <= 0 ? G[i] * a * Math.exp(v) : G[i];
    }
  }
}
