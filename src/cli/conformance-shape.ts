// The conformance `shape` kind: output shape after each layer (or graph node), or the index
// of the first one PyTorch refuses (to construct or to run, train mode, on zeros).
import { addShape, catShape } from '../core/model/op-shapes.ts';
import { inferShapes } from '../core/model/shapes.ts';
import type { LayerSpec, Shape } from '../core/model/types.ts';
import type { CaseGraph } from '../engine/conformance-graph.ts';

export interface ShapeCase { id: string; layers?: LayerSpec[]; graph?: CaseGraph; input_shape: Shape }
type ShapeResult = { id: string; shapes?: Shape[]; error_at?: number };

export function answerShapeCase(c: ShapeCase): ShapeResult {
  if (c.graph) return { id: c.id, ...graphShapes(c.graph, c.input_shape) };
  const report = inferShapes(c.layers ?? [], c.input_shape, { training: true });
  if (report.error) {
    if (report.error.index < 0) throw new Error(report.error.message);
    return { id: c.id, error_at: report.error.index };
  }
  return { id: c.id, shapes: report.shapes as Shape[] };
}

/**
 * Node by node: a layer node by the chain rules (one layer on its input, so construction
 * errors count too), add and cat by core's op rules.
 */
function graphShapes(g: CaseGraph, input: Shape): Omit<ShapeResult, 'id'> {
  const known = new Map<string, Shape>([['input', input]]);
  const shapes: Shape[] = [];
  for (let i = 0; i < g.nodes.length; i++) {
    const n = g.nodes[i];
    const ins = n.inputs.map((name) => {
      const s = known.get(name);
      if (!s) throw new Error(`graph.nodes[${i}] (${n.name}): input '${name}' is not defined before this node`);
      return { shape: s, from: name };
    });
    let out: Shape;
    if ('layer' in n) {
      const report = inferShapes([n.layer], ins[0].shape, { training: true });
      if (report.error) {
        if (report.error.index < 0) throw new Error(`graph.nodes[${i}] (${n.name}): ${report.error.message}`);
        return { error_at: i };
      }
      out = report.shapes[0]!;
    } else {
      try { out = n.op === 'add' ? addShape(ins) : catShape(ins, n.dim ?? 0); } catch { return { error_at: i }; }
    }
    known.set(n.name, out);
    shapes.push(out);
  }
  return { shapes };
}
