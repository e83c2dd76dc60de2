import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidAuthority, parseRequestTarget } from '../src/uri.js';

describe('RFC 9112 3.2 request target', () => {
  it('splits origin-form into path and query, as sent', () => {
    expect(parseRequestTarget('/chat')).toEqual({ authority: null, path: '/chat', query: null });
    expect(parseRequestTarget('/a/b?c=d%20e&f')).toEqual({ authority: null, path: '/a/b', query: 'c=d%20e&f' });
    expect(parseRequestTarget('/?')).toEqual({ authority: null, path: '/', query: '' });
    expect(parseRequestTarget('/a?b?c')).toEqual({ authority: null, path: '/a', query: 'b?c' });
    expect(parseRequestTarget('//h/x')).toEqual({ authority: null, path: '//h/x', query: null });
    expect(parseRequestTarget('/{|}^`"\\')).toEqual({ authority: null, path: '/{|}^`"\\', query: null });
  });
  it('splits absolute-form, its authority as Host would be read', () => {
    expect(parseRequestTarget('ws://h:8080/chat?x')).toEqual({ authority: 'h:8080', path: '/chat', query: 'x' });
    expect(parseRequestTarget('HTTPS://[::1]?x')).toEqual({ authority: '[::1]', path: '/', query: 'x' });
    expect(parseRequestTarget('ws://h')).toEqual({ authority: 'h', path: '/', query: null });
  });
  it('refuses other forms, characters that are not visible ASCII, a fragment, a bad authority', () => {
    for (const target of ['', '*', 'example.com:443', '?x', 'chat', '/a#b', '/a b', '/a\tb', '/a\u0001b', '/a\u007f', '/caf\u00e9', 'ws://u@h/', 'ws://h:x/', 'ws:///x', '1ws://h/']) {
      expect(parseRequestTarget(target), JSON.stringify(target)).toBeNull();
    }
  });
  it('takes every origin-form target of visible ASCII but "#", and gives it back from its parts (property)', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('/', '?', 'a', '%', ':', '#', ' ', '\u00e9'), maxLength: 12 }), (target) => {
      const parts = parseRequestTarget(target);
      if (/^\/[!"$-~]*$/.test(target)) expect(parts?.path + (parts?.query === null ? '' : `?${parts?.query}`)).toBe(target);
      else expect(parts === null || parts.authority !== null).toBe(true);
    }));
  });
});

describe('RFC 9110 7.2 authority (Host, :authority)', () => {
  it('takes a reg-name or an IP literal, with an optional port', () => {
    for (const authority of ['a', 'a.example', 'localhost:9443', 'a:', '127.0.0.1:80', '[::1]', '[::1]:443', '[v1.x]', 'xn--caf-dma.example', 'a_b~c%20', "a!$&'()*+,;=b"]) {
      expect(isValidAuthority(authority), authority).toBe(true);
    }
  });
  it('refuses userinfo, paths, queries, fragments, spaces and what is not a host or port', () => {
    for (const authority of ['', 'u@a', 'a b', 'a/b', 'a?b', 'a#b', 'a"b', 'a{b}', 'a:b:c', 'a:1:2', '[zz', '[::1', '::1', 'a:99999x', 'a:-1', 'caf\u00e9', 'a\tb']) {
      expect(isValidAuthority(authority), JSON.stringify(authority)).toBe(false);
    }
  });
  it('is false for anything that is not a string', () => {
    for (const value of [undefined, null, 1, ['a'], { toString: () => 'a' }]) expect(isValidAuthority(value), String(value)).toBe(false);
  });
});
