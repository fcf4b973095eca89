// The conformance `shape` kind: output shape after each layer (or graph node), or the index
// of the first one PyTorch refuses (to construct or to run, train mode, on zeros).
import { graphShapeCase } from '../core/model/graph-shapes.ts';
import { inferShapes } from '../core/model/shapes.ts';
import type { LayerSpec, Shape } from '../core/model/types.ts';
import { flatGraphOfCase, type CaseGraph } from '../engine/conformance-graph.ts';

export interface ShapeCase {
  id: string;
  layers?: LayerSpec[];
  graph?: CaseGraph;
  input_shape: Shape;
}
type ShapeResult = { id: string; shapes?: Shape[]; error_at?: number };

export function answerShapeCase(c: ShapeCase): ShapeResult {
  if (c.graph) {
    const answer = graphShapeCase(flatGraphOfCase(c.graph), c.input_shape);
    if ('error_at' in answer && answer.error_at < 0)
      throw new Error(`input_shape ${JSON.stringify(c.input_shape)} is not a usable input`);
    return { id: c.id, ...answer };
  }
  const report = inferShapes(c.layers ?? [], c.input_shape, { training: true });
  if (report.error) {
    if (report.error.index < 0) throw new Error(report.error.message);
    return { id: c.id, error_at: report.error.index };
  }
  return { id: c.id, shapes: report.shapes as Shape[] };
}
