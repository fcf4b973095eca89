// A minimal ustar/GNU tar reader: regular files only, checksums verified.

export interface TarEntry {
  name: string;
  data: Uint8Array;
}

const BLOCK = 512;

function field(block: Uint8Array, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return new TextDecoder().decode(end >= 0 ? raw.subarray(0, end) : raw);
}

function octal(block: Uint8Array, start: number, length: number): number {
  const text = field(block, start, length).trim();
  return text ? parseInt(text, 8) : 0;
}

export function untar(bytes: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | null = null;
  while (offset + BLOCK <= bytes.length) {
    const header = bytes.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) return entries; // end-of-archive marker
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i];
    const stored = octal(header, 148, 8);
    if (Number.isNaN(stored) || stored !== sum)
      throw new Error(`not a tar archive, or a damaged one: bad header checksum at byte ${offset}`);
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] || 48);
    const prefix = field(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    longName = null;
    const start = offset + BLOCK;
    if (start + size > bytes.length)
      throw new Error(`tar archive is truncated: '${name}' needs ${size} bytes, ${bytes.length - start} left`);
    const data = bytes.subarray(start, start + size);
    if (type === 'L') longName = new TextDecoder().decode(data).replace(/\0+$/, '');
    else if (type === '0' || type === '7') entries.push({ name, data });
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  if (offset < bytes.length) throw new Error(`tar archive is truncated at byte ${offset}`);
  return entries;
}
