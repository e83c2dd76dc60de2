import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptRequest, parseRequest, rejectRequest, type RequestEvent, type ServerEvent } from '../src/server.js';
import type { HeaderList } from '../src/header-list.js';

const h2 = { version: 'h2', connectProtocolEnabled: true } as const;
const h3 = { version: 'h3', connectProtocolEnabled: true } as const;

const chromium: HeaderList = [
  [':method', 'CONNECT'],
  [':authority', 'localhost:9443'],
  [':scheme', 'https'],
  [':path', '/chat?room=1'],
  [':protocol', 'websocket'],
  ['user-agent', 'HeadlessChrome/156'],
  ['origin', 'https://localhost:9443'],
  ['sec-websocket-version', '13'],
  ['sec-websocket-extensions', 'permessage-deflate; client_max_window_bits'],
  ['sec-websocket-protocol', 'chat, superchat'],
];

function requestOf(event: ServerEvent): RequestEvent {
  if (event.type !== 'request') throw new Error(`expected a request, got ${JSON.stringify(event)}`);
  return event;
}

describe('RFC 8441 5 / RFC 9220 3 the WebSocket request', () => {
  it('gives the application what an HTTP/1.1 Upgrade request would', () => {
    expect(parseRequest(chromium, h2)).toEqual({
      type: 'request',
      scheme: 'https',
      authority: 'localhost:9443',
      path: '/chat',
      query: 'room=1',
      origin: 'https://localhost:9443',
      protocols: ['chat', 'superchat'],
      extensions: [{ name: 'permessage-deflate', params: [{ name: 'client_max_window_bits', value: null }] }],
      headers: chromium.slice(5),
    });
  });
  it('is the same over HTTP/3', () => {
    expect(parseRequest(chromium, h3)).toEqual(parseRequest(chromium, h2));
  });
  it('ignores a forwarded sec-websocket-key and :scheme https on cleartext (HAProxy)', () => {
    const haproxy: HeaderList = [[':method', 'CONNECT'], [':scheme', 'https'], [':authority', 'b'], [':path', '/'], [':protocol', 'websocket'], ['sec-websocket-version', '13'], ['sec-websocket-key', 'x'], ['sec-websocket-protocol', 'chat,superchat']];
    expect(requestOf(parseRequest(haproxy, h2))).toMatchObject({ scheme: 'https', protocols: ['chat', 'superchat'] });
  });
});

describe('RFC 8441 3 the setting gates :protocol', () => {
  it('is malformed without the setting: PROTOCOL_ERROR / H3_MESSAGE_ERROR', () => {
    expect(parseRequest(chromium, { version: 'h2', connectProtocolEnabled: false })).toEqual({
      type: 'malformed',
      kind: 'extended-connect-not-enabled',
      reason: ':protocol',
      action: { type: 'reset-stream', code: 0x1, name: 'PROTOCOL_ERROR' },
    });
    expect(parseRequest(chromium, { version: 'h3', connectProtocolEnabled: false })).toMatchObject({ action: { code: 0x10e, name: 'H3_MESSAGE_ERROR' } });
  });
  it('leaves requests without :protocol alone', () => {
    expect(parseRequest([[':method', 'GET'], [':scheme', 'https'], [':path', '/'], [':authority', 'a']], { version: 'h2', connectProtocolEnabled: false })).toEqual({ type: 'not-extended-connect', method: 'GET' });
  });
});

describe('RFC 8441 4 extended CONNECT pseudo-header fields', () => {
  const base = (changes: Record<string, string | null>): HeaderList =>
    ([[':method', 'CONNECT'], [':protocol', 'websocket'], [':scheme', 'https'], [':path', '/p'], [':authority', 'a.example'], ['sec-websocket-version', '13']] as const)
      .filter(([name]) => changes[name] !== null)
      .map(([name, value]) => [name, changes[name] ?? value] as const);
  it('requires :scheme, :path and :authority, reported in that order', () => {
    expect(parseRequest(base({ ':scheme': null, ':path': null }), h2)).toMatchObject({ kind: 'missing-pseudo-header', reason: ':scheme' });
    expect(parseRequest(base({ ':path': null, ':authority': null }), h2)).toMatchObject({ kind: 'missing-pseudo-header', reason: ':path' });
    expect(parseRequest(base({ ':authority': null }), h2)).toMatchObject({ kind: 'missing-pseudo-header', reason: ':authority' });
    expect(parseRequest(base({ ':method': null }), h2)).toMatchObject({ kind: 'missing-pseudo-header', reason: ':method' });
  });
  it('checks their values', () => {
    for (const [name, value] of [[':scheme', 'wss'], [':path', ''], [':path', 'x'], [':path', '*'], [':authority', ''], [':authority', 'u@a'], [':method', 'GET']]) {
      expect(parseRequest(base({ [name!]: value! }), h2), `${name} ${value}`).toMatchObject({ type: 'malformed', kind: 'invalid-pseudo-header' });
    }
  });
  it('reads :authority as @hybi/handshake reads Host, and :path as an origin-form target (RFC 9113 8.3.1)', () => {
    const authorities = ['a b', 'a/b', 'a?b', 'a#b', 'a"b', 'a{b}', 'a:b:c', '[zz', 'a:99999x', 'a:1:2', 'caf\u00e9'];
    const paths = ['/a#b', '/a\tb', '/a\u0001b', '/caf\u00e9', '/a b', '/a\u007f', 'http://a/b', '?x'];
    for (const options of [h2, h3]) {
      for (const [name, values] of [[':authority', authorities], [':path', paths]] as const) {
        for (const value of values) {
          // HTTP/3 refuses a control character in any field value first (RFC 9114 10.3).
          const kind = options === h3 && /[\0-\x08\x0a-\x1f\x7f]/.test(value) ? 'invalid-field-value' : 'invalid-pseudo-header';
          expect(parseRequest(base({ [name]: value }), options), `${options.version} ${name} ${JSON.stringify(value)}`).toMatchObject({ type: 'malformed', kind, reason: name });
        }
      }
    }
    for (const authority of ['a.example', 'localhost:9443', '[::1]:443', '127.0.0.1', 'xn--caf-dma.example', 'a:', 'a_b~c%20']) {
      expect(requestOf(parseRequest(base({ ':authority': authority }), h2)).authority, authority).toBe(authority);
    }
    for (const [path, split] of [['/', ['/', null]], ['/a/b?c=d%20e&f', ['/a/b', 'c=d%20e&f']], ['/?', ['/', '']], ['/a?b?c', ['/a', 'b?c']], ['/{|}^`"', ['/{|}^`"', null]]] as const) {
      const event = requestOf(parseRequest(base({ ':path': path }), h3));
      expect([event.path, event.query], path).toEqual(split);
    }
  });
  it('refuses an empty :protocol or one that is not a token as malformed, not as another protocol', () => {
    for (const options of [h2, h3]) {
      for (const protocol of ['', 'a b', 'web/socket', '"websocket"', 'caf\u00e9']) {
        expect(parseRequest(base({ ':protocol': protocol }), options), `${options.version} ${JSON.stringify(protocol)}`).toMatchObject({ type: 'malformed', kind: 'invalid-pseudo-header', reason: ':protocol' });
      }
    }
    // Checked with the values, after the presence of :scheme, :path and :authority.
    expect(parseRequest(base({ ':protocol': '', ':scheme': null }), h2)).toMatchObject({ kind: 'missing-pseudo-header', reason: ':scheme' });
    expect(parseRequest(base({ ':protocol': '', ':scheme': 'ws' }), h2)).toMatchObject({ kind: 'invalid-pseudo-header', reason: ':protocol' });
  });
  it('treats a host field that differs from :authority as malformed (RFC 9114 4.3.1)', () => {
    expect(parseRequest([...base({}), ['host', 'b.example']], h3)).toMatchObject({ kind: 'host-mismatch' });
    expect(parseRequest([...base({}), ['host', 'a.example:443']], h2)).toMatchObject({ kind: 'host-mismatch' });
    expect(requestOf(parseRequest([...base({}), ['host', 'a.example']], h3)).authority).toBe('a.example');
  });
  it('compares host and :authority ignoring the case of letters, as host names are (RFC 3986 3.2.2)', () => {
    for (const options of [h2, h3]) {
      expect(requestOf(parseRequest([...base({}), ['host', 'A.Example']], options)).authority).toBe('a.example');
      expect(requestOf(parseRequest([...base({ ':authority': 'A.EXAMPLE:8443' }), ['host', 'a.example:8443']], options)).authority).toBe('A.EXAMPLE:8443');
      expect(requestOf(parseRequest([...base({ ':authority': '[::A]' }), ['host', '[::a]']], options)).authority).toBe('[::A]');
    }
  });
  it('reports another :protocol with 501 (RFC 9220 3)', () => {
    expect(parseRequest(base({ ':protocol': 'connect-udp' }), h2)).toEqual({ type: 'unsupported-protocol', protocol: 'connect-udp', status: 501, response: [[':status', '501']] });
    expect(parseRequest(base({ ':protocol': 'WebSocket' }), h2)).toMatchObject({ type: 'unsupported-protocol', protocol: 'WebSocket' });
  });
});

describe('RFC 6455 4.2.1 / 4.2.2 WebSocket fields', () => {
  const minimal: HeaderList = [[':method', 'CONNECT'], [':protocol', 'websocket'], [':scheme', 'http'], [':path', '/'], [':authority', 'a']];
  it('answers a version other than 13 with 400 and sec-websocket-version: 13', () => {
    for (const versions of [[], ['8'], ['13', '13'], ['13, 8'], [' 13']]) {
      const headers = [...minimal, ...versions.map((v) => ['sec-websocket-version', v] as const)];
      const event = parseRequest(headers, h2);
      if (versions[0] === ' 13') expect(event).toMatchObject({ type: 'malformed', kind: 'invalid-field-value' });
      else expect(event, JSON.stringify(versions)).toMatchObject({ type: 'bad-request', kind: 'unsupported-version', status: 400, response: [[':status', '400'], ['sec-websocket-version', '13']] });
    }
  });
  it('refuses two origin fields and unparsable offers with 400', () => {
    const ok = [...minimal, ['sec-websocket-version', '13']] as const;
    expect(parseRequest([...ok, ['origin', 'a'], ['origin', 'b']], h2)).toMatchObject({ kind: 'duplicate-origin', response: [[':status', '400']] });
    expect(parseRequest([...ok, ['sec-websocket-protocol', 'a b']], h2)).toMatchObject({ kind: 'invalid-subprotocol-list' });
    expect(parseRequest([...ok, ['sec-websocket-extensions', 'x; y="a b"']], h2)).toMatchObject({ kind: 'invalid-extension-list' });
  });
  it('returns null origin and no offers when absent', () => {
    expect(requestOf(parseRequest([...minimal, ['sec-websocket-version', '13']], h2))).toMatchObject({ origin: null, protocols: [], extensions: [], path: '/', query: null });
  });
});

describe('accepting and rejecting', () => {
  const request = requestOf(parseRequest(chromium, h2));
  it('accepts with :status 200, the chosen subprotocol, extension responses and extra fields', () => {
    expect(acceptRequest(request, { protocol: 'superchat', extensions: [{ name: 'permessage-deflate', params: [{ name: 'server_no_context_takeover', value: null }] }], headers: [['set-cookie', 'a=1']] })).toEqual([
      [':status', '200'],
      ['sec-websocket-protocol', 'superchat'],
      ['sec-websocket-extensions', 'permessage-deflate; server_no_context_takeover'],
      ['set-cookie', 'a=1'],
    ]);
    expect(acceptRequest(request)).toEqual([[':status', '200']]);
    expect(acceptRequest(request, { protocol: null, extensions: [] })).toEqual([[':status', '200']]);
  });
  it('throws TypeError for a subprotocol or extension that was not offered (RFC 6455 4.2.2)', () => {
    expect(() => acceptRequest(request, { protocol: 'v2' })).toThrow(TypeError);
    expect(() => acceptRequest(request, { protocol: '' })).toThrow(TypeError);
    expect(() => acceptRequest(request, { extensions: [{ name: 'x-webkit-deflate-frame', params: [] }] })).toThrow(TypeError);
  });
  it('throws TypeError for extra fields that are malformed, connection-specific or Sec-WebSocket-*', () => {
    for (const line of [['connection', 'close'], ['upgrade', 'websocket'], [':status', '101'], ['sec-websocket-accept', 'x'], ['sec-websocket-protocol', 'chat'], ['x', 'a\nb'], ['X', '1']]) {
      expect(() => acceptRequest(request, { headers: [line as [string, string]] }), JSON.stringify(line)).toThrow(TypeError);
    }
  });
  it('rejects with a status from 300 to 599 and extra fields', () => {
    expect(rejectRequest(403, [['content-type', 'text/plain']])).toEqual([[':status', '403'], ['content-type', 'text/plain']]);
    expect(rejectRequest(503)).toEqual([[':status', '503']]);
    for (const status of [101, 200, 299, 600, 404.5, Number.NaN]) expect(() => rejectRequest(status), String(status)).toThrow(RangeError);
    expect(() => rejectRequest(400, [['transfer-encoding', 'chunked']])).toThrow(TypeError);
  });
  it('refuses bad options (local misuse)', () => {
    expect(() => parseRequest(chromium, { version: 'h4' } as never)).toThrow(TypeError);
    expect(() => parseRequest(chromium, { version: 'h2' } as never)).toThrow(TypeError);
    expect(() => parseRequest(null as never, h2)).toThrow(TypeError);
  });
});

// Header lists that mix valid and invalid pieces, so that every rule is reached.
const names = fc.constantFrom(':method', ':protocol', ':scheme', ':path', ':authority', ':status', ':foo', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions', 'origin', 'host', 'connection', 'te', 'Upper', 'x y', '', 'sec-websocket-key');
const values = fc.oneof(fc.constantFrom('CONNECT', 'GET', 'websocket', 'https', 'http', '/', '/a?b', 'a', '13', 'trailers', 'chat, v2', 'permessage-deflate; x=1', '', ' x', 'a\r\nb'), fc.string({ maxLength: 8 }));
const headerLists = fc.array(fc.tuple(fc.oneof(names, fc.string({ maxLength: 6 })), values), { maxLength: 12 });
const serverKinds = new Set(['request', 'not-extended-connect', 'unsupported-protocol', 'bad-request', 'malformed']);

describe('properties', () => {
  it('any header list validates or yields a named error, never throws', () => {
    fc.assert(
      fc.property(headerLists, fc.constantFrom(h2, h3, { version: 'h2', connectProtocolEnabled: false } as const, { version: 'h3', connectProtocolEnabled: false } as const), (headers, options) => {
        const event = parseRequest(headers, options);
        expect(serverKinds.has(event.type)).toBe(true);
        if (event.type === 'malformed' || event.type === 'bad-request') expect(event.kind).toMatch(/^[a-z-]+$/);
        if (event.type === 'malformed') expect(event.action.code).toBe(options.version === 'h2' ? 0x1 : 0x10e);
      }),
      { numRuns: 3000 },
    );
  });
  it('anything arbitrary in the list never throws either', () => {
    fc.assert(
      fc.property(fc.array(fc.anything(), { maxLength: 8 }), (headers) => {
        for (const options of [h2, h3]) expect(serverKinds.has(parseRequest(headers as never, options).type)).toBe(true);
      }),
    );
  });
  it('a valid request plus any regular lines is a request or a named refusal', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(names.filter((n) => !n.startsWith(':')), values), { maxLength: 6 }), (extra) => {
        const event = parseRequest([...chromium, ...extra], h2);
        expect(['request', 'bad-request', 'malformed']).toContain(event.type);
      }),
    );
  });
});
