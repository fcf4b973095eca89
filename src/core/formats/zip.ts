// ZIP archives, read and write: stored or deflated entries, CRC-32 checked. Deflate runs
// through the platform's (De)CompressionStream('deflate-raw'), in browsers and Node alike.
// Names are checked both ways (archive-path.ts): the writer refuses a name that could
// escape the extraction folder or overflow the format instead of writing it, and the
// reader refuses such entries and reports them.
import { entryNameProblem } from './archive-path.ts';
import { inflate, InflateLimitError } from './inflate.ts';

export interface ZipEntry {
  name: string;
  data: Uint8Array;
}
/** An entry the reader would not return, and why. */
export interface RefusedEntry {
  name: string;
  reason: string;
}
export interface ZipContents {
  entries: ZipEntry[];
  refused: RefusedEntry[];
}
/** Byte budgets, checked against the sizes the central directory declares before anything is inflated. */
export interface ZipLimits {
  /** An entry declaring more inflated bytes than this is refused (listed in `refused`). */
  maxEntryBytes?: number;
  /** Entries whose declared sizes would take the total past this are refused. */
  maxTotalBytes?: number;
}

/** Without ZIP64 every count, size and offset must fit the classic format's fields. */
const MAX_ENTRIES = 0xffff,
  MAX_BYTES = 0xffffffff;

export class ZipNameError extends Error {}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

async function pipe(bytes: Uint8Array, transform: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** DOS date/time of a JS date (local time, as zip tools show it). */
function dosDateTime(d: Date): [number, number] {
  const time = (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1);
  const date = ((Math.max(d.getFullYear(), 1980) - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate();
  return [time, date];
}

export async function writeZip(
  entries: ZipEntry[],
  options: { compress?: boolean; date?: Date } = {},
): Promise<Uint8Array> {
  const [time, date] = dosDateTime(options.date ?? new Date());
  if (entries.length >= MAX_ENTRIES)
    throw new Error(`a zip holds at most ${MAX_ENTRIES - 1} entries without ZIP64; ${entries.length} were given`);
  const seen = new Set<string>();
  for (const entry of entries) {
    const problem = entryNameProblem(entry.name);
    if (problem)
      throw new ZipNameError(`refusing to write zip entry ${JSON.stringify(entry.name.slice(0, 200))}: ${problem}`);
    if (seen.has(entry.name)) throw new ZipNameError(`refusing to write zip entry ${JSON.stringify(entry.name)} twice`);
    seen.add(entry.name);
    if (entry.data.length > MAX_BYTES)
      throw new Error(
        `zip entry '${entry.name}' is ${entry.data.length} bytes; over 4 GiB needs ZIP64, which is not supported`,
      );
  }
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = new TextEncoder().encode(entry.name);
    const deflated = options.compress === false ? null : await pipe(entry.data, new CompressionStream('deflate-raw'));
    const useDeflate = deflated !== null && deflated.length < entry.data.length;
    const body = useDeflate ? deflated : entry.data;
    const crc = crc32(entry.data);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, 0x0800, true); // UTF-8 names
    lv.setUint16(8, useDeflate ? 8 : 0, true);
    lv.setUint16(10, time, true);
    lv.setUint16(12, date, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, entry.data.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, 0x0800, true);
    cv.setUint16(10, useDeflate ? 8 : 0, true);
    cv.setUint16(12, time, true);
    cv.setUint16(14, date, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, entry.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, body);
    centrals.push(central);
    offset += local.length + body.length;
    if (offset > MAX_BYTES) throw new Error('the zip would be over 4 GiB; that needs ZIP64, which is not supported');
  }
  const centralSize = centrals.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, centralSize, true);
  ev.setUint32(16, offset, true);
  const parts = [...locals, ...centrals, end];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Every file of an archive (folders skipped); throws on an entry it refuses (a name that could escape, a size over a limit). */
export async function readZip(bytes: Uint8Array, limits: ZipLimits = {}): Promise<ZipEntry[]> {
  const { entries, refused } = await readZipArchive(bytes, limits);
  if (refused.length)
    throw new ZipNameError(
      `zip entry ${JSON.stringify(refused[0].name.slice(0, 200))} is refused: ${refused[0].reason}`,
    );
  return entries;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * Every file of an archive (folders skipped), names as stored ('cat/001.png'), and the
 * entries refused because their names could land outside the extraction folder or their
 * declared sizes pass `limits`. An entry is never inflated past the size it declares.
 */
export async function readZipArchive(bytes: Uint8Array, limits: ZipLimits = {}): Promise<ZipContents> {
  const maxEntry = limits.maxEntryBytes ?? Infinity,
    maxTotal = limits.maxTotalBytes ?? Infinity;
  let declaredTotal = 0;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive (no end-of-central-directory record): wrong file or truncated');
  const count = dv.getUint16(eocd + 10, true);
  let at = dv.getUint32(eocd + 16, true);
  if (count === 0xffff || at === 0xffffffff)
    throw new Error('ZIP64 archives (over 4 GB or 65,535 files) are not supported');
  const entries: ZipEntry[] = [];
  const refused: RefusedEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || dv.getUint32(at, true) !== 0x02014b50)
      throw new Error(`zip central directory is damaged at entry ${i} (byte ${at})`);
    const method = dv.getUint16(at + 10, true);
    const crc = dv.getUint32(at + 16, true);
    const size = dv.getUint32(at + 20, true);
    const declared = dv.getUint32(at + 24, true);
    const nameLength = dv.getUint16(at + 28, true);
    const extra = dv.getUint16(at + 30, true) + dv.getUint16(at + 32, true);
    const localOffset = dv.getUint32(at + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extra;
    const problem = entryNameProblem(name);
    if (problem) {
      refused.push({ name, reason: problem });
      continue;
    }
    if (name.endsWith('/')) continue;
    if (declared > maxEntry || size > maxEntry) {
      refused.push({
        name,
        reason: `it declares ${fmt(Math.max(declared, size))} bytes, more than the ${fmt(maxEntry)}-byte limit for one entry`,
      });
      continue;
    }
    if (declaredTotal + declared > maxTotal) {
      refused.push({
        name,
        reason: `the entries before it and its ${fmt(declared)} bytes pass the ${fmt(maxTotal)}-byte limit for the whole archive`,
      });
      continue;
    }
    declaredTotal += declared;
    if (localOffset + 30 > bytes.length)
      throw new Error(
        `zip entry '${name}' is damaged (local header offset ${localOffset} is past the end, ${bytes.length} bytes)`,
      );
    if (dv.getUint32(localOffset, true) !== 0x04034b50)
      throw new Error(`zip entry '${name}' is damaged (no local header at byte ${localOffset})`);
    const start = localOffset + 30 + dv.getUint16(localOffset + 26, true) + dv.getUint16(localOffset + 28, true);
    if (start + size > bytes.length) throw new Error(`zip entry '${name}' is truncated`);
    const body = bytes.subarray(start, start + size);
    let data: Uint8Array;
    if (method === 0) data = body.slice();
    else if (method === 8)
      data = await inflate(body, { format: 'deflate-raw', maxBytes: declared }).then(
        (r) => r.data,
        (e: unknown) => {
          throw new Error(
            e instanceof InflateLimitError
              ? `zip entry '${name}' inflates past the ${fmt(declared)} bytes it declares (stopped there): damaged, or a decompression bomb`
              : `zip entry '${name}' could not be inflated: damaged data`,
          );
        },
      );
    else
      throw new Error(
        `zip entry '${name}' uses compression method ${method}; only stored (0) and deflate (8) are supported`,
      );
    if (data.length !== declared)
      throw new Error(
        `zip entry '${name}' holds ${fmt(data.length)} bytes, but declares ${fmt(declared)}: damaged data`,
      );
    if (crc32(data) !== crc) throw new Error(`zip entry '${name}' fails its CRC-32 check: damaged data`);
    entries.push({ name, data });
  }
  return { entries, refused };
}
