import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  createPerMessageDeflate,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_THRESHOLD,
  MessageDeflater,
  MessageInflater,
  negotiateServer,
  nodeZlibBackend,
  pakoBackend,
  parseExtensionList,
  type DeflateBackend,
  type InflateResult,
} from '../src/index.js';
import { allocatedBytes } from './allocations.js';
import { countingZlib } from './zlib-calls.js';

const takeover = { windowBits: 15, noContextTakeover: false } as const;
const hello = new TextEncoder().encode('Hello');
const hex = (text: string) => new Uint8Array(Buffer.from(text.replace(/\s/g, ''), 'hex'));
const backends: Record<string, DeflateBackend> = { pako: pakoBackend(), 'node:zlib': nodeZlibBackend(zlib) };

function feed(inflater: MessageInflater, pieces: readonly Uint8Array[]): InflateResult[] {
  inflater.begin();
  const results: InflateResult[] = [];
  for (const piece of pieces) {
    const result = inflater.write(piece);
    results.push(result);
    if (result.type !== 'data') return results;
  }
  results.push(inflater.end());
  return results;
}

function output(results: readonly InflateResult[]): Uint8Array {
  return new Uint8Array(Buffer.concat(results.flatMap((r) => (r.type === 'data' ? r.chunks : []))));
}

describe('RFC 7692 6 which messages are compressed', () => {
  it(`compresses from ${DEFAULT_THRESHOLD} octets up by default, like ws`, () => {
    const deflater = new MessageDeflater(takeover);
    expect(deflater.threshold).toBe(1024);
    expect(deflater.shouldCompress(1023)).toBe(false);
    expect(deflater.shouldCompress(1024)).toBe(true);
  });
  it('the application decides per message when it asks', () => {
    const deflater = new MessageDeflater(takeover, { threshold: 100 });
    expect(deflater.shouldCompress(10, true)).toBe(true);
    expect(deflater.shouldCompress(1e6, false)).toBe(false);
    expect(new MessageDeflater(takeover, { threshold: 0 }).shouldCompress(0)).toBe(true);
  });
  it('an uncompressed message leaves the window alone', () => {
    // Sender skips a message (sent with RSV1 clear); the receiver never sees it here.
    const { deflater } = createPerMessageDeflate({ compress: takeover, decompress: takeover });
    const inflater = new MessageInflater(takeover);
    const first = deflater.compress(hello);
    const second = deflater.compress(hello);
    expect(output(feed(inflater, [first]))).toEqual(hello);
    expect(output(feed(inflater, [second]))).toEqual(hello);
  });
  it('creates DEFLATE state only for the first compressed message', () => {
    const backend = pakoBackend();
    const createCompressor = vi.spyOn(backend, 'createCompressor');
    const createDecompressor = vi.spyOn(backend, 'createDecompressor');
    const { deflater, inflater } = createPerMessageDeflate({ compress: takeover, decompress: takeover }, { backend });
    expect(createCompressor).not.toHaveBeenCalled();
    deflater.compress(new Uint8Array(0));
    inflater.begin();
    inflater.end();
    expect(createCompressor).not.toHaveBeenCalled();
    expect(createDecompressor).not.toHaveBeenCalled();
    deflater.compress(hello);
    deflater.compress(hello);
    expect(createCompressor).toHaveBeenCalledTimes(1);
  });
});

describe('RFC 7692 7.2.1 compressing fragmented messages', () => {
  it('compress() refuses to interleave with a fragmented message', () => {
    const deflater = new MessageDeflater(takeover);
    deflater.compressFragment(hello, false);
    expect(() => deflater.compress(hello)).toThrow(/fragmented message/);
    deflater.compressFragment(hello, true);
    expect(deflater.compress(hello).length).toBeGreaterThan(0);
  });
});

describe('RFC 7692 7.2.2 decompressing', () => {
  for (const [name, backend] of Object.entries(backends)) {
    describe(name, () => {
      it('an empty payload with RSV1 is the empty message and leaves the window alone', () => {
        const inflater = new MessageInflater(takeover, { backend });
        expect(output(feed(inflater, [hex('f2 48 cd c9 c9 07 00')]))).toEqual(hello);
        expect(feed(inflater, [])).toEqual([{ type: 'data', chunks: [] }]);
        expect(feed(inflater, [new Uint8Array(0), new Uint8Array(0)]).every((r) => r.type === 'data')).toBe(true);
        expect(output(feed(inflater, [hex('f2 00 11 00 00')]))).toEqual(hello);
      });

      it('invalid data fails with 1007 and a reason, and the inflater is then unusable', () => {
        const inflater = new MessageInflater(takeover, { backend });
        const results = feed(inflater, [hex('ff 00')]);
        expect(results.at(-1)).toMatchObject({ type: 'invalid-compressed-data', closeCode: 1007, reason: expect.any(String) });
        expect(() => inflater.begin()).toThrow(/already reported a failure/);
      });

      it('a truncated message fails with 1007', () => {
        const inflater = new MessageInflater(takeover, { backend });
        expect(feed(inflater, [hex('f2 48 cd c9 c9 07')]).at(-1)).toMatchObject({ type: 'invalid-compressed-data', closeCode: 1007 });
      });

      it('too large fails with 1009 and reports the limit', () => {
        const inflater = new MessageInflater(takeover, { backend, maxMessageBytes: 4 });
        expect(feed(inflater, [hex('f2 48 cd c9 c9 07 00')]).at(-1)).toEqual({ type: 'message-too-big', closeCode: 1009, maxMessageBytes: 4 });
        expect(() => inflater.write(hello)).toThrow(/already reported a failure/);
      });

      it('the limit counts every message afresh', () => {
        // 7: the first message's compressed size; every message inflates to 5.
        const inflater = new MessageInflater(takeover, { backend, maxMessageBytes: 7 });
        for (let i = 0; i < 5; i++) expect(output(feed(inflater, [hex(i === 0 ? 'f2 48 cd c9 c9 07 00' : 'f2 00 11 00 00')]))).toEqual(hello);
      });
    });
  }

  it('both backends give the same 1007 reason for the same invalid data', () => {
    const reasons = (pieces: Uint8Array[]) =>
      Object.values(backends).map((backend) => {
        const result = feed(new MessageInflater(takeover, { backend, maxMessageBytes: 1 << 20 }), pieces).at(-1)!;
        return result.type === 'invalid-compressed-data' ? result.reason : result.type;
      });
    // A BFINAL block without the empty block after it; truncated; a reserved block type; a bad stored length.
    for (const input of ['f3 48 cd c9 c9 07 00', 'f2 48 cd c9 c9 07', 'ff 00', '00 05 00 00 00 48 65 6c 6c 6f 00', '01 05 00 fa ff 48 65']) {
      const [pako, node] = reasons([hex(input)]);
      expect(node, input).toBe(pako);
    }
    expect(reasons([hex('f3 48 cd c9 c9 07 00')])).toEqual(Array(2).fill('the compressed message does not end on a DEFLATE block boundary'));
    // Truncated or corrupted zlib output, fed in pieces: whenever both fail, with the same words.
    fc.assert(
      fc.property(
        fc.string({ maxLength: 2000 }),
        fc.constantFrom<object>({}, { level: 0 }, { strategy: zlib.constants.Z_HUFFMAN_ONLY }, { strategy: zlib.constants.Z_FIXED }),
        fc.boolean(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.option(fc.nat(), { nil: undefined }),
        fc.integer({ min: 1, max: 64 }),
        (text, options, finish, cut, flip, pieceSize) => {
          const full = finish ? zlib.deflateRawSync(text, options) : zlib.deflateRawSync(text, { ...options, finishFlush: zlib.constants.Z_SYNC_FLUSH }).subarray(0, -4);
          const data = new Uint8Array(full.subarray(0, Math.floor(cut * (full.length + 1))));
          if (flip !== undefined && data.length > 0) data[flip % data.length]! ^= 1 << (flip % 8);
          const pieces = Array.from({ length: Math.ceil(data.length / pieceSize) }, (_, i) => data.subarray(i * pieceSize, (i + 1) * pieceSize));
          const [pako, node] = reasons(pieces);
          if (pako !== 'data' && node !== 'data') expect(node).toBe(pako);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('guards the limit even against a backend that ignores maxOutput', () => {
    const liar: DeflateBackend = {
      name: 'liar',
      compressWindowBits: { min: 8, max: 15 },
      createCompressor: () => ({ write: () => new Uint8Array(1) }),
      createDecompressor: () => ({ write: () => ({ type: 'data', chunks: [new Uint8Array(100)] }) }),
    };
    const inflater = new MessageInflater(takeover, { backend: liar, maxMessageBytes: 50 });
    expect(feed(inflater, [hello]).at(-1)).toMatchObject({ type: 'message-too-big' });
  });

  it('default limit is 1 MiB', () => {
    expect(new MessageInflater(takeover).maxMessageBytes).toBe(DEFAULT_MAX_MESSAGE_BYTES);
    expect(DEFAULT_MAX_MESSAGE_BYTES).toBe(1 << 20);
  });

  for (const [name, backend] of Object.entries(backends)) {
    it(`${name}: begin(maxBytes) sets one message's limit, Infinity included`, () => {
      const inflater = new MessageInflater(takeover, { backend, maxMessageBytes: 1 });
      const run = (maxBytes: number) => {
        inflater.begin(maxBytes);
        const first = inflater.write(hex('f2 48 cd c9 c9 07 00'));
        return first.type === 'data' ? inflater.end() : first;
      };
      expect(run(7)).toMatchObject({ type: 'data' }); // 7 octets compressed, 5 inflated
      expect(run(Infinity)).toMatchObject({ type: 'data' });
      expect(run(6)).toEqual({ type: 'message-too-big', closeCode: 1009, maxMessageBytes: 6 });
    });
  }

  it('begin() with a negative or non-numeric limit throws RangeError', () => {
    expect(() => new MessageInflater(takeover).begin(-1)).toThrow(RangeError);
    expect(() => new MessageInflater(takeover).begin(Number.NaN)).toThrow(RangeError);
  });
});

describe('local misuse', () => {
  it('inflater calls out of order throw', () => {
    const inflater = new MessageInflater(takeover);
    expect(() => inflater.write(hello)).toThrow(/begin\(\) first/);
    expect(() => inflater.end()).toThrow(/begin\(\) first/);
    inflater.begin();
    expect(() => inflater.begin()).toThrow(/end\(\) it first/);
  });
  it('bad options throw RangeError', () => {
    expect(() => new MessageDeflater(takeover, { threshold: -1 })).toThrow(RangeError);
    expect(() => new MessageInflater(takeover, { maxMessageBytes: 1.5 })).toThrow(RangeError);
    expect(() => pakoBackend({ level: 10 })).toThrow(RangeError);
    expect(() => pakoBackend({ memLevel: 0 })).toThrow(RangeError);
    expect(() => nodeZlibBackend({} as never)).toThrow(TypeError);
  });
});

describe('negotiation feeds the codec', () => {
  it('server and client halves agree on the wire', () => {
    const parsed = parseExtensionList(['permessage-deflate; client_max_window_bits; server_max_window_bits=10']);
    if (!parsed.ok) throw new Error(parsed.error);
    const result = negotiateServer(parsed.value, { clientMaxWindowBits: 9 });
    if (result.type !== 'accepted') throw new Error('declined');
    const server = createPerMessageDeflate(result.negotiated);
    const client = createPerMessageDeflate({ compress: result.negotiated.decompress, decompress: result.negotiated.compress });
    expect(server.deflater.params).toEqual({ windowBits: 10, noContextTakeover: false });
    expect(server.inflater.params).toEqual({ windowBits: 9, noContextTakeover: false });
    const text = new TextEncoder().encode('{"hello":"world"}'.repeat(100));
    expect(output(feed(client.inflater, [server.deflater.compress(text)]))).toEqual(text);
    expect(output(feed(server.inflater, [client.deflater.compress(text)]))).toEqual(text);
  });
});

/**
 * `count` empty fixed-Huffman blocks with BFINAL set (`03 00`: the 10 bits
 * of each, padded), then the header octet of an empty stored block, whose
 * LEN and NLEN are the tail the receiver appends: a valid message that
 * inflates to nothing.
 */
function finalBlocks(count: number): Uint8Array {
  const out = new Uint8Array(2 * count + 1);
  for (let i = 0; i < count; i++) out[2 * i] = 0x03;
  return out;
}

describe('RFC 7692 7.2.3.4 blocks with BFINAL set: restarts are bounded', () => {
  it('the example: a BFINAL block, then the header of an empty stored block', () => {
    for (const backend of Object.values(backends)) {
      expect(output(feed(new MessageInflater(takeover, { backend }), [hex('f3 48 cd c9 c9 07 00 00')]))).toEqual(hello);
    }
  });

  for (const [name, backend] of Object.entries(backends)) {
    it(`${name}: up to maxFinalBlocks (default 16) per message; one more fails with 1008`, () => {
      const inflater = new MessageInflater(takeover, { backend });
      expect(inflater.maxFinalBlocks).toBe(16);
      expect(feed(inflater, [finalBlocks(16)])).toEqual([{ type: 'data', chunks: [] }, { type: 'data', chunks: [] }]);
      // The count is per message.
      expect(output(feed(inflater, [finalBlocks(16)]))).toEqual(new Uint8Array(0));
      expect(feed(inflater, [finalBlocks(17)]).at(-1)).toEqual({ type: 'too-many-final-blocks', closeCode: 1008, maxFinalBlocks: 16 });
      expect(() => inflater.begin()).toThrow(/already reported a failure/);

      const strict = new MessageInflater(takeover, { backend, maxFinalBlocks: 0 });
      expect(feed(strict, [hex('f3 48 cd c9 c9 07 00 00')]).at(-1)).toMatchObject({ type: 'too-many-final-blocks', maxFinalBlocks: 0 });
      const unlimited = new MessageInflater(takeover, { backend, maxFinalBlocks: Infinity });
      expect(output(feed(unlimited, [finalBlocks(1000)]))).toEqual(new Uint8Array(0));
    });
  }

  it('pako: a restart allocates nothing (zlib reuses its code tables; pako\'s inflateResetKeep allocates 5.8 KB)', () => {
    const measure = (count: number) => {
      const pieces = [finalBlocks(count)];
      let results: InflateResult[] = [];
      const allocated = allocatedBytes(() => {
        results = feed(new MessageInflater(takeover, { backend: pakoBackend(), maxFinalBlocks: Infinity }), pieces);
      });
      expect(results.at(-1)).toEqual({ type: 'data', chunks: [] });
      return allocated;
    };
    const many = measure(10_000);
    const more = measure(20_000);
    // The same whatever the number of restarts: the inflater's state and tables, one output buffer.
    expect(more.total).toBe(many.total);
    expect(more.total).toBeLessThanOrEqual(7 * 1024 + 64 * 1024);
    // 23 octets of scratch per inflate() call: one call per restart, so linear in the input.
    expect(more.scratch).toBeLessThanOrEqual(32 * (20_000 + 8));
  });

  it('pako: the 1 MiB message of the audit (524287 of them) fails with 1008 after 17 inflate() calls, allocating a constant', () => {
    const flood = finalBlocks((1 << 19) - 1);
    let results: InflateResult[] = [];
    const allocated = allocatedBytes(() => {
      results = feed(new MessageInflater(takeover, { backend: pakoBackend() }), [flood]);
    });
    expect(results.at(-1)).toMatchObject({ type: 'too-many-final-blocks', closeCode: 1008 });
    expect(allocated.total).toBeLessThanOrEqual(7 * 1024 + 64 * 1024);
    expect(allocated.scratch).toBeLessThanOrEqual(32 * (17 + 8));
  });

  it('node:zlib: one inflateRawSync call per BFINAL block, so at most maxFinalBlocks + 1 per message', () => {
    const { zlib: counted, calls } = countingZlib();
    const backend = nodeZlibBackend(counted);
    const run = (pieces: Uint8Array[], options: { maxFinalBlocks?: number } = {}) => {
      calls.length = 0;
      return feed(new MessageInflater(takeover, { backend, ...options }), pieces).at(-1);
    };
    // The 1 MiB message of the audit: 17 calls, not 524288.
    expect(run([finalBlocks((1 << 19) - 1)])).toMatchObject({ type: 'too-many-final-blocks', closeCode: 1008 });
    expect(calls.length).toBe(17);
    expect(run([finalBlocks(16)])).toEqual({ type: 'data', chunks: [] });
    expect(calls.length).toBe(17);
    // Unlimited, the work is still linear in the input: each call consumes one block (2 octets), nothing twice.
    expect(run([finalBlocks(2000)], { maxFinalBlocks: Infinity })).toEqual({ type: 'data', chunks: [] });
    expect(calls.length).toBe(2001);
    expect(calls.reduce((n, c) => n + c.consumed, 0)).toBe(2 * 2000 + 1 + 4 + 5); // the blocks, 00, the tail and the final empty block
  });
});

// ---------------------------------------------------------------------------

const LIMIT = 64 * 1024;
const bomb = new Uint8Array(zlib.deflateRawSync(Buffer.alloc(1 << 20), { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH }).subarray(0, -4));

describe('RFC 6455 7.4.1 1009: a compression bomb stops at the limit', () => {
  it(`1 MiB of zeros compressed to ${bomb.length} octets`, () => {
    expect(bomb.length).toBeLessThan(2048);
  });

  for (const [label, pieces] of [
    ['whole', [bomb]],
    ['in 100-octet pieces', Array.from({ length: Math.ceil(bomb.length / 100) }, (_, i) => bomb.subarray(i * 100, i * 100 + 100))],
    ['octet by octet', Array.from(bomb, (_, i) => bomb.subarray(i, i + 1))],
  ] as const) {
    it(`pako, ${label}: 1009 after at most the limit of output, and nothing allocated beyond limit + window + tables`, () => {
      let results: InflateResult[] = [];
      let produced = 0;
      let calls = 0;
      const allocated = allocatedBytes(() => {
        const inflater = new MessageInflater(takeover, { backend: pakoBackend(), maxMessageBytes: LIMIT });
        results = feed(inflater, pieces);
        calls = results.length;
      });
      produced = output(results).length;
      expect(results.at(-1)).toEqual({ type: 'message-too-big', closeCode: 1009, maxMessageBytes: LIMIT });
      expect(produced).toBeLessThanOrEqual(LIMIT);
      // Output buffers: at most LIMIT + 1. The inflater: its 32 KiB window and
      // about 7 KiB of tables (see the memory test).
      expect(allocated.total).toBeLessThanOrEqual(LIMIT + 1 + 32768 + 7 * 1024);
      expect(allocated.total).toBeGreaterThan(LIMIT);
      // A few dozen octets per inflate() call: at most two per write (the
      // piece, then the tail) plus one per output buffer.
      expect(allocated.scratch).toBeLessThanOrEqual(256 * (2 * calls + 8));
    });
  }

  it('node:zlib never asks zlib for more output than the room left, plus one octet', () => {
    const { zlib: counted, calls } = countingZlib();
    const backend = nodeZlibBackend(counted);
    // Two streams of 40 KiB of zeros, each ending with a BFINAL block: two calls, the second with less room.
    const stream = zlib.deflateRawSync(Buffer.alloc(40 * 1024), { level: 9 });
    for (const pieces of [[bomb], [new Uint8Array(Buffer.concat([stream, stream, Buffer.of(0)]))]]) {
      calls.length = 0;
      const results = feed(new MessageInflater(takeover, { backend, maxMessageBytes: LIMIT }), pieces);
      expect(results.at(-1)).toEqual({ type: 'message-too-big', closeCode: 1009, maxMessageBytes: LIMIT });
      let room = LIMIT;
      for (const call of calls) {
        expect(call.maxOutputLength).toBe(room + 1);
        room -= call.output;
      }
    }
    expect(calls.map((c) => [c.maxOutputLength, c.output])).toEqual([
      [LIMIT + 1, 40 * 1024],
      [LIMIT - 40 * 1024 + 1, 0], // zlib threw ERR_BUFFER_TOO_LARGE
    ]);
  });

  it('node:zlib: 1009 too, bounded by maxOutputLength', () => {
    for (const pieces of [[bomb], Array.from(bomb, (_, i) => bomb.subarray(i, i + 1))]) {
      const inflater = new MessageInflater(takeover, { backend: nodeZlibBackend(zlib), maxMessageBytes: LIMIT });
      const results = feed(inflater, pieces);
      expect(results.at(-1)).toEqual({ type: 'message-too-big', closeCode: 1009, maxMessageBytes: LIMIT });
      expect(output(results).length).toBe(0);
    }
  });

  it('the same bomb inflates completely under a 1 MiB limit, in any pieces', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: bomb.length - 1 }), { maxLength: 8 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const pieces = [0, ...points].map((start, i) => bomb.subarray(start, points[i] ?? bomb.length));
        for (const backend of Object.values(backends)) {
          const results = feed(new MessageInflater(takeover, { backend, maxMessageBytes: 1 << 20 }), pieces);
          const out = output(results);
          expect(out.length).toBe(1 << 20);
          expect(out.every((b) => b === 0)).toBe(true);
        }
      }),
      { numRuns: 10 },
    );
  });

  it('pako hands out output in chunks of at most 64 KiB, never more than the budget allows', () => {
    const results = feed(new MessageInflater(takeover, { maxMessageBytes: 1 << 20 }), [bomb]);
    const chunks = results.flatMap((r) => (r.type === 'data' ? r.chunks : []));
    const buffers = new Set(chunks.map((c) => c.buffer));
    for (const buffer of buffers) expect(buffer.byteLength).toBeLessThanOrEqual(64 * 1024);
    expect([...buffers].reduce((n, b) => n + b.byteLength, 0)).toBeLessThanOrEqual((1 << 20) + 1);
  });
});
