// `layerboard summary MODEL.json [--input N,C,H,W]`: torchinfo's table for the model,
// or (exit 1) the first layer that cannot run, with the arithmetic and a fix.
import { chainLayers } from '../core/model/chain.ts';
import { inferGraphShapes, type GraphShapeReport } from '../core/model/graph-shapes.ts';
import { flattenModel } from '../core/model/flat-graph.ts';
import { formatModelSummary, summarizeModel } from '../core/model/summary-tree.ts';
import type { ModelDocument } from '../core/model/types.ts';
import { readFileSync } from 'node:fs';
import { parseModelDocument } from '../core/model/model-json.ts';
import { formatShape, inferShapes, type ShapeReport } from '../core/model/shapes.ts';
import { formatSummary, summarize } from '../core/model/summary.ts';
import type { LayerSpec, Shape } from '../core/model/types.ts';

const USAGE = `usage: layerboard summary MODEL.json [--input N,C,H,W]

Prints the torchinfo-style summary (Output Shape, Param #, Mult-Adds, sizes in MB = 1e6 bytes).
--input  full input shape, batch first; default: batch 1 and the model's "input" (1,C,H,W).`;

interface SummaryArgs {
  file: string;
  input: Shape | null;
}

function parseShape(text: string): Shape | string {
  const parts = text.split(/[,x×\s]+/).filter(Boolean);
  const sizes = parts.map(Number);
  if (parts.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    return `--input must be positive integers separated by commas, like 64,3,32,32; got '${text}'`;
  }
  return sizes;
}

function parseArgs(args: string[]): SummaryArgs | string {
  let file: string | null = null;
  let input: Shape | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--input' || a.startsWith('--input=')) {
      const value = a === '--input' ? args[++i] : a.slice('--input='.length);
      if (value === undefined) return '--input needs a shape, like 64,3,32,32';
      const shape = parseShape(value);
      if (typeof shape === 'string') return shape;
      input = shape;
    } else if (a.startsWith('-')) {
      return `unknown option '${a}'`;
    } else if (file === null) {
      file = a;
    } else {
      return `unexpected argument '${a}'`;
    }
  }
  return file === null ? 'missing MODEL.json' : { file, input };
}

/** The shapes up to the failing layer, then the error, its arithmetic and the fix. */
function shapeFailure(report: ShapeReport, layers: LayerSpec[], names: string[] | null): string {
  const error = report.error!;
  const lines = [`input: ${formatShape(report.input)}`];
  report.shapes.forEach((shape, i) => {
    if (i > error.index) return;
    const name = names?.[i] ? ` (${names[i]})` : '';
    lines.push(`  ${i} ${layers[i]?.type ?? '?'}${name}: ${shape ? formatShape(shape) : 'cannot run'}`);
  });
  const where = error.index < 0 ? 'input' : `layer ${error.index} (${layers[error.index]?.type ?? '?'})`;
  lines.push(`shape error at ${where}: ${error.message}`);
  if (error.fix) lines.push(`fix: ${error.fix.label}`);
  return lines.join('\n');
}

/** A graph's shapes up to the failing node, then the error and the fix. */
function graphFailure(report: GraphShapeReport): string {
  const error = report.error!;
  const lines = [`input: ${formatShape(report.input)}`];
  report.ids.forEach((id, i) => {
    if (i <= error.index)
      lines.push(
        `  ${id}: ${report.shapes[i] ? formatShape(report.shapes[i]!) : 'cannot run'}${report.notes[i] ? ` (${report.notes[i]})` : ''}`,
      );
  });
  lines.push(`shape error at ${error.node}: ${error.message}`);
  if (error.fix) lines.push(`fix: ${error.fix.label}`);
  return lines.join('\n');
}

/** torchinfo's nested table for a model with branches or blocks, or (exit 1) the first node that cannot run. */
function graphSummary(doc: ModelDocument, input: Shape): number {
  const report = inferGraphShapes(flattenModel(doc), input, { training: false });
  if (report.error) {
    console.error(graphFailure(report));
    return 1;
  }
  console.log(formatModelSummary(summarizeModel(doc, input)));
  return 0;
}

export async function runSummary(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    console.error(`layerboard summary: ${parsed}\n\n${USAGE}`);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(parsed.file, 'utf8');
  } catch (err) {
    console.error(
      `layerboard summary: cannot read ${parsed.file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
    return 1;
  }
  const result = parseModelDocument(text);
  if (!result.ok) {
    console.error(`layerboard summary: ${parsed.file} is not a valid model:`);
    for (const e of result.errors) console.error(`  ${e.path ? `${e.path}: ` : ''}${e.message}`);
    return 1;
  }
  const { doc } = result;
  const input = parsed.input ?? [1, ...doc.input];
  const chain = chainLayers(doc);
  if (!chain) return graphSummary(doc, input);
  const { layers, names } = chain;
  const report = inferShapes(layers, input, { training: false });
  if (report.error) {
    console.error(shapeFailure(report, layers, names));
    return 1;
  }
  console.log(formatSummary(summarize(layers, input, names)));
  return 0;
}
