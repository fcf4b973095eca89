// The Winograd weight gradient of the wasm backend (winograd.ts, winograd-dw-kernels.ts):
// its matrices against direct correlation, and dW against the TS reference where the path
// applies — 3×3 and 5×5, padding 0/1/2, odd sizes, channels not multiples of 4, batches that
// split into uneven chunks — on 1 and 2 threads, bit-identical across thread counts.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ConvShape } from '../../src/engine/backend.ts';
import { tsBackend } from '../../src/engine/backends/ts-backend.ts';
import { axisTable } from '../../src/engine/kernels/im2col.ts';
import { Rng } from '../../src/engine/rng.ts';
import { createWasmBackend, type WasmBackend } from '../../src/engine/wasm/wasm-backend.ts';
import { WINOGRAD, winogradDwPlan } from '../../src/engine/wasm/winograd.ts';

function shape(n: number, cin: number, cout: number, h: number, w: number, k: number, pad: number): ConvShape {
  const oh = h + 2 * pad - k + 1,
    ow = w + 2 * pad - k + 1;
  const rowT = axisTable('zeros', h, pad, k, 1, 1, oh);
  for (let i = 0; i < rowT.length; i++) if (rowT[i] >= 0) rowT[i] *= w;
  const colT = axisTable('zeros', w, pad, k, 1, 1, ow);
  return { n, cin, cout, groups: 1, pointwise: false, geo: { h, w, oh, ow, kh: k, kw: k, rowT, colT } };
}

const rng = new Rng(11);
const randn = (n: number) => Float32Array.from({ length: n }, () => rng.normal());

test.each([3, 5] as const)('F(2, %i) matrices compute correlation', (r) => {
  const { AT, G, BT } = WINOGRAD[r],
    alpha = r + 1;
  const d = Array.from({ length: alpha }, () => rng.normal()),
    g = Array.from({ length: r }, () => rng.normal());
  const Gg = G.map((row) => row.reduce((s, v, j) => s + v * g[j], 0)),
    Bd = BT.map((row) => row.reduce((s, v, j) => s + v * d[j], 0));
  for (let i = 0; i < 2; i++) {
    const y = AT[i].reduce((s, v, x) => s + v * Gg[x] * Bd[x], 0);
    const want = g.reduce((s, v, j) => s + v * d[i + j], 0);
    expect(Math.abs(y - want)).toBeLessThan(1e-12);
  }
});

const CASES: [string, ConvShape][] = [
  ['3×3 16→16, 32×32, pad 1, batch 5', shape(5, 16, 16, 32, 32, 3, 1)],
  ['3×3 17→20, 7×9, pad 0, batch 3', shape(3, 17, 20, 7, 9, 3, 0)],
  ['3×3 16→18, 6×6, pad 2, batch 40 (several images per GEMM, uneven chunks)', shape(40, 16, 18, 6, 6, 3, 2)],
  ['5×5 32→32, 16×16, pad 2, batch 4', shape(4, 32, 32, 16, 16, 5, 2)],
  ['5×5 9→12, 9×13, pad 1, batch 2', shape(2, 9, 12, 9, 13, 5, 1)],
];

describe.each([1, 2])('Winograd weight gradient, %i thread(s)', { timeout: 60_000 }, (threads) => {
  let wasm: WasmBackend;
  beforeAll(async () => {
    wasm = await createWasmBackend({ threads });
  });
  afterAll(() => wasm.dispose());

  test.each(CASES)('%s equals the reference', (_name, s) => {
    expect(winogradDwPlan(s)).not.toBeNull();
    const g = s.geo;
    const x = randn(s.n * s.cin * g.h * g.w),
      w = randn(s.cout * s.cin * g.kh * g.kw),
      gy = randn(s.n * s.cout * g.oh * g.ow);
    const want = new Float32Array(w.length).fill(0.5),
      got = new Float32Array(w.length).fill(0.5);
    const dbWant = new Float32Array(s.cout),
      dbGot = new Float32Array(s.cout);
    tsBackend.conv2dBackward(s, x, w, gy, want, dbWant, null);
    wasm.conv2dBackward(s, x, w, gy, got, dbGot, null);
    let scale = 0,
      worst = 0;
    for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    // measured: 5e-7 of the largest gradient for F(2, 3), 7e-6 for F(2, 5) (its points ±2)
    expect(worst).toBeLessThanOrEqual((g.kh === 3 ? 2e-6 : 2e-5) * scale);
    dbGot.forEach((v, i) => expect(Math.abs(v - dbWant[i])).toBeLessThan(1e-4 * (1 + Math.abs(dbWant[i]))));
  });
});

test('the same sums on 1 and 2 threads', async () => {
  const s = shape(40, 16, 18, 6, 6, 3, 2),
    g = s.geo;
  const x = randn(s.n * s.cin * g.h * g.w),
    w = randn(s.cout * s.cin * 9),
    gy = randn(s.n * s.cout * g.oh * g.ow);
  const out: Float32Array[] = [];
  for (const threads of [1, 2]) {
    const b = await createWasmBackend({ threads });
    const dw = new Float32Array(w.length);
    b.conv2dBackward(s, x, w, gy, dw, null, null);
    out.push(dw);
    b.dispose();
  }
  expect(Array.from(out[1])).toEqual(Array.from(out[0]));
});

test('small channel counts and other geometries keep im2col', () => {
  expect(winogradDwPlan(shape(4, 4, 8, 32, 32, 3, 1))).toBeNull();
  expect(winogradDwPlan(shape(4, 8, 8, 32, 32, 3, 1))).not.toBeNull();
  expect(winogradDwPlan(shape(4, 8, 8, 16, 16, 5, 2))).not.toBeNull();
  expect(winogradDwPlan(shape(4, 16, 16, 16, 16, 7, 3))).toBeNull();
  expect(winogradDwPlan({ ...shape(4, 16, 16, 16, 16, 3, 1), groups: 2 })).toBeNull();
});
