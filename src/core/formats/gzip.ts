// gzip files of any number of members. RFC 1952 lets a file be several gzip members one
// after another (`cat a.gz b.gz`, bgzip, some archivers), and gzip(1), Python and Node
// read all of them — but a browser's DecompressionStream('gzip') stops after the first
// with "Junk found after end of compressed data" (and drops the output of the last input
// chunk it was given). Here each member is inflated in turn: when junk follows, the
// member's end is a place where a new gzip header starts right after a trailer whose
// length fits what came out, and inflating exactly up to there succeeds.

/** Inflates a gzip stream as far as it goes: the output of its first member, and the error that stopped it, if any. */
export type MemberInflater = (bytes: Uint8Array) => Promise<{ data: Uint8Array; error: unknown }>;

export interface GunzipOptions {
  /** Refuse output beyond this many bytes (a decompression bomb), saying so. */
  maxBytes?: number;
  inflate?: MemberInflater;
}

/** DecompressionStream('gzip'), keeping what came out before an error. */
export const streamInflater =
  (maxBytes = Infinity): MemberInflater =>
  async (bytes) => {
    const reader = new Blob([bytes as Uint8Array<ArrayBuffer>])
      .stream()
      .pipeThrough(new DecompressionStream('gzip'))
      .getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        chunks.push(value);
        total += value.length;
        if (total > maxBytes) {
          await reader.cancel();
          throw new GzipTooLargeError(maxBytes);
        }
      }
      return { data: concat(chunks, total), error: null };
    } catch (error) {
      if (error instanceof GzipTooLargeError) throw error;
      return { data: concat(chunks, total), error };
    }
  };

export class GzipTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the gzip data inflates to more than ${limit.toLocaleString('en-US')} bytes, the limit`);
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

const isHeader = (b: Uint8Array, at: number) => b[at] === 0x1f && b[at + 1] === 0x8b && b[at + 2] === 8;

/** The most one 64 KiB input chunk can inflate to (deflate expands at most ~1032×). */
const LOST_OUTPUT_BOUND = 65_536 * 1032;

/**
 * The first member of `bytes` on its own, found after an inflate stopped at junk having
 * given `seen` bytes: the first place where another header (or only zeros) follows a
 * trailer whose length is at least `seen`, and inflating up to there succeeds.
 */
async function firstMember(
  bytes: Uint8Array,
  seen: number,
  inflate: MemberInflater,
): Promise<{ end: number; data: Uint8Array } | null> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let p = 18; p <= bytes.length; p++) {
    if (p < bytes.length && !isHeader(bytes, p) && bytes[p] !== 0) continue;
    const size = dv.getUint32(p - 4, true);
    if (size < seen >>> 0 || size > seen + LOST_OUTPUT_BOUND) continue;
    if (p < bytes.length && !isHeader(bytes, p) && !bytes.subarray(p).every((b) => b === 0)) continue;
    const { data, error } = await inflate(bytes.subarray(0, p));
    if (!error) return { end: p, data };
  }
  return null;
}

/** Every member of a gzip file, inflated and joined. Throws with the byte where it went wrong. */
export async function gunzip(bytes: Uint8Array, options: GunzipOptions = {}): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? Infinity;
  const parts: Uint8Array[] = [];
  let offset = 0,
    total = 0;
  while (offset < bytes.length) {
    const rest = bytes.subarray(offset);
    if (!isHeader(rest, 0)) {
      // Trailing zeros (tape padding) are allowed, as gzip(1) allows them.
      if (offset > 0 && rest.every((b) => b === 0)) break;
      throw new Error(
        offset === 0
          ? 'not gzip data (it does not start with 1f 8b 08)'
          : `bytes after the gzip data at byte ${offset} are not another gzip member`,
      );
    }
    const inflate = options.inflate ?? streamInflater(maxBytes - total);
    const first = await inflate(rest);
    let data = first.data,
      end = rest.length;
    if (first.error) {
      const member = await firstMember(rest, first.data.length, inflate);
      if (!member)
        throw new Error(
          `damaged gzip data in the member at byte ${offset}: ${first.error instanceof Error ? first.error.message : String(first.error)}`,
        );
      ({ data, end } = member);
    }
    total += data.length;
    if (total > maxBytes) throw new GzipTooLargeError(maxBytes);
    parts.push(data);
    offset += end;
  }
  return concat(parts, total);
}
