// The peer figure for `layerboard bench`: TensorFlow.js 4.22 (a dev dependency, used only
// here) on the same network as our benchmark — the seed's BS model, NHWC, SGD with momentum
// on softmax cross-entropy — timed the same way (median of repetitions after warm-up).
//
// Configurations, named in the output:
//  - 'tfjs-wasm': @tensorflow/tfjs-backend-wasm (XNNPACK, SIMD; one thread in Node). It ships
//    no Conv2DBackpropFilter kernel, so the convolution's weight gradient is supplied from its
//    own kernels (pad, transpose, and its XNNPACK Conv2D with batch and channels swapped)
//    through tf.customGrad; the input gradient is its own Conv2DBackpropInput, as shipped.
//  - 'tfjs-cpu': @tensorflow/tfjs-backend-cpu (plain JS), all kernels as shipped; small
//    batches only, it is that slow.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TF from '@tensorflow/tfjs-core';

/** cpuShare: CPU time / wall time while timing (well under 1: other processes had the core). */
export interface PeerTiming {
  batch: number;
  imagesPerSecond: number;
  msPerStep: number;
  reps: number;
  cpuShare: number;
}
export interface PeerRun {
  peer: 'tfjs-wasm' | 'tfjs-cpu';
  configuration: string;
  train: PeerTiming[];
  inference: PeerTiming;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

type Tf = typeof TF;

export async function loadTf(backend: 'wasm' | 'cpu'): Promise<Tf> {
  const tf = await import('@tensorflow/tfjs-core');
  registerGradients();
  await import('@tensorflow/tfjs-backend-cpu');
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const dist = join(
      dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')),
      'dist',
    );
    wasm.setWasmPaths(`${dist}/`);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js backend '${backend}' did not initialize`);
  await tf.ready();
  return tf;
}

/**
 * tfjs-core's Node bundle registers no gradients (the umbrella @tensorflow/tfjs package
 * imports them), and its unbundled ESM files do not load in Node. esbuild (already here for
 * tsx) bundles register_all_gradients.js; the copy of core's internals it carries shares
 * the one engine and gradient registry, which tfjs keeps on the global object.
 */
function registerGradients(): void {
  const require = createRequire(import.meta.url);
  const esbuild = require('esbuild') as typeof import('esbuild');
  const entry = join(
    dirname(require.resolve('@tensorflow/tfjs-core/package.json')),
    'dist',
    'register_all_gradients.js',
  );
  const out = esbuild.buildSync({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    logLevel: 'silent',
  });
  const module = { exports: {} };
  // Runs tfjs-core's own (bundled) code, as require() would; never user data.
  new Function('require', 'module', 'exports', out.outputFiles[0].text)(require, module, module.exports);
}

/**
 * dW[i, j, cin, cout] = Σ_{n,y,x} x_pad[n, y+i, x+j, cin]·dy[n, y, x, cout] — a convolution of
 * the padded input (batch and channels swapped) with dy as the filter, run by TF.js's own
 * (XNNPACK) Conv2D: x_padᵀ [cin, H+2p, W+2p, n] ⊛ dyᵀ [H, W, n, cout] = [cin, k, k, cout].
 */
export function filterGrad(tf: Tf, x: TF.Tensor4D, dy: TF.Tensor4D, k: number, pad: number): TF.Tensor4D {
  const xt = tf.transpose(
    tf.pad(x, [
      [0, 0],
      [pad, pad],
      [pad, pad],
      [0, 0],
    ]),
    [3, 1, 2, 0],
  );
  const filter = tf.transpose(dy, [1, 2, 0, 3]);
  const out = tf.conv2d(xt as TF.Tensor4D, filter as TF.Tensor4D, 1, 'valid');
  if (out.shape[1] !== k || out.shape[2] !== k) throw new Error(`filterGrad: got ${out.shape.join('×')}`);
  return tf.transpose(out, [1, 2, 0, 3]);
}

interface Net {
  vars: TF.Variable[];
  forward: (x: TF.Tensor4D) => TF.Tensor2D;
}

/** The BS model: three 5×5 'same' convs (32, 32, 64) each followed by MaxPool2d(2), then Linear 1024→64→10. */
function bsNet(tf: Tf, supplyFilterGrad: boolean): Net {
  let seed = 1;
  const init = (shape: number[], fanIn: number) =>
    tf.variable(tf.randomUniform(shape, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn), 'float32', seed++));
  const convs = [
    [3, 32],
    [32, 32],
    [32, 64],
  ].map(([cin, cout]) => ({ w: init([5, 5, cin, cout], cin * 25), b: init([cout], cin * 25) }));
  const fc = [
    [1024, 64],
    [64, 10],
  ].map(([fin, fout]) => ({ w: init([fin, fout], fin), b: init([fout], fin) }));
  const plain = (x: TF.Tensor4D, w: TF.Tensor4D) => tf.conv2d(x, w, 1, 'same');
  // the weight gradient TF.js's wasm backend lacks, from its own kernels; the input gradient is its Conv2DBackpropInput
  const supplied = tf.customGrad((...args: (TF.Tensor | TF.GradSaveFunc)[]) => {
    const [x, w, save] = args as [TF.Tensor4D, TF.Tensor4D, TF.GradSaveFunc];
    save([x, w]);
    return {
      value: tf.conv2d(x, w, 1, 'same'),
      gradFunc: (dy: TF.Tensor, saved: TF.Tensor[]) => {
        const [xs, ws] = saved as [TF.Tensor4D, TF.Tensor4D];
        return [
          tf.conv2dTranspose(dy as TF.Tensor4D, ws, xs.shape, 1, 'same'),
          filterGrad(tf, xs, dy as TF.Tensor4D, 5, 2),
        ];
      },
    };
  }) as unknown as (x: TF.Tensor4D, w: TF.Tensor4D) => TF.Tensor4D;
  const conv = supplyFilterGrad ? supplied : plain;
  const forward = (x: TF.Tensor4D): TF.Tensor2D => {
    let h = x;
    for (const c of convs)
      h = tf.maxPool(tf.add(conv(h, c.w as unknown as TF.Tensor4D), c.b) as TF.Tensor4D, 2, 2, 'valid') as TF.Tensor4D;
    let z: TF.Tensor2D = tf.reshape(h, [x.shape[0], 1024]);
    for (const l of fc) z = tf.add(tf.matMul(z, l.w as unknown as TF.Tensor2D), l.b);
    return z;
  };
  return { vars: [...convs, ...fc].flatMap((l) => [l.w, l.b]), forward };
}

function time(run: () => void, warmup: number, reps: number): { ms: number; cpuShare: number } {
  for (let i = 0; i < warmup; i++) run();
  const ms: number[] = [];
  const cpu0 = process.cpuUsage(),
    wall0 = performance.now();
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    run();
    ms.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpu0);
  return { ms: median(ms), cpuShare: round((cpu.user + cpu.system) / 1000 / (performance.now() - wall0), 2) };
}

function timing(batch: number, reps: number, t: { ms: number; cpuShare: number }): PeerTiming {
  return { batch, imagesPerSecond: round((batch / t.ms) * 1000), msPerStep: round(t.ms), reps, cpuShare: t.cpuShare };
}

/** Trains and infers the BS model on TF.js's backend; batches and repetitions as given. */
export async function measureTfjs(
  backend: 'wasm' | 'cpu',
  train: [number, number][],
  infer: [number, number],
): Promise<PeerRun> {
  const tf = await loadTf(backend);
  const net = bsNet(tf, backend === 'wasm');
  const opt = tf.train.momentum(0.01, 0.9);
  const data = (n: number) => ({
    x: tf.randomUniform([n, 32, 32, 3], -1, 1, 'float32', 7) as TF.Tensor4D,
    y: tf.oneHot(
      tf.tensor1d(
        Array.from({ length: n }, (_, i) => i % 10),
        'int32',
      ),
      10,
    ),
  });
  const trainTimes: PeerTiming[] = [];
  for (const [batch, reps] of train) {
    const { x, y } = data(batch);
    const step = () => {
      const cost = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, net.forward(x)) as TF.Scalar, true, net.vars);
      cost?.dataSync();
      cost?.dispose();
    };
    trainTimes.push(timing(batch, reps, time(step, 1, reps)));
    tf.dispose([x, y]);
  }
  const { x } = data(infer[0]);
  const inference = timing(
    infer[0],
    infer[1],
    time(() => tf.tidy(() => net.forward(x).dataSync()), 1, infer[1]),
  );
  tf.dispose([x, ...net.vars]);
  opt.dispose();
  const simd =
    backend === 'wasm'
      ? `${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'SIMD' : 'no SIMD'}, ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 'multi-threaded' : '1 thread'}`
      : '';
  const configuration =
    backend === 'wasm'
      ? `TensorFlow.js ${tf.version_core} wasm backend (XNNPACK, ${simd}), as shipped plus Conv2DBackpropFilter built from its own pad/transpose/Conv2D kernels`
      : `TensorFlow.js ${tf.version_core} cpu backend (plain JS), as shipped`;
  return { peer: backend === 'wasm' ? 'tfjs-wasm' : 'tfjs-cpu', configuration, train: trainTimes, inference };
}
