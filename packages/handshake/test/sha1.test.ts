import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha1 } from '../src/sha1.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const ascii = (text: string) => new TextEncoder().encode(text);

describe('FIPS 180-4 SHA-1', () => {
  // FIPS 180 example messages (NIST CSRC "Examples with Intermediate Values").
  it('"abc" (one block)', () => {
    expect(hex(sha1(ascii('abc')))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
  });
  it('the empty message', () => {
    expect(hex(sha1(new Uint8Array(0)))).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
  });
  it('the 448-bit message (two blocks once padded)', () => {
    expect(hex(sha1(ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe('84983e441c3bd26ebaae4aa1f95129e5e54670f1');
  });
  it('one million "a"', () => {
    expect(hex(sha1(new Uint8Array(1_000_000).fill(0x61)))).toBe('34aa973cd4c4daa4f61eeb2bdbad27316534016f');
  });
  it('reads a view at its offset, not its whole buffer', () => {
    const buffer = ascii('xxabcxx');
    expect(hex(sha1(buffer.subarray(2, 5)))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
  });
  it('agrees with node:crypto at every padding boundary', () => {
    for (let length = 0; length <= 200; length++) {
      const data = Uint8Array.from({ length }, (_, i) => (i * 31 + length) & 0xff);
      expect(hex(sha1(data)), `length ${length}`).toBe(createHash('sha1').update(data).digest('hex'));
    }
  });
  it('agrees with node:crypto on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        expect(hex(sha1(data))).toBe(createHash('sha1').update(data).digest('hex'));
      }),
      { numRuns: 500 },
    );
  });
});
