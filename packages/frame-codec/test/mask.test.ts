import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mask } from '@hybi/frame-codec';
import { maskBytes } from '../src/mask.js';

/** RFC 6455 5.3: "octet i of the transformed data is the XOR of octet i of the original data with octet at index i modulo 4 of the masking key". */
function reference(data: Uint8Array, key: Uint8Array, keyOffset: number): Uint8Array {
  return data.map((b, i) => b ^ key[(keyOffset + i) % 4]!);
}

describe('RFC 6455 5.3 masking', () => {
  it('matches the byte-wise definition for any length, alignment and key offset', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.nat(7),
        fc.nat(3),
        fc.nat(3),
        (data, key, keyOffset, lead, tail) => {
          // Place the data at an arbitrary alignment inside a larger buffer.
          const buffer = new Uint8Array(lead + data.length + tail).fill(0xee);
          buffer.set(data, lead);
          maskBytes(buffer, key, keyOffset, lead, lead + data.length);
          expect(buffer.subarray(lead, lead + data.length)).toEqual(reference(data, key, keyOffset));
          // Bytes outside the range are untouched.
          expect([...buffer.subarray(0, lead), ...buffer.subarray(lead + data.length)].every((b) => b === 0xee)).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('masks a payload split at any points like the whole payload', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.array(fc.nat(200), { maxLength: 5 }), (data, cuts) => {
        const key = Uint8Array.of(1, 2, 3, 4);
        const whole = data.slice();
        maskBytes(whole, key, 0, 0, whole.length);
        const pieces = data.slice();
        const points = [...new Set(cuts.map((c) => c % data.length))].sort((a, b) => a - b);
        let start = 0;
        for (const point of [...points, data.length]) {
          maskBytes(pieces, key, start, start, point);
          start = point;
        }
        expect(pieces).toEqual(whole);
      }),
    );
  });

  it('is its own inverse (the 5.7 example: "Hello" with 37 fa 21 3d)', () => {
    const data = new TextEncoder().encode('Hello');
    mask(data, Uint8Array.of(0x37, 0xfa, 0x21, 0x3d));
    expect([...data]).toEqual([0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    mask(data, Uint8Array.of(0x37, 0xfa, 0x21, 0x3d));
    expect(new TextDecoder().decode(data)).toBe('Hello');
  });

  it('rejects a key that is not 4 bytes', () => {
    expect(() => mask(new Uint8Array(4), new Uint8Array(3))).toThrow(TypeError);
  });
});
