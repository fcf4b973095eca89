// The wasm backend against the TS reference: GEMM in every transpose/offset/accumulate
// form, Conv2d (stride, dilation, every padding mode, groups, pointwise, no bias) and
// MaxPool2d (ceil_mode, padding, dilation, NaN and -inf windows) through whole Sequential
// forward/backward passes, on 1 and 2 threads.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LayerSpec } from '../../src/core/model/types.ts';
import { setBackend, type Backend } from '../../src/engine/backend.ts';
import { tsBackend } from '../../src/engine/backends/ts-backend.ts';
import { Rng } from '../../src/engine/rng.ts';
import { Sequential } from '../../src/engine/sequential.ts';
import { numel, type Tensor } from '../../src/engine/tensor.ts';
import { createWasmBackend, type WasmBackend } from '../../src/engine/wasm/wasm-backend.ts';

const rng = new Rng(7);
const randn = (shape: number[]): Tensor => ({
  shape,
  data: Float32Array.from({ length: numel(shape) }, () => rng.normal()),
});

interface Pass {
  out: Float32Array;
  gin: Float32Array;
  grads: Float32Array[];
}

function pass(b: Backend, layers: LayerSpec[], x: Tensor, seed: number): Pass {
  setBackend(b);
  const m = new Sequential(layers, { seed });
  const y = m.forward(x);
  const gy = new Rng(seed + 1);
  const gin = m.backward({ shape: y.shape, data: Float32Array.from(y.data, () => gy.normal()) });
  return { out: y.data, gin: gin.data, grads: m.parameters().map((p) => p.grad!.data) };
}

/** |a − b| ≤ tol·(1 + scale) where scale is the largest |b| (float32 sums in another order). */
function close(a: Float32Array, b: Float32Array, what: string, tol = 2e-5): void {
  expect(a.length, what).toBe(b.length);
  let scale = 0,
    worst = 0;
  for (let i = 0; i < b.length; i++) if (Number.isFinite(b[i])) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < b.length; i++) {
    if (Number.isNaN(b[i])) {
      expect(Number.isNaN(a[i]), `${what}[${i}] NaN`).toBe(true);
      continue;
    }
    if (!Number.isFinite(b[i])) {
      expect(a[i], `${what}[${i}]`).toBe(b[i]);
      continue;
    }
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  expect(worst, what).toBeLessThanOrEqual(tol * (1 + scale));
}

function same(b: Backend, layers: LayerSpec[], shape: number[], tol?: number): void {
  const x = randn(shape);
  const ref = pass(tsBackend, layers, x, 3),
    got = pass(b, layers, x, 3);
  close(got.out, ref.out, 'output', tol);
  close(got.gin, ref.gin, 'grad_input', tol);
  ref.grads.forEach((g, i) => close(got.grads[i], g, `grad ${i}`, tol));
}

const CONVS: [string, LayerSpec[], number[]][] = [
  [
    'BS model',
    [
      { type: 'Conv2d', in_channels: 3, out_channels: 32, kernel_size: 5, padding: 2 },
      { type: 'MaxPool2d', kernel_size: 2 },
      { type: 'Conv2d', in_channels: 32, out_channels: 32, kernel_size: 5, padding: 2 },
      { type: 'MaxPool2d', kernel_size: 2 },
      { type: 'Conv2d', in_channels: 32, out_channels: 64, kernel_size: 5, padding: 2 },
      { type: 'MaxPool2d', kernel_size: 2 },
      { type: 'Flatten' },
      { type: 'Linear', in_features: 1024, out_features: 64 },
      { type: 'Linear', in_features: 64, out_features: 10 },
    ],
    [5, 3, 32, 32],
  ],
  [
    'stride 2, dilation 2, no bias',
    [
      {
        type: 'Conv2d',
        in_channels: 4,
        out_channels: 6,
        kernel_size: 3,
        stride: 2,
        dilation: 2,
        padding: 1,
        bias: false,
      },
    ],
    [3, 4, 11, 9],
  ],
  [
    'reflect padding, rectangular kernel',
    [
      {
        type: 'Conv2d',
        in_channels: 2,
        out_channels: 5,
        kernel_size: [3, 2],
        padding: [2, 1],
        padding_mode: 'reflect',
      },
    ],
    [2, 2, 7, 6],
  ],
  [
    'replicate padding',
    [{ type: 'Conv2d', in_channels: 3, out_channels: 3, kernel_size: 3, padding: 2, padding_mode: 'replicate' }],
    [2, 3, 5, 5],
  ],
  [
    'circular padding, stride 2',
    [
      {
        type: 'Conv2d',
        in_channels: 3,
        out_channels: 4,
        kernel_size: 3,
        padding: 1,
        stride: 2,
        padding_mode: 'circular',
      },
    ],
    [2, 3, 6, 7],
  ],
  [
    'groups 3',
    [{ type: 'Conv2d', in_channels: 6, out_channels: 9, kernel_size: 3, groups: 3, padding: 1 }],
    [3, 6, 8, 8],
  ],
  [
    'pointwise',
    [
      { type: 'Conv2d', in_channels: 5, out_channels: 7, kernel_size: 1 },
      { type: 'ReLU' },
      { type: 'Conv2d', in_channels: 7, out_channels: 3, kernel_size: 1, groups: 1 },
    ],
    [4, 5, 6, 3],
  ],
  [
    "padding 'same', even kernel",
    [{ type: 'Conv2d', in_channels: 3, out_channels: 4, kernel_size: 4, padding: 'same' }],
    [2, 3, 9, 9],
  ],
  ['unbatched input', [{ type: 'Conv2d', in_channels: 3, out_channels: 2, kernel_size: 3 }], [3, 6, 6]],
  [
    'wide linear',
    [
      { type: 'Flatten' },
      { type: 'Linear', in_features: 300, out_features: 130 },
      { type: 'Linear', in_features: 130, out_features: 3 },
    ],
    [70, 3, 10, 10],
  ],
  [
    'empty batch',
    [
      { type: 'Conv2d', in_channels: 3, out_channels: 4, kernel_size: 3 },
      { type: 'MaxPool2d', kernel_size: 2 },
      { type: 'Flatten' },
      { type: 'Linear', in_features: 36, out_features: 2 },
    ],
    [0, 3, 8, 8],
  ],
];

const POOLS: [string, LayerSpec[], number[]][] = [
  ['ceil_mode, padding', [{ type: 'MaxPool2d', kernel_size: 3, stride: 2, padding: 1, ceil_mode: true }], [2, 3, 8, 7]],
  ['dilation', [{ type: 'MaxPool2d', kernel_size: 2, stride: 1, dilation: 2 }], [2, 2, 6, 6]],
];

// float64 statistics in the reference's order, so exactly equal; the first is large enough to split across threads
const NORMS: [string, LayerSpec[], number[]][] = [
  [
    'BatchNorm2d + ReLU, split by channel',
    [{ type: 'BatchNorm2d', num_features: 16 }, { type: 'ReLU' }],
    [8, 16, 32, 32],
  ],
  ['BatchNorm2d without affine', [{ type: 'BatchNorm2d', num_features: 3, affine: false }], [2, 3, 5, 5]],
  ['BatchNorm1d [N, C, L]', [{ type: 'BatchNorm1d', num_features: 4, momentum: null }], [3, 4, 7]],
  [
    'BatchNorm1d [N, C], no running stats',
    [{ type: 'BatchNorm1d', num_features: 5, track_running_stats: false }],
    [6, 5],
  ],
];

describe.each([1, 2])('wasm backend, %i thread(s)', { timeout: 60_000 }, (threads) => {
  let wasm: WasmBackend;
  beforeAll(async () => {
    wasm = await createWasmBackend({ threads });
  });
  afterAll(() => {
    setBackend(tsBackend);
    wasm.dispose();
  });

  test('uses the requested threads', () => {
    expect(wasm.threads).toBe(threads);
    expect(wasm.description).toMatch(/wasm SIMD/);
  });

  test.each(CONVS)('Conv2d / Linear: %s', (_name, layers, shape) => same(wasm, layers, shape));
  test.each(POOLS)('MaxPool2d: %s', (_name, layers, shape) => same(wasm, layers, shape, 0));
  // BatchNorm's sums are float64 in another order, its normalization float32 (as PyTorch's)
  test.each(NORMS)('BatchNorm / ReLU: %s', (_name, layers, shape) => same(wasm, layers, shape, 1e-6));

  test('BatchNorm keeps its precision for a mean far from zero beside a small spread (float32 tails too)', () => {
    // mean 300, std 0.05: x − mean must not lose the mean's low bits
    const x = randn([4, 6, 9, 9]);
    for (let i = 0; i < x.data.length; i++) x.data[i] = 300 + 0.05 * x.data[i];
    const layers: LayerSpec[] = [{ type: 'BatchNorm2d', num_features: 6 }];
    const ref = pass(tsBackend, layers, x, 2),
      got = pass(wasm, layers, x, 2);
    close(got.out, ref.out, 'output', 2e-6);
    close(got.gin, ref.gin, 'grad_input', 2e-6);
    got.grads.forEach((g, i) => close(g, ref.grads[i], `grad ${i}`, 2e-6));
  });

  test('elementwise ReLU, its gradient and add equal the reference exactly (NaN, ±0, ±inf, tails, threads)', () => {
    // 2^17 + 3 elements: split across threads, with a scalar tail
    const n = (1 << 17) + 3;
    const a = randn([n]).data,
      b = randn([n]).data;
    a.set([NaN, -0, 0, Infinity, -Infinity, 1e-45, -1e-45], 0);
    a.set([NaN, -0, 0], n - 3);
    for (const op of ['relu', 'reluBackward', 'add'] as const) {
      const want = new Float32Array(n),
        got = new Float32Array(n);
      tsBackend.elementwise(op, a, b, want);
      wasm.elementwise(op, a, b, got);
      // toEqual tells −0 from +0 and takes any NaN for NaN (its sign bit is not specified)
      expect(Array.from(got), op).toEqual(Array.from(want));
    }
    // in place: y is a
    const acc = a.slice(),
      ref = a.slice();
    wasm.elementwise('add', acc, b, acc);
    tsBackend.elementwise('add', ref, b, ref);
    expect(Array.from(acc)).toEqual(Array.from(ref));
  });

  test('MaxPool2d NaN and -inf windows route gradients as the reference', () => {
    const x = randn([1, 2, 4, 4]);
    x.data[0] = NaN;
    x.data[5] = NaN;
    x.data.fill(-Infinity, 16, 20);
    x.data.fill(-Infinity, 20, 24);
    const layers: LayerSpec[] = [{ type: 'MaxPool2d', kernel_size: 2 }];
    const ref = pass(tsBackend, layers, x, 1),
      got = pass(wasm, layers, x, 1);
    close(got.out, ref.out, 'output', 0);
    close(got.gin, ref.gin, 'grad_input', 0);
  });

  test('MaxPool2d(2) fast path: ties go to the first element, NaN wins, odd sizes use the scalar tail', () => {
    const x = randn([3, 2, 9, 13]);
    // few distinct values: many ties inside windows
    for (let i = 0; i < x.data.length; i++) x.data[i] = Math.round(x.data[i]);
    for (const i of [0, 7, 30, 31, 100, 333]) x.data[i] = NaN;
    for (const i of [50, 51, 66, 67, 200]) x.data[i] = -Infinity;
    const layers: LayerSpec[] = [{ type: 'MaxPool2d', kernel_size: 2 }];
    const ref = pass(tsBackend, layers, x, 1),
      got = pass(wasm, layers, x, 1);
    close(got.out, ref.out, 'output', 0);
    close(got.gin, ref.gin, 'grad_input', 0);
  });

  test('GEMM: transposes, offsets, leading dimensions, accumulate', () => {
    for (const [tA, tB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      const M = 37,
        N = 29,
        K = 70,
        lda = (tA ? M : K) + 3,
        ldb = (tB ? K : N) + 2,
        ldc = N + 5;
      const A = randn([(tA ? K : M) * lda + 9]).data,
        B = randn([(tB ? N : K) * ldb + 4]).data;
      const C0 = randn([M * ldc + 6]).data;
      for (const acc of [false, true]) {
        const want = C0.slice(),
          got = C0.slice();
        tsBackend.gemm(tA, tB, M, N, K, A, 9, lda, B, 4, ldb, want, 6, ldc, acc);
        wasm.gemm(tA, tB, M, N, K, A, 9, lda, B, 4, ldb, got, 6, ldc, acc);
        close(got, want, `gemm tA=${tA} tB=${tB} acc=${acc}`);
      }
    }
  });
});

test('the plain-SIMD fallback (mul+add, no relaxed FMA) matches the reference too', { timeout: 60_000 }, async () => {
  const plain = await createWasmBackend({ threads: 2, relaxed: false });
  try {
    expect(plain.relaxed).toBe(false);
    expect(plain.description).toMatch(/SIMD mul\+add/);
    for (const [, layers, shape] of CONVS.slice(0, 3)) same(plain, layers, shape);
  } finally {
    setBackend(tsBackend);
    plain.dispose();
  }
});

test(
  'wasm results are bit-identical on 1 and 3 threads (gradient partials per chunk of images, summed in order)',
  { timeout: 60_000 },
  async () => {
    const [one, three] = [await createWasmBackend({ threads: 1 }), await createWasmBackend({ threads: 3 })];
    try {
      const [name, layers, shape] = CONVS[0];
      const x = randn([37, ...shape.slice(1)]);
      const a = pass(one, layers, x, 5),
        b = pass(three, layers, x, 5);
      expect(b.out, name).toEqual(a.out);
      expect(b.gin).toEqual(a.gin);
      a.grads.forEach((g, i) => expect(b.grads[i]).toEqual(g));
    } finally {
      setBackend(tsBackend);
      one.dispose();
      three.dispose();
    }
  },
);

// channel counts that take that path in wasm-backend.ts (og ≤ cg, cg a multiple of the tile's 4 rows)
test('Conv2d dx as a transposed convolution (stride 1, zero padding): dilation, asymmetric padding, groups', async () => {
  const layers: LayerSpec[] = [
    {
      type: 'Conv2d',
      in_channels: 8,
      out_channels: 8,
      kernel_size: [3, 2],
      dilation: [2, 3],
      padding: [3, 1],
      groups: 2,
    },
    { type: 'Conv2d', in_channels: 8, out_channels: 4, kernel_size: 4, padding: 'same' },
  ];
  for (const relaxed of [true, false]) {
    const b = await createWasmBackend({ threads: 2, relaxed });
    try {
      same(b, layers, [3, 8, 10, 9]);
    } finally {
      setBackend(tsBackend);
      b.dispose();
    }
  }
});
