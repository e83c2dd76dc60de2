import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatExtensionList, isToken, isTokenChar, listContainsToken, parseExtensionList, parseTokenList } from '../src/header-values.js';

describe('RFC 9110 5.6.2 tokens', () => {
  it('isToken: a non-empty string of tchars', () => {
    expect(isToken("!#$%&'*+-.^_`|~09AZaz")).toBe(true);
    for (const value of ['', 'a b', 'a,b', '"a"', 'caf\xe9', 'a\x00']) expect(isToken(value), JSON.stringify(value)).toBe(false);
  });
  it('isToken: false for what is not a string (JS callers)', () => {
    for (const value of [123, 0, null, undefined, ['abc'], { toString: () => 'abc' }, true]) expect(isToken(value), String(value)).toBe(false);
  });
  it('isTokenChar: only the integer codes of tchars', () => {
    expect(isTokenChar(0x61)).toBe(true);
    expect(isTokenChar(0x21)).toBe(true);
    for (const code of [0x20, 0x22, 0x2c, 0x7f, 0xe9, -1, 65.5, Number.NaN, '97' as never, 0x161]) expect(isTokenChar(code), String(code)).toBe(false);
  });
});

describe('RFC 9110 5.6.1 token lists', () => {
  it('splits across commas and field lines, ignoring empty elements', () => {
    expect(parseTokenList(['chat, superchat', ' , v2.bin ,'])).toEqual({ ok: true, value: ['chat', 'superchat', 'v2.bin'] });
  });
  it('rejects elements that are not tokens', () => {
    expect(parseTokenList(['chat; q=1']).ok).toBe(false);
    expect(parseTokenList(['a b']).ok).toBe(false);
    expect(parseTokenList(['"chat"']).ok).toBe(false);
  });
  it('finds a token case-insensitively (Firefox: keep-alive, Upgrade)', () => {
    expect(listContainsToken(['keep-alive, Upgrade'], 'upgrade')).toBe(true);
    expect(listContainsToken(['keep-alive', 'UPGRADE'], 'upgrade')).toBe(true);
    expect(listContainsToken(['keep-alive, upgraded'], 'upgrade')).toBe(false);
  });
});

describe('RFC 6455 9.1 Sec-WebSocket-Extensions', () => {
  it('parses names, bare parameters, token and quoted values', () => {
    const result = parseExtensionList(['permessage-deflate; client_max_window_bits, x-foo ; a="10" ;b=c', 'y']);
    expect(result).toEqual({
      ok: true,
      value: [
        { name: 'permessage-deflate', params: [{ name: 'client_max_window_bits', value: null }] },
        { name: 'x-foo', params: [{ name: 'a', value: '10' }, { name: 'b', value: 'c' }] },
        { name: 'y', params: [] },
      ],
    });
  });
  it('unescapes quoted pairs and requires the result to be a token', () => {
    expect(parseExtensionList(['x; a="b\\c"'])).toEqual({ ok: true, value: [{ name: 'x', params: [{ name: 'a', value: 'bc' }] }] });
    expect(parseExtensionList(['x; a="b c"']).ok).toBe(false);
    expect(parseExtensionList(['x; a=""']).ok).toBe(false);
    expect(parseExtensionList(['x; a="unterminated']).ok).toBe(false);
  });
  it('rejects malformed lists', () => {
    for (const bad of ['; a', 'x;', 'x; =1', 'x; a=', 'x y', 'x; a=1 2', 'x, ;a']) {
      expect(parseExtensionList([bad]).ok, bad).toBe(false);
    }
  });
  it('round-trips through formatExtensionList', () => {
    const token = fc.stringMatching(/^[a-z0-9_!#$%&'*+.^`|~-]{1,12}$/);
    const extension = fc.record({
      name: token,
      params: fc.array(fc.record({ name: token, value: fc.option(token, { nil: null }) }), { maxLength: 4 }),
    });
    fc.assert(
      fc.property(fc.array(extension, { minLength: 1, maxLength: 4 }), (extensions) => {
        expect(parseExtensionList([formatExtensionList(extensions)])).toEqual({ ok: true, value: extensions });
      }),
    );
  });
  it('refuses to format values that would need quoting', () => {
    expect(() => formatExtensionList([{ name: 'x', params: [{ name: 'a', value: 'b c' }] }])).toThrow(/not a token/);
  });
  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.array(fc.string()), (values) => {
      parseExtensionList(values);
      parseTokenList(values);
    }));
  });
});
