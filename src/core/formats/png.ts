// PNG encoding of 8-bit grey or RGB pixels (what add_image logs): signature, IHDR, one
// zlib-compressed IDAT (filter 0 per row; the platform's CompressionStream('deflate'),
// in browsers, workers and Node alike) and IEND, each chunk with its CRC-32.
import { crc32 } from './zip.ts';

export interface Pixels {
  width: number;
  height: number;
  /** 1 grey, 3 RGB. */
  channels: 1 | 3;
  /** Row-major, channels interleaved, `width · height · channels` bytes. */
  data: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  dv.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export async function encodePng(p: Pixels): Promise<Uint8Array> {
  if (p.data.length !== p.width * p.height * p.channels)
    throw new Error(`PNG: ${p.data.length} bytes for ${p.width}×${p.height}×${p.channels} pixels`);
  const header = new Uint8Array(13);
  const dv = new DataView(header.buffer);
  dv.setUint32(0, p.width);
  dv.setUint32(4, p.height);
  header[8] = 8; // bit depth
  header[9] = p.channels === 1 ? 0 : 2; // colour type: grey, truecolour
  const row = p.width * p.channels;
  const raw = new Uint8Array((row + 1) * p.height);
  for (let y = 0; y < p.height; y++) raw.set(p.data.subarray(y * row, (y + 1) * row), y * (row + 1) + 1);
  const parts = [
    Uint8Array.from(SIGNATURE),
    chunk('IHDR', header),
    chunk('IDAT', await deflate(raw)),
    chunk('IEND', new Uint8Array()),
  ];
  const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
  let at = 0;
  for (const x of parts) {
    out.set(x, at);
    at += x.length;
  }
  return out;
}
