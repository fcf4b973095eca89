// The bench's measurements on any engine model: timed training steps and inference
// (medians after warm-up, with the CPU share as a load indicator), memory over many steps
// (buffers are allocated once, so heap and array buffers after a GC must not grow), FLOPs.
import v8 from 'node:v8';
import vm from 'node:vm';
import { createLoss } from '../engine/losses.ts';
import type { Model } from '../engine/model.ts';
import { createOptimizer } from '../engine/optim/index.ts';
import type { IntTensor, Tensor } from '../engine/tensor.ts';

/** A model to measure: `build` makes a fresh one (seeded) with its per-image input shape. */
export interface BenchModel {
  id: string;
  title: string;
  build: () => { model: Model; input: number[] };
}

/** cpuShare: CPU time / wall time while timing — well under 1 means other processes took the cores. */
export interface Timing {
  batch: number;
  imagesPerSecond: number;
  msPerStep: number;
  gflops: number;
  reps: number;
  cpuShare: number;
}
export interface Memory {
  steps: number;
  batch: number;
  rssPeakMB: number;
  /** WebAssembly memory of the wasm backend after step 20 and at the end (it only grows when a call needs more). */
  arenaMB?: { step20: number; step200: number };
  heapUsedMB: { step20: number; step200: number };
  arrayBuffersMB: { step20: number; step200: number };
  rssMB: { step20: number; step200: number };
}

const MB = 1024 * 1024;
export const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/** A full GC, when Node lets us reach it: makes heap samples comparable. */
export function collector(): () => void {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    // twice: array buffers freed by the first collection are released by the next
    return () => {
      gc();
      gc();
    };
  } catch {
    return () => {};
  }
}

/** Multiply-add FLOPs (2 per MAC) of the Conv2d and Linear layers for one image: forward, and a training step. */
export function flopsPerImage(model: Model, input: number[]): { forward: number; train: number } {
  let forward = 0,
    train = 0;
  for (const { node, resolved: r, output: out } of model.nodeShapes([1, ...input])) {
    let macs = 0;
    if (r?.type === 'Conv2d') macs = out[1] * out[2] * out[3] * (r.in_channels / r.groups) * r.kernel[0] * r.kernel[1];
    if (r?.type === 'Linear') macs = r.in_features * r.out_features;
    forward += 2 * macs;
    // backward: the weight gradient, and the input gradient except for layers reading the model input
    train += 2 * macs * (node.inputs[0] === 'input' ? 2 : 3);
  }
  return { forward, train };
}

/** A fixed pseudo-random batch: inputs in [−1, 1), class targets cycling through `classes`. */
export function batchOf(n: number, input: number[], classes = 10): { x: Tensor; y: IntTensor } {
  const per = input.reduce((a, b) => a * b, 1);
  let s = 12345;
  const x = Float32Array.from({ length: n * per }, () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1);
  return {
    x: { shape: [n, ...input], data: x },
    y: { shape: [n], data: Int32Array.from({ length: n }, (_, i) => i % classes) },
  };
}

/** The model's class count: its output width for one image. */
function classesOf(model: Model, input: number[]): number {
  const out = model.outputShape([1, ...input]);
  return out.length === 2 ? out[1] : 10;
}

export function trainer(model: Model) {
  const loss = createLoss({ type: 'CrossEntropyLoss' });
  const opt = createOptimizer({ type: 'SGD', lr: 0.01, momentum: 0.9 }, model.parameters());
  return (x: Tensor, y: IntTensor) => {
    const out = model.forwardView(x);
    loss.forward(out, y);
    opt.zeroGrad();
    model.backwardParams(loss.backward());
    opt.step();
  };
}

/** Wall-clock ms of each timed repetition, and the CPU share over them. */
export function time(run: () => void, warmup: number, reps: number): { ms: number; cpuShare: number } {
  for (let i = 0; i < warmup; i++) run();
  const out: number[] = [];
  const cpu0 = process.cpuUsage(),
    wall0 = performance.now();
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    run();
    out.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpu0),
    wall = performance.now() - wall0;
  return { ms: median(out), cpuShare: round((cpu.user + cpu.system) / 1000 / wall) };
}

export function timing(batch: number, reps: number, flops: number, t: { ms: number; cpuShare: number }): Timing {
  return {
    batch,
    imagesPerSecond: round((batch / t.ms) * 1000, 1),
    msPerStep: round(t.ms, 1),
    gflops: round((flops * batch) / t.ms / 1e6),
    reps,
    cpuShare: t.cpuShare,
  };
}

/** Timed repetitions at batch 64, ours and PyTorch's alike (after 2 warm-up steps): the ratios compare like with like. */
export const RATIO_REPS = 10;

/** Warm-up runs before timing: more for small batches, whose steps are short. */
const warmupFor = (batch: number) => (batch >= 16 ? 2 : 5);

/** Median training step (forward, CrossEntropyLoss, zero_grad, backward, SGD step) of a fresh model. */
export function measureTrain(bench: BenchModel, batch: number, reps: number, flops: number): Timing {
  const { model, input } = bench.build();
  const { x, y } = batchOf(batch, input, classesOf(model, input));
  const step = trainer(model);
  return timing(
    batch,
    reps,
    flops,
    time(() => step(x, y), warmupFor(batch), reps),
  );
}

export function measureInference(bench: BenchModel, batch: number, reps: number, flops: number): Timing {
  const { model, input } = bench.build();
  model.eval();
  const { x } = batchOf(batch, input);
  return timing(
    batch,
    reps,
    flops,
    time(() => model.forwardView(x), warmupFor(batch), reps),
  );
}

/** Memory over `steps` training steps: heap and array buffers after a GC at step 20 and at the end must match. */
export function measureMemory(bench: BenchModel, batch: number, steps: number, arena?: () => number): Memory {
  const gc = collector();
  gc(); // the earlier measurements' models are garbage now
  const { model, input } = bench.build();
  const { x, y } = batchOf(batch, input, classesOf(model, input));
  const step = trainer(model);
  let rssPeak = 0;
  const at: Record<number, NodeJS.MemoryUsage> = {},
    arenaAt: Record<number, number> = {};
  const mark = Math.min(20, steps);
  for (let i = 1; i <= steps; i++) {
    step(x, y);
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    if (i === mark || i === steps) {
      gc();
      at[i] = process.memoryUsage();
      arenaAt[i] = arena?.() ?? 0;
    }
  }
  const pick = (f: (m: NodeJS.MemoryUsage) => number) => ({
    step20: round(f(at[mark]) / MB, 1),
    step200: round(f(at[steps]) / MB, 1),
  });
  const memory: Memory = {
    steps,
    batch,
    rssPeakMB: round(rssPeak / MB, 1),
    heapUsedMB: pick((m) => m.heapUsed),
    arrayBuffersMB: pick((m) => m.arrayBuffers),
    rssMB: pick((m) => m.rss),
  };
  if (arena) memory.arenaMB = { step20: round(arenaAt[mark] / MB, 1), step200: round(arenaAt[steps] / MB, 1) };
  return memory;
}

export function memoryLine(m: Memory): string {
  const arena = m.arenaMB ? `, wasm arena ${m.arenaMB.step20} → ${m.arenaMB.step200} MB` : '';
  return (
    `memory over ${m.steps} training steps at batch ${m.batch}: peak RSS ${m.rssPeakMB} MB; after GC at step ${Math.min(20, m.steps)} → step ${m.steps}:` +
    ` heap ${m.heapUsedMB.step20} → ${m.heapUsedMB.step200} MB, array buffers ${m.arrayBuffersMB.step20} → ${m.arrayBuffersMB.step200} MB, RSS ${m.rssMB.step20} → ${m.rssMB.step200} MB${arena}`
  );
}

export const timingLine = (what: string, r: Timing) =>
  `${what} batch ${String(r.batch).padStart(3)}: ${r.imagesPerSecond.toFixed(1).padStart(7)} images/s  ${r.msPerStep.toFixed(1).padStart(8)} ms  ${r.gflops.toFixed(2).padStart(6)} GFLOP/s  (median of ${r.reps}, cpu share ${r.cpuShare})`;
