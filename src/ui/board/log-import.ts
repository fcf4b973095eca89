// What the board imports: Layerboard run files, TensorBoard event files, logdir .zip
// archives, and picked or dropped log folders. Paths are kept so that each folder becomes
// one run, as `tensorboard --logdir` shows it; every problem comes back verbatim.
import { readZipArchive } from '../../core/formats/zip.ts';
import { importRunFile, parseRunFile } from '../../db/run-file.ts';
import type { LayerboardDB, RunRecord } from '../../db/schema.ts';
import { importEventFiles, type EventFileInput } from '../../db/tfevents-exchange.ts';
import { storageErrorMessage } from '../../db/storage-errors.ts';
import type { ImportOptions } from '../../db/scalar-batches.ts';
import type { PathFile } from '../train/dropped-files.ts';

export interface ImportSummary {
  runs: RunRecord[];
  problems: string[];
}
/** A file by its path within what was picked or dropped ('logs/run1/events.out.tfevents.1.h'). */
export interface PathBytes {
  path: string;
  bytes: () => Promise<Uint8Array>;
}

/**
 * What a logdir zip may unpack to, by the sizes its entries declare (checked before any is
 * inflated): one event or run file up to 256 MiB (a million scalar points are ~70 MB), 1 GiB
 * in all. A bigger entry is listed as refused; the others still come in.
 */
export const LOG_ZIP_LIMITS = { maxEntryBytes: 256 * 2 ** 20, maxTotalBytes: 2 ** 30 };

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const isZip = (path: string) => /\.zip$/i.test(path);
const isRunFile = (path: string) => /\.json$/i.test(path);
const isEventFile = (path: string) => baseName(path).includes('tfevents');
/** macOS archive and copy litter (`__MACOSX/`, `._name`) holds no logs, only metadata. */
const isLitter = (path: string) => path.split('/').some((part) => part === '__MACOSX' || part.startsWith('._'));

export function fromFiles(files: PathFile[]): PathBytes[] {
  return files.map(({ path, file }) => ({ path, bytes: async () => new Uint8Array(await file.arrayBuffer()) }));
}

/**
 * Imports everything recognisable; nothing on the board is touched. Event files are grouped
 * by folder (a zip's entries sit under the zip's name, so two zips never merge runs).
 * Progress is told per file and per batch of points; a cancel keeps the runs already stored.
 */
export async function importBoardFiles(
  db: LayerboardDB,
  files: PathBytes[],
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const summary: ImportSummary = { runs: [], problems: [] };
  const events: EventFileInput[] = [];
  let skipped = 0;
  // Each file on its own: whatever one file throws is reported with its path, never
  // aborting the files after it.
  for (const f of files.filter((f) => !isLitter(f.path))) {
    if (options.signal?.aborted) break;
    options.onProgress?.(f.path, 0, 0);
    try {
      if (isZip(f.path)) {
        const entries = await zipEntries(f, summary.problems);
        for (const e of entries) {
          if (isEventFile(e.path)) events.push(e);
          else if (isRunFile(e.path))
            await importRunText(db, e.path, new TextDecoder().decode(e.bytes), summary, options);
        }
      } else if (isEventFile(f.path)) events.push({ path: f.path, bytes: await f.bytes() });
      else if (isRunFile(f.path))
        await importRunText(db, f.path, new TextDecoder().decode(await f.bytes()), summary, options);
      else skipped++;
    } catch (e) {
      summary.problems.push(`${f.path}: skipped: ${storageErrorMessage(e)}`);
    }
  }
  if (options.signal?.aborted) summary.problems.push('the import was cancelled: the runs listed came in before it');
  else if (events.length) {
    const result = await importEventFiles(db, events, undefined, options);
    summary.runs.push(...result.runs);
    summary.problems.push(...result.problems);
  } else if (!summary.runs.length && !summary.problems.length) {
    summary.problems.push(
      `no run files (.json) or TensorBoard event files (events.out.tfevents.*) among ${skipped} file${skipped === 1 ? '' : 's'}`,
    );
  }
  return summary;
}

async function zipEntries(f: PathBytes, problems: string[]): Promise<EventFileInput[]> {
  const stem = f.path.replace(/\.zip$/i, '');
  try {
    const { entries, refused } = await readZipArchive(await f.bytes(), LOG_ZIP_LIMITS);
    for (const r of refused) problems.push(`${f.path}: entry ${JSON.stringify(r.name)} refused: ${r.reason}`);
    return entries.map((e) => ({ path: `${stem}/${e.name}`, bytes: e.data })).filter((e) => !isLitter(e.path));
  } catch (e) {
    problems.push(`${f.path}: ${e instanceof Error ? e.message : String(e)}`);
    return [];
  }
}

async function importRunText(
  db: LayerboardDB,
  path: string,
  text: string,
  summary: ImportSummary,
  options: ImportOptions,
): Promise<void> {
  const parsed = parseRunFile(text);
  if (!parsed.ok) {
    summary.problems.push(
      ...parsed.errors.slice(0, 6).map((e) => `${path}: ${e.path ? `${e.path}: ` : ''}${e.message}`),
    );
    return;
  }
  try {
    summary.runs.push(await importRunFile(db, parsed.file, undefined, options));
  } catch (e) {
    const why = options.signal?.aborted ? 'the import was cancelled' : storageErrorMessage(e);
    summary.problems.push(`${path}: not imported: ${why}`);
  }
}
