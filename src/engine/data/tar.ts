// A minimal ustar/GNU tar reader: regular files only, checksums verified. It reads as
// bytes arrive (TarStream.push), so a tarball can be unpacked while it is inflated and
// only the entries asked for are kept; every header field it needs is checked, and a bad
// one is an error naming the entry and the byte of its header.

export interface TarEntry {
  name: string;
  data: Uint8Array;
}

export interface TarOptions {
  /** Which regular files to keep (the rest are skipped as they stream past). Default: all. */
  keep?: (name: string) => boolean;
  /** A kept entry declaring more bytes than this is refused by its header, before any of it is read. */
  maxEntryBytes?: number;
}

const BLOCK = 512;
/** A GNU long name ('L' entry) longer than this is not a path. */
const MAX_LONG_NAME = 1 << 16;
const decoder = new TextDecoder();

function field(block: Uint8Array, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return decoder.decode(end >= 0 ? raw.subarray(0, end) : raw);
}

/** An octal number field (digits, padded by spaces or NULs); NaN when it holds anything else. */
function octal(block: Uint8Array, start: number, length: number): number {
  const text = field(block, start, length).trim();
  if (!text) return 0;
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN;
}

/** The size field: octal, or GNU's base-256 (first byte 0x80 positive, 0xff negative). */
function sizeField(block: Uint8Array): number | string {
  const first = block[124];
  if (first & 0x80) {
    if (first === 0xff) return 'is negative (base-256)';
    let n = first & 0x7f;
    for (let i = 125; i < 136; i++) n = n * 256 + block[i];
    return Number.isSafeInteger(n) ? n : `is ${n.toExponential(2)} bytes, past what can be addressed`;
  }
  const text = field(block, 124, 12).trim();
  if (text.startsWith('-')) return `is negative (${JSON.stringify(text)})`;
  const n = octal(block, 124, 12);
  return Number.isNaN(n) ? `is not an octal number (${JSON.stringify(text)})` : n;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** The entry being read: its header's byte, its bytes when kept (or a long name), and how many came. */
interface Pending {
  name: string;
  at: number;
  type: string;
  size: number;
  data: Uint8Array | null;
  fill: number;
}

/** A tar archive read as its bytes arrive; `entries` are the kept regular files so far. */
export class TarStream {
  readonly entries: TarEntry[] = [];
  /** The end-of-archive block was seen; later bytes are ignored. */
  ended = false;
  /** Archive bytes read so far. */
  offset = 0;
  readonly #header = new Uint8Array(BLOCK);
  #headerFill = 0;
  #entry: Pending | null = null;
  #pad = 0;
  #longName: string | null = null;

  constructor(private readonly options: TarOptions = {}) {}

  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length && !this.ended) {
      const rest = chunk.length - at;
      if (this.#entry) {
        const e = this.#entry;
        const n = Math.min(e.size - e.fill, rest);
        e.data?.set(chunk.subarray(at, at + n), e.fill);
        e.fill += n;
        at += n;
        if (e.fill === e.size) this.#finishEntry(e);
      } else if (this.#pad > 0) {
        const n = Math.min(this.#pad, rest);
        this.#pad -= n;
        at += n;
      } else {
        const n = Math.min(BLOCK - this.#headerFill, rest);
        this.#header.set(chunk.subarray(at, at + n), this.#headerFill);
        this.#headerFill += n;
        at += n;
        if (this.#headerFill === BLOCK) {
          this.#headerFill = 0;
          this.#readHeader(this.offset + at - BLOCK);
        }
      }
    }
    this.offset += chunk.length;
  }

  /** The kept entries; throws when the archive stopped inside an entry or a header. */
  finish(): TarEntry[] {
    const e = this.#entry;
    if (e) throw new Error(`tar archive is truncated: '${e.name}' needs ${fmt(e.size)} bytes, ${fmt(e.fill)} present`);
    if (this.#headerFill > 0) throw new Error(`tar archive is truncated at byte ${this.offset - this.#headerFill}`);
    return this.entries;
  }

  #readHeader(at: number): void {
    const header = this.#header;
    if (header.every((b) => b === 0)) {
      this.ended = true; // end-of-archive marker
      return;
    }
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i];
    const stored = octal(header, 148, 8);
    if (Number.isNaN(stored) || stored !== sum)
      throw new Error(`not a tar archive, or a damaged one: bad header checksum at byte ${at}`);
    const prefix = field(header, 345, 155);
    const name = this.#longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    this.#longName = null;
    const size = sizeField(header);
    if (typeof size === 'string') throw new Error(`tar entry '${name}' (header at byte ${at}): its size field ${size}`);
    const type = String.fromCharCode(header[156] || 48);
    const regular = type === '0' || type === '7';
    const kept = regular && (this.options.keep?.(name) ?? true);
    if (type === 'L' && size > MAX_LONG_NAME)
      throw new Error(`tar entry at byte ${at}: a long name of ${fmt(size)} bytes is not a file name`);
    const limit = this.options.maxEntryBytes ?? Infinity;
    if (kept && size > limit)
      throw new Error(
        `tar entry '${name}' (header at byte ${at}) declares ${fmt(size)} bytes, more than the ${fmt(limit)}-byte limit`,
      );
    const entry: Pending = { name, at, type, size, data: kept || type === 'L' ? new Uint8Array(size) : null, fill: 0 };
    this.#pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (size === 0) this.#finishEntry(entry);
    else this.#entry = entry;
  }

  #finishEntry(e: Pending): void {
    this.#entry = null;
    if (e.type === 'L') this.#longName = decoder.decode(e.data!).replace(/\0+$/, '');
    else if (e.data) this.entries.push({ name: e.name, data: e.data });
  }
}

/** Every regular file of a whole tar archive in memory. */
export function untar(bytes: Uint8Array, options: TarOptions = {}): TarEntry[] {
  const tar = new TarStream(options);
  tar.push(bytes);
  return tar.finish();
}
