// Engine primitives: GEMM against a float64 reference (every transpose, edges, accumulate,
// offsets), erf against known values, the seeded RNG.
import { describe, expect, test } from 'vitest';
import { erf } from '../../src/engine/kernels/erf.ts';
import { gemm } from '../../src/engine/kernels/gemm.ts';
import { Rng } from '../../src/engine/rng.ts';

describe('gemm', () => {
  const rng = new Rng(1);
  const rand = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
  const shapes = [
    [1, 1, 1],
    [3, 5, 2],
    [4, 4, 4],
    [7, 13, 5],
    [9, 6, 3],
    [17, 33, 70],
    [32, 75, 40],
  ];
  for (const [M, N, K] of shapes) {
    for (const tA of [false, true])
      for (const tB of [false, true]) {
        test(`${M}×${K} · ${K}×${N}${tA ? ' Aᵀ' : ''}${tB ? ' Bᵀ' : ''}, into a sub-block, plain and accumulating`, () => {
          const lda = (tA ? M : K) + 2,
            ldb = (tB ? K : N) + 1,
            ldc = N + 3,
            aOff = 5,
            bOff = 2,
            cOff = 4;
          const A = rand(aOff + (tA ? K : M) * lda),
            B = rand(bOff + (tB ? N : K) * ldb);
          const a = (i: number, k: number) => (tA ? A[aOff + k * lda + i] : A[aOff + i * lda + k]);
          const b = (k: number, j: number) => (tB ? B[bOff + j * ldb + k] : B[bOff + k * ldb + j]);
          const C = rand(cOff + M * ldc),
            C0 = C.slice();
          gemm(tA, tB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, true);
          const D = C0.slice();
          gemm(tA, tB, M, N, K, A, aOff, lda, B, bOff, ldb, D, cOff, ldc, false);
          for (let i = 0; i < M; i++)
            for (let j = 0; j < N; j++) {
              let s = 0;
              for (let k = 0; k < K; k++) s += a(i, k) * b(k, j);
              const o = cOff + i * ldc + j;
              expect(Math.abs(D[o] - s)).toBeLessThan(1e-5);
              expect(Math.abs(C[o] - (C0[o] + s))).toBeLessThan(1e-5);
            }
          // nothing outside the block is touched
          for (let i = 0; i < cOff; i++) expect(D[i]).toBe(C0[i]);
          for (let i = 0; i < M; i++)
            for (let j = N; j < ldc && cOff + i * ldc + j < C.length; j++)
              expect(D[cOff + i * ldc + j]).toBe(C0[cOff + i * ldc + j]);
        });
      }
  }
});

describe('erf', () => {
  test('matches reference values to double precision', () => {
    // Python's math.erf
    const ref: [number, number][] = [
      [0, 0],
      [1e-10, 1.1283791670955126e-10],
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [0.84375, 0.7672256612323416],
      [1, 0.8427007929497149],
      [1.25, 0.9229001282564582],
      [2, 0.9953222650189527],
      [3, 0.9999779095030014],
      [5, 0.9999999999984626],
      [6, 1],
      [-0.7, -0.6778011938374184],
      [-2.5, -0.999593047982555],
    ];
    for (const [x, want] of ref)
      expect(Math.abs(erf(x) - want)).toBeLessThanOrEqual(2e-16 * Math.max(1, Math.abs(want)));
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erf(NaN)).toBeNaN();
  });
});

describe('Rng', () => {
  test('a seed fixes the sequence', () => {
    const a = new Rng(42),
      b = new Rng(42),
      c = new Rng(43);
    const sa = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(sa);
  });

  test('next is uniform on [0, 1), normal is standard, int is in range and unbiased', () => {
    const r = new Rng(0);
    let s = 0,
      s2 = 0,
      min = 1,
      max = 0;
    const n = 100000,
      counts = new Array(7).fill(0);
    for (let i = 0; i < n; i++) {
      const u = r.next();
      min = Math.min(min, u);
      max = Math.max(max, u);
      s += u;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(s / n).toBeCloseTo(0.5, 2);
    s = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
    }
    expect(s / n).toBeCloseTo(0, 1);
    expect(s2 / n).toBeCloseTo(1, 1);
    for (let i = 0; i < 70000; i++) counts[r.int(7)]++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(500);
  });

  test('shuffle is a permutation', () => {
    const a = Array.from({ length: 50 }, (_, i) => i);
    new Rng(5).shuffle(a);
    expect(a).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  test('bad arguments are refused', () => {
    expect(() => new Rng(NaN)).toThrow(/seed/);
    expect(() => new Rng(1).int(0)).toThrow(/n must be/);
  });
});
