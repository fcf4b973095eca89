// The wasm backend's Winograd F(2×2, 3×3) and F(2×2, 5×5) path (winograd-conv.ts) against the TS reference:
// 3×3 stride-1 zero-padded convolutions, forward and input gradient, odd sizes, pads 0–2,
// channel counts not multiples of 4, batch 1 and 5, with and without bias, on 1 and 2
// threads. Winograd sums in another order (and through the transforms), so outputs agree
// to a tolerance, not bitwise; the worst error seen is printed.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LayerSpec } from '../../src/core/model/types.ts';
import { setBackend, type Backend } from '../../src/engine/backend.ts';
import { tsBackend } from '../../src/engine/backends/ts-backend.ts';
import { Rng } from '../../src/engine/rng.ts';
import { Sequential } from '../../src/engine/sequential.ts';
import { numel, type Tensor } from '../../src/engine/tensor.ts';
import { createWasmBackend, type WasmBackend } from '../../src/engine/wasm/wasm-backend.ts';

const rng = new Rng(11);
const randn = (shape: number[]): Tensor => ({
  shape,
  data: Float32Array.from({ length: numel(shape) }, () => rng.normal()),
});

function pass(b: Backend, layers: LayerSpec[], x: Tensor, seed: number) {
  setBackend(b);
  const m = new Sequential(layers, { seed });
  const y = m.forward(x);
  const gy = new Rng(seed + 1);
  const gin = m.backward({ shape: y.shape, data: Float32Array.from(y.data, () => gy.normal()) });
  return { out: y.data, gin: gin.data, grads: m.parameters().map((p) => p.grad!.data) };
}

/** Largest |a − b| divided by (1 + the largest |b|). */
function relErr(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let scale = 0,
    worst = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  expect(Number.isFinite(worst)).toBe(true);
  return worst / (1 + scale);
}

const conv = (cin: number, cout: number, padding: number, bias = true, kernel_size = 3): LayerSpec => ({
  type: 'Conv2d',
  in_channels: cin,
  out_channels: cout,
  kernel_size,
  padding,
  bias,
});

// [name, layers, input shape]
const CASES: [string, LayerSpec[], number[]][] = [
  ['pad 1, 16→16, 12×12', [conv(16, 16, 1)], [5, 16, 12, 12]],
  ['pad 1, odd 7×9, 9→10, no bias', [conv(9, 10, 1, false)], [5, 9, 7, 9]],
  ['pad 0, 11→13, 11×13', [conv(11, 13, 0)], [1, 11, 11, 13]],
  ['pad 2, 10→9, 5×6', [conv(10, 9, 2)], [5, 10, 5, 6]],
  ['pad 1, 8→8, 2×3', [conv(8, 8, 1)], [1, 8, 2, 3]],
  ['two layers, 9→12→8, 17×10', [conv(9, 12, 1), { type: 'ReLU' }, conv(12, 8, 2, false)], [5, 9, 17, 10]],
  ['pad 0, 33→20, 9×9', [conv(33, 20, 0)], [1, 33, 9, 9]],
  ['pad 1, 300→8, 5×5 (depth past one 256-deep K block)', [conv(300, 8, 1)], [2, 300, 5, 5]],
  // F(2×2, 5×5)
  ['5×5 kernel, pad 2, 32→32, 16×16 (BS conv2)', [conv(32, 32, 2, true, 5)], [3, 32, 16, 16]],
  ['5×5 kernel, pad 0, 9→12, odd 11×9, no bias', [conv(9, 12, 0, false, 5)], [5, 9, 11, 9]],
  ['5×5 kernel, pad 4, 10→8, 3×7', [conv(10, 8, 4, true, 5)], [2, 10, 3, 7]],
  ['5×5 kernel, pad 1, 260→16, 8×8 (two K blocks)', [conv(260, 16, 1, true, 5)], [1, 260, 8, 8]],
];

const TOL = 2e-5;
let worstSeen = 0;

describe.each([1, 2])('Winograd F(2×2, r×r) on %i thread(s)', (threads) => {
  let wasm: WasmBackend;
  beforeAll(async () => {
    wasm = await createWasmBackend({ threads });
  });
  afterAll(() => {
    setBackend(tsBackend);
    wasm.dispose();
  });
  test.each(CASES)('%s', (name, layers, shape) => {
    const x = randn(shape);
    // record the kernels run: each conv layer's forward and dx must be Winograd
    const tasks: string[] = [],
      w = wasm as unknown as { parallel: (fn: string, ...rest: number[]) => void },
      run = w.parallel.bind(wasm);
    w.parallel = (fn, ...rest) => {
      tasks.push(fn);
      run(fn, ...rest);
    };
    const ref = pass(tsBackend, layers, x, 3),
      got = pass(wasm, layers, x, 3);
    delete (w as { parallel?: unknown }).parallel;
    const convs = layers.filter((l) => l.type === 'Conv2d').length;
    expect(tasks.filter((t) => t === 'wino_fwd' || t === 'wino_fwd5').length, 'Winograd calls').toBe(2 * convs);
    expect(tasks.filter((t) => t === 'conv_fwd').length, 'im2col forward calls').toBe(0);
    const errs = [
      relErr(got.out, ref.out),
      relErr(got.gin, ref.gin),
      ...got.grads.map((g, i) => relErr(g, ref.grads[i])),
    ];
    const worst = Math.max(...errs);
    worstSeen = Math.max(worstSeen, worst);
    expect(worst, name).toBeLessThanOrEqual(TOL);
  });

  test('under 8 channels on either side stays on im2col + GEMM (3→16: forward and dx)', () => {
    const tasks: string[] = [],
      w = wasm as unknown as { parallel: (fn: string, ...rest: number[]) => void },
      run = w.parallel.bind(wasm);
    w.parallel = (fn, ...rest) => {
      tasks.push(fn);
      run(fn, ...rest);
    };
    pass(wasm, [conv(3, 16, 1)], randn([2, 3, 6, 6]), 3);
    delete (w as { parallel?: unknown }).parallel;
    expect(tasks).not.toContain('wino_fwd');
  });
});

test('Winograd results are bit-identical on 1 and 2 threads (each image whole on one thread)', async () => {
  const [one, two] = [await createWasmBackend({ threads: 1 }), await createWasmBackend({ threads: 2 })];
  try {
    const layers = CASES[5][1],
      x = randn([7, 9, 17, 10]);
    const a = pass(one, layers, x, 5),
      b = pass(two, layers, x, 5);
    expect(b.out).toEqual(a.out);
    expect(b.gin).toEqual(a.gin);
    a.grads.forEach((g, i) => expect(b.grads[i]).toEqual(g));
  } finally {
    setBackend(tsBackend);
    one.dispose();
    two.dispose();
  }
});

afterAll(() => {
  console.log(`Winograd: worst |wasm − ts| / (1 + max |ts|) = ${worstSeen.toExponential(2)}`);
});
