// Runner for ../shared/conformance/check.mjs: reads stripped cases, writes results.
import { readFileSync, writeFileSync } from 'node:fs';
import { applyBackend, backendFromEnv } from './backend-option.ts';
import { answerModuleCase, answerTrainCase, type ModuleCase, type TrainCase } from '../engine/conformance-cases.ts';
import { answerLossCase, type LossCase } from '../engine/conformance-losses.ts';
import { answerOptimizerCase, type OptimizerCase } from '../engine/conformance-optim.ts';
import { answerShapeCase, type ShapeCase } from './conformance-shape.ts';
import { containerRepr, layerRepr, sequentialRepr } from '../core/python/pytorch-export.ts';
import type { LayerSpec } from '../core/model/types.ts';
import { caseGraphLayers, type CaseGraph } from '../engine/conformance-graph.ts';

export interface Case {
  id: string;
  kind: string;
  [field: string]: unknown;
}
/** A case of the cases file, by kind (the file is check.mjs's, read as it is: JSON.parse gives no types). */
type KnownCase =
  | (ShapeCase & { kind: 'shape' })
  | (Case & { kind: 'repr' })
  | (LossCase & { kind: 'loss' })
  | (OptimizerCase & { kind: 'optimizer' })
  | (ModuleCase & { kind: 'module' })
  | (TrainCase & { kind: 'train' });
export type Result = { id: string; [field: string]: unknown };

/** print(model): nn.Sequential(*layers), or a graph's module class listing its layer nodes. */
function reprText(c: Case): string {
  if (!c.graph) return sequentialRepr(c.layers as LayerSpec[], c.names as string[] | null);
  const g = c.graph as CaseGraph;
  return containerRepr(
    g.class,
    caseGraphLayers(g).map(([name, spec]) => [name, layerRepr(spec)]),
  );
}

/** Answers one case; kinds not built yet answer `unsupported`. */
function answer(c: KnownCase | Case): Result {
  const known = c as KnownCase;
  switch (known.kind) {
    case 'shape':
      return answerShapeCase(known);
    case 'repr':
      return { id: known.id, text: reprText(known) };
    case 'loss':
      return answerLossCase(known);
    case 'optimizer':
      return answerOptimizerCase(known);
    case 'module':
      return answerModuleCase(known);
    case 'train':
      return answerTrainCase(known);
    default:
      return { id: c.id, unsupported: `case kind '${c.kind}' is not built yet` };
  }
}

export async function runConformance(args: string[]): Promise<number> {
  const [casesFile, resultsFile] = args;
  if (!casesFile || !resultsFile) {
    console.error('usage: layerboard conformance CASES.json RESULTS.json');
    return 2;
  }
  const suite = JSON.parse(readFileSync(casesFile, 'utf8')) as { cases: Case[] };
  // LAYERBOARD_BACKEND=wasm [LAYERBOARD_THREADS=2] checks another backend with the same runner
  const engine = await applyBackend(backendFromEnv());
  const results = suite.cases.map((c) => {
    try {
      return answer(c);
    } catch (err) {
      return { id: c.id, unsupported: `error: ${err instanceof Error ? err.message : String(err)}` };
    }
  });
  writeFileSync(resultsFile, JSON.stringify({ results }));
  engine.dispose();
  return 0;
}
