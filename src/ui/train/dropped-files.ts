// Files from a drop or a picker, with their paths: a dropped folder is walked through the
// File System entries API ('pets/cat/001.png'); <input webkitdirectory> gives
// webkitRelativePath. Listing happens here; reading the bytes is the data worker's job.

export interface PathFile {
  path: string;
  file: File;
}

function entryFiles(entry: FileSystemEntry): Promise<PathFile[]> {
  if (entry.isFile) {
    return new Promise((resolve, reject) =>
      (entry as FileSystemFileEntry).file(
        (file) => resolve([{ path: entry.fullPath.replace(/^\//, ''), file }]),
        reject,
      ),
    );
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries returns at most ~100 entries per call: read until it returns none
  const readAll = async (acc: FileSystemEntry[] = []): Promise<FileSystemEntry[]> => {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    return batch.length ? readAll([...acc, ...batch]) : acc;
  };
  return readAll()
    .then((entries) => Promise.all(entries.map(entryFiles)))
    .then((lists) => lists.flat());
}

/** Every file of a drop; dropped folders are walked. */
export async function droppedFiles(data: DataTransfer): Promise<PathFile[]> {
  const entries = [...data.items].map((i) => i.webkitGetAsEntry?.() ?? null);
  if (entries.some((e) => e?.isDirectory)) {
    const lists = await Promise.all(entries.filter((e): e is FileSystemEntry => e !== null).map(entryFiles));
    return lists.flat();
  }
  return [...data.files].map((file) => ({ path: file.name, file }));
}

/** Files of a picker (a folder picker fills webkitRelativePath). */
export function pickedFiles(list: FileList | null): PathFile[] {
  return [...(list ?? [])].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
}

/** The folder a set of files came from ('pets' of 'pets/cat/1.png'). */
export function rootName(files: PathFile[]): string {
  const first = files[0]?.path.split('/') ?? [];
  return first.length > 2 ? first[0] : 'images';
}

export type DropKind = 'cifar10' | 'zip' | 'folder' | 'unknown';

/** What a drop looks like: CIFAR-10 binaries, an ImageFolder zip, or a folder of images. */
export function classify(files: PathFile[]): DropKind {
  if (files.length === 0) return 'unknown';
  const names = files.map((f) => f.path.toLowerCase());
  if (names.every((n) => /\.(tar\.gz|tgz|tar|bin)$/.test(n))) return 'cifar10';
  if (files.length === 1 && names[0].endsWith('.zip')) return 'zip';
  if (files.some((f) => f.path.includes('/'))) return 'folder';
  return 'unknown';
}
