import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientHandshake, type ClientEvent, type ClientOptions } from '../src/index.js';
import { ACCEPT, KEY, bytes, splitAt, splitPoints, splittings, text } from './helpers.js';

const rfcKey = (target: Uint8Array) => target.set(Buffer.from(KEY, 'base64'));
const client = (options: Partial<ClientOptions> = {}) => new ClientHandshake({ url: 'ws://server.example.com/chat', random: rfcKey, ...options });
const ok = (extra: string[] = []) => ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${ACCEPT}`, ...extra, '', ''].join('\r\n');

/** Every event of `chunks` then end() if asked; throws if two splittings disagree. */
function events(input: string | Uint8Array, options: Partial<ClientOptions> = {}, end = false): ClientEvent[] {
  const data = typeof input === 'string' ? bytes(input) : input;
  let first: ClientEvent[] | undefined;
  for (const { label, chunks } of splittings(data)) {
    const handshake = client(options);
    const out: ClientEvent[] = [];
    const rest: Uint8Array[] = [];
    for (const chunk of chunks) {
      if (handshake.state === 'accepted') rest.push(chunk);
      else out.push(...handshake.receive(chunk));
    }
    if (end) out.push(...handshake.end());
    // Merge bytes that came after the accepting chunk into the leftover.
    const merged = out.map((event) => (event.type === 'accepted' ? { ...event, leftover: new Uint8Array([...event.leftover, ...rest.flatMap((chunk) => [...chunk])]) } : event));
    if (first === undefined) first = merged;
    else expect(merged, label).toEqual(first);
  }
  return first!;
}

describe('RFC 6455 4.1 the opening request', () => {
  it('is built from the URL, a fresh key and the options', () => {
    const handshake = client({ url: 'wss://Example.com:8443/a?b=c', protocols: ['chat', 'v2'], origin: 'https://app.example', headers: [['Cookie', 'x=1']], extensions: [{ name: 'permessage-deflate', params: [{ name: 'client_max_window_bits', value: null }] }] });
    expect(handshake.key).toBe(KEY);
    expect(text(handshake.request)).toBe(
      `GET /a?b=c HTTP/1.1\r\nHost: example.com:8443\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\nOrigin: https://app.example\r\nSec-WebSocket-Protocol: chat, v2\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\nCookie: x=1\r\n\r\n`,
    );
    expect(handshake.url).toEqual({ secure: true, hostname: 'example.com', port: 8443, host: 'example.com:8443', target: '/a?b=c' });
  });
  it('writes the port in Host only when it is not the default', () => {
    const host = (url: string) => client({ url }).url.host;
    expect([host('ws://h'), host('ws://h:80/'), host('wss://h:443'), host('ws://h:443'), host('wss://h:80'), host('WS://H:8080?x')]).toEqual(['h', 'h', 'h', 'h:443', 'h:80', 'h:8080']);
    expect(client({ url: 'ws://[::1]' }).url).toMatchObject({ hostname: '[::1]', port: 80, target: '/' });
  });
  it('accepts a URL object', () => {
    expect(text(client({ url: new URL('ws://h/a b?é') }).request)).toMatch(/^GET \/a%20b\?%C3%A9 HTTP\/1.1\r\n/);
  });
  it('uses crypto.getRandomValues by default: a fresh key each time', () => {
    const keys = new Set(Array.from({ length: 10 }, () => new ClientHandshake({ url: 'ws://h' }).key));
    expect(keys.size).toBe(10);
  });
  it('refuses bad URLs and options with TypeError or RangeError', () => {
    for (const url of ['http://h', 'ws://', 'ws://h#f', 'ws://u@h', 'ws://h:65536', 'ws://h:0', 'wss://h:00/', 'ws://h/ a', 'ws://hé', 'ws://h:x', 'wss//h']) {
      expect(() => client({ url }), url).toThrow(TypeError);
    }
    expect(() => client({ protocols: ['a b'] })).toThrow(TypeError);
    expect(() => client({ protocols: ['a', 'a'] })).toThrow(TypeError);
    expect(() => client({ extensions: [{ name: 'a;b', params: [] }] })).toThrow(TypeError);
    expect(() => client({ origin: 'a\nb' })).toThrow(TypeError);
    expect(() => client({ headers: [['Sec-WebSocket-Key', 'x']] })).toThrow(TypeError);
    expect(() => client({ headers: [['X', 'a\r\nb']] })).toThrow(TypeError);
    expect(() => client({ maxBodyBytes: 0 })).toThrow(RangeError);
  });
});

describe('RFC 6455 4.1 validating the response', () => {
  it('accepts a valid 101 and hands over the bytes after it', () => {
    const frames = [0x81, 0x02, 0x68, 0x69];
    expect(events(new Uint8Array([...bytes(ok()), ...frames]))).toEqual([
      { type: 'accepted', protocol: null, extensions: [], headers: [['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Sec-WebSocket-Accept', ACCEPT]], leftover: new Uint8Array(frames) },
    ]);
  });
  it('reports the offered subprotocol and extensions the server chose', () => {
    const [event] = events(ok(['Sec-WebSocket-Protocol: v2', 'Sec-WebSocket-Extensions: x; a=1, y']), { protocols: ['chat', 'v2'], extensions: [{ name: 'x', params: [] }, { name: 'y', params: [] }] });
    expect(event).toMatchObject({ type: 'accepted', protocol: 'v2', extensions: [{ name: 'x', params: [{ name: 'a', value: '1' }] }, { name: 'y', params: [] }] });
  });
  it('fails on each violation of RFC 6455 4.1, with a code', () => {
    const failure = (input: string, options: Partial<ClientOptions> = {}) => {
      const [event] = events(input, options);
      return event?.type === 'failed' ? event.code : event?.type;
    };
    expect(failure(ok().replace('Upgrade: websocket\r\n', ''))).toBe('invalid-upgrade');
    expect(failure(ok().replace('Upgrade: websocket', 'Upgrade: websocket, h2c'))).toBe('invalid-upgrade');
    expect(failure(ok().replace('Connection: Upgrade', 'Connection: close'))).toBe('invalid-connection');
    expect(failure(ok().replace(ACCEPT, ACCEPT.toLowerCase()))).toBe('invalid-accept');
    expect(failure(ok(['Sec-WebSocket-Protocol: chat']))).toBe('invalid-protocol');
    expect(failure(ok(['Sec-WebSocket-Protocol: chat', 'Sec-WebSocket-Protocol: chat']), { protocols: ['chat'] })).toBe('invalid-protocol');
    expect(failure(ok(['Sec-WebSocket-Extensions: x']))).toBe('invalid-extensions');
    expect(failure(ok(['Sec-WebSocket-Extensions: x; =']), { extensions: [{ name: 'x', params: [] }] })).toBe('invalid-extensions');
    expect(failure(ok().replace('HTTP/1.1', 'HTTP/1.0'))).toBe('unsupported-http-version');
    expect(failure(ok().replace('HTTP/1.1', 'HTTP/2.0'))).toBe('unsupported-http-version');
    expect(failure('HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection\t: x\r\n\r\n')).toBe('invalid-header');
    expect(failure(`HTTP/1.1 101 OK\r\nX: ${'x'.repeat(200)}`, { maxLineBytes: 100 })).toBe('header-line-too-long');
  });
  it('skips 1xx interim responses before the 101', () => {
    expect(events(`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n${ok()}`)[0]!.type).toBe('accepted');
  });
  it('counts the bytes of 1xx interim responses against maxHeaderBytes', () => {
    // ok()'s header section is 95 bytes; each "100 Continue" head 25.
    const interim = 'HTTP/1.1 100 Continue\r\n\r\n';
    expect(events(`${interim.repeat(4)}${ok()}`, { maxHeaderBytes: 200 })[0]!.type).toBe('accepted');
    expect(events(`${interim.repeat(5)}${ok()}`, { maxHeaderBytes: 200 })).toEqual([{ type: 'failed', code: 'headers-too-large', reason: 'headers too large' }]);
  });
  it('fails an endless stream of 1xx interim responses, it does not wait forever', () => {
    const handshake = client();
    const flood = bytes('HTTP/1.1 100 Continue\r\n\r\n'.repeat(5300));
    expect(handshake.receive(flood)).toEqual([{ type: 'failed', code: 'headers-too-large', reason: 'headers too large' }]);
  });
  it('fails when the connection ends before the response head', () => {
    expect(events('HTTP/1.1 101 Swi', {}, true)).toEqual([{ type: 'failed', code: 'connection-closed', reason: expect.any(String) }]);
    expect(events('', {}, true)[0]).toMatchObject({ code: 'connection-closed' });
  });
  it('throws when bytes are fed after acceptance, ignores them after failure', () => {
    const accepted = client();
    accepted.receive(bytes(ok()));
    expect(() => accepted.receive(new Uint8Array(1))).toThrow(/frame codec/);
    const failed = client();
    failed.receive(bytes('nonsense\r\n'));
    expect([failed.state, failed.receive(bytes(ok())), failed.end()]).toEqual(['failed', [], []]);
  });
});

describe('non-101 responses: rejected with status, headers and content', () => {
  const rejected = (input: string, options: Partial<ClientOptions> = {}, end = false) => {
    const [event] = events(input, options, end);
    expect(event?.type).toBe('rejected');
    const { status, reason, headers, body, chunked } = event as Extract<ClientEvent, { type: 'rejected' }>;
    return { status, reason, headers, body: text(body), chunked };
  };
  it('reads Content-Length content and ignores what follows', () => {
    expect(rejected('HTTP/1.1 403 Forbidden\r\nContent-Length: 5\r\n\r\nnope!trailing')).toEqual({ status: 403, reason: 'Forbidden', headers: [['Content-Length', '5']], body: 'nope!', chunked: false });
    expect(rejected('HTTP/1.1 401 \r\nContent-Length: 0, 0\r\n\r\n').body).toBe('');
  });
  it('keeps chunked content as received, flagged, until the connection closes (not decoded)', () => {
    const chunked = 'HTTP/1.1 500 Oops\r\nTransfer-Encoding: gzip, chunked\r\n\r\n4;a=b\r\nWiki\r\n0\r\n\r\n';
    expect(events(chunked)).toEqual([]);
    const [event] = events(chunked, {}, true);
    expect(event).toMatchObject({ type: 'rejected', status: 500, chunked: true });
    expect(text((event as Extract<ClientEvent, { type: 'rejected' }>).body)).toBe('4;a=b\r\nWiki\r\n0\r\n\r\n');
  });
  it('flags only content whose last coding is chunked; Transfer-Encoding overrides Content-Length', () => {
    expect(events('HTTP/1.1 404 N\r\nTransfer-Encoding: chunked, gzip\r\n\r\nzz', {}, true)[0]).toMatchObject({ chunked: false });
    expect(events('HTTP/1.1 404 N\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\nzz', {}, true)[0]).toMatchObject({ chunked: true, body: bytes('zz') });
    expect(events('HTTP/1.1 404 N\r\nContent-Length: 2\r\n\r\nzz')[0]).toMatchObject({ chunked: false });
  });
  it('reads until the connection closes without framing, or when the coding is not chunked', () => {
    expect(rejected('HTTP/1.1 404 Not Found\r\n\r\nno such thing', {}, true).body).toBe('no such thing');
    expect(rejected('HTTP/1.0 404 Not Found\r\nTransfer-Encoding: gzip\r\n\r\nzz', {}, true).body).toBe('zz');
  });
  it('keeps at most maxBodyBytes', () => {
    expect(rejected('HTTP/1.1 404 Not Found\r\n\r\nabcdefghij', { maxBodyBytes: 4 }).body).toBe('abcd');
    expect(rejected('HTTP/1.1 500 E\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n', { maxBodyBytes: 4 }).body).toBe('10\r\n');
  });
  it('has no content on 204 and 304', () => {
    expect(rejected('HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\nabc').body).toBe('');
    expect(rejected('HTTP/1.1 304 Not Modified\r\n\r\n').body).toBe('');
  });
  it('fails on an invalid Content-Length', () => {
    for (const value of ['x', '-1', '1, 2', '', '1 2', '9999999999999999']) {
      expect(events(`HTTP/1.1 400 Bad\r\nContent-Length: ${value}\r\n\r\n`)[0], value).toMatchObject({ type: 'failed', code: 'invalid-content-length' });
    }
  });
  it('completes a rejection cut short by the connection end', () => {
    expect(rejected('HTTP/1.1 403 F\r\nContent-Length: 10\r\n\r\nabc', {}, true).body).toBe('abc');
  });
});

describe('properties', () => {
  it('never throws on arbitrary bytes, and splits do not change the events', () => {
    const near = fc.tuple(fc.constantFrom(ok(), 'HTTP/1.1 403 F\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n', 'HTTP/1.1 100 C\r\n\r\n'), fc.nat(), fc.uint8Array({ maxLength: 8 })).map(([base, at, noise]) => {
      const data = bytes(base);
      const position = at % (data.length + 1);
      return new Uint8Array([...data.subarray(0, position), ...noise, ...data.subarray(position)]);
    });
    const run = (chunks: Uint8Array[]) => {
      const handshake = client({ maxLineBytes: 64, maxBodyBytes: 16 });
      const out: ClientEvent[] = [];
      const after: number[] = [];
      for (const chunk of chunks) {
        if (handshake.state === 'accepted') after.push(...chunk);
        else out.push(...handshake.receive(chunk));
      }
      out.push(...handshake.end());
      // The bytes after the accepting chunk belong to the leftover.
      return out.map((event) => (event.type === 'accepted' ? { ...event, leftover: [...event.leftover, ...after] } : event));
    };
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 120 }), near), (input) =>
        fc.assert(fc.property(splitPoints(input.length), (points) => {
          expect(run(splitAt(input, points))).toEqual(run([input]));
        }), { numRuns: 4 }),
      ),
      { numRuns: 400 },
    );
  });
  it('bytes after the 101 come out unchanged, however split', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), (tail, seed) => {
      const input = new Uint8Array([...bytes(ok()), ...tail]);
      const chunks = splitAt(input, [seed % (input.length + 1), (seed >> 3) % (input.length + 1)]);
      const handshake = client();
      const out: number[] = [];
      for (const chunk of chunks) {
        if (handshake.state === 'accepted') out.push(...chunk);
        else for (const event of handshake.receive(chunk)) if (event.type === 'accepted') out.push(...event.leftover);
      }
      expect(new Uint8Array(out)).toEqual(tail);
    }));
  });
});
