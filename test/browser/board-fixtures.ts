// Run files for the board's browser tests and benchmark: finished runs of the seed's
// BS model with a logged add_graph record and deterministic loss/accuracy curves.
import { buildModuleGraph } from '../../src/core/model/module-graph.ts';
import { templateDocument } from '../../src/core/model/templates.ts';
import { toJsonNumber, type RunFile, type RunFileSeries } from '../../src/db/run-file.ts';
import { defaultTrainingConfig, type TrainingConfig } from '../../src/core/run/training-config.ts';

export interface FixtureRun {
  id: string;
  name: string;
  /** Learning rate: sets how fast the loss falls. */
  lr: number;
  steps?: number;
  created?: number;
  status?: RunFile['run']['status'];
  /** Also log loss/val per epoch and a stepped lr schedule (screenshots). */
  rich?: boolean;
  /** The optimizer named in the run's hparams (the HParams filter's discrete column); SGD if not given. */
  optimizer?: string;
}

/** Loss after `step` steps: an exponential fall with deterministic noise. */
export function fixtureLoss(lr: number, step: number): number {
  const noise = Math.abs(Math.sin(step * 12.9898 + lr * 78.233) * 43758.5453) % 1;
  return 2.3 * Math.exp((-lr * step) / 40) + 0.15 + 0.18 * (noise - 0.5) * Math.exp(-step / 2000);
}

export function fixtureRunFile(r: FixtureRun): RunFile {
  const steps = r.steps ?? 200;
  const created = r.created ?? Date.UTC(2026, 0, 5, 10, 0, 0);
  const wall0 = created / 1000;
  const loss: RunFileSeries = { step: [], wallTime: [], value: [] };
  for (let s = 0; s < steps; s++) {
    loss.step.push(s);
    loss.wallTime.push(wall0 + s * 0.25);
    loss.value.push(toJsonNumber(fixtureLoss(r.lr, s)));
  }
  const acc: RunFileSeries = { step: [], wallTime: [], value: [] };
  for (let e = 1; e <= 4; e++) {
    const s = Math.round((e * steps) / 4) - 1;
    acc.step.push(s);
    acc.wallTime.push(wall0 + s * 0.25 + 0.1);
    acc.value.push(Math.round((0.4 + 0.5 * (1 - Math.exp(-r.lr * e * 3))) * 1e4) / 1e4);
  }
  const scalars: Record<string, RunFileSeries> = { 'loss/train': loss, 'accuracy/val': acc };
  if (r.rich) {
    scalars['loss/val'] = {
      step: acc.step,
      wallTime: acc.wallTime,
      value: acc.step.map((s) => 0.1 + fixtureLoss(r.lr, s) * 0.9),
    };
    const lr: RunFileSeries = { step: [], wallTime: [], value: [] };
    for (let s = 0; s < steps; s += 5) {
      lr.step.push(s);
      lr.wallTime.push(wall0 + s * 0.25);
      lr.value.push(r.lr * 0.5 ** Math.floor((4 * s) / steps));
    }
    scalars.lr = lr;
  }
  const doc = templateDocument('cifar10-bs');
  const config: TrainingConfig = {
    ...defaultTrainingConfig('cifar10'),
    optimizer: { type: 'SGD', lr: r.lr, momentum: 0.9 },
    epochs: 4,
  };
  const hparams = {
    optimizer: r.optimizer ?? 'SGD',
    lr: r.lr,
    momentum: 0.9,
    batch_size: 64,
    epochs: 4,
    loss: 'CrossEntropyLoss',
  };
  const final = { 'accuracy/val': acc.value.at(-1) as number, 'loss/train': loss.value.at(-1) as number };
  return {
    format: 'layerboard-run',
    version: 1,
    run: {
      id: r.id,
      projectId: null,
      name: r.name,
      created,
      ended: created + steps * 250,
      status: r.status ?? 'finished',
      doc,
      config,
      metrics: final,
    },
    scalars,
    graph: buildModuleGraph(doc, [64, 3, 32, 32]),
    hparams: { hparams, metrics: final },
    texts: [],
  };
}

export function fixtureUpload(r: FixtureRun): { name: string; mimeType: string; buffer: Buffer } {
  return {
    name: `${r.id}.run.json`,
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(fixtureRunFile(r))),
  };
}
