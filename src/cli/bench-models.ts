// The bench beyond the seed's BS model: every template that is a graph (the ResNet-20-style
// CIFAR-10 net, the Inception-style net …) and any model file given with --model, each
// trained at batch 64 (4 with --quick) on every configuration, with its memory over many
// steps (flat: a graph reuses its buffers like a chain).
import { readFileSync } from 'node:fs';
import { chainLayers } from '../core/model/chain.ts';
import { parseModelDocument } from '../core/model/model-json.ts';
import type { ModelDocument } from '../core/model/module-types.ts';
import { TEMPLATES } from '../core/model/templates.ts';
import { modelFromDocument } from '../engine/model.ts';
import {
  flopsPerImage,
  measureInference,
  measureMemory,
  measureTrain,
  RATIO_REPS,
  memoryLine,
  round,
  timingLine,
  type BenchModel,
  type Memory,
  type Timing,
} from './bench-measure.ts';

export interface ModelRun {
  id: string;
  title: string;
  mflopsPerImage: { forward: number; train: number };
  train: Timing;
  inference: Timing;
  memory: Memory;
}

export function benchModelOf(id: string, title: string, doc: ModelDocument): BenchModel {
  return { id, title, build: () => ({ model: modelFromDocument(doc, { seed: 0 }), input: doc.input }) };
}

function readModel(file: string): ModelDocument {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`bench: cannot read --model ${file}: ${(e as Error).message}`);
  }
  const parsed = parseModelDocument(text);
  if (!parsed.ok)
    throw new Error(`bench: --model ${file}: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  return parsed.doc;
}

/** The graph templates, then the model files, in order. */
export function otherModels(files: string[]): BenchModel[] {
  const graphs = TEMPLATES.filter((t) => !chainLayers(t.doc)).map((t) => benchModelOf(t.id, t.title, t.doc));
  return [...graphs, ...files.map((f) => benchModelOf(f, f, readModel(f)))];
}

/** Each model's training speed and memory on the active backend. */
export function measureModels(
  models: BenchModel[],
  quick: boolean,
  arena: (() => number) | undefined,
  log: (s: string) => void,
): ModelRun[] {
  return models.map((m) => {
    const { model, input } = m.build();
    const flops = flopsPerImage(model, input);
    const train = measureTrain(m, quick ? 4 : 64, quick ? 2 : RATIO_REPS, flops.train);
    log(timingLine(`${m.title}: train step`, train));
    const inference = measureInference(m, quick ? 4 : 64, quick ? 2 : RATIO_REPS, flops.forward);
    log(timingLine(`${m.title}: inference `, inference));
    const memory = measureMemory(m, quick ? 1 : 4, quick ? 30 : 60, arena);
    log(`${m.title}: ${memoryLine(memory)}`);
    return {
      id: m.id,
      title: m.title,
      mflopsPerImage: { forward: round(flops.forward / 1e6, 2), train: round(flops.train / 1e6, 2) },
      train,
      inference,
      memory,
    };
  });
}

/** One row per model, one column per configuration: train img/s at the models' batch. */
export function modelsTable(runs: { backend: string; threads: number; models: ModelRun[] }[]): string {
  const first = runs[0]?.models ?? [];
  if (!first.length) return '';
  const head = [
    'model',
    'MFLOP/img (fwd)',
    ...runs.map((r) => `${r.backend} ×${r.threads} train b${first[0].train.batch}`),
  ];
  const rows = first.map((m, i) => [
    m.title,
    m.mflopsPerImage.forward.toFixed(1),
    ...runs.map((r) => r.models[i]?.train.imagesPerSecond.toFixed(1) ?? '—'),
  ]);
  return [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
