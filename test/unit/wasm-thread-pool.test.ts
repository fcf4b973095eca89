// The wasm thread pool: every chunk runs exactly once across the threads, a kernel that
// traps on any thread surfaces as an error after all threads stopped, and the pool keeps
// working afterwards. The kernels are tiny modules built with the in-repo assembler.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { add, I32, ld32i, ModuleBuilder, shl, st32i, ge } from '../../src/engine/wasm/asm.ts';
import { ThreadPool, type Kernel } from '../../src/engine/wasm/thread-pool.ts';

const CTRL = 1024,
  OUT = 8192;
let memory: WebAssembly.Memory, pool: ThreadPool, kernels: Record<'mark' | 'boom', Kernel>;

beforeAll(async () => {
  const m = new ModuleBuilder({ shared: true, minPages: 1, maxPages: 4 });
  // mark(base, lo, hi, a, b, c): out[i] += 1 + b for i in [lo, hi) (b: the chunk's offset)
  m.func('mark', [I32, I32, I32, I32, I32, I32], [], (f, [base, lo, hi, , b]) => {
    const i = f.local(),
      p = f.local();
    f.for(i, lo, hi, 1, () => {
      f.set(p, add(base, shl(i, 2)));
      f.do(st32i(p, add(add(ld32i(p), 1), b)));
    });
  });
  // boom(limit, lo, …): traps (unreachable) for any chunk starting at or past limit
  m.func('boom', [I32, I32, I32, I32, I32, I32], [], (f, [limit, lo]) => f.if(ge(lo, limit), () => f.do([0x00])));
  const module = await WebAssembly.compile(m.bytes());
  memory = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
  kernels = (await WebAssembly.instantiate(module, { env: { memory } })).exports as unknown as typeof kernels;
  pool = await ThreadPool.start(module, memory, ['mark', 'boom'], 3, CTRL);
});

afterAll(() => pool?.dispose());

test('three threads: every item of every chunk runs once; chunk offsets follow the chunk index', () => {
  const out = new Int32Array(memory.buffer, OUT, 1000);
  out.fill(0);
  pool.run('mark', kernels.mark, OUT, 1000, 7, [0, 0, 0], 0, 0, 0, 0);
  expect(out.every((v) => v === 1)).toBe(true);
  out.fill(0);
  // b + q·bs with bs = 1000: chunk q adds 1000·q + 1 to each of its items
  pool.run('mark', kernels.mark, OUT, 50, 10, [0, 0, 0], 0, 1000, 0, 0);
  for (let i = 0; i < 50; i++) expect(out[i]).toBe(1 + 1000 * Math.floor(i / 10));
});

test('a trap on any thread becomes an error once all threads stopped, and the pool still works', () => {
  expect(() => pool.run('boom', kernels.boom, 5, 40, 1, [0, 0, 0], 0, 0, 0, 0)).toThrow();
  const out = new Int32Array(memory.buffer, OUT, 100);
  out.fill(0);
  pool.run('mark', kernels.mark, OUT, 100, 3, [0, 0, 0], 0, 0, 0, 0);
  expect(out.every((v) => v === 1)).toBe(true);
});
