// Names inside the archives we write and read. Every zip entry we write is built from
// segments passed through safeSegment (run names, tags, class names come from files
// anyone can hand the user), and every entry name is checked by entryNameProblem before
// it is written or after it is read: nothing may land outside the folder it is extracted
// into, whatever tool extracts it (Python's zipfile, unzip, Windows Explorer, a naive
// `path.join(target, name)`).

/** Longest segment we write, in UTF-8 bytes (file systems allow 255; room for suffixes). */
export const MAX_SEGMENT_BYTES = 120;
/** The zip format's limit on a name: a 16-bit length field. */
export const MAX_ZIP_NAME_BYTES = 0xffff;

// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\\/:*?"<>|\u2028\u2029\u202a-\u202e\u2066-\u2069]+/gu;
/** Names Windows refuses as files, with or without an extension. */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/** FNV-1a of the UTF-8 bytes, 8 hex digits: the same name always gets the same suffix. */
export function stableHash(text: string): string {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(text)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** The longest prefix of `text` (whole code points) that fits in `bytes` UTF-8 bytes. */
function clipUtf8(text: string, bytes: number): string {
  const encoder = new TextEncoder();
  let out = '',
    used = 0;
  for (const ch of text) {
    const n = encoder.encode(ch).length;
    if (used + n > bytes) break;
    out += ch;
    used += n;
  }
  return out;
}

/**
 * One path segment (a folder or file name) from free text: separators, control and
 * bidi-override characters and Windows' reserved characters become `_`, leading and
 * trailing dots and spaces go (so `..`, `.` and ` ..` can never be a segment), Windows'
 * device names get a `_` prefix, and a name over `maxBytes` is clipped with `~` and a
 * stable hash of the whole name, so two long names that share a prefix stay distinct.
 */
export function safeSegment(name: string, fallback = 'unnamed', maxBytes = MAX_SEGMENT_BYTES): string {
  let s = name
    .normalize('NFC')
    .replace(UNSAFE_CHARS, '_')
    .replace(/^[\s.]+|[\s.]+$/g, '');
  if (!s) s = fallback;
  if (WINDOWS_RESERVED.test(s)) s = `_${s}`;
  if (new TextEncoder().encode(s).length > maxBytes)
    s = `${clipUtf8(s, maxBytes - 9).replace(/[\s.]+$/, '')}~${stableHash(name)}`;
  return s;
}

/** A relative path from free-text segments, each made safe ('a/b' in one segment stays one segment). */
export function safePath(...segments: string[]): string {
  return segments.map((s) => safeSegment(s)).join('/');
}

/**
 * Why `name` must not be an archive entry, or null when it is safe: empty, absolute
 * (`/x`, `\x`, `C:x`), a `.` or `..` segment, a backslash (a separator on Windows),
 * control characters, or longer than the zip format allows.
 */
export function entryNameProblem(name: string): string | null {
  if (!name || name === '/') return 'the name is empty';
  if (new TextEncoder().encode(name).length > MAX_ZIP_NAME_BYTES)
    return `the name is ${new TextEncoder().encode(name).length} bytes; zip allows ${MAX_ZIP_NAME_BYTES}`;
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return 'the path is absolute';
  if (name.includes('\\')) return 'the path contains a backslash (a separator on Windows)';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'the name contains control characters';
  const segments = name.replace(/\/$/, '').split('/');
  if (segments.some((s) => s === '..')) return "the path climbs out of the archive ('..')";
  if (segments.some((s) => s === '.' || s === '')) return "the path has an empty or '.' segment";
  return null;
}

/** Makes a set of names unique: 'run', 'run (2)', 'run (3)' … (the suffix counted in the length bound). */
export function uniqueSegment(base: string, taken: Set<string>): string {
  let name = base;
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base} (${n})`;
  taken.add(name.toLowerCase());
  return name;
}
