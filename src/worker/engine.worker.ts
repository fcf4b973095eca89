// The engine's Web Worker entry: hands every message to the runtime, posts its events with
// their transfer lists. Start it through EngineClient.start() (src/worker/engine-client.ts).
import { EngineRuntime } from './engine-runtime.ts';

// the DOM library types `self` as a Window; in a dedicated worker it is this scope
const scope = self as unknown as DedicatedWorkerGlobalScope;
const runtime = new EngineRuntime((event, transfer) => scope.postMessage(event, transfer));
scope.onmessage = (e: MessageEvent) => runtime.handle(e.data);
scope.onmessageerror = () =>
  scope.postMessage({ type: 'error', runId: null, message: 'the engine worker could not read a message' });
