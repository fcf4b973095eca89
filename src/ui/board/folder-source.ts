// A folder the user opened with the File System Access API (Chromium's
// window.showDirectoryPicker) as a logdir source: every event file under it (names
// containing "tfevents", as `tensorboard --logdir` reads), re-listed on every poll so new
// runs, new files and appended bytes are picked up.
import type { LogdirSource } from './logdir-sync.ts';

/** The part of FileSystemDirectoryHandle / FileSystemFileHandle the source uses. */
export interface DirectoryEntry {
  kind: 'directory';
  name: string;
  values(): AsyncIterable<DirectoryEntry | FileEntry>;
}
export interface FileEntry {
  kind: 'file';
  name: string;
  getFile(): Promise<Blob>;
}

type DirectoryPicker = (options?: { id?: string; mode?: 'read' }) => Promise<DirectoryEntry>;

/** The browser's directory picker, or null where the File System Access API is missing (Firefox, Safari). */
export function directoryPicker(): DirectoryPicker | null {
  const w = globalThis as { showDirectoryPicker?: DirectoryPicker };
  return typeof w.showDirectoryPicker === 'function' ? w.showDirectoryPicker.bind(globalThis) : null;
}

export function folderSource(root: DirectoryEntry): LogdirSource {
  const files = new Map<string, FileEntry>();
  async function walk(dir: DirectoryEntry, prefix: string, out: { path: string; size: number }[]): Promise<void> {
    for await (const entry of dir.values()) {
      const path = prefix + entry.name;
      if (entry.kind === 'directory') await walk(entry, `${path}/`, out);
      else if (entry.name.includes('tfevents')) {
        files.set(path, entry);
        out.push({ path, size: (await entry.getFile()).size });
      }
    }
  }
  return {
    name: root.name,
    idPrefix: `${root.name}/`,
    async list() {
      const out: { path: string; size: number }[] = [];
      await walk(root, '', out);
      return out.sort((a, b) => (a.path < b.path ? -1 : 1));
    },
    async read(path, from) {
      const entry = files.get(path);
      if (!entry) throw new Error(`${path} is no longer in the folder`);
      return new Uint8Array(await (await entry.getFile()).slice(from).arrayBuffer());
    },
  };
}
