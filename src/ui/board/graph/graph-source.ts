// The graph of a run: the one logged with it (add_graph), or, for a run logged without
// one, rebuilt from the run's model and batch size.
import { buildModuleGraph, type ModuleGraph } from '../../../core/model/module-graph.ts';
import type { RunRepository } from '../../../db/runs.ts';
import type { RunRecord } from '../../../db/schema.ts';

export type RunGraph = { ok: true; graph: ModuleGraph; rebuilt: boolean } | { ok: false; error: string };

export function isModuleGraph(g: unknown): g is ModuleGraph {
  const x = g as ModuleGraph | null;
  return (
    !!x && x.version === 1 && typeof x.root?.id === 'string' && Array.isArray(x.root.children) && Array.isArray(x.edges)
  );
}

/** A run whose model document has layers: its graph can be traced without a logged one. */
export function hasTraceableModel(run: RunRecord): boolean {
  return Array.isArray(run.doc?.modules) && run.doc.modules.length > 0;
}

export async function loadRunGraph(repo: RunRepository, run: RunRecord): Promise<RunGraph> {
  const logged = (await repo.graph(run.id))?.graph;
  if (isModuleGraph(logged)) return { ok: true, graph: logged, rebuilt: false };
  // Nothing to trace (runs imported from event files without add_graph): no graph, not an empty one.
  if (!hasTraceableModel(run))
    return {
      ok: false,
      error: `run “${run.name}” was logged without add_graph: it has no graph. Pick another run above.`,
    };
  const batch = run.config?.batchSize ?? 1;
  try {
    return { ok: true, graph: buildModuleGraph(run.doc, [batch, ...run.doc.input]), rebuilt: true };
  } catch (e) {
    return {
      ok: false,
      error: `run “${run.name}” has no logged graph and its model cannot be traced: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
}
