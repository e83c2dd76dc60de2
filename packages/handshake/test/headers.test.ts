import { describe, expect, it } from 'vitest';
import { allocate, encodeLatin1, headerValues, isValidHeaderValue, setByHandshake, validateHeaderList } from '../src/headers.js';

describe('RFC 9110 5.5 header values from the application', () => {
  it('allow HTAB, SP, VCHAR and Latin-1 obs-text only', () => {
    expect(isValidHeaderValue('a b\t~\xa0\xff')).toBe(true);
    for (const value of ['\r', '\n', '\x00', '\x1f', '\x7f', '\u0100', '\ud83d\ude00']) expect(isValidHeaderValue(value), JSON.stringify(value)).toBe(false);
    expect(isValidHeaderValue(5)).toBe(false);
  });
  it('validateHeaderList names the offending pair; the caller refuses names and values as given', () => {
    expect(() => validateHeaderList([['Host', 'x']], 'ctx', (name) => name === 'Host')).toThrow(/ctx: .*\["Host","x"\]/);
    expect(() => validateHeaderList([['X', 'no']], 'ctx', (name, value) => name === 'X' && value === 'no')).toThrow(TypeError);
    expect(validateHeaderList([['X', 'yes']], 'ctx', (name, value) => name === 'X' && value === 'no')).toEqual([['X', 'yes']]);
    expect(validateHeaderList([], 'ctx')).toEqual([]);
  });
  it('validateHeaderList refuses what is not an array of string pairs, holes included', () => {
    for (const headers of ['X: y', [['X']], [['X', 'y', 'z']], [undefined], [['X', 1]], [[1, 'y']], [['', 'y']]]) {
      expect(() => validateHeaderList(headers, 'ctx'), JSON.stringify(headers)).toThrow(TypeError);
    }
  });
});

describe('headers a handshake sets itself', () => {
  it('are the framing ones, and with the handshake flag Upgrade and Sec-WebSocket-*, plus the names given, in any case', () => {
    const framing = setByHandshake(false);
    const handshake = setByHandshake(true, 'host');
    for (const name of ['connection', 'Content-Length', 'TRANSFER-ENCODING']) expect([framing(name, ''), handshake(name, '')], name).toEqual([true, true]);
    for (const name of ['upgrade', 'Sec-WebSocket-Accept', 'sec-websocket-key', 'Host']) expect([framing(name, ''), handshake(name, '')], name).toEqual([false, true]);
    for (const name of ['origin', 'x-sec-websocket-key', 'keep-alive', 'set-cookie']) expect(handshake(name, ''), name).toBe(false);
  });
});

describe('RFC 9110 5.1 field names are case-insensitive', () => {
  it('headerValues collects the values of one name in order, ASCII case-insensitively', () => {
    const headers: Array<[string, string]> = [['upgrade', 'a'], ['X', 'b'], ['UpGrade', 'c'], ['host', 'h'], ['Upgrades', 'd'], ['Upgrad', 'e']];
    expect(headerValues(headers, 'upgrade')).toEqual(['a', 'c']);
    expect(headerValues(headers, 'host')).toEqual(['h']);
    expect(headerValues(headers, 'origin')).toEqual([]);
    expect(headerValues([['SEC-WEBSOCKET-KEY', 'k'], ['Sec-WebSocket-Kez', 'z']], 'sec-websocket-key')).toEqual(['k']);
  });
  it('folds ASCII letters only', () => {
    // "-" is 0x2D, CR is 0x0D: equal under a careless OR with 0x20.
    expect(headerValues([['a\rb', 'x'], ['A\u212Ab', 'y']], 'a-b')).toEqual([]);
    expect(headerValues([['\u212A', 'x']], 'k')).toEqual([]);
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
