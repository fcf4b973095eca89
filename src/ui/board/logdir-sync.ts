// Following a logdir live: on every poll its file list is read, and each file's new bytes
// are read from where the last read stopped; complete records go to IndexedDB (a record
// still being written waits for the rest). Two sources: the logdir `layerboard board
// --logdir DIR` serves over HTTP (a page served any other way has none: that sync stops
// after its first request), and a folder opened with the File System Access API.
import { EventStream } from '../../core/formats/tfevents/stream.ts';
import type { LayerboardDB } from '../../db/schema.ts';
import { ingestLogdirEvents } from '../../db/logdir-ingest.ts';

/** A logdir's files (paths relative to it, '/'-separated) and their bytes from an offset. */
export interface LogdirSource {
  /** Names the run of files at the logdir's top. */
  name: string;
  /** Prefixes each run folder in run ids, so two sources never share a run. */
  idPrefix: string;
  /** The files and sizes now; null: there is no logdir (stop following). */
  list(): Promise<{ path: string; size: number }[] | null>;
  read(path: string, from: number): Promise<Uint8Array>;
}

const API = '/__logdir__';

/** The logdir `layerboard board --logdir DIR` serves. */
export function servedLogdir(): LogdirSource {
  const source: LogdirSource = {
    name: 'logdir',
    idPrefix: '',
    async list() {
      const res = await fetch(`${API}/list`, { cache: 'no-store' });
      if (!res.ok || !res.headers.get('content-type')?.includes('json')) return null;
      const listing = (await res.json()) as { logdir: string; files: { path: string; size: number }[] };
      source.name = listing.logdir.split(/[\\/]/).filter(Boolean).at(-1) ?? 'logdir';
      return listing.files;
    },
    async read(path, from) {
      const res = await fetch(`${API}/file?path=${encodeURIComponent(path)}&from=${from}`, { cache: 'no-store' });
      return new Uint8Array(await res.arrayBuffer());
    },
  };
  return source;
}

/** Polls `source` every `intervalMs` until stopped (the returned function) or it has no logdir. */
export function followLogdir(
  db: LayerboardDB,
  source: LogdirSource,
  report: (message: string) => void,
  intervalMs = 1000,
): () => void {
  const streams = new Map<string, EventStream>();
  const seenRuns = new Set<string>();
  const reported = new Set<string>();
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  async function poll(): Promise<boolean> {
    const files = await source.list();
    if (!files) return false;
    for (const f of files) {
      if (stopped) return false;
      let stream = streams.get(f.path);
      if (!stream) streams.set(f.path, (stream = new EventStream()));
      if (f.size <= stream.consumed || stream.problem) continue;
      const events = stream.push(await source.read(f.path, stream.consumed));
      const fault = (stream as EventStream).problem; // set by push
      if (fault && !reported.has(f.path)) {
        reported.add(f.path);
        report(`${f.path}: ${fault.message}; the records before it are shown`);
      }
      if (!events.length) continue;
      const folder = f.path.includes('/') ? f.path.slice(0, f.path.lastIndexOf('/')) : '.';
      const name = folder === '.' ? source.name : folder;
      await ingestLogdirEvents(db, source.idPrefix + folder, name, events, !seenRuns.has(folder));
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

/** Follows the logdir `layerboard board --logdir DIR` serves, if it does. */
export function startLogdirSync(db: LayerboardDB, report: (message: string) => void, intervalMs = 1000): () => void {
  return followLogdir(db, servedLogdir(), report, intervalMs);
}
