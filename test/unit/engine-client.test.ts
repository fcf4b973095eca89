// EngineClient against a fake worker: replies matched by id, stale runs dropped, crashes
// reported, transfer lists carrying the weight buffers.
import { expect, test } from 'vitest';
import { EngineClient, type WorkerLike } from '../../src/worker/engine-client.ts';
import { requestProblem, type Request, type WorkerEvent } from '../../src/worker/protocol.ts';

class FakeWorker implements WorkerLike {
  sent: { msg: Request; transfer: Transferable[] }[] = [];
  terminated = false;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  onmessageerror: ((e: MessageEvent) => void) | null = null;
  postMessage(msg: unknown, transfer: Transferable[]): void {
    this.sent.push({ msg: msg as Request, transfer });
  }
  terminate(): void {
    this.terminated = true;
  }
  emit(e: WorkerEvent): void {
    this.onmessage!({ data: e } as MessageEvent);
  }
}

const doc = {
  format: 'layerboard-model',
  version: 1,
  input: [4],
  layers: [{ type: 'Linear', in_features: 4, out_features: 2 }],
} as const;

test('requests get increasing ids and resolve with their own reply, in any order', async () => {
  const w = new FakeWorker(),
    c = new EngineClient(w);
  const a = c.ping(),
    b = c.stop('r1');
  expect(w.sent.map((s) => [s.msg.type, s.msg.id])).toEqual([
    ['ping', 1],
    ['stop', 2],
  ]);
  w.emit({ type: 'reply', requestId: 2, ok: false, error: 'no run r1' });
  w.emit({ type: 'reply', requestId: 1, ok: true, result: { pong: true } });
  await expect(a).resolves.toEqual({ pong: true });
  await expect(b).rejects.toThrow('no run r1');
});

test('weights go in the transfer list', () => {
  const w = new FakeWorker(),
    c = new EngineClient(w);
  const buffer = new Float32Array(8).buffer;
  void c.train({
    runId: 'r',
    model: doc as never,
    config: {} as never,
    dataset: { kind: 'synthetic', classes: 2, train: 8, test: 0, seed: 1 },
    weights: { entries: [{ name: '0.weight', shape: [2, 4], dtype: 'float32', buffer }] },
  });
  expect(w.sent[0].transfer).toEqual([buffer]);
});

test('events of an earlier run are dropped; the current run is delivered', () => {
  const w = new FakeWorker(),
    c = new EngineClient(w);
  const seen: string[] = [];
  c.on('progress', (e) => seen.push(e.runId));
  void c.train({
    runId: 'old',
    model: doc as never,
    config: {} as never,
    dataset: { kind: 'synthetic', classes: 2, train: 8, test: 0, seed: 1 },
  });
  void c.train({
    runId: 'new',
    model: doc as never,
    config: {} as never,
    dataset: { kind: 'synthetic', classes: 2, train: 8, test: 0, seed: 1 },
  });
  const progress = (runId: string): WorkerEvent => ({
    type: 'progress',
    runId,
    status: 'running',
    steps: [],
    epochs: [],
    totalSteps: 1,
    imagesPerSecond: 0,
  });
  w.emit(progress('old'));
  w.emit(progress('new'));
  expect(seen).toEqual(['new']);
});

test('a worker crash rejects pending requests and becomes an error event', async () => {
  const w = new FakeWorker(),
    c = new EngineClient(w);
  const errors: string[] = [];
  c.on('error', (e) => errors.push(e.message));
  const p = c.ping();
  w.onerror!({ message: 'out of memory', preventDefault() {} } as ErrorEvent);
  await expect(p).rejects.toThrow('engine worker crashed: out of memory');
  expect(errors).toEqual(['engine worker crashed: out of memory']);
  await expect(c.ping()).rejects.toThrow('crashed');
});

test('requestProblem names what is wrong with an incoming message', () => {
  expect(requestProblem({ type: 'ping', id: 3 })).toBeNull();
  expect(requestProblem({ type: 'launch', id: 3 })).toContain('unknown message type "launch"');
  expect(requestProblem({ type: 'ping' })).toContain('no integer id');
  expect(requestProblem('hello')).toContain('expected a request object');
});
