import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { HeadParser, Push, headLimits, type HeadLimits } from '../src/http-parser.js';
import { bytes, request, splitAt, splitPoints, splittings } from './helpers.js';

interface Outcome {
  readonly end: number;
  readonly code?: string;
  readonly method?: string;
  readonly target?: string;
  readonly status?: number;
  readonly reason?: string;
  readonly version?: string;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
}

/** Feeds `chunks` to a fresh parser; `end` is the head's length in the whole input. */
function parse(chunks: readonly Uint8Array[], isRequest = true, limits: Partial<HeadLimits> = {}): Outcome {
  const parser = new HeadParser(isRequest, headLimits(limits));
  let offset = 0;
  for (const chunk of chunks) {
    const end = parser.push(chunk, 0);
    if (end === Push.FAILED) return { end, code: parser.errorCode };
    if (end !== Push.NEED_MORE) {
      const { method, target, status, reasonPhrase: reason, versionMajor, versionMinor, headers } = parser;
      const version = `${versionMajor}.${versionMinor}`;
      return isRequest ? { end: offset + end, method, target, version, headers } : { end: offset + end, status, reason, version, headers };
    }
    offset += chunk.length;
  }
  return { end: Push.NEED_MORE };
}

/** Parses `input` in every splitting, expects them all to agree, returns the outcome. */
function parseAll(input: string | Uint8Array, isRequest = true, limits: Partial<HeadLimits> = {}): Outcome {
  const data = typeof input === 'string' ? bytes(input) : input;
  const [first, ...rest] = splittings(data).map(({ label, chunks }) => ({ label, outcome: parse(chunks, isRequest, limits) }));
  for (const { label, outcome } of rest) expect(outcome, label).toEqual(first!.outcome);
  return first!.outcome;
}

const codeOf = (input: string | Uint8Array, isRequest = true, limits: Partial<HeadLimits> = {}) => parseAll(input, isRequest, limits).code;

describe('RFC 9112 2.2 message parsing', () => {
  it('ends the head after the empty line and leaves the rest', () => {
    const head = request();
    const outcome = parseAll(`${head}\x81\x80rest`);
    expect(outcome.end).toBe(head.length);
    expect(outcome.method).toBe('GET');
  });
  it('waits for more until the empty line', () => {
    expect(parseAll(request().slice(0, -2)).end).toBe(Push.NEED_MORE);
    expect(parseAll('GET / HTTP/1.1\r').end).toBe(Push.NEED_MORE);
    expect(parseAll('').end).toBe(Push.NEED_MORE);
  });
  it('ignores empty lines before the start line', () => {
    const outcome = parseAll(`\r\n\r\n${request()}`);
    expect(outcome.target).toBe('/chat');
    expect(parseAll('\r\n\r\nHTTP/1.1 101 OK\r\n\r\n', false).status).toBe(101);
  });
  it('requires CRLF: a bare LF or a bare CR fails', () => {
    expect(codeOf('GET / HTTP/1.1\nHost: a\r\n\r\n')).toBe('invalid-start-line');
    expect(codeOf('GET / HTTP/1.1\r\nHost: a\n\r\n')).toBe('invalid-header');
    expect(codeOf('GET / HTTP/1.1\r\nHost: a\r\n\n')).toBe('invalid-header');
    expect(codeOf('GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n')).toBe('invalid-header');
    expect(codeOf('GET / HTTP/1.1\r\n\rX: 1\r\n\r\n')).toBe('invalid-header');
    expect(codeOf('\n')).toBe('invalid-start-line');
  });
});

describe('RFC 9112 3 request line', () => {
  it('splits method, target and version', () => {
    const outcome = parseAll('PATCH /a/b?c=d%20e HTTP/1.9\r\n\r\n');
    expect(outcome).toMatchObject({ method: 'PATCH', target: '/a/b?c=d%20e', version: '1.9', headers: [] });
  });
  it('accepts any visible ASCII target except "#" (forms are the server\'s business)', () => {
    expect(parseAll('GET * HTTP/1.1\r\n\r\n').target).toBe('*');
    expect(parseAll('GET ws://h:1/x?{|}^` HTTP/1.1\r\n\r\n').target).toBe('ws://h:1/x?{|}^`');
  });
  it('refuses malformed request lines', () => {
    for (const line of ['GET /', 'GET  / HTTP/1.1', 'GET / HTTP/1.1 ', ' GET / HTTP/1.1', 'GET / http/1.1', 'GET / HTTP/1', 'GET / HTTP/1.10', 'GET / HTTP/x.1', 'GET /#a HTTP/1.1', 'G@T / HTTP/1.1', 'GET /\x7f HTTP/1.1', 'GET /\xe9 HTTP/1.1', 'GET\t/ HTTP/1.1', '/ HTTP/1.1', 'GET HTTP/1.1']) {
      expect(codeOf(`${line}\r\n\r\n`), JSON.stringify(line)).toBe('invalid-start-line');
    }
  });
});

describe('RFC 9112 4 status line', () => {
  it('reads version, status and reason phrase', () => {
    expect(parseAll('HTTP/1.1 101 Switching Protocols\r\n\r\n', false)).toMatchObject({ status: 101, reason: 'Switching Protocols', version: '1.1' });
    expect(parseAll('HTTP/1.0 404 \r\n\r\n', false)).toMatchObject({ status: 404, reason: '', version: '1.0' });
    expect(parseAll('HTTP/1.1 200\r\n\r\n', false)).toMatchObject({ status: 200, reason: '' });
    expect(parseAll('HTTP/1.1 403 Verboten \xe4\t!\r\n\r\n', false).reason).toBe('Verboten \xe4\t!');
  });
  it('refuses malformed status lines', () => {
    for (const line of ['HTTP/1.1 99 Low', 'HTTP/1.1 1O1 x', 'HTTP/1.1  101 x', 'HTTP/1.1 1011 x', 'HTTP/1.1 101x', 'HTTPS/1.1 101 x', 'HTTP/1.1', 'HTTP/1.1 101 a\x00b', 'SSH-2.0-OpenSSH']) {
      expect(codeOf(`${line}\r\n\r\n`, false), JSON.stringify(line)).toBe('invalid-start-line');
    }
  });
});

describe('RFC 9112 5 field lines', () => {
  it('keeps names as sent, order and repeats; trims optional white space', () => {
    const outcome = parseAll('GET / HTTP/1.1\r\nhOsT:a\r\nX-B: \t two words \t\r\nX-B: again\r\nX-Empty:\r\nX-Space:   \r\n\r\n');
    expect(outcome.headers).toEqual([['hOsT', 'a'], ['X-B', 'two words'], ['X-B', 'again'], ['X-Empty', ''], ['X-Space', '']]);
  });
  it('keeps obs-text bytes as one character each (Latin-1)', () => {
    const outcome = parseAll(new Uint8Array([...bytes('GET / HTTP/1.1\r\nX: caf'), 0xe9, 0x80, 0xff, ...bytes('\r\n\r\n')]));
    expect(outcome.headers).toEqual([['X', 'caf\xe9\x80\xff']]);
  });
  it('decodes obs-text in work linear in the input, however many lines hold it', () => {
    // Counts the bytes given to TextDecoder and the characters made by
    // String.fromCharCode: re-decoding the rest of the input on each line
    // would make about lines * bytes / 2.
    const decode = vi.spyOn(TextDecoder.prototype, 'decode');
    const fromCharCode = vi.spyOn(String, 'fromCharCode');
    try {
      const folds = 4000;
      const input = new Uint8Array([...bytes('HTTP/1.1 101 OK\r\nX: a\r\n'), ...Array.from({ length: folds }, () => [0x20, 0xe9, 0x0d, 0x0a]).flat(), ...bytes('\r\n')]);
      const parser = new HeadParser(false, headLimits({}));
      expect(parser.push(input, 0)).toBe(input.length);
      expect(parser.headers).toEqual([['X', `a${' \xe9'.repeat(folds)}`]]);
      const decoded = decode.mock.calls.reduce((sum, [source]) => sum + ((source as Uint8Array | undefined)?.length ?? 0), 0);
      const made = fromCharCode.mock.calls.reduce((sum, codes) => sum + codes.length, 0);
      expect(decoded + made).toBeLessThan(4 * input.length);
    } finally {
      decode.mockRestore();
      fromCharCode.mockRestore();
    }
  });
  it('refuses white space between name and colon (RFC 9112 5.1)', () => {
    expect(codeOf('GET / HTTP/1.1\r\nHost : a\r\n\r\n')).toBe('invalid-header');
    expect(codeOf('GET / HTTP/1.1\r\nHost\t: a\r\n\r\n')).toBe('invalid-header');
  });
  it('refuses names that are not tokens, and lines without a colon', () => {
    for (const line of [': v', 'X Y: v', 'X(Y): v', 'X/Y: v', '"X": v', 'X\xe9: v', 'NoColon', 'X\x00: v']) {
      expect(codeOf(`GET / HTTP/1.1\r\n${line}\r\n\r\n`), JSON.stringify(line)).toBe('invalid-header');
    }
  });
  it('refuses control characters in values (RFC 9110 5.5)', () => {
    for (const value of ['a\x00b', 'a\x01', '\x1fa', 'a\x7fb', 'a\rb', 'a\x0bb']) {
      expect(codeOf(`GET / HTTP/1.1\r\nX: ${value}\r\n\r\n`), JSON.stringify(value)).toBe('invalid-header');
    }
    expect(parseAll('GET / HTTP/1.1\r\nX: a\tb\r\n\r\n').headers).toEqual([['X', 'a\tb']]);
  });
  it('refuses obs-fold in a request (RFC 9112 5.2)', () => {
    expect(codeOf('GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n')).toBe('invalid-header');
    expect(codeOf('GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n')).toBe('invalid-header');
  });
  it('replaces obs-fold with a space in a response (RFC 9112 5.2)', () => {
    const outcome = parseAll('HTTP/1.1 101 OK\r\nX: a\r\n   b\r\n\tc\r\nY:\r\n z\r\nZ: 1\r\n \r\n\r\n', false);
    expect(outcome.headers).toEqual([['X', 'a b c'], ['Y', 'z'], ['Z', '1']]);
  });
  it('refuses white space before the first field line (RFC 9112 2.2)', () => {
    expect(codeOf('HTTP/1.1 101 OK\r\n X: a\r\n\r\n', false)).toBe('invalid-header');
  });
});

describe('limits, checked before buffering', () => {
  const limits = { maxLineBytes: 32, maxHeaderBytes: 64, maxHeaders: 3 };
  it('accepts a start line of exactly maxLineBytes with its CRLF, refuses one byte more (414 at the server)', () => {
    const line = `GET /${'a'.repeat(32 - 16)} HTTP/1.1\r\n`;
    expect(line.length).toBe(32);
    expect(parseAll(`${line}\r\n`, true, limits).end).toBe(34);
    expect(codeOf(`GET /a${line.slice(5)}\r\n`, true, limits)).toBe('start-line-too-long');
  });
  it('fails at the byte that crosses the limit, without waiting for the line end', () => {
    const long = bytes('GET /'.padEnd(31, 'a'));
    expect(parse([long], true, limits).end).toBe(Push.NEED_MORE);
    expect(parse([long, bytes('a')], true, limits).code).toBe('start-line-too-long');
    // A CR as the 32nd byte could still be followed by LF... but the LF would be the 33rd.
    expect(parse([long, bytes('\r')], true, limits).code).toBe('start-line-too-long');
    expect(parse([bytes(`${'GET /'.padEnd(30, 'a')}\r`)], true, limits).end).toBe(Push.NEED_MORE);
  });
  it('gives up on a huge chunk without a line end at once', () => {
    const huge = new Uint8Array(8 << 20).fill(0x61);
    expect(parse([huge]).code).toBe('start-line-too-long');
    expect(parse([bytes('GET / HTTP/1.1\r\nX: '), huge]).code).toBe('header-line-too-long');
  });
  it('limits each header line (431)', () => {
    const fits = `X: ${'b'.repeat(32 - 5)}\r\n`;
    expect(fits.length).toBe(32);
    expect(parseAll(`GET / HTTP/1.1\r\n${fits}\r\n`, true, limits).headers).toHaveLength(1);
    expect(codeOf(`GET / HTTP/1.1\r\nX: b${fits.slice(3)}\r\n`, true, limits)).toBe('header-line-too-long');
  });
  it('limits the header section, final CRLF included (431)', () => {
    const line = `X: ${'c'.repeat(26)}\r\n`;
    expect(line.length * 2 + 2).toBe(64);
    expect(parseAll(`GET / HTTP/1.1\r\n${line}${line}\r\n`, true, limits).headers).toHaveLength(2);
    expect(codeOf(`GET / HTTP/1.1\r\n${line}${line}X\r\n\r\n`, true, limits)).toBe('headers-too-large');
    expect(codeOf(`GET / HTTP/1.1\r\n${line}${line}x\r\n`, true, { ...limits, maxLineBytes: 1000 })).toBe('headers-too-large');
  });
  it('limits the number of header lines (431)', () => {
    expect(parseAll('GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n', true, limits).headers).toHaveLength(3);
    expect(codeOf('GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n', true, limits)).toBe('too-many-headers');
  });
  it('does not count folded continuations as headers', () => {
    expect(parseAll('HTTP/1.1 200 OK\r\nA: 1\r\n 2\r\n 3\r\nB: 2\r\nC: 3\r\n\r\n', false, limits).headers).toEqual([['A', '1 2 3'], ['B', '2'], ['C', '3']]);
  });
  it('judges a line by its limit before its syntax', () => {
    expect(codeOf(`GET / HTTP/1.1\r\nBad Name: ${'x'.repeat(40)}\r\n\r\n`, true, limits)).toBe('header-line-too-long');
    expect(codeOf(`GET / HTTP/1.1\r\nBad Name: x\r\n${'y'.repeat(100)}`, true, limits)).toBe('invalid-header');
  });
  it('refuses limits that are not positive integers', () => {
    for (const value of [0, -1, 1.5, Number.NaN, Infinity]) expect(() => headLimits({ maxLineBytes: value })).toThrow(RangeError);
  });
});

describe('reset() for the next head (1xx responses)', () => {
  it('parses a second head from where the first ended', () => {
    const input = bytes('HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 101 OK\r\nUpgrade: websocket\r\n\r\nXY');
    const parser = new HeadParser(false, headLimits({}));
    const first = parser.push(input, 0);
    expect(parser.status).toBe(103);
    parser.reset();
    const second = parser.push(input, first);
    expect([parser.status, parser.headers, input.length - second]).toEqual([101, [['Upgrade', 'websocket']], 2]);
  });
  it('counts the earlier heads against maxHeaderBytes', () => {
    const input = bytes('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 101 OK\r\nUpgrade: websocket\r\n\r\n');
    const run = (maxHeaderBytes: number) => {
      const parser = new HeadParser(false, headLimits({ maxHeaderBytes }));
      const first = parser.push(input, 0);
      parser.reset();
      return parser.push(input, first) === Push.FAILED ? parser.errorCode : parser.status;
    };
    // 25 bytes of the 100 response, 22 of the 101's header section.
    expect([run(47), run(46)]).toEqual([101, 'headers-too-large']);
  });
});

describe('properties', () => {
  const headArbitrary = fc
    .record({
      lines: fc.array(fc.oneof(fc.constantFrom('Host: a', 'X: b', 'Upgrade: websocket', ' fold', 'Bad : x', 'Y:\tz\t', 'X:\x00', 'C: caf\xe9'), fc.string({ maxLength: 12 })), { maxLength: 8 }),
      start: fc.constantFrom('GET / HTTP/1.1', 'HTTP/1.1 101 OK', '\r\nGET /x HTTP/1.0', 'GET  / HTTP/1.1'),
      tail: fc.string({ maxLength: 8 }),
    })
    .map(({ lines, start, tail }) => bytes(`${start}\r\n${lines.join('\r\n')}\r\n\r\n${tail}`.replace(/[^\x00-\xff]/g, '?')));
  it('gives the same outcome however the input is split', () => {
    fc.assert(
      fc.property(headArbitrary, fc.boolean(), fc.integer({ min: 8, max: 64 }), (input, isRequest, maxLineBytes) =>
        fc.assert(fc.property(splitPoints(input.length), (points) => {
          const limits = { maxLineBytes, maxHeaderBytes: 96, maxHeaders: 5 };
          expect(parse(splitAt(input, points), isRequest, limits)).toEqual(parse([input], isRequest, limits));
        }), { numRuns: 5 }),
      ),
      { numRuns: 300 },
    );
  });
  it('never throws on arbitrary bytes, in any split', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (input, isRequest) => {
      for (const { chunks } of splittings(input)) parse(chunks, isRequest, { maxLineBytes: 40 });
    }), { numRuns: 300 });
  });
});
