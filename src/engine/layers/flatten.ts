// Flatten (https://pytorch.org/docs/stable/generated/torch.nn.Flatten.html): dims
// start_dim..end_dim into one. Row-major data is unchanged, so both directions are views.
import type { ResolvedFlatten } from '../../core/model/resolved.ts';
import { flattenShape, wrapDim } from '../../core/model/shape-math.ts';
import type { Tensor } from '../tensor.ts';
import { shapeStr, type Buffer, type Layer } from './layer.ts';

/** Output shape, with PyTorch's dim wrapping (a 0-d input flattens as 1-d). */
function outShape(shape: number[], startDim: number, endDim: number): number[] {
  const s = wrapDim(startDim, shape.length),
    e = wrapDim(endDim, shape.length);
  if (s === null || e === null)
    throw new Error(
      `Flatten(start_dim=${startDim}, end_dim=${endDim}): dimension out of range for a ${shape.length}-D input ${shapeStr(shape)}`,
    );
  if (s > e)
    throw new Error(`Flatten: start_dim ${startDim} comes after end_dim ${endDim} for a ${shape.length}-D input`);
  return flattenShape(shape, s, e);
}

export class Flatten implements Layer {
  readonly type = 'Flatten';
  readonly params = [];
  readonly buffers: Buffer[] = [];
  private inShape: number[] | null = null;
  private out: Tensor | null = null;
  private grad: Tensor | null = null;

  constructor(private readonly cfg: ResolvedFlatten) {}

  forward(x: Tensor): Tensor {
    if (
      !this.inShape ||
      this.inShape.length !== x.shape.length ||
      this.inShape.some((d, i) => d !== x.shape[i]) ||
      this.out?.data !== x.data
    ) {
      this.inShape = [...x.shape];
      this.out = { shape: outShape(x.shape, this.cfg.start_dim, this.cfg.end_dim), data: x.data };
    }
    return this.out;
  }

  backward(gy: Tensor, needInput: boolean): Tensor | null {
    if (!this.inShape) throw new Error('Flatten.backward called before forward');
    if (!needInput) return null;
    if (this.grad?.data !== gy.data || this.grad.shape !== this.inShape)
      this.grad = { shape: this.inShape, data: gy.data };
    return this.grad;
  }
}
