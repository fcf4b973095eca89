// The native peer of `layerboard bench --peers torch`: Debian's PyTorch (/usr/bin/python3,
// or $LAYERBOARD_PYTHON) trains and infers the same models — each one's exported Python
// source (core/python), the same batch, CrossEntropyLoss and SGD with momentum — at
// torch.set_num_threads(N) for every thread count we measure, timed the same way (median of
// repetitions after warm-up, with the CPU share as a load indicator).
import { spawnSync } from 'node:child_process';
import type { ModelDocument } from '../core/model/types.ts';
import { pythonSource } from '../core/python/pytorch-export.ts';

export interface TorchTiming {
  batch: number;
  imagesPerSecond: number;
  msPerStep: number;
  reps: number;
  cpuShare: number;
}
export interface TorchRun {
  model: string;
  threads: number;
  train: TorchTiming;
  inference: TorchTiming;
}
export interface TorchModel {
  id: string;
  doc: ModelDocument;
  /** Output width: the targets cycle through this many classes. */
  classes: number;
}

export const TORCH_PYTHON = process.env.LAYERBOARD_PYTHON ?? '/usr/bin/python3';

// Reads the job from stdin, prints one JSON list. The exported sources are executed as
// modules, never with user data: they come from our own generator.
const DRIVER = String.raw`
import json, sys, time, resource
import torch
import torch.nn as nn
job = json.load(sys.stdin)

def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

def timed(run, warmup, reps):
    for _ in range(warmup):
        run()
    ms = []
    c0, w0 = cpu(), time.perf_counter()
    for _ in range(reps):
        t = time.perf_counter()
        run()
        ms.append((time.perf_counter() - t) * 1000)
    share = (cpu() - c0) / (time.perf_counter() - w0)
    ms.sort()
    return ms[len(ms) // 2], round(share, 2)

def timing(batch, reps, t):
    return {'batch': batch, 'imagesPerSecond': round(batch / t[0] * 1000, 1), 'msPerStep': round(t[0], 1),
            'reps': reps, 'cpuShare': t[1]}

out = []
for m in job['models']:
    ns = {'__name__': 'layerboard_bench_model'}
    exec(compile(m['source'], m['id'], 'exec'), ns)
    for threads in job['threads']:
        torch.set_num_threads(threads)
        torch.manual_seed(0)
        model = ns[m['cls']]()
        b, reps = job['batch'], job['reps']
        g = torch.Generator().manual_seed(12345)
        x = torch.rand([b] + m['input'], generator=g) * 2 - 1
        y = torch.arange(b) % m['classes']
        loss = nn.CrossEntropyLoss()
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        def step():
            opt.zero_grad()
            loss(model(x), y).backward()
            opt.step()
        model.train()
        train = timing(b, reps, timed(step, 2, reps))
        model.eval()
        def infer():
            with torch.no_grad():
                model(x)
        inference = timing(b, reps, timed(infer, 2, reps))
        out.append({'model': m['id'], 'threads': threads, 'train': train, 'inference': inference})
print(json.dumps({'version': torch.__version__, 'runs': out}))
`;

/** The class the exported source builds in its __main__ block. */
function className(source: string): string {
  const m = /^\s+model = (\w+)\(\)$/m.exec(source);
  if (!m) throw new Error('bench: the exported PyTorch source names no model class');
  return m[1];
}

/** PyTorch's train and inference speed for every model × thread count, at one batch size. */
export function measureTorch(
  models: TorchModel[],
  threads: number[],
  batch: number,
  reps: number,
): { version: string; runs: TorchRun[] } {
  const job = {
    batch,
    reps,
    threads,
    models: models.map((m) => {
      const source = pythonSource(m.doc);
      return { id: m.id, source, cls: className(source), input: m.doc.input, classes: m.classes };
    }),
  };
  const r = spawnSync(TORCH_PYTHON, ['-c', DRIVER], { input: JSON.stringify(job), encoding: 'utf8' });
  if (r.error) throw new Error(`bench: cannot run ${TORCH_PYTHON} for the PyTorch peer: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`bench: the PyTorch peer failed (${TORCH_PYTHON}):\n${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout) as { version: string; runs: TorchRun[] };
}

/** Ours beside PyTorch for one model and thread count: img/s, and ours ÷ PyTorch. */
export interface TorchRatio {
  backend: string;
  model: string;
  threads: number;
  batch: number;
  train: { ours: number; torch: number; ratio: number };
  inference: { ours: number; torch: number; ratio: number };
}

export interface OursRun {
  backend: string;
  model: string;
  threads: number;
  train: { batch: number; imagesPerSecond: number };
  inference: { batch: number; imagesPerSecond: number };
}

const r2 = (x: number) => Math.round(x * 100) / 100;

/** PyTorch's figure is the mean of its runs before and after ours (the load may drift meanwhile). */
export function torchRatios(ours: OursRun[], before: TorchRun[], after: TorchRun[]): TorchRatio[] {
  const out: TorchRatio[] = [];
  for (const o of ours) {
    const runs = [...before, ...after].filter((t) => t.model === o.model && t.threads === o.threads);
    if (!runs.length) continue;
    const mean = (f: (t: TorchRun) => number) => runs.reduce((s, t) => s + f(t), 0) / runs.length;
    const train = mean((t) => t.train.imagesPerSecond),
      inference = mean((t) => t.inference.imagesPerSecond);
    out.push({
      backend: o.backend,
      model: o.model,
      threads: o.threads,
      batch: o.train.batch,
      train: { ours: o.train.imagesPerSecond, torch: r2(train), ratio: r2(o.train.imagesPerSecond / train) },
      inference: {
        ours: o.inference.imagesPerSecond,
        torch: r2(inference),
        ratio: r2(o.inference.imagesPerSecond / inference),
      },
    });
  }
  return out;
}

export function ratioTable(ratios: TorchRatio[]): string {
  const head = [
    'model',
    'engine',
    'threads',
    'batch',
    'train ours',
    'train torch',
    'train ours/torch',
    'infer ours',
    'infer torch',
    'infer ours/torch',
  ];
  const rows = ratios.map((r) => [
    r.model,
    r.backend,
    String(r.threads),
    String(r.batch),
    r.train.ours.toFixed(1),
    r.train.torch.toFixed(1),
    `${r.train.ratio.toFixed(2)}×`,
    r.inference.ours.toFixed(1),
    r.inference.torch.toFixed(1),
    `${r.inference.ratio.toFixed(2)}×`,
  ]);
  return [head, head.map(() => '---'), ...rows].map((c) => `| ${c.join(' | ')} |`).join('\n');
}
