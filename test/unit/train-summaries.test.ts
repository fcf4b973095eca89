// The pieces behind our training's summaries: make_grid's layout and scaling, PNG files
// that decode to the grid's pixels, histograms with runs of empty buckets merged (same
// counts, same edges), our add_graph record as a GraphDef that reads back the same, and
// a continued run's summaries after its parent's steps and epochs.
import { inflateSync } from 'node:zlib';
import { expect, test } from 'vitest';
import { encodePng } from '../../src/core/formats/png.ts';
import { imageGrid } from '../../src/core/run/image-grid.ts';
import { histogramEvery, histogramsAt } from '../../src/core/run/summary-tags.ts';
import { histogramOf, mergeEmptyBuckets } from '../../src/core/formats/tfevents/histogram.ts';
import { decodeGraphDef } from '../../src/core/formats/tfevents/graph-def.ts';
import { graphDefToModules } from '../../src/core/formats/tfevents/graph-to-modules.ts';
import { moduleGraphToGraphDef } from '../../src/core/formats/tfevents/modules-to-graph-def.ts';
import { buildModuleGraph, type ModuleGraph, type ModuleNode } from '../../src/core/model/module-graph.ts';
import { templateDocument } from '../../src/core/model/templates.ts';
import { resnetDoc } from './helpers/resnet-doc.ts';
import { newModelDocument } from '../../src/core/model/model-json.ts';
import { defaultTrainingConfig, type TrainingConfig } from '../../src/core/run/training-config.ts';
import { prepareRun } from '../../src/engine/prepare-run.ts';
import { SummaryRecorder } from '../../src/engine/run-summaries.ts';
import { syntheticDataset } from '../../src/engine/synthetic-dataset.ts';

test('imageGrid lays tiles out as make_grid (8 per row, 2 px padding) and scales them to 0…255', () => {
  // 10 grey 2×3 images, image i filled with i
  const data = Float32Array.from({ length: 10 * 6 }, (_, k) => Math.floor(k / 6));
  const g = imageGrid({ data, count: 10, channels: 1, height: 2, width: 3 });
  expect([g.width, g.height, g.channels]).toEqual([8 * 5 + 2, 2 * 4 + 2, 1]);
  const at = (x: number, y: number) => g.data[y * g.width + x];
  expect(at(0, 0)).toBe(0); // padding
  expect(at(2, 2)).toBe(0); // image 0 is the minimum
  expect(at(2 + 5, 2)).toBe(Math.round(255 / 9)); // image 1
  expect(at(2 + 5, 2 + 4)).toBe(255); // image 9 (second row, second tile) is the maximum
  // scale_each: every constant tile has no range → 0
  expect(Math.max(...imageGrid({ data, count: 10, channels: 1, height: 2, width: 3 }, { scaleEach: true }).data)).toBe(
    0,
  );
  // 2 channels are averaged to grey; 3 stay RGB
  expect(imageGrid({ data: new Float32Array(2 * 4), count: 1, channels: 2, height: 2, width: 2 }).channels).toBe(1);
  expect(imageGrid({ data: new Float32Array(3 * 4), count: 1, channels: 3, height: 2, width: 2 }).channels).toBe(3);
});

test('encodePng writes a PNG whose IDAT inflates to the pixels (filter 0 per row)', async () => {
  const pixels = { width: 3, height: 2, channels: 3 as const, data: Uint8Array.from({ length: 18 }, (_, i) => i * 14) };
  const png = await encodePng(pixels);
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const dv = new DataView(png.buffer, png.byteOffset);
  const chunks: Record<string, Uint8Array> = {};
  for (let at = 8; at < png.length;) {
    const len = dv.getUint32(at);
    chunks[new TextDecoder().decode(png.subarray(at + 4, at + 8))] = png.subarray(at + 8, at + 8 + len);
    at += 12 + len;
  }
  expect(Object.keys(chunks)).toEqual(['IHDR', 'IDAT', 'IEND']);
  const ihdr = new DataView(chunks.IHDR.buffer, chunks.IHDR.byteOffset);
  expect([ihdr.getUint32(0), ihdr.getUint32(4), chunks.IHDR[8], chunks.IHDR[9]]).toEqual([3, 2, 8, 2]);
  const raw = inflateSync(chunks.IDAT);
  expect([...raw]).toEqual([0, ...pixels.data.subarray(0, 9), 0, ...pixels.data.subarray(9)]);
  await expect(encodePng({ ...pixels, width: 4 })).rejects.toThrow('18 bytes for 4×2×3 pixels');
});

test('histograms every ceil(steps / 50) steps and at the last; merged empty buckets keep every count and edge', () => {
  expect([histogramEvery(10), histogramEvery(50), histogramEvery(51), histogramEvery(1000)]).toEqual([1, 1, 2, 20]);
  const at = Array.from({ length: 100 }, (_, s) => s).filter((s) => histogramsAt(s, 100));
  expect(at).toEqual([...Array.from({ length: 50 }, (_, i) => 2 * i), 99]);
  expect(Array.from({ length: 60 }, (_, s) => s).filter((s) => histogramsAt(s, 60))).toHaveLength(31);

  const h = histogramOf([-0.5, -0.49, 1e-6, 0.3, 0.31, 0.3]);
  const m = mergeEmptyBuckets(h);
  expect(m.bucket.length).toBeLessThan(h.bucket.length / 4);
  expect(m.bucket.reduce((a, b) => a + b)).toBe(6);
  // each non-empty bucket keeps its edges: the same (left, right] with the same count
  const nonEmpty = (x: typeof h) =>
    x.bucket.flatMap((c, i) => (c ? [[x.bucketLimit[i - 1] ?? -Infinity, x.bucketLimit[i], c]] : []));
  expect(nonEmpty(m)).toEqual(nonEmpty(h));
  expect([m.min, m.max, m.num, m.sum]).toEqual([h.min, h.max, h.num, h.sum]);
});

const leafIds = (n: ModuleNode): string[] => (n.children.length ? n.children.flatMap(leafIds) : [n.id]);
const edgeSet = (g: ModuleGraph) => g.edges.map((e) => `${e.from}->${e.to} [${e.shape.join(',')}]`).sort();

test.each([
  ['a chain (MNIST ConvNet)', () => buildModuleGraph(templateDocument('mnist-convnet'), [2, 1, 28, 28])],
  ['a graph (a small ResNet)', () => buildModuleGraph(resnetDoc(1, 4, [3, 4, 4]), [2, 3, 8, 8])],
])('our add_graph record of %s leaves as a GraphDef that reads back with the same modules and edges', (_, make) => {
  const graph = make();
  const back = graphDefToModules(decodeGraphDef(moduleGraphToGraphDef(graph)));
  expect(leafIds(back.root)).toEqual(leafIds(graph.root));
  expect(back.root.id).toBe(graph.root.id);
  expect(edgeSet(back)).toEqual(edgeSet(graph));
  expect(back.input).toEqual(graph.input);
});

test('a continued run logs its summaries after its parent: histograms from the parent’s step, the test at its epochs', async () => {
  const doc = newModelDocument(
    [1, 4, 4],
    [
      { type: 'Conv2d', in_channels: 1, out_channels: 2, kernel_size: 3 },
      { type: 'Flatten' },
      { type: 'Linear', in_features: 8, out_features: 2 },
    ],
  );
  const config: TrainingConfig = {
    ...defaultTrainingConfig('synthetic'),
    optimizer: { type: 'SGD', lr: 0.1 },
    batchSize: 10,
    epochs: 2,
    valSplit: 0,
  };
  const run = prepareRun(doc, config, syntheticDataset({ input: doc.input, classes: 2, train: 30, test: 10, seed: 1 }));
  const recorder = new SummaryRecorder(run.model, {
    totalSteps: run.totalSteps,
    classes: ['no', 'yes'],
    offsets: { step: 100, epoch: 7 },
  });
  const result = await run.train({ observer: recorder });
  recorder.finish(result.steps - 1);
  await run.evaluateTest(undefined, recorder.testObserver());
  recorder.afterTest(result.epochs.length);
  const logged = await recorder.drain();
  const stepsOf = (tag: string) => logged.filter((s) => s.tag === tag).map((s) => s.step);
  expect(stepsOf('weights/0.weight')).toEqual([100, 101, 102, 103, 104, 105]);
  expect(stepsOf('grads/2.bias')).toEqual([100, 101, 102, 103, 104, 105]);
  expect(stepsOf('images/inputs')).toEqual([100]);
  expect(stepsOf('filters/0.weight')).toEqual([102, 105]);
  expect(stepsOf('pr_curve/no')).toEqual([9]);
  expect(stepsOf('pr_curve/yes')).toEqual([9]);
  // handed out once
  expect(recorder.take()).toEqual([]);
});
