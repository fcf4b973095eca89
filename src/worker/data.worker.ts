// The data worker's entry: dataset imports and image reads (data-runtime.ts), off the UI
// thread. Start it through DataClient.start() (src/worker/data-client.ts).
import { createDatabase, type LayerboardDB } from '../db/schema.ts';
import { DataRuntime } from './data-runtime.ts';
import { createBitmapDecoder } from './image-decode.ts';

// the DOM library types `self` as a Window; in a dedicated worker it is this scope
const scope = self as unknown as DedicatedWorkerGlobalScope;
let db: LayerboardDB | null = null;
const runtime = new DataRuntime((event, transfer) => scope.postMessage(event, transfer), {
  db: () => (db ??= createDatabase()),
  decode: createBitmapDecoder(),
});
scope.onmessage = (e: MessageEvent) => runtime.handle(e.data);
