import { describe, expect, it } from 'vitest';
import { allocate, encodeLatin1, isValidHeaderValue, validateHeaderList } from '../src/headers.js';

describe('RFC 9110 5.5 header values from the application', () => {
  it('allow HTAB, SP, VCHAR and Latin-1 obs-text only', () => {
    expect(isValidHeaderValue('a b\t~\xa0\xff')).toBe(true);
    for (const value of ['\r', '\n', '\x00', '\x1f', '\x7f', '\u0100', '\ud83d\ude00']) expect(isValidHeaderValue(value), JSON.stringify(value)).toBe(false);
    expect(isValidHeaderValue(5)).toBe(false);
  });
  it('validateHeaderList names the offending pair and the reserved names', () => {
    expect(() => validateHeaderList([['Host', 'x']], 'ctx', ['host'])).toThrow(/ctx: bad header \["Host","x"\].*host/);
    expect(validateHeaderList([], 'ctx')).toEqual([]);
  });
});

describe('byte helpers', () => {
  it('encodeLatin1 writes one byte per character, then the body', () => {
    expect([...encodeLatin1('a\xe9', new Uint8Array([7]))]).toEqual([0x61, 0xe9, 7]);
  });
  it('allocate hands out zeroed, disjoint views, and large arrays of their own', () => {
    const views = Array.from({ length: 100 }, (_, i) => allocate(i + 100));
    for (const view of views) expect(view.every((byte) => byte === 0)).toBe(true);
    views.forEach((view, i) => view.fill(i + 1));
    views.forEach((view, i) => expect(view.every((byte) => byte === i + 1)).toBe(true));
    expect(allocate(1 << 20).byteOffset).toBe(0);
  });
});
