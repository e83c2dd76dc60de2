import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { ClientHandshake, ServerHandshake, createAcceptResponse, validateUpgradeRequest, type RejectEvent, type RequestEvent, type ServerEvent } from '../src/index.js';
import { ACCEPT, KEY, bytes, request, splitAt, splitPoints, splittings, text } from './helpers.js';

/** Feeds the chunks to a fresh server; returns its events and the server. */
function serve(chunks: readonly Uint8Array[], options = {}): { events: ServerEvent[]; server: ServerHandshake } {
  const server = new ServerHandshake(options);
  const events = chunks.flatMap((chunk) => [...server.receive(chunk)]);
  return { events, server };
}

function rejectOf(input: string, options = {}): RejectEvent {
  const { events } = serve([bytes(input)], options);
  expect(events).toHaveLength(1);
  expect(events[0]!.type).toBe('reject');
  return events[0] as RejectEvent;
}

/** Status line and headers of an HTTP/1.1 response, and its body. */
function readResponse(response: Uint8Array): { status: number; headers: string[][]; body: string } {
  const all = text(response);
  const end = all.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = all.slice(0, end).split('\r\n');
  return { status: Number(statusLine!.split(' ')[1]), headers: lines.map((line) => line.split(': ')), body: all.slice(end + 4) };
}

describe('RFC 6455 4.2.1 reading the opening request', () => {
  it('emits one request event, the same in every splitting', () => {
    for (const { label, chunks } of splittings(bytes(request(['Origin: https://app.example', 'Sec-WebSocket-Protocol: chat, v2'])))) {
      const { events } = serve(chunks);
      expect(events, label).toEqual([
        {
          type: 'request',
          method: 'GET',
          target: '/chat',
          path: '/chat',
          query: null,
          host: 'server.example.com',
          origin: 'https://app.example',
          protocols: ['chat', 'v2'],
          extensions: [],
          headers: [['Host', 'server.example.com'], ['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Sec-WebSocket-Key', KEY], ['Sec-WebSocket-Version', '13'], ['Origin', 'https://app.example'], ['Sec-WebSocket-Protocol', 'chat, v2']],
          key: KEY,
        },
      ]);
    }
  });
  it('gives every rejection its status, its reason as the body and Connection: close', () => {
    const cases: Array<[string, number, string]> = [
      [request().replace('GET', 'PUT'), 405, 'method-not-allowed'],
      [request().replace('HTTP/1.1', 'HTTP/1.0'), 400, 'unsupported-http-version'],
      [request().replace('HTTP/1.1', 'HTTP/3.0'), 505, 'unsupported-http-version'],
      [request().replace('Host: server.example.com\r\n', ''), 400, 'invalid-host'],
      [request().replace('Upgrade: websocket\r\n', ''), 426, 'invalid-upgrade'],
      [request().replace('Connection: Upgrade\r\n', ''), 400, 'invalid-connection'],
      [request().replace('Version: 13', 'Version: 7'), 426, 'unsupported-websocket-version'],
      [request().replace(KEY, 'short=='), 400, 'invalid-key'],
      [request(['Origin: a', 'Origin: b']), 400, 'invalid-origin'],
      [request(['Sec-WebSocket-Protocol: a, a']), 400, 'invalid-protocols'],
      [request(['Sec-WebSocket-Extensions: x;']), 400, 'invalid-extensions'],
      [request(['Content-Length: 1']), 400, 'unexpected-content'],
      [request([], '*'), 400, 'invalid-target'],
      [request(['X : y']), 400, 'invalid-header'],
      [request().replace('HTTP/1.1', 'HTTP/1.1x'), 400, 'invalid-start-line'],
    ];
    for (const [input, status, code] of cases) {
      const event = rejectOf(input);
      expect([event.status, event.code], code).toEqual([status, code]);
      expect(event.closeConnection).toBe(true);
      const response = readResponse(event.response);
      expect(response.status).toBe(status);
      expect(response.body).toBe(event.reason);
      expect(response.headers[0]).toEqual(['Connection', status === 426 ? 'Upgrade, close' : 'close']);
      expect(response.headers).toContainEqual(['Content-Length', String(event.body.length)]);
      expect(response.headers).toEqual(event.headers.map(([name, value]) => [name, value]));
      expect(new TextDecoder().decode(event.body)).toBe(event.reason);
    }
  });
  it('carries the request head when the head was well-formed HTTP, in every splitting; null when it was not', () => {
    const page = 'GET /index.html?x=1 HTTP/1.1\r\nHost: example.com\r\nAccept: text/html\r\nAccept: */*\r\n\r\n';
    for (const { label, chunks } of splittings(bytes(page))) {
      const [event] = serve(chunks).events as RejectEvent[];
      expect([event!.code, event!.request], label).toEqual([
        'invalid-upgrade',
        { method: 'GET', target: '/index.html?x=1', httpVersion: '1.1', headers: [['Host', 'example.com'], ['Accept', 'text/html'], ['Accept', '*/*']] },
      ]);
    }
    expect(rejectOf(request().replace('GET', 'POST')).request).toMatchObject({ method: 'POST', target: '/chat', httpVersion: '1.1' });
    expect(rejectOf(request().replace('HTTP/1.1', 'HTTP/1.0')).request).toMatchObject({ httpVersion: '1.0' });
    expect(rejectOf(request(['X : y'])).request).toBeNull();
    expect(rejectOf(request(['X: y', ' folded'])).request).toBeNull();
    expect(rejectOf(request([`X: ${'y'.repeat(9000)}`])).request).toBeNull();
    const parsedElsewhere = validateUpgradeRequest({ method: 'GET', target: '/', headers: ['Host', 'example.com'] });
    expect(parsedElsewhere).toMatchObject({ type: 'reject', code: 'invalid-upgrade', request: { method: 'GET', target: '/', httpVersion: '1.1', headers: [['Host', 'example.com']] } });
  });
  it('names GET in a 405 and version 13 and websocket in a 426', () => {
    expect(rejectOf(request().replace('GET', 'POST')).headers).toContainEqual(['Allow', 'GET']);
    const upgrade = rejectOf(request().replace('Version: 13', 'Version: 8')).headers;
    expect(upgrade).toContainEqual(['Sec-WebSocket-Version', '13']);
    expect(upgrade).toContainEqual(['Upgrade', 'websocket']);
  });
  it('answers limits with 414 and 431', () => {
    expect(rejectOf(`GET /${'a'.repeat(9000)}`).status).toBe(414);
    expect(rejectOf(`GET / HTTP/1.1\r\nX: ${'a'.repeat(9000)}`).status).toBe(431);
    expect(rejectOf(request(['X: 1', 'Y: 2']), { maxHeaders: 6 }).code).toBe('too-many-headers');
    expect(rejectOf(request(), { maxHeaderBytes: 50 }).code).toBe('headers-too-large');
  });
});

describe('RFC 6455 4.2.2 answering', () => {
  it('accepts with a 101 carrying the accept value, the chosen protocol and extensions, and extra headers', () => {
    const { server } = serve([bytes(request(['Sec-WebSocket-Protocol: chat, v2', 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits']))]);
    const { response, leftover } = server.accept({
      protocol: 'v2',
      extensions: [{ name: 'permessage-deflate', params: [{ name: 'client_max_window_bits', value: '15' }] }],
      headers: [['Set-Cookie', 'a=b']],
    });
    expect(text(response)).toBe(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${ACCEPT}\r\nSec-WebSocket-Protocol: v2\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=15\r\nSet-Cookie: a=b\r\n\r\n`,
    );
    expect(leftover).toHaveLength(0);
    expect(server.state).toBe('accepted');
  });
  it('treats bad accept options as local errors and stays ready for a correct answer', () => {
    const { server } = serve([bytes(request(['Sec-WebSocket-Protocol: chat']))]);
    expect(() => server.accept({ protocol: 'other' })).toThrow(TypeError);
    expect(() => server.accept({ extensions: [{ name: 'x', params: [] }] })).toThrow(TypeError);
    expect(() => server.accept({ headers: [['X', 'a\r\nInjected: 1']] })).toThrow(TypeError);
    expect(() => server.accept({ headers: [['X', 'nul\x00']] })).toThrow(TypeError);
    expect(() => server.accept({ headers: [['Bad Name', 'v']] })).toThrow(TypeError);
    expect(() => server.accept({ headers: [['connection', 'close']] })).toThrow(TypeError);
    expect(() => server.accept({ headers: [['X', '\u0100']] })).toThrow(TypeError);
    expect(server.state).toBe('awaiting-decision');
    expect(readResponse(server.accept({ protocol: 'chat' }).response).status).toBe(101);
  });
  it('rejects on the application\'s behalf with status, headers and body', () => {
    const { server } = serve([bytes(request())]);
    const response = server.reject({ status: 403, headers: [['X-Why', 'closed']], body: 'room closed' });
    expect(text(response)).toBe('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nX-Why: closed\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 11\r\n\r\nroom closed');
    expect(server.state).toBe('rejected');
    expect(server.receive(bytes('more'))).toEqual([]);
  });
  it('is a state machine: answers once, and only after a request event', () => {
    const fresh = new ServerHandshake();
    expect(() => fresh.accept()).toThrow(/reading-head/);
    expect(() => fresh.reject({ status: 400 })).toThrow(Error);
    const { server } = serve([bytes(request())]);
    server.accept();
    expect(() => server.accept()).toThrow(/accepted/);
    expect(() => server.receive(new Uint8Array(1))).toThrow(/frame codec/);
    const rejected = serve([bytes('BAD\r\n')]).server;
    expect(rejected.state).toBe('rejected');
    expect(rejected.receive(bytes(request()))).toEqual([]);
    expect(() => rejected.accept()).toThrow(Error);
  });
  it('hands over every byte received after the head, across receive() calls', () => {
    const tail = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const input = new Uint8Array([...bytes(request()), ...tail]);
    for (const { label, chunks } of splittings(input)) {
      const { events, server } = serve(chunks);
      expect(events.map((event) => event.type), label).toEqual(['request']);
      expect(server.accept().leftover, label).toEqual(tail);
    }
  });
  it('refuses more early data than maxEarlyDataBytes', () => {
    const { events, server } = serve([bytes(request()), new Uint8Array(8), new Uint8Array(3)], { maxEarlyDataBytes: 10 });
    expect(events.map((event) => (event.type === 'reject' ? event.code : event.type))).toEqual(['request', 'early-data-too-large']);
    expect(() => server.accept()).toThrow(Error);
  });
  it('refuses too many bytes in the chunk that completes the head without a request event to answer', () => {
    const { events, server } = serve([bytes(`${request()}12345678901`)], { maxEarlyDataBytes: 10 });
    expect(events.map((event) => (event.type === 'reject' ? event.code : event.type))).toEqual(['early-data-too-large']);
    expect([server.state, server.request]).toEqual(['rejected', null]);
  });
  it('never throws in the README loop, however the head and early data are split', () => {
    // packages/handshake/README.md, "Server, from raw bytes": every request
    // event is answered at once; later chunks go to the frame codec.
    const readmeLoop = (chunks: readonly Uint8Array[]) => {
      const handshake = new ServerHandshake({ maxEarlyDataBytes: 10 });
      const written: string[] = [];
      for (const chunk of chunks) {
        if (handshake.state === 'accepted') break;
        for (const event of handshake.receive(chunk)) {
          if (event.type === 'reject') written.push(event.code);
          else if (event.path !== '/chat') written.push(text(handshake.reject({ status: 404, body: 'no such endpoint' })));
          else written.push(text(handshake.accept({ protocol: event.protocols.includes('chat') ? 'chat' : null }).response));
        }
      }
      return written;
    };
    const input = bytes(`${request()}${'x'.repeat(20)}`);
    expect(readmeLoop([input])).toEqual(['early-data-too-large']);
    fc.assert(fc.property(splitPoints(input.length), (points) => {
      expect(readmeLoop(splitAt(input, points))).toHaveLength(1);
    }));
  });
  it('copies early data in linear work, however finely it is split', () => {
    // Counts the bytes copied into typed arrays: a copy of everything kept
    // so far on each receive() would copy n * n / 2 bytes.
    const set = vi.spyOn(Object.getPrototypeOf(Uint8Array.prototype) as Uint8Array, 'set');
    try {
      const { server } = serve([bytes(request())]);
      set.mockClear();
      const n = 8192;
      for (let i = 0; i < n; i++) server.receive(Uint8Array.of(i & 0xff));
      const copied = set.mock.calls.reduce((sum, [source]) => sum + (source as ArrayLike<number>).length, 0);
      expect(copied).toBeLessThan(3 * n);
      expect(server.accept().leftover).toEqual(Uint8Array.from({ length: n }, (_, i) => i & 0xff));
    } finally {
      set.mockRestore();
    }
  });
  it('refuses bad options', () => {
    expect(() => new ServerHandshake({ maxEarlyDataBytes: 0 })).toThrow(RangeError);
    expect(() => new ServerHandshake({ maxHeaders: -1 })).toThrow(RangeError);
  });
});

describe('validateUpgradeRequest: requests parsed elsewhere', () => {
  const pairs: Array<[string, string]> = [['Host', 'server.example.com'], ['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Sec-WebSocket-Key', KEY], ['Sec-WebSocket-Version', '13']];
  it('takes Node\'s rawHeaders (flat) or pairs, and gives the same event as the byte parser', () => {
    const fromBytes = serve([bytes(request())]).events[0];
    expect(validateUpgradeRequest({ method: 'GET', target: '/chat', headers: pairs })).toEqual(fromBytes);
    expect(validateUpgradeRequest({ method: 'GET', target: '/chat', httpVersion: '1.1', headers: pairs.flat() })).toEqual(fromBytes);
  });
  it('answers with createAcceptResponse', () => {
    const event = validateUpgradeRequest({ method: 'GET', target: '/chat', headers: pairs.flat() }) as RequestEvent;
    expect(text(createAcceptResponse(event))).toContain(`Sec-WebSocket-Accept: ${ACCEPT}\r\n`);
  });
  it('checks names, values and version as the byte parser does, and trims values', () => {
    const with_ = (extra: Array<[string, string]>, httpVersion = '1.1') => validateUpgradeRequest({ method: 'GET', target: '/', httpVersion, headers: [...pairs, ...extra] });
    expect(with_([['X', ' padded\t']]).type).toBe('request');
    expect((with_([['X', ' padded\t']]) as RequestEvent).headers.at(-1)).toEqual(['X', 'padded']);
    expect((with_([['X', 'a\r\nb']]) as RejectEvent).code).toBe('invalid-header');
    expect((with_([['X Y', 'a']]) as RejectEvent).code).toBe('invalid-header');
    expect((with_([], '1.0') as RejectEvent).status).toBe(400);
    expect((with_([], '2.0') as RejectEvent).status).toBe(505);
    expect((with_([], 'x') as RejectEvent).code).toBe('invalid-start-line');
    expect((validateUpgradeRequest({ method: 'POST', target: '/', headers: pairs }) as RejectEvent).status).toBe(405);
  });
  it('throws a TypeError for arguments of the wrong shape', () => {
    expect(() => validateUpgradeRequest({ method: 'GET', target: '/', headers: ['Host'] })).toThrow(TypeError);
    expect(() => validateUpgradeRequest({ method: 'GET', target: '/', headers: [['Host', 1]] as never })).toThrow(TypeError);
    expect(() => validateUpgradeRequest({ method: 'GET', headers: [] } as never)).toThrow(TypeError);
  });
});

describe('properties', () => {
  const token = fc.stringMatching(/^[a-z0-9!#$%&'*+.^_`|~-]{1,8}$/);
  const clientOptions = fc.record({
    path: fc.stringMatching(/^(\/[a-z0-9%._~-]{0,6}){0,3}(\?[a-z0-9=&%]{0,8})?$/),
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    protocols: fc.uniqueArray(token, { maxLength: 3 }),
    extensions: fc.uniqueArray(fc.record({ name: token, params: fc.array(fc.record({ name: token, value: fc.option(token, { nil: null }) }), { maxLength: 2 }) }), { maxLength: 2, selector: (e) => e.name }),
    origin: fc.option(fc.constantFrom('https://a.example', 'null'), { nil: undefined }),
    headers: fc.array(fc.tuple(fc.constantFrom('X-A', 'user-agent', 'Cookie'), fc.stringMatching(/^[ -~]{0,10}$/)), { maxLength: 3 }),
    key: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    pick: fc.nat(),
  });
  it('any valid request yields a 101 that the client verifies, with the chosen protocol and extensions', () => {
    fc.assert(
      fc.property(clientOptions, fc.uint8Array({ maxLength: 40 }), ({ path, port, key, pick, ...options }, tail) => {
        const client = new ClientHandshake({ url: `ws://example.com${port === undefined ? '' : `:${port}`}${path}`, random: (target) => target.set(key), ...options });
        const { events, server } = serve([new Uint8Array([...client.request, ...tail])]);
        const request = events[0] as RequestEvent;
        expect(request.type).toBe('request');
        expect([request.protocols, request.extensions, request.origin ?? undefined]).toEqual([options.protocols, options.extensions, options.origin]);
        const protocol = options.protocols.length > 0 ? options.protocols[pick % options.protocols.length]! : null;
        const extensions = options.extensions.slice(0, pick % 3);
        const { response, leftover } = server.accept({ protocol, extensions });
        expect(leftover).toEqual(tail);
        const frames = Uint8Array.of(0x81, 0x00);
        const answer = client.receive(new Uint8Array([...response, ...frames]));
        expect(answer).toEqual([{ type: 'accepted', protocol, extensions, headers: expect.any(Array), leftover: frames }]);
      }),
      { numRuns: 300 },
    );
  });
  it('never throws on arbitrary bytes, and splits do not change the events', () => {
    const near = fc.tuple(fc.constantFrom(request(), request(['Sec-WebSocket-Protocol: a']), 'GET / HTTP/1.1\r\n'), fc.nat(), fc.uint8Array({ maxLength: 8 })).map(([base, at, noise]) => {
      const data = bytes(base);
      const position = at % (data.length + 1);
      return new Uint8Array([...data.subarray(0, position), ...noise, ...data.subarray(position)]);
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 120 }), near), (input) =>
        fc.assert(fc.property(splitPoints(input.length), (points) => {
          const strip = (events: ServerEvent[]) => events.map((event) => (event.type === 'reject' ? { ...event, response: null, body: null } : event));
          expect(strip(serve(splitAt(input, points), { maxLineBytes: 48 }).events)).toEqual(strip(serve([input], { maxLineBytes: 48 }).events));
        }), { numRuns: 4 }),
      ),
      { numRuns: 400 },
    );
  });
});
