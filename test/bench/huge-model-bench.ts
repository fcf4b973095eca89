// Benchmark (not a test): each stage a huge imported model goes through, timed once per
// size, so a step that grows faster than linearly shows at 10k → 100k layers.
//
//   npx tsx test/bench/huge-model-bench.ts [1000 10000 100000]
import { performance } from 'node:perf_hooks';
import { longChain } from '../../src/cli/bench-shapes.ts';
import { analyze } from '../../src/core/editor/analysis.ts';
import { documentFromGraph, graphFromDocument } from '../../src/core/editor/document.ts';
import { analyzeStructure } from '../../src/core/editor/structure.ts';
import { layoutGraph } from '../../src/core/editor/layout.ts';
import { newModelDocument, parseModelDocument } from '../../src/core/model/model-json.ts';
import { serializeModelDocument } from '../../src/core/model/model-serialize.ts';
import { inferShapes } from '../../src/core/model/shapes.ts';
import { formatSummary, summarize } from '../../src/core/model/summary.ts';
import { moduleRepr, pythonSource } from '../../src/core/python/pytorch-export.ts';
import { parseModelText } from '../../src/core/python/model-text.ts';
import type { LayerSpec } from '../../src/core/model/types.ts';
import { rangeView } from '../../src/core/editor/ranges.ts';

/** Runs one stage; prints its wall time and its CPU time (what it costs on a shared, loaded machine). */
function stage<T>(name: string, fn: () => T): T {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const out = fn();
  const cpu = process.cpuUsage(c0);
  const ms = performance.now() - t0;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(`  ${name.padEnd(26)} wall ${ms.toFixed(0).padStart(7)} ms   cpu ${cpuMs.toFixed(0).padStart(7)} ms`);
  return out;
}

const sizes = process.argv.slice(2).map(Number);
for (const n of sizes.length ? sizes : [1000, 10000, 100000]) {
  console.log(`${n} layers`);
  const text = serializeModelDocument(newModelDocument([16, 16, 16], longChain(n)));
  const parsed = stage('parse JSON', () => parseModelDocument(text));
  if (!parsed.ok) throw new Error(parsed.errors[0].message);
  const graph = stage('graphFromDocument+layout', () => graphFromDocument(parsed.doc));
  stage('layoutGraph', () => layoutGraph(graph));
  const structure = stage('analyzeStructure', () => analyzeStructure(graph));
  stage('documentFromGraph', () => documentFromGraph(graph, structure));
  const layers = graph.nodes.slice(1).map((x) => (x as { layer: LayerSpec }).layer);
  stage('inferShapes', () => inferShapes(layers, [1, 16, 16, 16], { training: false }));
  const summary = stage('summarize', () => summarize(layers, [1, 16, 16, 16]));
  const a = stage('analyze (all)', () => analyze(graph));
  if (a.problems.length) console.log('   problem:', a.problems[0].message);
  stage('serialize (export)', () => serializeModelDocument(a.doc));
  const code = stage('pythonSource', () => pythonSource(a.doc));
  const repr = stage('moduleRepr', () => moduleRepr(a.doc));
  stage('formatSummary', () => formatSummary(summary));
  stage('parse print(model)', () => parseModelText(repr));
  stage('parse Python source', () => parseModelText(code));
  stage('rangeView (collapsed)', () => rangeView(graph, a.order, []));
}
