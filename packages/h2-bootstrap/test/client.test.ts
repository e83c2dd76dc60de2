import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildRequest, type ClientOptions, parseResponse } from '../src/client.js';
import { acceptRequest, parseRequest } from '../src/server.js';

const options: ClientOptions = {
  version: 'h2',
  scheme: 'https',
  authority: 'server.example.com',
  path: '/chat?room=1',
  origin: 'https://www.example.com',
  protocols: ['chat', 'superchat'],
  extensions: [{ name: 'permessage-deflate', params: [{ name: 'client_max_window_bits', value: null }] }],
  headers: [['user-agent', 'test']],
};

describe('RFC 8441 3 the client waits for the setting', () => {
  it('refuses to build the request before the peer SETTINGS, or when they disabled it', () => {
    for (const peerSetting of ['awaiting-settings', 'disabled', 'failed'] as const) {
      expect(buildRequest(options, peerSetting)).toEqual({ type: 'extended-connect-unavailable', peerSetting });
    }
  });
  it('throws TypeError for a peer setting that is not a state', () => {
    expect(() => buildRequest(options, true as never)).toThrow(TypeError);
  });
});

describe('RFC 8441 4 and 5 the request header list', () => {
  it('has the pseudo-header fields first, sec-websocket-version 13, then the offers and extra fields', () => {
    expect(buildRequest(options, 'enabled')).toEqual({
      type: 'request',
      headers: [
        [':method', 'CONNECT'],
        [':protocol', 'websocket'],
        [':scheme', 'https'],
        [':path', '/chat?room=1'],
        [':authority', 'server.example.com'],
        ['sec-websocket-version', '13'],
        ['origin', 'https://www.example.com'],
        ['sec-websocket-protocol', 'chat, superchat'],
        ['sec-websocket-extensions', 'permessage-deflate; client_max_window_bits'],
        ['user-agent', 'test'],
      ],
    });
  });
  it('has no sec-websocket-key and no connection-specific field', () => {
    const built = buildRequest({ version: 'h3', scheme: 'http', authority: 'a:8080', path: '/' }, 'enabled');
    expect(built).toEqual({
      type: 'request',
      headers: [[':method', 'CONNECT'], [':protocol', 'websocket'], [':scheme', 'http'], [':path', '/'], [':authority', 'a:8080'], ['sec-websocket-version', '13']],
    });
  });
  it('throws TypeError for options that would make a malformed request', () => {
    const bad: Partial<Record<keyof ClientOptions, unknown>>[] = [
      { version: 'h1' },
      { scheme: 'wss' },
      { authority: '' },
      { authority: 'user@host' },
      { authority: 'host/path' },
      { authority: 'ho st' },
      { authority: 'a:99999' },
      { authority: 'a:0' },
      { authority: 'a:' },
      { authority: 'a"b' },
      { authority: '[zz' },
      { authority: 'a:b:c' },
      { authority: 1 },
      { path: 'chat' },
      { path: '' },
      { path: '/a b' },
      { path: '/a#frag' },
      { path: '/caf\u00e9' },
      { path: '/a\u007f' },
      { path: 'http://a/b' },
      { path: ['/'] },
      { origin: '' },
      { origin: 'a\nb' },
      { protocols: ['a b'] },
      { protocols: ['chat', 'chat'] },
      { protocols: [1] },
      { protocols: 'chat' },
      { extensions: [{ name: 'a b', params: [] }] },
      { headers: [['connection', 'upgrade']] },
      { headers: [['upgrade', 'websocket']] },
      { headers: [['sec-websocket-key', 'x']] },
      { headers: [['origin', 'x']] },
      { headers: [['host', 'x']] },
      { headers: [[':path', '/']] },
      { headers: [['X-Upper', '1']] },
    ];
    for (const change of bad) expect(() => buildRequest({ ...options, ...change } as ClientOptions, 'enabled'), JSON.stringify(change)).toThrow(TypeError);
  });
  it('takes the authorities and paths @hybi/handshake takes in Host and an origin-form target', () => {
    for (const authority of ['a', 'a:1', 'a.example:65535', '[::1]:8443', '127.0.0.1', 'a_b~c%20']) {
      expect(buildRequest({ ...options, authority }, 'enabled'), authority).toMatchObject({ type: 'request' });
    }
    for (const path of ['/', '/a?b', '/?', '/{|}^`"']) expect(buildRequest({ ...options, path }, 'enabled'), path).toMatchObject({ type: 'request' });
  });
});

describe('RFC 8441 5 / RFC 6455 4.1 the response', () => {
  it('accepts any 2xx with an offered subprotocol and extension', () => {
    expect(parseResponse([[':status', '200'], ['sec-websocket-protocol', 'chat'], ['sec-websocket-extensions', 'permessage-deflate; server_no_context_takeover']], options)).toEqual({
      type: 'accepted',
      status: 200,
      protocol: 'chat',
      extensions: [{ name: 'permessage-deflate', params: [{ name: 'server_no_context_takeover', value: null }] }],
      headers: [['sec-websocket-protocol', 'chat'], ['sec-websocket-extensions', 'permessage-deflate; server_no_context_takeover']],
    });
    expect(parseResponse([[':status', '299']], options)).toMatchObject({ type: 'accepted', status: 299, protocol: null, extensions: [] });
  });
  it('ignores a leftover sec-websocket-accept (HAProxy)', () => {
    expect(parseResponse([[':status', '200'], ['sec-websocket-accept', 'x'], ['sec-websocket-protocol', 'chat']], options)).toMatchObject({ type: 'accepted', protocol: 'chat' });
  });
  it('reports other final statuses as rejections and 1xx as informational', () => {
    expect(parseResponse([[':status', '404'], ['content-length', '0']], options)).toEqual({ type: 'rejected', status: 404, reason: 'Not Found', headers: [['content-length', '0']] });
    expect(parseResponse([[':status', '301'], ['location', '/x']], options)).toMatchObject({ type: 'rejected', status: 301 });
    expect(parseResponse([[':status', '100']], options)).toEqual({ type: 'informational', status: 100, headers: [] });
  });
  it('gives a rejection a reason from its status, as HTTP/1.1 carries a reason phrase (@hybi/handshake\'s reasonPhrase)', () => {
    const reason = (status: string) => (parseResponse([[':status', status]], options) as { reason?: string }).reason;
    expect([reason('403'), reason('401'), reason('426'), reason('503')]).toEqual(['Forbidden', 'Unauthorized', 'Upgrade Required', 'status 503']);
  });
  it('throws TypeError for options buildRequest would refuse (local misuse)', () => {
    // Before: protocols 'chat' (a string) accepted 'ch' by substring match.
    const response: [string, string][] = [[':status', '200'], ['sec-websocket-protocol', 'ch']];
    for (const change of [{ protocols: 'chat' }, { protocols: ['a b'] }, { extensions: [{ name: 'a b', params: [] }] }, { version: 'h1' }, { scheme: 'ws' }, { authority: '' }, { path: 'x' }, { origin: 'a\nb' }, { headers: [['connection', 'x']] }]) {
      expect(() => parseResponse(response, { ...options, ...change } as ClientOptions), JSON.stringify(change)).toThrow(TypeError);
    }
    expect(() => parseResponse(response, undefined as never)).toThrow(TypeError);
  });
  it('treats 101 and bad :status values as malformed: PROTOCOL_ERROR / H3_MESSAGE_ERROR', () => {
    for (const status of ['101', '099', '600', '2000', '20', 'abc', '', '+20']) {
      expect(parseResponse([[':status', status]], options), status).toMatchObject({ type: 'malformed', kind: 'invalid-pseudo-header', action: { code: 0x1, name: 'PROTOCOL_ERROR' } });
    }
    expect(parseResponse([], { ...options, version: 'h3' })).toMatchObject({ type: 'malformed', kind: 'missing-pseudo-header', action: { code: 0x10e, name: 'H3_MESSAGE_ERROR' } });
  });
  it('fails the connection with a reset (CANCEL / H3_REQUEST_CANCELLED) for unoffered or malformed choices', () => {
    const cases: [string, string, string][] = [
      ['sec-websocket-protocol', 'v2', 'unexpected-subprotocol'],
      ['sec-websocket-protocol', 'chat, superchat', 'invalid-subprotocol'],
      ['sec-websocket-protocol', '', 'invalid-subprotocol'],
      ['sec-websocket-protocol', '"chat"', 'invalid-subprotocol'],
      ['sec-websocket-extensions', 'x-other', 'unexpected-extension'],
      ['sec-websocket-extensions', 'permessage-deflate; a=', 'invalid-extension-list'],
    ];
    for (const [name, value, kind] of cases) {
      expect(parseResponse([[':status', '200'], [name, value]], options), value).toMatchObject({ type: 'failed', kind, status: 200, action: { type: 'reset-stream', code: 0x8, name: 'CANCEL' } });
      expect(parseResponse([[':status', '200'], [name, value]], { ...options, version: 'h3' }), value).toMatchObject({ type: 'failed', kind, action: { code: 0x10c, name: 'H3_REQUEST_CANCELLED' } });
    }
  });
  it('fails a subprotocol when none was offered', () => {
    expect(parseResponse([[':status', '200'], ['sec-websocket-protocol', 'chat']], { ...options, protocols: [] })).toMatchObject({ type: 'failed', kind: 'unexpected-subprotocol' });
    expect(parseResponse([[':status', '200'], ['sec-websocket-protocol', 'chat']], { version: 'h2', scheme: 'https', authority: 'a', path: '/' })).toMatchObject({ kind: 'unexpected-subprotocol' });
  });
});

const token = fc.stringMatching(/^[a-z0-9!#$%&'*+.^_`|~-]{1,10}$/);
const extension = fc.record({ name: token, params: fc.array(fc.record({ name: token, value: fc.option(token, { nil: null }) }), { maxLength: 3 }) });
const clientOptions = fc.record(
  {
    version: fc.constantFrom('h2' as const, 'h3' as const),
    scheme: fc.constantFrom('http' as const, 'https' as const),
    authority: fc.tuple(fc.stringMatching(/^[a-z0-9.-]{1,20}$/), fc.option(fc.integer({ min: 1, max: 65535 }))).map(([host, port]) => (port === null ? host : `${host}:${port}`)),
    path: fc.stringMatching(/^\/[!-"$-~]{0,20}$/),
    origin: fc.stringMatching(/^https?:\/\/[a-z0-9.]{1,12}$/),
    protocols: fc.uniqueArray(token, { maxLength: 4 }),
    extensions: fc.array(extension, { maxLength: 3 }),
    headers: fc.array(fc.tuple(token.filter((n) => !['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'host', 'origin'].includes(n) && !n.startsWith('sec-websocket-')), fc.stringMatching(/^[!-~]([ -~]{0,10}[!-~])?$/)), { maxLength: 4 }),
  },
  { requiredKeys: ['version', 'scheme', 'authority', 'path'] },
);

describe('properties', () => {
  it('a list built by the client role always validates on the server role, with the same offers', () => {
    fc.assert(
      fc.property(clientOptions, (opts) => {
        const built = buildRequest(opts, 'enabled');
        if (built.type !== 'request') throw new Error('not built');
        const event = parseRequest(built.headers, { version: opts.version, connectProtocolEnabled: true });
        if (event.type !== 'request') throw new Error(JSON.stringify(event));
        const question = opts.path.indexOf('?');
        expect(event).toMatchObject({
          scheme: opts.scheme,
          authority: opts.authority,
          path: question < 0 ? opts.path : opts.path.slice(0, question),
          origin: opts.origin ?? null,
          protocols: opts.protocols ?? [],
          extensions: opts.extensions ?? [],
        });
      }),
      { numRuns: 1000 },
    );
  });
  it('a response built by acceptRequest from a client request is accepted by that client', () => {
    fc.assert(
      fc.property(clientOptions, fc.nat(), fc.nat(), (opts, pickProtocol, pickExtensions) => {
        const built = buildRequest(opts, 'enabled');
        if (built.type !== 'request') throw new Error('not built');
        const request = parseRequest(built.headers, { version: opts.version, connectProtocolEnabled: true });
        if (request.type !== 'request') throw new Error(JSON.stringify(request));
        const protocol = request.protocols.length ? request.protocols[pickProtocol % request.protocols.length]! : null;
        const extensions = request.extensions.slice(0, pickExtensions % (request.extensions.length + 1));
        const response = acceptRequest(request, { protocol, extensions });
        expect(parseResponse(response, opts)).toEqual({ type: 'accepted', status: 200, protocol, extensions, headers: response.slice(1) });
      }),
      { numRuns: 500 },
    );
  });
  it('any response header list is accepted, informational, rejected, failed or malformed, never thrown', () => {
    const lines = fc.array(
      fc.tuple(
        fc.oneof(fc.constantFrom(':status', ':path', 'sec-websocket-protocol', 'sec-websocket-extensions', 'connection', 'te', 'Upper'), fc.string({ maxLength: 6 })),
        fc.oneof(fc.constantFrom('200', '101', '103', '404', '600', 'chat', 'superchat', 'permessage-deflate', 'x, y', 'trailers', ''), fc.string({ maxLength: 6 })),
      ),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(lines, fc.constantFrom('h2' as const, 'h3' as const), (headers, version) => {
        expect(['accepted', 'informational', 'rejected', 'failed', 'malformed']).toContain(parseResponse(headers, { ...options, version }).type);
      }),
      { numRuns: 3000 },
    );
  });
});
