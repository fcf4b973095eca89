// Multi-member gzip reads the same in Node and in browsers: Node's DecompressionStream
// reads every member itself; a browser's stops after the first with "Junk found after end
// of compressed data" — emulated here exactly (the first member's output, then that
// error; Chromium also drops the output of the last input chunk), so the member-boundary
// search is what joins the rest.
import { describe, expect, test } from 'vitest';
import { gunzipSync, gzipSync } from 'node:zlib';
import { gunzip, GzipTooLargeError, type MemberInflater } from '../../src/core/formats/gzip.ts';

const members = [
  gzipSync(Buffer.from('first member, ')),
  gzipSync(Buffer.alloc(70_000, 7)),
  gzipSync(Buffer.from('and the last.')),
];
const joined = new Uint8Array(Buffer.concat(members));
const expected = new Uint8Array(Buffer.concat(members.map((m) => gunzipSync(m))));

/** What Chromium's DecompressionStream('gzip') does with several members. */
const browserLike: MemberInflater = async (bytes) => {
  const i = members.findIndex((m) => Buffer.from(bytes.subarray(0, m.length)).equals(m));
  if (i < 0) return { data: new Uint8Array(0), error: new TypeError('Decompression failed.') };
  const data = new Uint8Array(gunzipSync(members[i]));
  if (bytes.length === members[i].length) return { data, error: null };
  if (bytes.length < members[i].length)
    return { data: data.subarray(0, 10), error: new TypeError('Decompression failed.') };
  return {
    data: data.subarray(0, Math.max(0, data.length - 5000)),
    error: new TypeError('Junk found after end of compressed data.'),
  };
};

describe('multi-member gzip', () => {
  test('every member is read, with the stream inflater (Node) and a browser-like one', async () => {
    expect(await gunzip(joined)).toEqual(expected);
    expect(await gunzip(joined, { inflate: browserLike })).toEqual(expected);
    expect(await gunzip(new Uint8Array(Buffer.concat([joined, Buffer.alloc(512)])), { inflate: browserLike })).toEqual(
      expected,
    );
  });

  test('damage and bombs are named', async () => {
    await expect(gunzip(new Uint8Array([1, 2, 3]))).rejects.toThrow('not gzip data');
    await expect(
      gunzip(new Uint8Array(Buffer.concat([joined, Buffer.from('junk!')])), { inflate: browserLike }),
    ).rejects.toThrow(/damaged gzip data in the member at byte \d+|not another gzip member/);
    await expect(gunzip(joined, { maxBytes: 1000 })).rejects.toThrow(GzipTooLargeError);
  });
});
