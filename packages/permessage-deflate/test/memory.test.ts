// The memory table of the README, checked against what the backend really
// keeps: every typed array a compressor or decompressor holds between messages.
import * as pako from 'pako';
import { describe, expect, it } from 'vitest';
import { pakoBackend, type WindowBits } from '../src/index.js';
import { allocatedBytes } from './allocations.js';

/** README formula: zlib's 2^(w+2) + 2^(memLevel+9), plus 4.9 KiB of Huffman trees. */
function deflateBytes(windowBits: number, memLevel: number): number {
  return 2 ** (Math.max(9, windowBits) + 2) + 2 ** (memLevel + 9) + 5016;
}
/** README formula: the window, plus 6.8 KiB of code tables. */
function inflateBytes(windowBits: number): number {
  return 2 ** windowBits + 6992;
}

describe('memory per connection (README table)', () => {
  it('a pako compressor keeps 2^(w+2) + 2^(memLevel+9) + 4.9 KiB, zlib\'s formula, for every window and memLevel', () => {
    for (let w = 8; w <= 15; w++) {
      for (let memLevel = 1; memLevel <= 9; memLevel++) {
        const backend = pakoBackend({ memLevel });
        const { total, scratch } = allocatedBytes(() => backend.createCompressor({ windowBits: w as WindowBits, noContextTakeover: false }));
        // Everything allocated here is kept (a 32-octet counter included).
        expect(total + scratch, `w=${w} memLevel=${memLevel}`).toBe(deflateBytes(w, memLevel));
      }
    }
  });

  it('a compressor allocates nothing more that it keeps: compressing allocates only the output', () => {
    const compressor = pakoBackend().createCompressor({ windowBits: 15, noContextTakeover: true });
    const message = new TextEncoder().encode('{"a":1}'.repeat(1000));
    compressor.write(message, true);
    const { total } = allocatedBytes(() => compressor.write(message, true));
    // The output buffer (sized from the input) and its right-sized copy.
    expect(total).toBeLessThan(message.length + 1024);
  });

  it('a pako decompressor keeps 2^w + 6.8 KiB', () => {
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
      // Each buffer once; lencode/distcode only point into the dynamic
      // tables or into pako's fixed tables, shared by all connections.
      const buffers = new Set<ArrayBufferLike>();
      for (const [key, value] of Object.entries(strm.state as object)) {
        if (ArrayBuffer.isView(value) && key !== 'lencode' && key !== 'distcode') buffers.add(value.buffer);
      }
      expect([...buffers].reduce((n, b) => n + b.byteLength, 0)).toBe(inflateBytes(w));
    }
  });

  it('through the backend, a decompressor allocates its window and tables once, then only output', () => {
    const decompressor = pakoBackend().createDecompressor({ windowBits: 15, noContextTakeover: false });
    const hello = Uint8Array.of(0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00);
    const first = allocatedBytes(() => decompressor.write(hello, true, 1 << 20, 16));
    // Window + the first output buffer (1 KiB at least).
    expect(first.total).toBe(32768 + 1024);
    const again = allocatedBytes(() => decompressor.write(Uint8Array.of(0xf2, 0x00, 0x11, 0x00, 0x00), true, 1 << 20, 16));
    expect(again.total).toBe(1024);
  });
});
