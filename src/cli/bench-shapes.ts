// Benchmark (not a test): how long the editor's live shape check takes after one edit of
// a long chain. The editor re-runs compile → inferShapes → summary (plus keyword checks
// and the model document) on every edit; this times exactly that pass (core/editor/analysis.ts,
// pure TS) and its core part alone, as the median of many runs.
//
//   npx tsx src/cli/bench-shapes.ts [--layers 200] [--runs 400] [--json]
//   (or, once wired into main.ts: npm run -s cli -- bench-shapes ...)
import { performance } from 'node:perf_hooks';
import { analyzeStructure } from '../core/editor/structure.ts';
import { inferShapes } from '../core/model/shapes.ts';
import { summarize } from '../core/model/summary.ts';
import type { LayerSpec } from '../core/model/types.ts';
import { analyze } from '../core/editor/analysis.ts';
import { setKeyword, type EditorGraph } from '../core/editor/graph-model.ts';
import { graphFromDocument } from '../core/editor/document.ts';
import { newModelDocument } from '../core/model/model-json.ts';

interface Timing {
  median_ms: number;
  p95_ms: number;
  min_ms: number;
  runs: number;
}

/** A chain of `n` layers: (Conv2d 3×3 → BatchNorm2d → ReLU) blocks, then Flatten → Linear. */
export function longChain(n: number): LayerSpec[] {
  const layers: LayerSpec[] = [];
  while (layers.length < n - 2) {
    const block: LayerSpec[] = [
      { type: 'Conv2d', in_channels: 16, out_channels: 16, kernel_size: 3, padding: 1 },
      { type: 'BatchNorm2d', num_features: 16 },
      { type: 'ReLU' },
    ];
    layers.push(...block.slice(0, n - 2 - layers.length));
  }
  return [...layers, { type: 'Flatten' }, { type: 'Linear', in_features: 16 * 16 * 16, out_features: 10 }];
}

function time(runs: number, fn: (i: number) => void): Timing {
  for (let i = 0; i < Math.min(50, runs); i++) fn(i);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn(i);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { median_ms: round(at(0.5)), p95_ms: round(at(0.95)), min_ms: round(samples[0]), runs };
}

function flag(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
  return v;
}

export async function runBenchShapes(args: string[]): Promise<number> {
  const n = flag(args, '--layers', 200);
  const runs = flag(args, '--runs', 400);
  const input = [16, 16, 16];
  const base: EditorGraph = graphFromDocument(newModelDocument(input, longChain(n)));
  const mid = `n${Math.floor(n / 2) - ((Math.floor(n / 2) - 1) % 3)}`; // a Conv2d near the middle
  // One edit per run: alternate the middle Conv2d's bias, so every run sees a new graph.
  const edited = [setKeyword(base, mid, 'bias', false), setKeyword(base, mid, 'bias', true)];
  const broken = setKeyword(base, `n${n}`, 'in_features', 1000);
  const core = time(runs, (i) => {
    const g = edited[i % 2];
    const c = analyzeStructure(g);
    if (!c.chain || c.errors.length > 0) throw new Error('bench graph is not a chain');
    const byId = new Map(g.nodes.map((x) => [x.id, x]));
    const layers = c.order.map((id) => {
      const x = byId.get(id)!;
      if (x.kind !== 'layer') throw new Error('not a layer');
      return x.layer;
    });
    inferShapes(layers, [1, ...g.input], { training: false });
    summarize(layers, [1, ...g.input]);
  });
  const editor = time(runs, (i) => analyze(edited[i % 2]));
  const failing = time(runs, () => analyze(broken));
  const result = {
    benchmark: 'shape re-check after one edit',
    layers: n,
    input: [1, ...input],
    core_compile_infer_summary: core,
    editor_full_analysis: editor,
    editor_full_analysis_with_shape_error: failing,
    node: process.version,
  };
  if (args.includes('--json')) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(`shape re-check after one edit, ${n}-layer chain (median of ${runs} runs)`);
    console.log(`  core (compile + inferShapes + summarize): ${core.median_ms} ms  (p95 ${core.p95_ms} ms)`);
    console.log(`  editor pass (+ keyword checks, document):  ${editor.median_ms} ms  (p95 ${editor.p95_ms} ms)`);
    console.log(`  editor pass, last layer failing:          ${failing.median_ms} ms  (p95 ${failing.p95_ms} ms)`);
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runBenchShapes(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(`bench-shapes: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    },
  );
}
