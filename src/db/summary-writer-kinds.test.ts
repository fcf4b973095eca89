// The SummaryWriter's add_histogram, add_image and add_pr_curve: stored as TensorBoard
// encodes them, exported in the run's event file, and read back by our decoders.
import 'fake-indexeddb/auto';
import { expect, test } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createDatabase } from './schema.ts';
import { RunRepository } from './runs.ts';
import { SummaryWriter } from './summary-writer.ts';
import { runEventFile } from './tfevents-exchange.ts';
import {
  histogramOfValue,
  imageOfValue,
  prCurveOfValue,
  readEventFile,
  textOfValue,
} from '../core/formats/tfevents/index.ts';
import { newModelDocument } from '../core/model/model-json.ts';
import { buildModuleGraph } from '../core/model/module-graph.ts';
import { defaultTrainingConfig } from '../core/run/training-config.ts';

test('histograms, images, PR curves and text of a run reach its event file', async () => {
  const db = createDatabase('writer-kinds', { indexedDB: new IDBFactory(), IDBKeyRange });
  const runs = new RunRepository(db, () => 'r1');
  await runs.create({
    projectId: null,
    name: 'r',
    doc: newModelDocument([4]),
    config: { ...defaultTrainingConfig(), optimizer: { type: 'SGD', lr: 0.1 } },
  });
  const w = new SummaryWriter(db, 'r1');
  await w.addHistogram('weights/0.weight', Float32Array.of(-1, 0.5, 0.25, 2), 9);
  await w.addImage(
    'inputs',
    { width: 1, height: 1, colorspace: 1, encoded: Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 1, 2, 3) },
    0,
  );
  await w.addPrCurve('pr/cat', [true, false], [0.8, 0.3], 9, 5);
  await w.addText('model', '    Linear(4, 2)');
  await w.addHparams({ optimizer: { type: 'SGD', lr: 0.1 } }, { 'accuracy/test': 0.9 });
  await w.addGraph(
    buildModuleGraph(newModelDocument([4], [{ type: 'Linear', in_features: 4, out_features: 2 }]), [1, 4]),
  );
  const stored = await runs.summaries('r1', 'histogram');
  expect(stored.map((s) => [s.tag, s.step])).toEqual([['weights/0.weight', 9]]);
  expect(histogramOfValue(stored[0].value)).toMatchObject({ num: 4, min: -1, max: 2, sum: 1.75 });

  const { summaries, problems, events } = readEventFile((await runEventFile(db, 'r1')).bytes);
  expect(problems).toEqual([]);
  // our add_graph record leaves as a GraphDef: the input, the Linear, the output
  expect(events.find((e) => e.graph)!.graph!.map((n) => n.op)).toEqual(['IO Node', 'aten::linear', 'IO Node']);
  expect(summaries.map((s) => s.kind).sort()).toEqual([
    'histogram',
    'hparams',
    'hparams',
    'hparams',
    'image',
    'pr_curve',
    'text',
  ]);
  expect([...imageOfValue(summaries.find((s) => s.kind === 'image')!.value)!.encoded]).toEqual([
    0x89, 0x50, 0x4e, 0x47, 1, 2, 3,
  ]);
  expect(prCurveOfValue(summaries.find((s) => s.kind === 'pr_curve')!.value)!.tp).toHaveLength(5);
  expect(textOfValue(summaries.find((s) => s.kind === 'text')!.value)).toEqual(['    Linear(4, 2)']);
  db.close();
});
