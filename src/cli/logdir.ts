// A logdir on disk, as `tensorboard --logdir` sees it: every event file under it (names
// containing "tfevents"), each folder one run; files are listed with their sizes and read
// from an offset so that a client can follow them as they grow.
import { readdir, stat, open } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export interface LogdirFile {
  path: string;
  size: number;
}

export async function listLogdir(root: string): Promise<LogdirFile[]> {
  const out: LogdirFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile() && e.name.includes('tfevents'))
        out.push({ path: relative(root, full).split(sep).join('/'), size: (await stat(full)).size });
    }
  };
  await walk(root);
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Bytes [from, size) of a file under root; refuses paths that leave the logdir. */
export async function readLogdirFile(root: string, path: string, from: number): Promise<Uint8Array> {
  if (path.split('/').some((p) => p === '..' || p === '') || path.includes('\\'))
    throw new Error(`not a logdir path: ${path}`);
  const handle = await open(join(root, ...path.split('/')), 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.max(0, size - from);
    const buf = new Uint8Array(length);
    if (length) await handle.read(buf, 0, length, from);
    return buf;
  } finally {
    await handle.close();
  }
}
