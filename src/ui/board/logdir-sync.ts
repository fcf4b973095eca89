// Following the logdir that `layerboard board --logdir DIR` serves: every second the file
// list is read, and each file's new bytes are fetched from where the last read stopped;
// complete records go to IndexedDB (a record still being written waits for the rest).
// A page served any other way has no logdir: the sync stops after its first request.
import { EventStream } from '../../core/formats/tfevents/stream.ts';
import type { LayerboardDB } from '../../db/schema.ts';
import { ingestLogdirEvents } from '../../db/logdir-ingest.ts';

const API = '/__logdir__';
interface Listing {
  logdir: string;
  files: { path: string; size: number }[];
}

export function startLogdirSync(db: LayerboardDB, report: (message: string) => void, intervalMs = 1000): () => void {
  const streams = new Map<string, EventStream>();
  const seenRuns = new Set<string>();
  const reported = new Set<string>();
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  async function poll(): Promise<boolean> {
    const res = await fetch(`${API}/list`, { cache: 'no-store' });
    if (!res.ok || !res.headers.get('content-type')?.includes('json')) return false;
    const listing = (await res.json()) as Listing;
    const logdirName = listing.logdir.split(/[\\/]/).filter(Boolean).at(-1) ?? 'logdir';
    for (const f of listing.files) {
      let stream = streams.get(f.path);
      if (!stream) streams.set(f.path, (stream = new EventStream()));
      if (f.size <= stream.consumed || stream.problem) continue;
      const bytes = new Uint8Array(
        await (
          await fetch(`${API}/file?path=${encodeURIComponent(f.path)}&from=${stream.consumed}`, { cache: 'no-store' })
        ).arrayBuffer(),
      );
      const events = stream.push(bytes);
      const fault = (stream as EventStream).problem; // set by push
      if (fault && !reported.has(f.path)) {
        reported.add(f.path);
        report(`${f.path}: ${fault.message}; the records before it are shown`);
      }
      if (!events.length) continue;
      const folder = f.path.includes('/') ? f.path.slice(0, f.path.lastIndexOf('/')) : '.';
      const name = folder === '.' ? logdirName : folder;
      await ingestLogdirEvents(db, folder, name, events, !seenRuns.has(folder));
      seenRuns.add(folder);
    }
    return true;
  }

  const loop = async () => {
    let again = true;
    try {
      again = await poll();
    } catch (e) {
      report(`the logdir could not be read: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!stopped && again) timer = setTimeout(() => void loop(), intervalMs);
  };
  void loop();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
