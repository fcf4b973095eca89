// The conformance `shape` kind: output shape after each layer, or the index of the
// first layer PyTorch refuses (to construct or to run, train mode, on zeros).
import { inferShapes } from '../core/model/shapes.ts';
import type { LayerSpec, Shape } from '../core/model/types.ts';

export interface ShapeCase { id: string; layers: LayerSpec[]; input_shape: Shape }

export function answerShapeCase(c: ShapeCase): { id: string; shapes?: Shape[]; error_at?: number } {
  const report = inferShapes(c.layers, c.input_shape, { training: true });
  if (report.error) {
    if (report.error.index < 0) throw new Error(report.error.message);
    return { id: c.id, error_at: report.error.index };
  }
  return { id: c.id, shapes: report.shapes as Shape[] };
}
