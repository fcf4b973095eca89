// `layerboard bench [--json] [--quick] [--backend ts|wasm|all] [--threads 1,2] [--peers …] [--model FILE …]`:
// engine speed and memory on the seed's CIFAR-10 BS model, per backend and thread count,
// beside TensorFlow.js on the same network (bench-tfjs.ts) measured in the same run. Full training
// steps (forward, CrossEntropyLoss, zero_grad, backward, SGD step) in images/second at batch
// 1, 16, 64 (and 256 on the wasm backend), inference at batch 64 — medians of timed
// repetitions after warm-up — and memory over 200 training steps (heap and array buffers
// after a GC at step 20 and step 200 must match: buffers are allocated once and reused);
// the wasm backend also trains batch 256 and reports its arena (WebAssembly memory) peak.
// Graph templates (ResNet-20 …) and --model files train at batch 64 beside it (bench-models.ts).
import os from 'node:os';
import { TEMPLATES } from '../core/model/templates.ts';
import { useBackend, type Backend } from '../engine/backend.ts';
import { kernelsTable, measureKernels } from './bench-kernels.ts';
import { profileStep, profileTable, type ProfileRow } from './bench-profile.ts';
import { measureTfjs, type PeerRun } from './bench-tfjs.ts';
import { measureTorch, ratioTable, torchRatios, type OursRun, type TorchModel, type TorchRun } from './bench-torch.ts';
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
import { benchModelOf, measureModels, modelsTable, otherModels, type ModelRun } from './bench-models.ts';

function bsModel(): BenchModel {
  const t = TEMPLATES.find((x) => x.id === 'cifar10-bs');
  if (!t) throw new Error("template 'cifar10-bs' is missing");
  return benchModelOf(t.id, t.title, t.doc);
}

interface BackendRun {
  backend: string;
  threads: number;
  description: string;
  train: Timing[];
  inference: Timing;
  memory: Memory;
  memoryBatch256?: Memory;
  /** The graph templates and --model files, at batch 64. */
  models: ModelRun[];
}

/** Every measurement on the active backend b. */
function measureBackend(
  b: Backend,
  flops: { forward: number; train: number },
  others: BenchModel[],
  quick: boolean,
  log: (s: string) => void,
): BackendRun {
  const bs = bsModel();
  log(`\n== ${b.description}`);
  const arena = 'memoryBytes' in b ? () => (b as Backend & { memoryBytes: number }).memoryBytes : undefined;
  const batches = quick
    ? [
        [1, 3],
        [4, 3],
      ]
    : [[1, 20], [16, 5], [64, RATIO_REPS], ...(b.name === 'wasm' ? [[256, 5]] : [])];
  const train: Timing[] = [];
  for (const [batch, reps] of batches) {
    const r = measureTrain(bs, batch, reps, flops.train);
    train.push(r);
    log(timingLine('train step ', r));
  }
  const inference = measureInference(bs, quick ? 4 : 64, quick ? 3 : RATIO_REPS, flops.forward);
  log(timingLine('inference  ', inference));
  const memory = measureMemory(bs, quick ? 1 : 4, quick ? 40 : 200, arena);
  log(memoryLine(memory));
  const models = measureModels(others, quick, arena, log);
  const run: BackendRun = {
    backend: b.name,
    threads: b.threads,
    description: b.description,
    train,
    inference,
    memory,
    models,
  };
  if (b.name === 'wasm' && !quick) {
    run.memoryBatch256 = measureMemory(bs, 256, 30, arena);
    log(memoryLine(run.memoryBatch256));
  }
  return run;
}

/** --backend ts|wasm|all and --threads 1,2 → the configurations to measure (default: ts, then wasm on 1 and 2 threads). */
function configurations(args: string[]): { backend: 'ts' | 'wasm'; threads: number }[] {
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const backend = value('--backend') ?? 'all';
  if (!['ts', 'wasm', 'all'].includes(backend))
    throw new Error(`bench: --backend must be ts, wasm or all, got '${backend}'`);
  const threads = (value('--threads') ?? '1,2').split(',').map(Number);
  if (threads.some((t) => !Number.isInteger(t) || t < 1 || t > 64))
    throw new Error(`bench: --threads takes thread counts like 1,2 (got '${value('--threads')}')`);
  const out: { backend: 'ts' | 'wasm'; threads: number }[] = [];
  if (backend !== 'wasm') out.push({ backend: 'ts', threads: 1 });
  if (backend !== 'ts') for (const t of threads) out.push({ backend: 'wasm', threads: t });
  return out;
}

const USAGE =
  'usage: bench [--json] [--quick] [--backend ts|wasm|all] [--threads 1,2] [--peers torch,tfjs-wasm,tfjs-cpu|none] [--model FILE.json]… | bench --profile|--kernels|--memory [--backend …] [--threads …]';

type PeerName = 'torch' | 'tfjs-wasm' | 'tfjs-cpu';

/** --peers: the peers to measure (default both TensorFlow.js ones; none with --quick). */
function peerList(args: string[], quick: boolean): PeerName[] {
  const i = args.indexOf('--peers'),
    v = i >= 0 ? args[i + 1] : quick ? 'none' : 'tfjs-wasm,tfjs-cpu';
  if (v === 'none') return [];
  const list = v.split(',');
  for (const p of list)
    if (p !== 'tfjs-wasm' && p !== 'tfjs-cpu' && p !== 'torch')
      throw new Error(`bench: --peers takes torch, tfjs-wasm, tfjs-cpu or none, got '${p}'`);
  return list as PeerName[];
}

/** The models PyTorch runs beside us: BS and the graph templates (not --model files), with their class counts. */
function torchModels(others: BenchModel[]): TorchModel[] {
  return ['cifar10-bs', ...others.map((m) => m.id)].flatMap((id) => {
    const t = TEMPLATES.find((x) => x.id === id);
    if (!t) return [];
    const { model, input } = benchModelOf(t.id, t.title, t.doc).build();
    const out = model.outputShape([1, ...input]);
    return [{ id, doc: t.doc, classes: out.length === 2 ? out[1] : 10 }];
  });
}

/** PyTorch at every thread count we run, at the batch our ratios compare (64; 4 with --quick). */
function runTorch(
  models: TorchModel[],
  threads: number[],
  quick: boolean,
  log: (s: string) => void,
  when: string,
): TorchRun[] {
  if (!models.length) return [];
  const { version, runs } = measureTorch(models, threads, quick ? 4 : 64, quick ? 3 : RATIO_REPS);
  for (const r of runs)
    log(
      `PyTorch ${version} ${when} ours, ${r.model} ×${r.threads}: train ${r.train.imagesPerSecond} img/s (cpu share ${r.train.cpuShare}), inference ${r.inference.imagesPerSecond} img/s`,
    );
  return runs;
}

/** Our batch-64 (4 with --quick) train and inference figures per model, for the ratios to PyTorch. */
function oursRuns(runs: BackendRun[], quick: boolean): OursRun[] {
  return runs.flatMap((r) => {
    const bs = r.train.find((t) => t.batch === (quick ? 4 : 64));
    const own = bs ? [{ model: 'cifar10-bs', train: bs, inference: r.inference }] : [];
    return [...own, ...r.models.map((m) => ({ model: m.id, train: m.train, inference: m.inference }))].map((m) => ({
      backend: r.backend,
      threads: r.threads,
      ...m,
    }));
  });
}

/** TensorFlow.js on the same network: its wasm backend at our batch 64, its (very slow) CPU backend at small batches. */
async function measurePeers(peers: Exclude<PeerName, 'torch'>[], log: (s: string) => void): Promise<PeerRun[]> {
  const out: PeerRun[] = [];
  for (const p of peers) {
    const r =
      p === 'tfjs-wasm' ? await measureTfjs('wasm', [[64, 5]], [64, 5]) : await measureTfjs('cpu', [[2, 2]], [16, 3]);
    log(`\n== ${r.peer}: ${r.configuration}`);
    const line = (what: string, t: PeerRun['inference']) =>
      `${what} batch ${String(t.batch).padStart(3)}: ${t.imagesPerSecond.toFixed(1).padStart(7)} images/s  ${t.msPerStep.toFixed(1).padStart(8)} ms  (median of ${t.reps}, cpu share ${t.cpuShare})`;
    for (const t of r.train) log(line('train step ', t));
    log(line('inference  ', r.inference));
    out.push(r);
  }
  return out;
}

/** --profile: the share of a batch-64 training step per op, for BS and ResNet-20, per configuration. */
async function profile(configs: { backend: 'ts' | 'wasm'; threads: number }[], json: boolean): Promise<number> {
  const models = [bsModel(), ...otherModels([]).filter((m) => m.id === 'cifar10-resnet20')];
  const out: { backend: string; threads: number; model: string; rows: ProfileRow[] }[] = [];
  try {
    for (const c of configs) {
      const b = await useBackend(c);
      for (const m of models) {
        const rows = profileStep(m, 64, 5);
        out.push({ backend: b.name, threads: b.threads, model: m.id, rows });
        if (!json) console.log(`\n${m.title}, batch 64, ${b.description}:\n${profileTable(rows)}`);
      }
    }
  } finally {
    await useBackend({ backend: 'ts' });
  }
  if (json) console.log(JSON.stringify(out, null, 2));
  return 0;
}

/** --memory: heap, array buffers and the wasm arena over 200 BS training steps at batch 64 and 256, per configuration. */
async function memory(configs: { backend: 'ts' | 'wasm'; threads: number }[], json: boolean): Promise<number> {
  const out: (Memory & { backend: string; threads: number })[] = [];
  try {
    for (const c of configs) {
      const b = await useBackend(c);
      const arena = 'memoryBytes' in b ? () => (b as Backend & { memoryBytes: number }).memoryBytes : undefined;
      for (const batch of [64, 256]) {
        const m = measureMemory(bsModel(), batch, 200, arena);
        out.push({ backend: b.name, threads: b.threads, ...m });
        if (!json) console.log(`${b.description}: ${memoryLine(m)}`);
      }
    }
  } finally {
    await useBackend({ backend: 'ts' });
  }
  if (json) console.log(JSON.stringify(out, null, 2));
  return 0;
}

/** --kernels: GFLOP/s per kernel against the measured FMA peak, per --threads count. */
async function kernels(args: string[]): Promise<number> {
  const threads = [...new Set(configurations(args).flatMap((c) => (c.backend === 'wasm' ? [c.threads] : [])))];
  const r = await measureKernels(threads);
  console.log(args.includes('--json') ? JSON.stringify(r, null, 2) : kernelsTable(r));
  return 0;
}

export async function runBench(args: string[]): Promise<number> {
  const json = args.includes('--json'),
    quick = args.includes('--quick');
  const valued = new Set(['--backend', '--threads', '--peers', '--model']);
  const unknown = args.filter(
    (a, i) =>
      !['--json', '--quick', '--profile', '--kernels', '--memory'].includes(a) &&
      !valued.has(a) &&
      !valued.has(args[i - 1]),
  );
  if (unknown.length) {
    console.error(`bench: unknown option ${unknown[0]} (${USAGE})`);
    return 2;
  }
  if (args.includes('--profile')) return profile(configurations(args), args.includes('--json'));
  if (args.includes('--kernels')) return kernels(args);
  if (args.includes('--memory')) return memory(configurations(args), args.includes('--json'));
  const configs = configurations(args),
    peerNames = peerList(args, quick);
  const t0 = performance.now();
  const { model, input } = bsModel().build();
  const flops = flopsPerImage(model, input);
  // every --model FILE, in order
  const others = otherModels(args.flatMap((a, i) => (args[i - 1] === '--model' ? [a] : [])));
  const log = (s: string) => {
    if (!json) console.log(s);
  };
  log(
    `Layerboard engine bench: CIFAR-10 BS model, ${round(flops.forward / 1e6, 1)} MFLOP forward / ${round(flops.train / 1e6, 1)} MFLOP per training image`,
  );
  log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}${quick ? ' (quick)' : ''}`);
  // PyTorch runs before and after ours; its figure is the mean of the two
  const torch = peerNames.includes('torch') ? torchModels(others) : [],
    threads = [...new Set(configs.map((c) => c.threads))];
  const torchBefore = runTorch(torch, threads, quick, log, 'before');
  const runs: BackendRun[] = [];
  try {
    for (const c of configs) runs.push(measureBackend(await useBackend(c), flops, others, quick, log));
  } finally {
    await useBackend({ backend: 'ts' });
  }
  const torchAfter = runTorch(torch, threads, quick, log, 'after');
  const ratios = torch.length ? torchRatios(oursRuns(runs, quick), torchBefore, torchAfter) : [];
  const peers = await measurePeers(
    peerNames.filter((p): p is Exclude<PeerName, 'torch'> => p !== 'torch'),
    log,
  );
  log(`\n${summaryTable(runs, peers)}`);
  if (ratios.length)
    log(`\nours ÷ PyTorch (same run; PyTorch = mean of its runs before and after ours):\n${ratioTable(ratios)}`);
  if (others.length) log(`\n${modelsTable(runs)}`);
  const seconds = round((performance.now() - t0) / 1000, 1);
  log(`(${seconds} s)`);
  if (json) {
    console.log(
      JSON.stringify(
        {
          model: 'cifar10-bs',
          node: process.version,
          cpu: os.cpus()[0]?.model ?? null,
          cores: os.cpus().length,
          quick,
          mflopsPerImage: { forward: round(flops.forward / 1e6, 2), train: round(flops.train / 1e6, 2) },
          // the first configuration's figures at the top level too, as before backends existed
          train: runs[0]?.train,
          inference: runs[0]?.inference,
          memory: runs[0]?.memory,
          runs,
          peers,
          torch: torch.length ? { before: torchBefore, after: torchAfter, ratios } : undefined,
          seconds,
        },
        null,
        2,
      ),
    );
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
  const head = [
    'engine',
    'threads',
    ...batches.map((b) => `train b${b}`),
    'infer (batch)',
    'GFLOP/s b64',
    ...(tfjs ? ['b64 vs tfjs-wasm'] : []),
  ];
  const row = (
    name: string,
    threads: string,
    train: { batch: number; imagesPerSecond: number; gflops?: number }[],
    infer: { batch: number; imagesPerSecond: number },
  ) => {
    const at = (b: number) => train.find((t) => t.batch === b),
      b64 = at(64);
    return [
      name,
      threads,
      ...batches.map((b) => at(b)?.imagesPerSecond.toFixed(1) ?? '—'),
      `${infer.imagesPerSecond.toFixed(1)} (${infer.batch})`,
      b64?.gflops?.toFixed(2) ?? '—',
      ...(tfjs ? [b64 ? `${(b64.imagesPerSecond / tfjs).toFixed(1)}×` : '—'] : []),
    ];
  };
  const rows = [
    ...runs.map((r) => row(`layerboard ${r.backend}`, String(r.threads), r.train, r.inference)),
    ...peers.map((p) => row(p.peer, '1', p.train, p.inference)),
  ];
  return [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
