// Test page for test/browser/wasm-backend.test.ts: runs wasm-backend-worker.ts (a module
// worker, where Atomics.wait is allowed) and hands its report to the test.
import type { WasmReport, WasmRequest } from './wasm-backend-worker.ts';

function run(request: WasmRequest): Promise<WasmReport> {
  const worker = new Worker(new URL('./wasm-backend-worker.ts', import.meta.url), { type: 'module' });
  return new Promise<WasmReport>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<WasmReport>) => {
      worker.terminate();
      resolve(e.data);
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(e.message));
    };
    worker.postMessage(request);
  });
}

declare global {
  interface Window {
    wasmTests: { run: typeof run; isolated: boolean };
  }
}

window.wasmTests = { run, isolated: crossOriginIsolated };
