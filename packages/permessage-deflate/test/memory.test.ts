// The memory table of the README, checked against pako's actual state: every
// typed array a compressor or decompressor keeps between messages.
import * as pako from 'pako';
import { describe, expect, it } from 'vitest';

/**
 * Typed arrays a state owns, each buffer once. `lencode` and `distcode` only
 * point into the dynamic tables or into pako's fixed tables, which all
 * connections share.
 */
function retainedBytes(state: object): number {
  const buffers = new Set<ArrayBufferLike>();
  for (const [key, value] of Object.entries(state)) {
    if (ArrayBuffer.isView(value) && key !== 'lencode' && key !== 'distcode') buffers.add(value.buffer);
  }
  let total = 0;
  for (const buffer of buffers) total += buffer.byteLength;
  return total;
}

/** README formula: pako 3's deflate state (default, non-legacy hash). */
function deflateBytes(windowBits: number, memLevel: number): number {
  const w = Math.max(9, windowBits);
  return 4 * 2 ** w + 2 * 2 ** Math.max(memLevel + 7, 15) + 2 ** (memLevel + 8) + DEFLATE_TREES;
}
/** README formula: pako 3's inflate state once it has produced output. */
function inflateBytes(windowBits: number): number {
  return 2 ** windowBits + INFLATE_TABLES;
}
// Huffman trees and heaps of the deflate state; code tables of the inflate state.
const DEFLATE_TREES = 5016;
const INFLATE_TABLES = 6992;

describe('memory per connection (README table)', () => {
  it('deflate state: 4 * 2^w + 2 * 2^max(memLevel + 7, 15) + 2^(memLevel + 8) + 4.9 KiB', () => {
    for (let w = 8; w <= 15; w++) {
      for (let memLevel = 1; memLevel <= 9; memLevel++) {
        const strm = new pako.ZStream();
        expect(pako.zlibDeflateInit2(strm, 6, 8, -Math.max(9, w), memLevel, 0)).toBe(0);
        expect(retainedBytes(strm.state)).toBe(deflateBytes(w, memLevel));
      }
    }
  });

  it('inflate state: 2^w + 6.8 KiB', () => {
    for (let w = 8; w <= 15; w++) {
      const strm = new pako.ZStream();
      expect(pako.zlibInflateInit2(strm, -w)).toBe(0);
      const input = Uint8Array.of(0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00, 0x00, 0xff, 0xff);
      strm.input = input;
      strm.next_in = 0;
      strm.avail_in = input.length;
      strm.output = new Uint8Array(16);
      strm.next_out = 0;
      strm.avail_out = 16;
      pako.zlibInflate(strm, pako.Z_SYNC_FLUSH);
      expect(strm.next_out).toBe(5);
      expect(retainedBytes(strm.state)).toBe(inflateBytes(w));
    }
  });
});
