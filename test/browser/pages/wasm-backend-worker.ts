// Worker for the wasm backend browser test: trains one small ConvNet on fixed data with the
// TS reference backend and with the wasm backend (on the requested threads), and optionally
// times training steps of the seed's BS model. Posts one WasmReport.
import { TEMPLATES } from '../../../src/core/model/templates.ts';
import type { LayerSpec } from '../../../src/core/model/types.ts';
import { useBackend } from '../../../src/engine/backend.ts';
import { createLoss } from '../../../src/engine/losses.ts';
import { createOptimizer } from '../../../src/engine/optim/index.ts';
import { Rng } from '../../../src/engine/rng.ts';
import { Sequential } from '../../../src/engine/sequential.ts';
import type { IntTensor, Tensor } from '../../../src/engine/tensor.ts';
import { chainLayers } from '../../../src/core/model/chain.ts';

export interface WasmRequest {
  threads: number;
  steps: number;
  bench?: { batch: number; steps: number };
}
export interface WasmReport {
  isolated: boolean;
  ts: number[];
  wasm: number[];
  description: string;
  threads: number;
  note: string | null;
  /** BS model training images/s on the wasm backend, when asked. */
  benchImagesPerSecond?: number;
  error?: string;
}

const LAYERS: LayerSpec[] = [
  { type: 'Conv2d', in_channels: 3, out_channels: 8, kernel_size: 5, padding: 2 },
  { type: 'ReLU' },
  { type: 'MaxPool2d', kernel_size: 2 },
  { type: 'Conv2d', in_channels: 8, out_channels: 16, kernel_size: 3, padding: 1 },
  { type: 'MaxPool2d', kernel_size: 2 },
  { type: 'Flatten' },
  { type: 'Linear', in_features: 16 * 4 * 4, out_features: 10 },
];

function batch(n: number, shape: number[], seed: number): { x: Tensor; y: IntTensor } {
  const rng = new Rng(seed),
    per = shape.reduce((a, b) => a * b, 1);
  const y = Int32Array.from({ length: n }, () => rng.int(10));
  // class-dependent mean so the loss can fall
  const x = Float32Array.from({ length: n * per }, (_, i) => rng.normal() * 0.5 + (y[Math.floor(i / per)] - 4.5) * 0.1);
  return { x: { shape: [n, ...shape], data: x }, y: { shape: [n], data: y } };
}

function train(layers: LayerSpec[], input: number[], n: number, steps: number): { losses: number[]; ms: number } {
  const model = new Sequential(layers, { seed: 1 });
  const loss = createLoss({ type: 'CrossEntropyLoss' });
  const opt = createOptimizer({ type: 'SGD', lr: 0.05, momentum: 0.9 }, model.parameters());
  const losses: number[] = [];
  let ms = 0;
  for (let s = 0; s < steps; s++) {
    const { x, y } = batch(n, input, 100 + (s % 4));
    const t0 = performance.now();
    const value = loss.forward(model.forwardView(x), y);
    opt.zeroGrad();
    model.backwardParams(loss.backward());
    opt.step();
    if (s > 0) ms += performance.now() - t0;
    losses.push(value.data[0]);
  }
  return { losses, ms };
}

self.onmessage = async (e: MessageEvent<WasmRequest>) => {
  const { threads, steps, bench } = e.data;
  try {
    await useBackend({ backend: 'ts' });
    const ts = train(LAYERS, [3, 16, 16], 16, steps).losses;
    const b = await useBackend({ backend: 'wasm', threads });
    const wasm = train(LAYERS, [3, 16, 16], 16, steps).losses;
    const report: WasmReport = {
      isolated: crossOriginIsolated,
      ts,
      wasm,
      description: b.description,
      threads: b.threads,
      note: (b as { note?: string | null }).note ?? null,
    };
    if (bench) {
      const bs = TEMPLATES.find((t) => t.id === 'cifar10-bs')!;
      const r = train(chainLayers(bs.doc)!.layers, bs.doc.input, bench.batch, bench.steps + 1);
      report.benchImagesPerSecond = Math.round(((bench.batch * bench.steps) / (r.ms / 1000)) * 10) / 10;
    }
    await useBackend({ backend: 'ts' });
    self.postMessage(report);
  } catch (err) {
    self.postMessage({
      isolated: crossOriginIsolated,
      ts: [],
      wasm: [],
      description: '',
      threads: 0,
      note: null,
      error: String(err),
    } satisfies WasmReport);
  }
};
