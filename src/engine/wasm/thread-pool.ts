// Helper threads for the WASM kernels: each instantiates the same module on the same shared
// memory and waits on a task slot there (Atomics), so handing out work costs no messages.
// Web Workers from a Blob in the browser (needs cross-origin isolation for shared memory),
// worker_threads in Node. The calling thread works too.
//
// Work is split into chunks that threads claim from a shared counter, so a thread the OS
// descheduled does not hold the others up. A chunk's outputs (and its gradient partials,
// addressed by chunk index) do not depend on which thread ran it: results are the same
// for any thread count.
//
// Word 0 at CTRL is the chunk counter; helper t's slot (i32 words at CTRL + 64·t bytes):
// seq, done, fn, a0, count, chunk, a, b, bStride, c, cStride, err.

const SLOT_BYTES = 64;

export type Kernel = (a0: number, lo: number, hi: number, a: number, b: number, c: number) => void;

/** kernel(a0, lo, hi, a, b + q·bs, c + q·cs) for every chunk q this thread claims (also shipped to helpers as source). */
function claim(
  kernel: Kernel,
  i32: Int32Array,
  counter: number,
  a0: number,
  count: number,
  chunk: number,
  a: number,
  b: number,
  bs: number,
  c: number,
  cs: number,
): void {
  for (;;) {
    const q = Atomics.add(i32, counter, 1),
      lo = q * chunk;
    if (lo >= count) return;
    kernel(a0, lo, Math.min(lo + chunk, count), a, b + q * bs, c + q * cs);
  }
}

/**
 * Polls word w while it still holds v, for up to 4,096 loads (~40 µs here): kernel calls
 * follow each other closely within a step, and a thread that is still awake starts the next
 * one without an OS wake-up (a futex wake costs 20–100 µs on a VM). Returns early when the
 * word changes; the caller then waits properly (it returns at once). The count is a literal
 * because this function's source is shipped to the helpers, where a minified module's
 * constant would not exist (the same holds for claim: nothing but its arguments and Atomics).
 */
function spinWhile(i32: Int32Array, w: number, v: number): void {
  for (let k = 0; k < 4096 && Atomics.load(i32, w) === v; k++);
}

const CLAIM = `const claim = ${claim.toString()}; const spinWhile = ${spinWhile.toString()};`;

/** What a helper runs: it answers 'ready' once instantiated, then serves tasks forever. */
const LOOP = `${CLAIM}
function serve(exports, memory, fns, slotByte, counter) {
  const i32 = new Int32Array(memory.buffer);
  const s = slotByte >> 2;
  let seq = 0;
  for (;;) {
    spinWhile(i32, s, seq);
    Atomics.wait(i32, s, seq);
    seq = Atomics.load(i32, s);
    const fn = i32[s + 2];
    if (fn < 0) return;
    try { claim(exports[fns[fn]], i32, counter, i32[s + 3], i32[s + 4], i32[s + 5], i32[s + 6], i32[s + 7], i32[s + 8], i32[s + 9], i32[s + 10]); }
    catch (e) { i32[s + 11] = 1; }
    Atomics.store(i32, s + 1, seq);
    Atomics.notify(i32, s + 1);
  }
}`;

const NODE_SOURCE = `${LOOP}
const { parentPort } = require('node:worker_threads');
parentPort.once('message', ({ module, memory, fns, slot, counter }) => {
  const inst = new WebAssembly.Instance(module, { env: { memory } });
  parentPort.postMessage('ready');
  serve(inst.exports, memory, fns, slot, counter);
});`;

const BROWSER_SOURCE = `${LOOP}
self.onmessage = ({ data: { module, memory, fns, slot, counter } }) => {
  const inst = new WebAssembly.Instance(module, { env: { memory } });
  self.postMessage('ready');
  serve(inst.exports, memory, fns, slot, counter);
};`;

interface Helper {
  terminate(): void;
}

export class ThreadPool {
  private readonly i32: Int32Array;
  private seq = 0;

  private constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly ctrl: number,
    private readonly fnIndex: Map<string, number>,
    private readonly helpers: Helper[],
  ) {
    this.i32 = new Int32Array(memory.buffer);
  }

  /** Starts `threads − 1` helpers (0 when threads ≤ 1). ctrl: byte address of 64·threads bytes of task slots. */
  static async start(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    fns: string[],
    threads: number,
    ctrl: number,
  ): Promise<ThreadPool> {
    const helpers: Helper[] = [];
    const starts: Promise<void>[] = [];
    for (let t = 1; t < threads; t++) {
      const init = { module, memory, fns, slot: ctrl + SLOT_BYTES * t, counter: ctrl >> 2 };
      starts.push(isNode() ? startNode(init, helpers) : startBrowser(init, helpers));
    }
    try {
      await Promise.all(starts);
    } catch (e) {
      for (const h of helpers) h.terminate();
      throw e;
    }
    return new ThreadPool(memory, ctrl, new Map(fns.map((f, i) => [f, i])), helpers);
  }

  get size(): number {
    return this.helpers.length + 1;
  }

  /**
   * Runs kernel fn (`local` here) over chunks of `chunk` items out of `count` on every
   * thread; thread t gets scratch[t], chunk q gets b + q·bs and c + q·cs. Returns when all
   * chunks are done.
   */
  run(
    fn: string,
    local: Kernel,
    a0: number,
    count: number,
    chunk: number,
    scratch: readonly number[],
    b: number,
    bs: number,
    c: number,
    cs: number,
  ): void {
    const T = Math.min(this.size, Math.ceil(count / chunk), scratch.length),
      i32 = this.i32,
      counter = this.ctrl >> 2;
    Atomics.store(i32, counter, 0);
    if (T <= 1) {
      claim(local, i32, counter, a0, count, chunk, scratch[0], b, bs, c, cs);
      return;
    }
    const seq = ++this.seq,
      idx = this.fnIndex.get(fn);
    if (idx === undefined) throw new Error(`thread pool: no kernel '${fn}'`);
    for (let t = 1; t < T; t++) {
      const s = (this.ctrl + SLOT_BYTES * t) >> 2;
      i32[s + 2] = idx;
      i32[s + 3] = a0;
      i32[s + 4] = count;
      i32[s + 5] = chunk;
      i32[s + 6] = scratch[t];
      i32[s + 7] = b;
      i32[s + 8] = bs;
      i32[s + 9] = c;
      i32[s + 10] = cs;
      Atomics.store(i32, s, seq);
      Atomics.notify(i32, s);
    }
    let failed = false;
    try {
      claim(local, i32, counter, a0, count, chunk, scratch[0], b, bs, c, cs);
    } finally {
      // even when this thread's chunk threw, the helpers must finish before the memory is reused
      for (let t = 1; t < T; t++) {
        const s = (this.ctrl + SLOT_BYTES * t) >> 2;
        for (let v = Atomics.load(i32, s + 1); v !== seq; v = Atomics.load(i32, s + 1)) {
          spinWhile(i32, s + 1, v);
          Atomics.wait(i32, s + 1, v); // returns at once when the word changed while polling
        }
        if (i32[s + 11]) {
          failed = true;
          i32[s + 11] = 0;
        }
      }
    }
    if (failed) throw new Error(`a helper thread failed in ${fn}`);
  }

  dispose(): void {
    const i32 = this.i32;
    for (let t = 1; t < this.size; t++) {
      const s = (this.ctrl + SLOT_BYTES * t) >> 2;
      i32[s + 2] = -1;
      Atomics.store(i32, s, ++this.seq);
      Atomics.notify(i32, s);
    }
    for (const h of this.helpers) h.terminate();
    this.helpers.length = 0;
  }
}

export const threadSlotBytes = (threads: number): number => SLOT_BYTES * Math.max(threads, 1);

function isNode(): boolean {
  return typeof process !== 'undefined' && !!process.versions?.node;
}

interface Init {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  fns: string[];
  slot: number;
  counter: number;
}

async function startNode(init: Init, helpers: Helper[]): Promise<void> {
  const name = 'node:worker_threads';
  const { Worker } = (await import(/* @vite-ignore */ name)) as typeof import('node:worker_threads');
  const w = new Worker(NODE_SOURCE, { eval: true });
  helpers.push({ terminate: () => void w.terminate() });
  // a helper blocked in Atomics.wait must not keep the process alive
  w.unref();
  await new Promise<void>((resolve, reject) => {
    w.once('message', () => resolve());
    w.once('error', reject);
    w.postMessage(init);
  });
}

async function startBrowser(init: Init, helpers: Helper[]): Promise<void> {
  const url = URL.createObjectURL(new Blob([BROWSER_SOURCE], { type: 'text/javascript' }));
  const w = new Worker(url);
  helpers.push({ terminate: () => w.terminate() });
  try {
    await new Promise<void>((resolve, reject) => {
      w.onmessage = () => resolve();
      w.onerror = (e) => reject(new Error(`helper thread failed to start: ${e.message}`));
      w.postMessage(init);
    });
  } finally {
    URL.revokeObjectURL(url);
  }
}
