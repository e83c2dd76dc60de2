import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Utf8Validator, decodeText, isValidUtf8 } from '@hybi/frame-codec';

/**
 * The index of the first byte at which `bytes` stops being a prefix of valid
 * UTF-8, written straight from the table of RFC 3629 section 4; -1 if none.
 * `complete` tells whether the whole input ends on a code point boundary.
 */
function reference(bytes: Uint8Array): { invalid: number; complete: boolean } {
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i]!;
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c <= 0x7f) need = 0;
    else if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c === 0xe0) [need, lo] = [2, 0xa0];
    else if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) need = 2;
    else if (c === 0xed) [need, hi] = [2, 0x9f];
    else if (c === 0xf0) [need, lo] = [3, 0x90];
    else if (c >= 0xf1 && c <= 0xf3) need = 3;
    else if (c === 0xf4) [need, hi] = [3, 0x8f];
    else return { invalid: i, complete: false };
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length) return { invalid: -1, complete: false };
      const b = bytes[i + k]!;
      if (k === 1 ? b < lo || b > hi : b < 0x80 || b > 0xbf) return { invalid: i + k, complete: false };
    }
    i += need + 1;
  }
  return { invalid: -1, complete: true };
}

/** Mostly-valid text with sprinkled bytes, so that invalid inputs are near-misses. */
const utf8ish = fc
  .tuple(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.array(fc.tuple(fc.nat(200), fc.integer({ min: 0x80, max: 0xff })), { maxLength: 2 }))
  .map(([s, noise]) => {
    const b = Array.from(new TextEncoder().encode(s));
    for (const [at, value] of noise) b.splice(at % (b.length + 1), 0, value);
    return Uint8Array.from(b);
  });

const anyBytes = fc.oneof(utf8ish, fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }).map((b) => b.map((x) => x | 0x80)));

describe('RFC 3629 UTF-8 validation', () => {
  it('finds the same first invalid byte as the RFC 3629 table', () => {
    fc.assert(
      fc.property(anyBytes, (input) => {
        const validator = new Utf8Validator();
        const expected = reference(input);
        expect(validator.check(input)).toBe(expected.invalid);
        if (expected.invalid === -1) expect(validator.pending).toBe(!expected.complete);
        expect(isValidUtf8(input)).toBe(expected.invalid === -1 && expected.complete);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with a fatal TextDecoder on complete inputs', () => {
    fc.assert(
      fc.property(anyBytes, (input) => {
        let decodes = true;
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(input);
        } catch {
          decodes = false;
        }
        expect(isValidUtf8(input)).toBe(decodes);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the same answer however the input is split (code points split anywhere)', () => {
    fc.assert(
      fc.property(anyBytes, fc.array(fc.nat(100), { maxLength: 6 }), (input, cuts) => {
        const expected = reference(input);
        const validator = new Utf8Validator();
        const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
        let start = 0;
        let invalid = -1;
        for (const point of [...points, input.length]) {
          invalid = validator.check(input, start, point);
          if (invalid !== -1) break;
          start = point;
        }
        expect(invalid).toBe(expected.invalid);
        if (invalid === -1) expect(validator.pending).toBe(!expected.complete);
      }),
      { numRuns: 2000 },
    );
  });

  it('checks long ASCII runs (the word-at-a-time path) at any alignment', () => {
    for (let lead = 0; lead < 4; lead++) {
      for (const at of [0, 5, 63, 64, 65, 127, 200, 299]) {
        const buffer = new Uint8Array(lead + 300).fill(0x61);
        buffer[lead + at] = 0xff;
        const view = buffer.subarray(lead);
        expect(new Utf8Validator().check(view)).toBe(at);
        buffer[lead + at] = 0x62;
        expect(new Utf8Validator().check(view)).toBe(-1);
      }
    }
  });

  it('accepts the boundary code points and rejects their neighbours', () => {
    const ok = ['\u0000', '\u007f', '\u0080', '\u07ff', '\u0800', '\ud7ff', '\ue000', '\uffff', '\u{10000}', '\u{10ffff}'];
    for (const s of ok) expect(isValidUtf8(new TextEncoder().encode(s)), s).toBe(true);
    const bad = [[0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x9f, 0xbf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xf0, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0x80], [0xbf]];
    for (const b of bad) expect(isValidUtf8(Uint8Array.from(b)), b.join(' ')).toBe(false);
  });

  it('decodeText decodes bytes', () => {
    expect(decodeText(new TextEncoder().encode('héllo 😀'))).toBe('héllo 😀');
  });
});
