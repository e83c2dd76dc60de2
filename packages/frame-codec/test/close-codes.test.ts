import { describe, expect, it } from 'vitest';
import { CloseCode, isValidCloseCode } from '@hybi/frame-codec';

describe('RFC 6455 7.4 close codes', () => {
  it('allows exactly 1000-1003, 1007-1014 and 3000-4999 on the wire', () => {
    const allowed: number[] = [];
    for (let code = 0; code <= 70000; code++) if (isValidCloseCode(code)) allowed.push(code);
    const expected = [1000, 1001, 1002, 1003, ...Array.from({ length: 8 }, (_, i) => 1007 + i), ...Array.from({ length: 2000 }, (_, i) => 3000 + i)];
    expect(allowed).toEqual(expected);
  });

  it('rejects what is not an integer', () => {
    for (const code of [1000.5, NaN, Infinity, -1000]) expect(isValidCloseCode(code)).toBe(false);
  });

  it('names the registered codes', () => {
    expect(CloseCode.NoStatus).toBe(1005);
    expect(CloseCode.Abnormal).toBe(1006);
    expect(CloseCode.MessageTooBig).toBe(1009);
    expect(CloseCode.BadGateway).toBe(1014);
  });
});
