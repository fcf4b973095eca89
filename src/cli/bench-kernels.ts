// `layerboard bench --kernels`: each hot kernel's GFLOP/s on the wasm backend beside the
// machine's 128-bit FMA ceiling, measured here: a tight loop of 12 independent f32x4 FMAs
// (relaxed-SIMD madd, mul+add without it) on one thread. Both are timed in CPU time (every
// thread of the process), GFLOP per CPU-second: on a machine other processes share, wall
// time measures the sharing; CPU time measures the code (a waiting thread's spin counts). The kernels are timed through the
// backend as layers call them (operand copies included): GEMMs, and the Conv2d layers of
// the seed's BS model and of ResNet-20 at batch 64, forward and backward (dW and dX).
import type { LayerSpec } from '../core/model/types.ts';
import { backend, useBackend } from '../engine/backend.ts';
import { Rng } from '../engine/rng.ts';
import { Sequential } from '../engine/sequential.ts';
import { f32c, I32, ModuleBuilder, V128, vmadd, vsplat, vst, type Local } from '../engine/wasm/asm.ts';

/** Median CPU ms (user + system, all threads) of one run, after warm-up. */
function cpuTime(run: () => void, warmup: number, reps: number): number {
  for (let i = 0; i < warmup; i++) run();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c = process.cpuUsage();
    run();
    const d = process.cpuUsage(c);
    ms.push((d.user + d.system) / 1000);
  }
  return ms.sort((a, b) => a - b)[reps >> 1];
}

const ACC = 12,
  ITERS = 1 << 22;

/** GFLOP/s of one thread running ACC independent FMA chains (2 FLOPs × 4 lanes each). */
export async function fmaPeak(relaxed: boolean): Promise<number> {
  const m = new ModuleBuilder({ shared: false, minPages: 1, maxPages: 1 });
  m.func('fma', [I32], [], (f, [n]) => {
    const acc: Local[] = [],
      i = f.local(),
      b = f.local(V128),
      c = f.local(V128);
    f.set(b, vsplat(f32c(0.999)));
    f.set(c, vsplat(f32c(1e-3)));
    for (let k = 0; k < ACC; k++) {
      acc.push(f.local(V128));
      f.set(acc[k], vsplat(f32c(k)));
    }
    f.for(i, 0, n, 1, () => {
      for (const a of acc) f.set(a, vmadd(a, b, c, relaxed));
    });
    acc.forEach((a, k) => f.do(vst(16 * k, a)));
  });
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
  const inst = await WebAssembly.instantiate(await WebAssembly.compile(m.bytes()), { env: { memory } });
  const fma = inst.exports.fma as (n: number) => void;
  return (ITERS * ACC * 8) / cpuTime(() => fma(ITERS), 2, 7) / 1e6;
}

export interface KernelRow {
  kernel: string;
  shape: string;
  threads: number;
  gflops: number;
  /** GFLOP per CPU-second over the one-thread FMA peak (a thread's share of its core's ceiling). */
  ofPeak: number;
}

interface Case {
  kernel: string;
  shape: string;
  flops: number;
  run: () => void;
}

const rng = new Rng(3);
const randn = (n: number) => Float32Array.from({ length: n }, () => rng.normal());

function gemmCase(M: number, N: number, K: number): Case {
  const A = randn(M * K),
    B = randn(K * N),
    C = new Float32Array(M * N);
  return {
    kernel: 'GEMM',
    shape: `${M}×${N}×${K}`,
    flops: 2 * M * N * K,
    run: () => backend().gemm(false, false, M, N, K, A, 0, K, B, 0, N, C, 0, N, false),
  };
}

/** A Conv2d layer on [64, cin, h, h]: forward, and backward with the input gradient. */
function convCases(name: string, cin: number, cout: number, k: number, h: number): Case[] {
  const spec: LayerSpec = {
    type: 'Conv2d',
    in_channels: cin,
    out_channels: cout,
    kernel_size: k,
    padding: (k - 1) >> 1,
  };
  const m = new Sequential([spec], { seed: 1 });
  const x = { shape: [64, cin, h, h], data: randn(64 * cin * h * h) };
  const gy = { shape: [64, cout, h, h], data: randn(64 * cout * h * h) };
  const flops = 2 * 64 * cout * h * h * cin * k * k;
  const shape = `${name}: ${cin}→${cout}, ${k}×${k}, ${h}×${h}, batch 64`;
  return [
    { kernel: 'Conv2d forward', shape, flops, run: () => void m.forwardView(x) },
    {
      kernel: 'Conv2d backward (dW, dX)',
      shape,
      flops: 2 * flops,
      run: () => {
        m.forwardView(x);
        m.backward(gy);
      },
    },
  ];
}

function cases(): Case[] {
  return [
    gemmCase(256, 256, 256),
    gemmCase(64, 1024, 800),
    ...convCases('BS conv1', 3, 32, 5, 32),
    ...convCases('BS conv2', 32, 32, 5, 16),
    ...convCases('BS conv3', 32, 64, 5, 8),
    ...convCases('ResNet-20 stage 1', 16, 16, 3, 32),
    ...convCases('ResNet-20 stage 2', 32, 32, 3, 16),
    ...convCases('ResNet-20 stage 3', 64, 64, 3, 8),
  ];
}

/** Every kernel at every thread count; conv backward's time excludes its forward (timed apart). */
export async function measureKernels(
  threads: number[],
): Promise<{ peak: number; relaxed: boolean; rows: KernelRow[] }> {
  const rows: KernelRow[] = [];
  let peak = 0,
    relaxed = false;
  try {
    for (const t of threads) {
      const b = await useBackend({ backend: 'wasm', threads: t });
      // the backend switched relaxed SIMD on where the runtime has it (a Node flag)
      relaxed = 'relaxed' in b && b.relaxed === true;
      if (!peak) peak = await fmaPeak(relaxed);
      let forwardMs = 0;
      for (const c of cases()) {
        const ms = cpuTime(c.run, 1, 5);
        // the backward case runs a forward first: take off the forward just timed
        const own = c.kernel.startsWith('Conv2d backward') ? ms - forwardMs : ms;
        if (c.kernel === 'Conv2d forward') forwardMs = ms;
        const gflops = c.flops / own / 1e6;
        rows.push({ kernel: c.kernel, shape: c.shape, threads: t, gflops, ofPeak: gflops / peak });
      }
    }
  } finally {
    await useBackend({ backend: 'ts' });
  }
  return { peak, relaxed, rows };
}

export function kernelsTable(r: { peak: number; relaxed: boolean; rows: KernelRow[] }): string {
  const head = `128-bit FMA peak (${r.relaxed ? 'relaxed-SIMD madd' : 'mul+add'}, ${ACC} chains): ${r.peak.toFixed(1)} GFLOP/s per thread (GFLOP per CPU-second)`;
  const lines = r.rows.map(
    (x) => `| ${x.kernel} | ${x.shape} | ${x.threads} | ${x.gflops.toFixed(1)} | ${(100 * x.ofPeak).toFixed(0)}% |`,
  );
  return [
    head,
    '',
    '| kernel | shape | threads | GFLOP per CPU-s | of peak |',
    '| --- | --- | --- | --- | --- |',
    ...lines,
  ].join('\n');
}
