import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digestBytes, sha1Words } from '../src/sha1.js';

// The hash reads Latin-1 text: one byte per character.
const latin1 = (bytes: Uint8Array) => String.fromCharCode(...bytes);
const sha1 = (text: string) => Buffer.from(digestBytes(sha1Words(text))).toString('hex');
const reference = (bytes: Uint8Array) => createHash('sha1').update(bytes).digest('hex');

describe('FIPS 180-4 SHA-1', () => {
  // FIPS 180 example messages (NIST CSRC "Examples with Intermediate Values").
  it('"abc" (one block)', () => {
    expect(sha1('abc')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
  });
  it('the empty message', () => {
    expect(sha1('')).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
  });
  it('the 448-bit message (two blocks once padded)', () => {
    expect(sha1('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('84983e441c3bd26ebaae4aa1f95129e5e54670f1');
  });
  it('one million "a"', () => {
    expect(sha1('a'.repeat(1_000_000))).toBe('34aa973cd4c4daa4f61eeb2bdbad27316534016f');
  });
  it('agrees with node:crypto at every padding boundary, bytes above 0x7F included', () => {
    for (let length = 0; length <= 200; length++) {
      const data = Uint8Array.from({ length }, (_, i) => (i * 31 + length) & 0xff);
      expect(sha1(latin1(data)), `length ${length}`).toBe(reference(data));
    }
  });
  it('agrees with node:crypto on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        expect(sha1(latin1(data))).toBe(reference(data));
      }),
      { numRuns: 500 },
    );
  });
});
