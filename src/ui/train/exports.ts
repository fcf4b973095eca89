// Downloads of a trained run: its weights as .safetensors (PyTorch's state_dict names, so
// `model.model.load_state_dict(load_file(...))` takes them), and the PyTorch project as a
// .zip — model.py, train.py with the run's configuration, README, the weights, and the
// built-in dataset (MNIST, Fashion-MNIST) as its .lbds.gz so `python train.py` runs as it is.
import { pytorchProject } from '../../core/python/pytorch-project.ts';
import { encodeSafetensors } from '../../core/formats/safetensors.ts';
import { defaultTrainingConfigFor } from '../../core/run/training-config.ts';
import { writeZip, type ZipEntry } from '../../core/formats/zip.ts';
import { safeSegment } from '../../core/formats/archive-path.ts';
import type { RunRecord } from '../../db/schema.ts';
import { downloadBlob, fileSafe } from '../board/download.ts';
import { safetensorsOf, type StoredWeights } from './weights.ts';

export function safetensorsBytes(record: RunRecord, weights: StoredWeights): Uint8Array {
  return encodeSafetensors(safetensorsOf(weights), { format: 'pt', source: 'Layerboard', run: record.name });
}

export function downloadSafetensors(record: RunRecord, weights: StoredWeights): void {
  downloadBlob(
    `${fileSafe(record.name.replace(/\s*·\s*/g, '-'))}.safetensors`,
    new Blob([safetensorsBytes(record, weights) as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }),
  );
}

/** The project's files (under one folder named after the model class). */
export async function projectEntries(
  record: RunRecord,
  weights: StoredWeights | null,
  baseUrl: string,
): Promise<ZipEntry[]> {
  const config = record.config ?? record.doc.training ?? defaultTrainingConfigFor(record.doc.input);
  const folder = safeSegment(record.doc.className ?? 'model', 'model');
  const text = (s: string) => new TextEncoder().encode(s);
  const entries: ZipEntry[] = pytorchProject(record.doc, config).map((f) => ({
    name: `${folder}/${f.path}`,
    data: text(f.content),
  }));
  if (weights) entries.push({ name: `${folder}/weights.safetensors`, data: safetensorsBytes(record, weights) });
  const builtin = builtinFileOf(config.dataset.id);
  if (builtin) {
    const url = new URL(`datasets/${builtin}`, baseUrl);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`could not read the built-in dataset file ${url}: HTTP ${response.status}`);
    entries.push({ name: `${folder}/${builtin}`, data: await gzipped(new Uint8Array(await response.arrayBuffer())) });
  }
  return entries;
}

/** The file of a built-in dataset (served under datasets/), or null. */
function builtinFileOf(id: string | undefined): string | null {
  return id === 'mnist' || id === 'fashion-mnist' ? `${id}.lbds.gz` : null;
}

/** The bytes gzip-compressed, unless they are already (a server may have inflated the .gz on the way). */
async function gzipped(bytes: Uint8Array): Promise<Uint8Array> {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return bytes;
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export async function downloadProject(
  record: RunRecord,
  weights: StoredWeights | null,
  baseUrl: string,
): Promise<void> {
  const zip = await writeZip(await projectEntries(record, weights, baseUrl));
  downloadBlob(
    `${fileSafe(record.doc.className ?? 'model')}-pytorch.zip`,
    new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }),
  );
}
