import { describe, expect, test, vi } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTrain } from '../../src/cli/train.ts';
import { readEventFile } from '../../src/core/formats/tfevents/index.ts';
import { parseRunFile } from '../../src/db/run-file.ts';
import { serializeModelDocument, newModelDocument } from '../../src/core/model/model-json.ts';
import type { ModelDocument } from '../../src/core/model/types.ts';

const model = newModelDocument(
  [4],
  [
    { type: 'Linear', in_features: 4, out_features: 8 },
    { type: 'ReLU' },
    { type: 'Linear', in_features: 8, out_features: 3 },
  ],
);

async function train(args: string[]): Promise<number> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    return await runTrain(args);
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

describe('layerboard train --logdir', () => {
  test('writes a TensorBoard event file and a run file with the same scalars', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lb-logs-'));
    writeFileSync(join(dir, 'm.json'), serializeModelDocument(model));
    const code = await train([
      join(dir, 'm.json'),
      '--dataset',
      'synthetic',
      '--lr',
      '0.1',
      '--epochs',
      '2',
      '--train-size',
      '200',
      '--test-size',
      '50',
      '--batch-size',
      '20',
      '--logdir',
      join(dir, 'logs'),
      '--name',
      'tiny',
    ]);
    expect(code).toBe(0);
    const eventsFile = readdirSync(join(dir, 'logs', 'tiny'))[0];
    const { scalars, problems } = readEventFile(new Uint8Array(readFileSync(join(dir, 'logs', 'tiny', eventsFile))));
    expect(problems).toEqual([]);
    const parsed = parseRunFile(readFileSync(join(dir, 'logs', 'tiny.layerboard-run.json'), 'utf8'));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const file = parsed.file;
    expect(file.run.status).toBe('finished');
    const lossEvents = scalars.filter((s) => s.tag === 'loss/train');
    expect(lossEvents.length).toBe(18); // 2 epochs × 9 batches (180 of 200 after the 10% validation split)
    expect(file.scalars['loss/train'].value).toEqual(lossEvents.map((s) => Math.fround(s.value)));
    expect(Object.keys(file.scalars).sort()).toEqual([
      'accuracy/test',
      'accuracy/train',
      'accuracy/val',
      'loss/test',
      'loss/train',
      'loss/val',
      'lr',
      'throughput/images_per_sec',
    ]);
    expect((file.graph as { root: { type: string } }).root.type).toBe('Model');
    expect(file.hparams?.metrics['accuracy/test']).toBeGreaterThan(0);
  });
  test('a graph model (residual add) logs its add_graph record too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lb-logs-'));
    const residual: ModelDocument = {
      format: 'layerboard-model',
      version: 2,
      className: 'Residual',
      input: [4],
      modules: [
        { name: 'fc1', layer: { type: 'Linear', in_features: 4, out_features: 4 } },
        { name: 'fc2', layer: { type: 'Linear', in_features: 4, out_features: 3 } },
      ],
      forward: {
        nodes: [
          { name: 'fc1', call: 'fc1', inputs: ['input'] },
          { name: 'act', apply: { type: 'ReLU' }, inputs: ['fc1'] },
          { name: 'sum', op: 'add', inputs: ['act', 'input'] },
          { name: 'fc2', call: 'fc2', inputs: ['sum'] },
        ],
        output: 'fc2',
      },
    };
    writeFileSync(join(dir, 'g.json'), serializeModelDocument(residual));
    const code = await train([
      join(dir, 'g.json'),
      '--dataset',
      'synthetic',
      '--lr',
      '0.1',
      '--epochs',
      '1',
      '--train-size',
      '40',
      '--test-size',
      '10',
      '--batch-size',
      '10',
      '--logdir',
      join(dir, 'logs'),
      '--name',
      'res',
    ]);
    expect(code).toBe(0);
    const parsed = parseRunFile(readFileSync(join(dir, 'logs', 'res.layerboard-run.json'), 'utf8'));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const graph = parsed.file.graph as { root: { type: string; outputShape: number[]; children: { name: string }[] } };
    expect(graph.root.type).toBe('Residual');
    expect(graph.root.outputShape).toEqual([10, 3]);
    expect(graph.root.children.map((c) => c.name)).toEqual(expect.arrayContaining(['fc1', 'fc2']));
  });
});
