import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { WEBSOCKET_GUID, acceptKeyInto, computeAcceptKey, defaultRandom, generateKey, isValidKey } from '../src/accept-key.js';

describe('RFC 6455 1.3 Sec-WebSocket-Accept', () => {
  it('computes the RFC example', () => {
    expect(computeAcceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });
  it('agrees with node:crypto for any key length (property)', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'ABCabc019+/='.split('')), maxLength: 80 }), (key) => {
      expect(computeAcceptKey(key)).toBe(createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64'));
    }));
  });
  it('writes the 28 ASCII bytes into a buffer at an offset', () => {
    const out = new Uint8Array(32);
    expect(acceptKeyInto('dGhlIHNhbXBsZSBub25jZQ==', out, 2)).toBe(30);
    expect(new TextDecoder().decode(out.subarray(2, 30))).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });
});

describe('RFC 6455 4.1 Sec-WebSocket-Key', () => {
  it('is base64 of 16 bytes from the random source', () => {
    expect(generateKey((target) => target.fill(1))).toBe('AQEBAQEBAQEBAQEBAQEBAQ==');
    expect(isValidKey(generateKey())).toBe(true);
  });
  it('defaults to crypto.getRandomValues', () => {
    const getRandomValues = vi.spyOn(globalThis.crypto, 'getRandomValues');
    try {
      const key = generateKey();
      expect(getRandomValues).toHaveBeenCalledTimes(1);
      const nonce = getRandomValues.mock.calls[0]![0] as Uint8Array;
      expect([nonce.length, key]).toEqual([16, Buffer.from(nonce).toString('base64')]);
    } finally {
      getRandomValues.mockRestore();
    }
    const keys = new Set(Array.from({ length: 20 }, () => generateKey(defaultRandom)));
    expect(keys.size).toBe(20);
  });
  it('says to pass a random source where there is no crypto.getRandomValues', () => {
    vi.stubGlobal('crypto', undefined);
    try {
      expect(() => generateKey()).toThrow(/pass a random option/);
    } finally {
      vi.unstubAllGlobals();
    }
  });
  it('validates 16-byte keys (RFC 6455 4.2.1)', () => {
    expect(isValidKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe(true);
    // Non-zero pad bits still decode to 16 bytes (RFC 4648 3.5 lets a decoder accept them).
    expect(isValidKey('dGhlIHNhbXBsZSBub25jZR==')).toBe(true);
    for (const bad of ['', 'dGhlIHNhbXBsZSBub25jZQ=', 'dGhlIHNhbXBsZSBub25jZQ', 'dGhlIHNhbXBsZSBub25jZQ===', 'dGhlIHNhbXBsZSBub25jZ*==', 'AAAAAAAAAAAAAAAAAAAAAAA=', ' dGhlIHNhbXBsZSBub25jZQ==']) {
      expect(isValidKey(bad), bad).toBe(false);
    }
  });
  it('accepts exactly the base64 encodings of 16 bytes (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 24 }), (bytes) => {
      expect(isValidKey(Buffer.from(bytes).toString('base64'))).toBe(bytes.length === 16);
    }));
  });
});
