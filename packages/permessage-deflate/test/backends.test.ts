// Both backends against each other and against Node's own zlib as an
// independent reference, through the message codec.
import zlib from 'node:zlib';
import * as pako from 'pako';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageDeflater, MessageInflater, nodeZlibBackend, pakoBackend, type DeflateBackend, type WindowBits } from '../src/index.js';

const backends: Record<string, DeflateBackend> = { pako: pakoBackend(), 'node:zlib': nodeZlibBackend(zlib) };
const pairs = Object.keys(backends).flatMap((c) => Object.keys(backends).map((d) => [c, d] as const));
const TAIL = Buffer.from([0, 0, 0xff, 0xff]);

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(chunks));
}

/** Splits `data` at the given fractions (0..1), deduplicated. */
function split(data: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * data.length)))].filter((p) => p > 0 && p < data.length).sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const p of [...points, data.length]) {
    pieces.push(data.subarray(start, p));
    start = p;
  }
  return pieces;
}

function inflate(inflater: MessageInflater, pieces: readonly Uint8Array[]): Uint8Array {
  inflater.begin();
  const out: Uint8Array[] = [];
  for (const piece of pieces) {
    const r = inflater.write(piece);
    if (r.type !== 'data') throw new Error(`${r.type}`);
    out.push(...r.chunks);
  }
  const r = inflater.end();
  if (r.type !== 'data') throw new Error(`${r.type}: ${'reason' in r ? r.reason : ''}`);
  out.push(...r.chunks);
  return concat(out);
}

// Text that compresses like application messages, and raw bytes that do not.
const jsonLike = fc
  .array(fc.record({ id: fc.nat(1000), name: fc.constantFrom('alice', 'bob', 'carol', 'dave'), tags: fc.array(fc.constantFrom('a', 'bb', 'ccc'), { maxLength: 4 }), n: fc.double({ noNaN: true }) }), { maxLength: 60 })
  .map((items) => new TextEncoder().encode(JSON.stringify(items)));
const bytes = fc.uint8Array({ maxLength: 3000 });
const repetitive = fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 400 })).map(([unit, times]) => {
  const out = new Uint8Array(unit.length * times);
  for (let i = 0; i < times; i++) out.set(unit, i * unit.length);
  return out;
});
const message = fc.oneof(jsonLike, bytes, repetitive);
const windowBits = fc.integer({ min: 8, max: 15 }).map((n) => n as WindowBits);
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 });

describe('RFC 7692 7.2.1 compression', () => {
  for (const [name, backend] of Object.entries(backends)) {
    it(`${name}: a compressed message never ends with 00 00 ff ff, and zlib inflates the stream of messages`, () => {
      fc.assert(
        fc.property(fc.array(message, { minLength: 1, maxLength: 5 }), windowBits, fc.boolean(), (messages, bits, noContextTakeover) => {
          const deflater = new MessageDeflater({ windowBits: bits, noContextTakeover }, { backend });
          const compressed = messages.map((m) => deflater.compress(m));
          for (const c of compressed) expect(Buffer.from(c.subarray(-4)).equals(TAIL) && c.length > 4).toBe(false);
          // Node's zlib as the reference receiver: one inflate stream per window.
          if (noContextTakeover) {
            compressed.forEach((c, i) => {
              const out = zlib.inflateRawSync(Buffer.concat([c, TAIL]), { windowBits: bits, finishFlush: zlib.constants.Z_SYNC_FLUSH });
              expect(Buffer.from(out).equals(Buffer.from(messages[i]!))).toBe(true);
            });
          } else {
            const stream = Buffer.concat(compressed.flatMap((c) => [c, TAIL]));
            const out = zlib.inflateRawSync(stream, { windowBits: bits, finishFlush: zlib.constants.Z_SYNC_FLUSH });
            expect(Buffer.from(out).equals(Buffer.concat(messages))).toBe(true);
          }
        }),
        { numRuns: 60 },
      );
    });

    it(`${name}: a message compressed in fragments inflates to the same bytes`, () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(message, cuts), { minLength: 1, maxLength: 4 }), windowBits, fc.boolean(), (items, bits, noContextTakeover) => {
          const params = { windowBits: bits, noContextTakeover };
          const deflater = new MessageDeflater(params, { backend });
          const inflater = new MessageInflater(params, { backend, maxMessageBytes: 1 << 20 });
          for (const [m, c] of items) {
            const pieces = split(m, c);
            const compressed = pieces.map((piece, i) => deflater.compressFragment(piece, i === pieces.length - 1));
            expect(inflate(inflater, compressed)).toEqual(m);
          }
        }),
        { numRuns: 60 },
      );
    });
  }

  it('the empty message is the single octet 00, whatever came before (RFC 7692 7.2.3.6)', () => {
    for (const backend of Object.values(backends)) {
      const deflater = new MessageDeflater({ windowBits: 15, noContextTakeover: false }, { backend });
      expect(deflater.compress(new Uint8Array(0))).toEqual(Uint8Array.of(0));
      deflater.compress(new TextEncoder().encode('Hello'));
      expect(deflater.compress(new Uint8Array(0))).toEqual(Uint8Array.of(0));
      expect(deflater.compressFragment(new Uint8Array(0), false)).toEqual(new Uint8Array(0));
      expect(deflater.compressFragment(new Uint8Array(0), true)).toEqual(Uint8Array.of(0));
    }
  });
});

describe('RFC 7692 7.2.2 decompression', () => {
  for (const [c, d] of pairs) {
    it(`compressed by ${c}, inflated by ${d}: any messages, any window, takeover or not, any piece splitting`, () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(message, cuts), { minLength: 1, maxLength: 5 }), windowBits, fc.boolean(), (items, bits, noContextTakeover) => {
          const params = { windowBits: bits, noContextTakeover };
          const deflater = new MessageDeflater(params, { backend: backends[c]! });
          const whole = new MessageInflater(params, { backend: backends[d]!, maxMessageBytes: 1 << 20 });
          const pieces = new MessageInflater(params, { backend: backends[d]!, maxMessageBytes: 1 << 20 });
          const bytewise = new MessageInflater(params, { backend: backends[d]!, maxMessageBytes: 1 << 20 });
          for (const [m, cut] of items) {
            const compressed = deflater.compress(m);
            expect(inflate(whole, [compressed])).toEqual(m);
            expect(inflate(pieces, split(compressed, cut))).toEqual(m);
            if (compressed.length < 400) expect(inflate(bytewise, Array.from(compressed, (_, i) => compressed.subarray(i, i + 1)))).toEqual(m);
          }
        }),
        { numRuns: 50 },
      );
    });
  }

  for (const [name, backend] of Object.entries(backends)) {
    it(`${name} inflates what Node's zlib deflates, at every level, window and strategy`, () => {
      fc.assert(
        fc.property(
          fc.array(message, { minLength: 1, maxLength: 4 }),
          windowBits,
          fc.integer({ min: 0, max: 9 }),
          fc.constantFrom(0, 1, 2, 3, 4),
          fc.integer({ min: 1, max: 9 }),
          (messages, bits, level, strategy, memLevel) => {
            // One zlib stream, sync-flushed per message: context takeover.
            const stream = zlib.deflateRawSync(Buffer.concat(messages), { windowBits: bits, level, strategy, memLevel, finishFlush: zlib.constants.Z_SYNC_FLUSH });
            // The whole stream as one message exercises many blocks in one message.
            const inflater = new MessageInflater({ windowBits: bits, noContextTakeover: false }, { backend, maxMessageBytes: 1 << 22 });
            expect(Buffer.from(inflate(inflater, [stream.subarray(0, -4)])).equals(Buffer.concat(messages))).toBe(true);
          },
        ),
        { numRuns: 40 },
      );
    });
  }
});

/**
 * A strict reference inflater: one output octet per call, so every
 * back-reference is checked against the window alone (zlib resolves
 * references into the current call's output without looking at the window).
 */
function strictInflate(stream: Uint8Array, windowBits: number): Uint8Array | string {
  const strm = new pako.ZStream();
  pako.zlibInflateInit2(strm, -windowBits);
  strm.input = stream;
  strm.next_in = 0;
  strm.avail_in = stream.length;
  const out: number[] = [];
  const one = new Uint8Array(1);
  for (;;) {
    strm.output = one;
    strm.next_out = 0;
    strm.avail_out = 1;
    const status = pako.zlibInflate(strm, pako.Z_SYNC_FLUSH);
    if (status < 0 && status !== pako.Z_BUF_ERROR) return strm.msg;
    if (strm.next_out === 1) out.push(one[0]!);
    else if (strm.avail_in === 0) return new Uint8Array(out);
  }
}

describe('RFC 7692 7.1.2 window bits: compressed output fits the agreed window', () => {
  it('the strict reference inflater catches a reference beyond its window', () => {
    const data = new TextEncoder().encode('0123456789'.repeat(3) + 'x'.repeat(300) + '0123456789'.repeat(3));
    const stream = zlib.deflateRawSync(data, { windowBits: 15, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    expect(strictInflate(stream, 15)).toEqual(data);
    expect(strictInflate(stream, 8)).toBe('invalid distance too far back');
  });

  for (const [name, backend] of Object.entries(backends)) {
    it(`${name}: every back-reference stays within 2 ** windowBits, 8 bits included (zlib's 9-bit window keeps distances <= 250)`, () => {
      fc.assert(
        fc.property(fc.array(fc.oneof(jsonLike, repetitive), { minLength: 1, maxLength: 4 }), windowBits, (messages, bits) => {
          const deflater = new MessageDeflater({ windowBits: bits, noContextTakeover: false }, { backend });
          const stream = Buffer.concat(messages.flatMap((m) => [deflater.compress(m), TAIL]));
          expect(strictInflate(stream, bits)).toEqual(new Uint8Array(Buffer.concat(messages)));
        }),
        { numRuns: 40 },
      );
    });
  }
});

describe('nodeZlibBackend on a zlib without preset dictionaries', () => {
  // Deno 2.9's node:zlib ignores `dictionary`; context takeover would then fail every message after the first.
  it('refuses to start, naming the fallback', () => {
    const ignoringDictionaries = {
      constants: zlib.constants,
      deflateRawSync: (input: Uint8Array, options: object = {}) => zlib.deflateRawSync(input, { ...options, dictionary: undefined }),
      inflateRawSync: (input: Uint8Array, options: object = {}) => zlib.inflateRawSync(input, { ...options, dictionary: undefined }),
    };
    expect(() => nodeZlibBackend(ignoringDictionaries)).toThrow(/ignores preset dictionaries.*pakoBackend/);
    expect(() => nodeZlibBackend(zlib)).not.toThrow();
  });
});
