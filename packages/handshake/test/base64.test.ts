import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64Into, encodeBase64 } from '../src/base64.js';

describe('RFC 4648 section 4 base64', () => {
  it('encodes the RFC 4648 section 10 test vectors', () => {
    const vectors: Array<[string, string]> = [['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy']];
    for (const [input, output] of vectors) expect(encodeBase64(new TextEncoder().encode(input))).toBe(output);
  });
  it('agrees with Buffer on arbitrary input (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (data) => {
      expect(encodeBase64(data)).toBe(Buffer.from(data).toString('base64'));
    }));
  });
  it('writes ASCII codes at an offset and returns the end', () => {
    const out = new Uint8Array(10).fill(0x2e);
    expect(base64Into(new Uint8Array([0xff]), out, 3)).toBe(7);
    expect(new TextDecoder().decode(out)).toBe('.../w==...');
  });
});
