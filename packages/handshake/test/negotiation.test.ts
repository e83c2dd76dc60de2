import { describe, expect, it } from 'vitest';
import { formatOffer, readOffer, readSelection, unoffered } from '../src/negotiation.js';

const offer = { protocols: ['chat', 'v2'], extensions: [{ name: 'permessage-deflate', params: [] }] };

describe('RFC 6455 4.2.1 / RFC 8441 5 the fields of an opening request', () => {
  const version: [string, string] = ['Sec-WebSocket-Version', '13'];
  it('reads the origin and the offers across lines, in any name case', () => {
    expect(readOffer([version, ['origin', 'https://a.example'], ['sec-websocket-protocol', 'a, b'], ['Sec-WebSocket-Protocol', 'c'], ['sec-websocket-extensions', 'x; y=1'], ['SEC-WEBSOCKET-EXTENSIONS', 'z']])).toEqual({
      origin: 'https://a.example',
      protocols: ['a', 'b', 'c'],
      extensions: [{ name: 'x', params: [{ name: 'y', value: '1' }] }, { name: 'z', params: [] }],
    });
    expect(readOffer([version])).toEqual({ origin: null, protocols: [], extensions: [] });
  });
  it('checks version, origin, subprotocols, extensions, in that order', () => {
    expect(readOffer([])).toBe('unsupported-websocket-version');
    expect(readOffer([['sec-websocket-version', '8'], ['origin', 'a'], ['origin', 'b']])).toBe('unsupported-websocket-version');
    expect(readOffer([version, version])).toBe('unsupported-websocket-version');
    expect(readOffer([version, ['origin', 'a'], ['origin', 'b'], ['sec-websocket-protocol', 'a;']])).toBe('invalid-origin');
    expect(readOffer([version, ['sec-websocket-protocol', 'a;'], ['sec-websocket-extensions', ';']])).toBe('invalid-protocols');
    // RFC 6455 4.1: the subprotocols "MUST all be unique strings".
    expect(readOffer([version, ['sec-websocket-protocol', 'a'], ['sec-websocket-protocol', 'a']])).toBe('invalid-protocols');
    expect(readOffer([version, ['sec-websocket-extensions', ';']])).toBe('invalid-extensions');
  });
});

describe('RFC 6455 4.1 the server\'s choice, read by the client', () => {
  it('is one offered subprotocol or none, and offered extensions with their parameters', () => {
    expect(readSelection([['Sec-WebSocket-Protocol', 'v2'], ['sec-websocket-extensions', 'permessage-deflate; server_no_context_takeover']], offer)).toEqual({
      protocol: 'v2',
      extensions: [{ name: 'permessage-deflate', params: [{ name: 'server_no_context_takeover', value: null }] }],
    });
    expect(readSelection([], offer)).toEqual({ protocol: null, extensions: [] });
  });
  it('names the rule broken: syntax first, then one value, then what was not offered', () => {
    expect(readSelection([['sec-websocket-protocol', 'a;']], offer)).toBe('invalid-protocol');
    expect(readSelection([['sec-websocket-protocol', 'chat, v2']], offer)).toBe('invalid-protocol');
    expect(readSelection([['sec-websocket-protocol', 'chat'], ['sec-websocket-protocol', 'chat']], offer)).toBe('invalid-protocol');
    expect(readSelection([['sec-websocket-protocol', '']], offer)).toBe('invalid-protocol');
    expect(readSelection([['sec-websocket-protocol', 'other'], ['sec-websocket-extensions', ',;']], offer)).toBe('invalid-extensions');
    expect(readSelection([['sec-websocket-protocol', 'Chat']], offer)).toBe('unoffered-protocol');
    expect(readSelection([['sec-websocket-protocol', 'other'], ['sec-websocket-extensions', 'x']], offer)).toBe('unoffered-protocol');
    expect(readSelection([['sec-websocket-extensions', 'x']], offer)).toBe('unoffered-extension');
  });
  it('unoffered compares subprotocols exactly and extensions by name', () => {
    expect(unoffered(offer, { protocol: 'chat', extensions: [{ name: 'permessage-deflate', params: [{ name: 'a', value: '1' }] }] })).toBeNull();
    expect(unoffered(offer, { protocol: 'CHAT', extensions: [] })).toBe('unoffered-protocol');
    expect(unoffered({ protocols: [], extensions: [] }, { protocol: null, extensions: [{ name: 'x', params: [] }] })).toBe('unoffered-extension');
  });
});

describe('RFC 6455 4.1 the client\'s offer', () => {
  it('formats the Sec-WebSocket-Protocol and Sec-WebSocket-Extensions values, null when empty', () => {
    expect(formatOffer(offer)).toEqual(['chat, v2', 'permessage-deflate']);
    expect(formatOffer({})).toEqual([null, null]);
  });
  it('refuses subprotocols that are not distinct tokens and extensions that are not tokens', () => {
    for (const protocols of [['a b'], ['a', 'a'], [''], [1], 'chat']) expect(() => formatOffer({ protocols: protocols as never }), JSON.stringify(protocols)).toThrow(TypeError);
    expect(() => formatOffer({ extensions: [{ name: 'a;b', params: [] }] })).toThrow(TypeError);
  });
});
