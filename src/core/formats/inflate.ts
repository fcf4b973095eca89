// Inflating with a byte budget: gzip or raw deflate through the platform's
// DecompressionStream, piece by piece, stopped the moment the output passes the most the
// caller could legitimately get (a decompression bomb is refused after reading that much,
// never held in memory whole), or when the caller cancels.

export type InflateFormat = 'gzip' | 'deflate-raw';

export interface InflateOptions {
  format: InflateFormat;
  /** The most output accepted; one byte more stops the inflate with an InflateLimitError. */
  maxBytes: number;
  /** Each piece as it comes out; without it the pieces are joined and returned. */
  onChunk?: (chunk: Uint8Array) => void;
  /** Bytes of output so far and the fraction of the input consumed. */
  onProgress?: (outputBytes: number, inputFraction: number) => void;
  signal?: AbortSignal;
}

/** The output passed the budget; `limit` is the budget. */
export class InflateLimitError extends Error {
  constructor(readonly limit: number) {
    super(`it inflates to more than ${limit.toLocaleString('en-US')} bytes`);
  }
}

/** The compressed data itself is damaged (the platform's message is kept as the cause). */
export class InflateDataError extends Error {}

/** Feeds the input in 1 MiB pieces, so progress can follow it. */
function inputStream(bytes: Uint8Array, consumed: (n: number) => void): ReadableStream<Uint8Array<ArrayBuffer>> {
  const STEP = 1 << 20;
  let at = 0;
  return new ReadableStream<Uint8Array<ArrayBuffer>>({
    pull(controller) {
      if (at >= bytes.length) {
        controller.close();
        return;
      }
      const end = Math.min(bytes.length, at + STEP);
      controller.enqueue(bytes.subarray(at, end) as Uint8Array<ArrayBuffer>);
      at = end;
      consumed(at);
    },
  });
}

/**
 * Inflates `bytes`; returns the total output and, without `onChunk`, the output joined.
 * Throws InflateLimitError past `maxBytes`, InflateDataError on damaged data, the
 * signal's reason when cancelled, and whatever `onChunk` throws.
 */
export async function inflate(
  bytes: Uint8Array,
  options: InflateOptions,
): Promise<{ total: number; data: Uint8Array }> {
  const { maxBytes, onChunk, onProgress, signal } = options;
  let consumed = 0;
  const reader = inputStream(bytes, (n) => (consumed = n))
    .pipeThrough(new DecompressionStream(options.format))
    .getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      signal?.throwIfAborted();
      let read: ReadableStreamReadResult<Uint8Array>;
      try {
        read = await reader.read();
      } catch (e) {
        throw new InflateDataError(e instanceof Error ? e.message : String(e), { cause: e });
      }
      if (read.done) break;
      total += read.value.length;
      if (total > maxBytes) throw new InflateLimitError(maxBytes);
      if (onChunk) onChunk(read.value);
      else chunks.push(read.value);
      onProgress?.(total, bytes.length ? consumed / bytes.length : 1);
    }
  } catch (e) {
    // stop the inflate where it is: nothing more is read or kept
    void reader.cancel().catch(() => {});
    throw e;
  }
  return { total, data: onChunk ? new Uint8Array(0) : join(chunks, total) };
}

function join(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
