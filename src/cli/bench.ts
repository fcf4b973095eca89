// `layerboard bench [--json] [--quick] [--backend ts|wasm|all] [--threads 1,2] [--peers …]`:
// engine speed and memory on the seed's CIFAR-10 BS model, per backend and thread count,
// beside TensorFlow.js on the same network (bench-tfjs.ts) measured in the same run. Full training
// steps (forward, CrossEntropyLoss, zero_grad, backward, SGD step) in images/second at batch
// 1, 16, 64 (and 256 on the wasm backend), inference at batch 64 — medians of timed
// repetitions after warm-up — and memory over 200 training steps (heap and array buffers
// after a GC at step 20 and step 200 must match: buffers are allocated once and reused);
// the wasm backend also trains batch 256 and reports its arena (WebAssembly memory) peak.
import os from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import { requireChain } from '../core/model/chain.ts';
import { TEMPLATES } from '../core/model/templates.ts';
import { useBackend, type Backend } from '../engine/backend.ts';
import { measureTfjs, type PeerRun } from './bench-tfjs.ts';
import { createLoss } from '../engine/losses.ts';
import { createOptimizer } from '../engine/optim/index.ts';
import type { Model } from '../engine/model.ts';
import { Sequential } from '../engine/sequential.ts';
import type { IntTensor, Tensor } from '../engine/tensor.ts';

/** cpuShare: CPU time / wall time while timing — well under 1 means other processes took the cores. */
interface Timing { batch: number; imagesPerSecond: number; msPerStep: number; gflops: number; reps: number; cpuShare: number }
interface Memory {
  steps: number; batch: number; rssPeakMB: number;
  /** WebAssembly memory of the wasm backend after step 20 and at the end (it only grows when a call needs more). */
  arenaMB?: { step20: number; step200: number };
  heapUsedMB: { step20: number; step200: number }; arrayBuffersMB: { step20: number; step200: number }; rssMB: { step20: number; step200: number };
}

const MB = 1024 * 1024;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

/** A full GC, when Node lets us reach it: makes heap samples comparable. */
function collector(): () => void {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    // twice: array buffers freed by the first collection are released by the next
    return () => { gc(); gc(); };
  } catch {
    return () => {};
  }
}

function bsModel(): { layers: Sequential; input: number[] } {
  const t = TEMPLATES.find((x) => x.id === 'cifar10-bs');
  if (!t) throw new Error("template 'cifar10-bs' is missing");
  return { layers: new Sequential(requireChain(t.doc, 'bench').layers, { seed: 0 }), input: t.doc.input };
}

/** Multiply-add FLOPs (2 per MAC) of the Conv2d and Linear layers for one image: forward, and a training step. */
function flopsPerImage(model: Model, input: number[]): { forward: number; train: number } {
  let forward = 0, train = 0;
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

function batchOf(n: number, input: number[]): { x: Tensor; y: IntTensor } {
  const per = input.reduce((a, b) => a * b, 1);
  let s = 12345;
  const x = Float32Array.from({ length: n * per }, () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1);
  return { x: { shape: [n, ...input], data: x }, y: { shape: [n], data: Int32Array.from({ length: n }, (_, i) => i % 10) } };
}

function trainer(model: Model) {
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
function time(run: () => void, warmup: number, reps: number): { ms: number; cpuShare: number } {
  for (let i = 0; i < warmup; i++) run();
  const out: number[] = [];
  const cpu0 = process.cpuUsage(), wall0 = performance.now();
  for (let i = 0; i < reps; i++) { const t = performance.now(); run(); out.push(performance.now() - t); }
  const cpu = process.cpuUsage(cpu0), wall = performance.now() - wall0;
  return { ms: median(out), cpuShare: round((cpu.user + cpu.system) / 1000 / wall) };
}

function timing(batch: number, reps: number, flops: number, t: { ms: number; cpuShare: number }): Timing {
  return { batch, imagesPerSecond: round(batch / t.ms * 1000, 1), msPerStep: round(t.ms, 1), gflops: round(flops * batch / t.ms / 1e6), reps, cpuShare: t.cpuShare };
}

function measureTrain(batch: number, reps: number, flops: number): Timing {
  const { layers: model, input } = bsModel();
  const { x, y } = batchOf(batch, input);
  const step = trainer(model);
  return timing(batch, reps, flops, time(() => step(x, y), batch >= 16 ? 1 : 5, reps));
}

function measureInference(batch: number, reps: number, flops: number): Timing {
  const { layers: model, input } = bsModel();
  model.eval();
  const { x } = batchOf(batch, input);
  return timing(batch, reps, flops, time(() => model.forwardView(x), 1, reps));
}

function measureMemory(batch: number, steps: number, arena?: () => number): Memory {
  const gc = collector();
  gc(); // the earlier measurements' models are garbage now
  const { layers: model, input } = bsModel();
  const { x, y } = batchOf(batch, input);
  const step = trainer(model);
  let rssPeak = 0;
  const at: Record<number, NodeJS.MemoryUsage> = {}, arenaAt: Record<number, number> = {};
  const mark = Math.min(20, steps);
  for (let i = 1; i <= steps; i++) {
    step(x, y);
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    if (i === mark || i === steps) { gc(); at[i] = process.memoryUsage(); arenaAt[i] = arena?.() ?? 0; }
  }
  const pick = (f: (m: NodeJS.MemoryUsage) => number) => ({ step20: round(f(at[mark]) / MB, 1), step200: round(f(at[steps]) / MB, 1) });
  const memory: Memory = { steps, batch, rssPeakMB: round(rssPeak / MB, 1), heapUsedMB: pick((m) => m.heapUsed), arrayBuffersMB: pick((m) => m.arrayBuffers), rssMB: pick((m) => m.rss) };
  if (arena) memory.arenaMB = { step20: round(arenaAt[mark] / MB, 1), step200: round(arenaAt[steps] / MB, 1) };
  return memory;
}

interface BackendRun { backend: string; threads: number; description: string; train: Timing[]; inference: Timing; memory: Memory; memoryBatch256?: Memory }

function memoryLine(m: Memory): string {
  const arena = m.arenaMB ? `, wasm arena ${m.arenaMB.step20} → ${m.arenaMB.step200} MB` : '';
  return `memory over ${m.steps} training steps at batch ${m.batch}: peak RSS ${m.rssPeakMB} MB; after GC at step ${Math.min(20, m.steps)} → step ${m.steps}:`
    + ` heap ${m.heapUsedMB.step20} → ${m.heapUsedMB.step200} MB, array buffers ${m.arrayBuffersMB.step20} → ${m.arrayBuffersMB.step200} MB, RSS ${m.rssMB.step20} → ${m.rssMB.step200} MB${arena}`;
}

const timingLine = (what: string, r: Timing) => `${what} batch ${String(r.batch).padStart(3)}: ${r.imagesPerSecond.toFixed(1).padStart(7)} images/s  ${r.msPerStep.toFixed(1).padStart(8)} ms  ${r.gflops.toFixed(2).padStart(6)} GFLOP/s  (median of ${r.reps}, cpu share ${r.cpuShare})`;

/** Every measurement on the active backend b. */
function measureBackend(b: Backend, flops: { forward: number; train: number }, quick: boolean, log: (s: string) => void): BackendRun {
  log(`\n== ${b.description}`);
  const arena = 'memoryBytes' in b ? () => (b as Backend & { memoryBytes: number }).memoryBytes : undefined;
  const batches = quick ? [[1, 3], [4, 3]] : [[1, 20], [16, 5], [64, 5], ...(b.name === 'wasm' ? [[256, 5]] : [])];
  const train: Timing[] = [];
  for (const [batch, reps] of batches) {
    const r = measureTrain(batch, reps, flops.train);
    train.push(r);
    log(timingLine('train step ', r));
  }
  const inference = measureInference(quick ? 4 : 64, quick ? 3 : 5, flops.forward);
  log(timingLine('inference  ', inference));
  const memory = measureMemory(quick ? 1 : 4, quick ? 40 : 200, arena);
  log(memoryLine(memory));
  const run: BackendRun = { backend: b.name, threads: b.threads, description: b.description, train, inference, memory };
  if (b.name === 'wasm' && !quick) {
    run.memoryBatch256 = measureMemory(256, 30, arena);
    log(memoryLine(run.memoryBatch256));
  }
  return run;
}

/** --backend ts|wasm|all and --threads 1,2 → the configurations to measure (default: ts, then wasm on 1 and 2 threads). */
function configurations(args: string[]): { backend: 'ts' | 'wasm'; threads: number }[] {
  const value = (flag: string) => { const i = args.indexOf(flag); return i >= 0 ? args[i + 1] : undefined; };
  const backend = value('--backend') ?? 'all';
  if (!['ts', 'wasm', 'all'].includes(backend)) throw new Error(`bench: --backend must be ts, wasm or all, got '${backend}'`);
  const threads = (value('--threads') ?? '1,2').split(',').map(Number);
  if (threads.some((t) => !Number.isInteger(t) || t < 1 || t > 64)) throw new Error(`bench: --threads takes thread counts like 1,2 (got '${value('--threads')}')`);
  const out: { backend: 'ts' | 'wasm'; threads: number }[] = [];
  if (backend !== 'wasm') out.push({ backend: 'ts', threads: 1 });
  if (backend !== 'ts') for (const t of threads) out.push({ backend: 'wasm', threads: t });
  return out;
}

const USAGE = 'usage: bench [--json] [--quick] [--backend ts|wasm|all] [--threads 1,2] [--peers tfjs-wasm,tfjs-cpu|none]';

/** --peers: TensorFlow.js configurations to measure (default both; none with --quick). */
function peerList(args: string[], quick: boolean): ('tfjs-wasm' | 'tfjs-cpu')[] {
  const i = args.indexOf('--peers'), v = i >= 0 ? args[i + 1] : quick ? 'none' : 'tfjs-wasm,tfjs-cpu';
  if (v === 'none') return [];
  const list = v.split(',');
  for (const p of list) if (p !== 'tfjs-wasm' && p !== 'tfjs-cpu') throw new Error(`bench: --peers takes tfjs-wasm, tfjs-cpu or none, got '${p}'`);
  return list as ('tfjs-wasm' | 'tfjs-cpu')[];
}

/** TensorFlow.js on the same network: its wasm backend at our batch 64, its (very slow) CPU backend at small batches. */
async function measurePeers(peers: ('tfjs-wasm' | 'tfjs-cpu')[], log: (s: string) => void): Promise<PeerRun[]> {
  const out: PeerRun[] = [];
  for (const p of peers) {
    const r = p === 'tfjs-wasm' ? await measureTfjs('wasm', [[64, 5]], [64, 5]) : await measureTfjs('cpu', [[2, 2]], [16, 3]);
    log(`\n== ${r.peer}: ${r.configuration}`);
    const line = (what: string, t: PeerRun['inference']) => `${what} batch ${String(t.batch).padStart(3)}: ${t.imagesPerSecond.toFixed(1).padStart(7)} images/s  ${t.msPerStep.toFixed(1).padStart(8)} ms  (median of ${t.reps}, cpu share ${t.cpuShare})`;
    for (const t of r.train) log(line('train step ', t));
    log(line('inference  ', r.inference));
    out.push(r);
  }
  return out;
}

export async function runBench(args: string[]): Promise<number> {
  const json = args.includes('--json'), quick = args.includes('--quick');
  const valued = new Set(['--backend', '--threads', '--peers']);
  const unknown = args.filter((a, i) => a !== '--json' && a !== '--quick' && !valued.has(a) && !valued.has(args[i - 1]));
  if (unknown.length) { console.error(`bench: unknown option ${unknown[0]} (${USAGE})`); return 2; }
  const configs = configurations(args), peerNames = peerList(args, quick);
  const t0 = performance.now();
  const { layers: model, input } = bsModel();
  const flops = flopsPerImage(model, input);
  const log = (s: string) => { if (!json) console.log(s); };
  log(`Layerboard engine bench: CIFAR-10 BS model, ${round(flops.forward / 1e6, 1)} MFLOP forward / ${round(flops.train / 1e6, 1)} MFLOP per training image`);
  log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}${quick ? ' (quick)' : ''}`);
  const runs: BackendRun[] = [];
  try {
    for (const c of configs) runs.push(measureBackend(await useBackend(c), flops, quick, log));
  } finally {
    await useBackend({ backend: 'ts' });
  }
  const peers = await measurePeers(peerNames, log);
  log(`\n${summaryTable(runs, peers)}`);
  const seconds = round((performance.now() - t0) / 1000, 1);
  log(`(${seconds} s)`);
  if (json) {
    console.log(JSON.stringify({
      model: 'cifar10-bs', node: process.version, cpu: os.cpus()[0]?.model ?? null, cores: os.cpus().length, quick,
      mflopsPerImage: { forward: round(flops.forward / 1e6, 2), train: round(flops.train / 1e6, 2) },
      // the first configuration's figures at the top level too, as before backends existed
      train: runs[0]?.train, inference: runs[0]?.inference, memory: runs[0]?.memory,
      runs, peers, seconds,
    }, null, 2));
  }
  return 0;
}

/**
 * One row per configuration — ours, then TensorFlow.js's — with train img/s per batch,
 * inference img/s, and the ratio of batch-64 training to TF.js's wasm backend (same run).
 */
function summaryTable(runs: BackendRun[], peers: PeerRun[]): string {
  const batches = [...new Set([...runs, ...peers].flatMap((r) => r.train.map((t) => t.batch)))].sort((a, b) => a - b);
  const tfjs = peers.find((p) => p.peer === 'tfjs-wasm')?.train.find((t) => t.batch === 64)?.imagesPerSecond;
  const head = ['engine', 'threads', ...batches.map((b) => `train b${b}`), 'infer (batch)', 'GFLOP/s b64', ...(tfjs ? ['b64 vs tfjs-wasm'] : [])];
  const row = (name: string, threads: string, train: { batch: number; imagesPerSecond: number; gflops?: number }[], infer: { batch: number; imagesPerSecond: number }) => {
    const at = (b: number) => train.find((t) => t.batch === b), b64 = at(64);
    return [name, threads, ...batches.map((b) => at(b)?.imagesPerSecond.toFixed(1) ?? '—'), `${infer.imagesPerSecond.toFixed(1)} (${infer.batch})`,
      b64?.gflops?.toFixed(2) ?? '—', ...(tfjs ? [b64 ? `${(b64.imagesPerSecond / tfjs).toFixed(1)}×` : '—'] : [])];
  };
  const rows = [
    ...runs.map((r) => row(`layerboard ${r.backend}`, String(r.threads), r.train, r.inference)),
    ...peers.map((p) => row(p.peer, '1', p.train, p.inference)),
  ];
  return [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
