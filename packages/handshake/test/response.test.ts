import { describe, expect, it } from 'vitest';
import { createAcceptResponse, createRejectResponse, reasonPhrase, validateAcceptOptions, validateRejectOptions } from '../src/index.js';
import { ACCEPT, KEY, text } from './helpers.js';

const offer = { protocols: ['chat', 'v2'], extensions: [{ name: 'permessage-deflate', params: [] }] };

describe('RFC 6455 4.2.2 accept options (shared with @hybi/h2-bootstrap)', () => {
  it('normalises the choice', () => {
    expect(validateAcceptOptions(offer)).toEqual({ protocol: null, extensions: [], extensionsValue: null, headers: [] });
    expect(validateAcceptOptions(offer, { protocol: 'v2', extensions: [{ name: 'permessage-deflate', params: [{ name: 'server_no_context_takeover', value: null }] }], headers: [['X', 'y']] })).toEqual({
      protocol: 'v2',
      extensions: [{ name: 'permessage-deflate', params: [{ name: 'server_no_context_takeover', value: null }] }],
      extensionsValue: 'permessage-deflate; server_no_context_takeover',
      headers: [['X', 'y']],
    });
  });
  it('refuses what was not offered (the subprotocol compares exactly)', () => {
    expect(() => validateAcceptOptions(offer, { protocol: 'Chat' })).toThrow(TypeError);
    expect(() => validateAcceptOptions({ protocols: [], extensions: [] }, { protocol: 'chat' })).toThrow(/not offered/);
    expect(() => validateAcceptOptions(offer, { extensions: [{ name: 'x-other', params: [] }] })).toThrow(TypeError);
  });
  it('refuses extension parameters that are not tokens', () => {
    expect(() => validateAcceptOptions(offer, { extensions: [{ name: 'permessage-deflate', params: [{ name: 'a', value: 'b c' }] }] })).toThrow(TypeError);
  });
  it('refuses headers the 101 sets, and header injection', () => {
    for (const name of ['Upgrade', 'connection', 'Sec-WebSocket-Accept', 'sec-websocket-protocol', 'Sec-WebSocket-Extensions', 'Content-Length', 'Transfer-Encoding']) {
      expect(() => validateAcceptOptions(offer, { headers: [[name, 'x']] }), name).toThrow(TypeError);
    }
    for (const value of ['a\rb', 'a\nb', 'a\x00b', 'a\x7f', '\u20ac']) expect(() => validateAcceptOptions(offer, { headers: [['X', value]] })).toThrow(TypeError);
    expect(() => validateAcceptOptions(offer, { headers: [['X']] as never })).toThrow(TypeError);
    expect(() => validateAcceptOptions(offer, { headers: 'X: y' as never })).toThrow(TypeError);
    expect(validateAcceptOptions(offer, { headers: [['X', 'caf\xe9\t!']] }).headers).toEqual([['X', 'caf\xe9\t!']]);
  });
  it('builds the 101, Latin-1 header values as one byte each', () => {
    const response = createAcceptResponse({ ...offer, key: KEY }, { protocol: 'chat', headers: [['X', 'caf\xe9']] });
    expect(text(response)).toBe(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${ACCEPT}\r\nSec-WebSocket-Protocol: chat\r\nX: caf\xe9\r\n\r\n`);
  });
  it('returns arrays that never share bytes', () => {
    const responses = Array.from({ length: 300 }, () => createAcceptResponse({ ...offer, key: KEY }));
    responses[0]!.fill(0);
    expect(text(responses[1]!)).toMatch(/^HTTP\/1.1 101 /);
    expect(text(responses[299]!)).toMatch(/^HTTP\/1.1 101 /);
  });
});

describe('rejections', () => {
  it('validate the status range', () => {
    for (const status of [101, 200, 299, 304, 600, 404.5, Number.NaN]) expect(() => validateRejectOptions({ status }), String(status)).toThrow(RangeError);
    expect(validateRejectOptions({ status: 308, headers: [['Location', 'wss://elsewhere/']] }).status).toBe(308);
  });
  it('type string bodies as text/plain unless told otherwise, and send bytes as they are', () => {
    expect(validateRejectOptions({ status: 400, body: 'é' })).toEqual({ status: 400, headers: [['Content-Type', 'text/plain; charset=utf-8']], body: new Uint8Array([0xc3, 0xa9]) });
    expect(validateRejectOptions({ status: 400, body: '{}', headers: [['content-type', 'application/json']] }).headers).toEqual([['content-type', 'application/json']]);
    expect(validateRejectOptions({ status: 400, body: new Uint8Array([1, 2]) })).toEqual({ status: 400, headers: [], body: new Uint8Array([1, 2]) });
    expect(() => validateRejectOptions({ status: 400, body: 5 as never })).toThrow(TypeError);
  });
  it('refuse the framing headers', () => {
    for (const name of ['Connection', 'Content-Length', 'transfer-encoding']) expect(() => validateRejectOptions({ status: 400, headers: [[name, '1']] })).toThrow(TypeError);
  });
  it('say Connection: close, or Upgrade, close with an Upgrade header (RFC 9110 7.8)', () => {
    expect(text(createRejectResponse({ status: 426, headers: [['Upgrade', 'websocket']] }))).toBe('HTTP/1.1 426 Upgrade Required\r\nConnection: Upgrade, close\r\nUpgrade: websocket\r\nContent-Length: 0\r\n\r\n');
    expect(text(createRejectResponse({ status: 599, body: new Uint8Array([0x41]) }))).toBe('HTTP/1.1 599 \r\nConnection: close\r\nContent-Length: 1\r\n\r\nA');
  });
  it('carry the reason phrase RFC 9110 15 gives the status, shared as reasonPhrase (empty when unknown)', () => {
    expect([400, 401, 403, 404, 405, 414, 426, 431, 505, 599].map(reasonPhrase)).toEqual(['Bad Request', 'Unauthorized', 'Forbidden', 'Not Found', 'Method Not Allowed', 'URI Too Long', 'Upgrade Required', 'Request Header Fields Too Large', 'HTTP Version Not Supported', '']);
    expect(text(createRejectResponse({ status: 403 }))).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
  });
});
