// Seeded random valid model documents, for round-trip tests.
import { newModelDocument } from '../../../src/core/model/model-json.ts';
import type { ModelDocument } from '../../../src/core/model/types.ts';
import { makeRng, randomLayer, type Rng } from './random-layers.ts';
import { defaultTrainingConfig } from '../../../src/core/run/training-config.ts';

const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));

export function randomDocument(seed: number): ModelDocument {
  const rng = makeRng(seed);
  const n = int(rng, 0, 12);
  const layers = Array.from({ length: n }, () => randomLayer(rng));
  const input = rng() < 0.7 ? [int(rng, 1, 4), int(rng, 1, 64), int(rng, 1, 64)] : [int(rng, 1, 4096)];
  const names = rng() < 0.4 ? layers.map((l, i) => `${l.type.toLowerCase()}_${i}`) : null;
  const doc: ModelDocument = newModelDocument(input, layers, names);
  if (rng() < 0.5) doc.className = pickName(rng);
  if (rng() < 0.5) {
    const positions = Object.fromEntries(doc.modules.map((m) => [m.name, { x: int(rng, -500, 500), y: rng() * 1000 }]));
    doc.editor = rng() < 0.5 ? { positions, input: { x: 0.5, y: -12.25 } } : { positions };
  }
  if (rng() < 0.3)
    doc.metadata = { name: 'run "α" \\ 1\n', created: '2025-01-02T03:04:05Z', tags: ['x', 1, null, { deep: [true] }] };
  if (rng() < 0.3)
    doc.training = {
      ...defaultTrainingConfig(),
      optimizer: { type: 'Adam', lr: 1e-3, betas: [0.9, 0.999] },
      epochs: 3,
    };
  return doc;
}

function pickName(rng: Rng): string {
  const names = ['BS', 'Model', 'Net', 'MnistConvNet', '_Private', 'A1'];
  return names[Math.floor(rng() * names.length)];
}
