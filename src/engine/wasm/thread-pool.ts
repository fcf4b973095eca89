// Helper threads for the WASM kernels: each instantiates the same module on the same shared
// memory and waits on a task slot there (Atomics), so handing out work costs no messages.
// Web Workers from a Blob in the browser (needs cross-origin isolation for shared memory),
// worker_threads in Node. The calling thread always takes the first share itself.
//
// Task slot of helper t (i32 words at CTRL + 64·t bytes): seq, done, fn, a0 … a5.

const SLOT_BYTES = 64;

/** What a helper runs: it answers 'ready' once instantiated, then serves tasks forever. */
const LOOP = `
function serve(exports, memory, fns, slotByte) {
  const i32 = new Int32Array(memory.buffer);
  const s = slotByte >> 2;
  let seq = 0;
  for (;;) {
    Atomics.wait(i32, s, seq);
    seq = Atomics.load(i32, s);
    const fn = i32[s + 2];
    if (fn < 0) return;
    try { exports[fns[fn]](i32[s + 3], i32[s + 4], i32[s + 5], i32[s + 6], i32[s + 7], i32[s + 8]); }
    catch (e) { i32[s + 9] = 1; }
    Atomics.store(i32, s + 1, seq);
    Atomics.notify(i32, s + 1);
  }
}`;

const NODE_SOURCE = `${LOOP}
const { parentPort } = require('node:worker_threads');
parentPort.once('message', ({ module, memory, fns, slot }) => {
  const inst = new WebAssembly.Instance(module, { env: { memory } });
  parentPort.postMessage('ready');
  serve(inst.exports, memory, fns, slot);
});`;

const BROWSER_SOURCE = `${LOOP}
self.onmessage = ({ data: { module, memory, fns, slot } }) => {
  const inst = new WebAssembly.Instance(module, { env: { memory } });
  self.postMessage('ready');
  serve(inst.exports, memory, fns, slot);
};`;

interface Helper { terminate(): void }

export class ThreadPool {
  private readonly i32: Int32Array;
  private seq = 0;

  private constructor(
    private readonly memory: WebAssembly.Memory, private readonly ctrl: number,
    private readonly fnIndex: Map<string, number>, private readonly helpers: Helper[],
  ) {
    this.i32 = new Int32Array(memory.buffer);
  }

  /** Starts `threads − 1` helpers (0 when threads ≤ 1). ctrl: byte address of 64·threads bytes of task slots. */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, fns: string[], threads: number, ctrl: number): Promise<ThreadPool> {
    const helpers: Helper[] = [];
    const starts: Promise<void>[] = [];
    for (let t = 1; t < threads; t++) {
      const init = { module, memory, fns, slot: ctrl + SLOT_BYTES * t };
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
   * Splits [0, count) into contiguous shares; share t runs fn(a0, lo, hi, ...args(t)) on
   * thread t (t = 0 here) and this returns when all are done.
   */
  run(fn: string, a0: number, count: number, args: (t: number) => [number, number, number], local: (...a: number[]) => void): void {
    const T = Math.min(this.size, Math.max(1, count));
    const share = (t: number): [number, number] => [Math.floor((count * t) / T), Math.floor((count * (t + 1)) / T)];
    if (T === 1) { local(a0, 0, count, ...args(0)); return; }
    const seq = ++this.seq, idx = this.fnIndex.get(fn);
    if (idx === undefined) throw new Error(`thread pool: no kernel '${fn}'`);
    const i32 = this.i32;
    for (let t = 1; t < T; t++) {
      const s = (this.ctrl + SLOT_BYTES * t) >> 2, [lo, hi] = share(t), [b, c, d] = args(t);
      i32[s + 2] = idx; i32[s + 3] = a0; i32[s + 4] = lo; i32[s + 5] = hi; i32[s + 6] = b; i32[s + 7] = c; i32[s + 8] = d;
      Atomics.store(i32, s, seq);
      Atomics.notify(i32, s);
    }
    const [lo, hi] = share(0), [b, c, d] = args(0);
    local(a0, lo, hi, b, c, d);
    let failed = false;
    for (let t = 1; t < T; t++) {
      const s = (this.ctrl + SLOT_BYTES * t) >> 2;
      for (let v = Atomics.load(i32, s + 1); v !== seq; v = Atomics.load(i32, s + 1)) Atomics.wait(i32, s + 1, v);
      if (i32[s + 9]) { failed = true; i32[s + 9] = 0; }
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

interface Init { module: WebAssembly.Module; memory: WebAssembly.Memory; fns: string[]; slot: number }

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
