// Activations and gradients resident in the wasm memory: Backend.floats() hands out views of
// the backend's own (shared) memory, kernels read and write them in place, the heap reuses
// blocks once every view of them is garbage, and views stay valid when the memory grows.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setBackend } from '../../src/engine/backend.ts';
import { tsBackend } from '../../src/engine/backends/ts-backend.ts';
import { Rng } from '../../src/engine/rng.ts';
import { Sequential } from '../../src/engine/sequential.ts';
import { Arena } from '../../src/engine/wasm/arena.ts';
import { createWasmBackend, type WasmBackend } from '../../src/engine/wasm/wasm-backend.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects garbage until `done` holds (finalizers run in later tasks), at most 20 rounds. */
async function collectUntil(done: () => boolean): Promise<boolean> {
  for (let i = 0; i < 20; i++) {
    if (done()) return true;
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

let wasm: WasmBackend;
beforeAll(async () => {
  wasm = await createWasmBackend({ threads: 2 });
});
afterAll(() => {
  setBackend(tsBackend);
  wasm.dispose();
});

describe('resident floats', () => {
  test('are zeroed views of the shared wasm memory', () => {
    const a = wasm.floats(1000);
    expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(a.length).toBe(1000);
    expect(a.byteOffset % 64).toBe(0);
    expect(a.every((v) => v === 0)).toBe(true);
    expect(tsBackend.floats(10).buffer).toBeInstanceOf(ArrayBuffer);
  });

  test('kernels work on them in place, with the results of plain arrays', () => {
    const n = 70_000,
      rng = new Rng(1);
    const a = wasm.floats(n),
      b = wasm.floats(n);
    for (let i = 0; i < n; i++) {
      a[i] = rng.normal();
      b[i] = rng.normal();
    }
    const pa = Float32Array.from(a),
      pb = Float32Array.from(b),
      plain = new Float32Array(n);
    wasm.elementwise('add', pa, pb, plain);
    // in place into the second operand: y is b
    wasm.elementwise('add', a, b, b);
    expect(Array.from(b)).toEqual(Array.from(plain));
    wasm.elementwise('relu', a, null, a);
    for (let i = 0; i < n; i++) expect(a[i]).toBe(Math.max(pa[i], 0));
  });

  test('a model trains the same on resident tensors as on the TS backend', () => {
    const layers = [
      { type: 'Conv2d', in_channels: 3, out_channels: 8, kernel_size: 3, padding: 1 },
      { type: 'BatchNorm2d', num_features: 8 },
      { type: 'ReLU' },
      { type: 'MaxPool2d', kernel_size: 2 },
      { type: 'Flatten' },
      { type: 'Linear', in_features: 8 * 4 * 4, out_features: 5 },
    ] as const;
    const rng = new Rng(2),
      x = { shape: [4, 3, 8, 8], data: Float32Array.from({ length: 4 * 192 }, () => rng.normal()) };
    const run = (b: typeof tsBackend) => {
      setBackend(b);
      const m = new Sequential([...layers], { seed: 5 });
      // forwardView: the last layer's own output tensor (forward() returns a copy the caller may keep)
      const y = m.forwardView(x);
      const resident = y.data.buffer instanceof SharedArrayBuffer;
      const gin = m.backward({ shape: y.shape, data: Float32Array.from(y.data, (_, i) => (i % 7) - 3) });
      return { y: Array.from(y.data), gin: Array.from(gin.data), resident };
    };
    const ref = run(tsBackend),
      got = run(wasm);
    expect(got.resident).toBe(true);
    expect(ref.resident).toBe(false);
    got.y.forEach((v, i) => expect(Math.abs(v - ref.y[i])).toBeLessThan(1e-4));
    got.gin.forEach((v, i) => expect(Math.abs(v - ref.gin[i])).toBeLessThan(1e-4));
  });

  test('views stay valid and in place when the memory grows', () => {
    const a = wasm.floats(1024);
    a.fill(-2);
    const before = wasm.memoryBytes;
    const big = wasm.floats(16 * 2 ** 20); // 64 MB: the memory grows
    expect(wasm.memoryBytes).toBeGreaterThan(before);
    expect(big.buffer).not.toBe(a.buffer);
    wasm.elementwise('relu', a, null, a);
    expect(a.every((v) => v === 0)).toBe(true);
  });

  test('a block returns to the heap only after the array and every view of it are garbage', async () => {
    let a: Float32Array | null = wasm.floats(4096);
    const at = a.byteOffset;
    let v: Float32Array | null = wasm.view(a, 100);
    v[0] = 1;
    a = null;
    gc();
    await new Promise((r) => setTimeout(r, 20));
    gc();
    await new Promise((r) => setTimeout(r, 20));
    // the view still holds the block: a new array of that size lands elsewhere
    const other = wasm.floats(4096);
    expect(other.byteOffset).not.toBe(at);
    expect(v[0]).toBe(1);
    v = null;
    // other blocks of this size may be free too: take them all until this one comes back
    const reused: Float32Array[] = [];
    const back = await collectUntil(() => {
      for (let i = 0; i < 100; i++) {
        const c = wasm.floats(4096);
        reused.push(c);
        if (c.byteOffset === at) return true;
        if (c.byteOffset >= wasm.heapBytes - 16384) break; // a new block: none free
      }
      return false;
    });
    expect(back).toBe(true);
    expect(reused.at(-1)!.every((x) => x === 0)).toBe(true);
    expect(other.length).toBe(4096);
  });
});

describe('releasing a model', () => {
  const layers = [
    { type: 'Conv2d', in_channels: 3, out_channels: 8, kernel_size: 3, padding: 1 },
    { type: 'ReLU' },
    { type: 'Flatten' },
    { type: 'Linear', in_features: 8 * 8 * 8, out_features: 4 },
  ] as const;
  const rng = new Rng(9),
    x = { shape: [5, 3, 8, 8], data: Float32Array.from({ length: 5 * 192 }, () => rng.normal()) };

  test('returns its memory at once: model after model, the heap does not grow', () => {
    setBackend(wasm);
    const heap: number[] = [];
    for (let i = 0; i < 4; i++) {
      const m = new Sequential([...layers], { seed: i });
      m.forwardView(x);
      m.release();
      heap.push(wasm.heapBytes);
    }
    expect(heap[3]).toBe(heap[0]);
  });

  test('a released model computes the same afterwards (its next forward allocates again)', () => {
    setBackend(wasm);
    const m = new Sequential([...layers], { seed: 3 });
    const before = Array.from(m.forward(x).data);
    m.release();
    // another model takes the freed blocks and writes into them
    const other = new Sequential([...layers], { seed: 4 });
    other.forwardView(x);
    expect(Array.from(m.forward(x).data)).toEqual(before);
  });

  test('a freed block is not returned a second time by its finalizer', async () => {
    let a: Float32Array | null = wasm.floats(2048);
    wasm.free(a);
    a = null;
    await collectUntil(() => false);
    // had the finalizer released it again, the free list would hold it twice
    const p = wasm.floats(2048),
      q = wasm.floats(2048);
    expect(p.byteOffset).not.toBe(q.byteOffset);
  });
});

describe('arena heap', () => {
  test('reuses released blocks by size, and stops at its limit', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
    const ar = new Arena(memory, 1024);
    const p = ar.hold(100)!,
      q = ar.hold(100)!;
    expect(q - p).toBe(128);
    ar.release(p, 100);
    expect(ar.hold(64)).not.toBe(p);
    expect(ar.hold(120)).toBe(p);
    // the bump region starts above the heap
    ar.reset();
    expect(ar.alloc(8)).toBeGreaterThanOrEqual(ar.heapBytes);
    expect(ar.hold(2 ** 31)).toBeNull();
  });
});
