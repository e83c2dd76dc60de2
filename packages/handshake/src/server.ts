// The server role: reads one opening request (RFC 6455 4.2.1), then waits for
// the application to accept or reject it (RFC 6455 4.2.2).
//
// States, in order:
//   reading-head       bytes go to the head parser; ends in `request` or `reject`
//   awaiting-decision  a `request` event was emitted; bytes that arrive are
//                      kept (up to maxEarlyDataBytes) and handed over by accept()
//   accepted           accept() returned the 101: bytes belong to the frame codec
//   rejected           a rejection was produced: input is ignored, close after writing
import { isValidKey } from './accept-key.js';
import type { RejectCode, RejectEvent, RequestEvent, ServerEvent } from './events.js';
import { listContainsToken } from './header-values.js';
import { COMPLETE, NONE, NO_BYTES, Tag, utf8, type HeaderList } from './headers.js';
import { HeadParser, Push, headLimits, limitOption } from './http-parser.js';
import { offerOf } from './negotiation.js';
import { isValidAuthority, parseRequestTarget } from './uri.js';
import { createAcceptResponse, createRejectResponse, rejectionResponse, type AcceptOptions, type RejectOptions } from './response.js';

export interface ServerOptions {
  /** Longest request line or header line, CRLF included. Default 8192 (8 KiB). */
  readonly maxLineBytes?: number | undefined;
  /** Largest header section (all header lines and the final CRLF). Default 16384 (16 KiB). */
  readonly maxHeaderBytes?: number | undefined;
  /** Most header lines. Default 100. */
  readonly maxHeaders?: number | undefined;
  /** Most bytes kept between the request head and accept(). Default 65536 (64 KiB). */
  readonly maxEarlyDataBytes?: number | undefined;
}

export type ServerState = 'reading-head' | 'awaiting-decision' | 'accepted' | 'rejected';

/** accept()'s result: write `response`, then give `leftover` to the frame codec. */
export interface AcceptResult {
  readonly response: Uint8Array;
  /** Every byte received after the request head, in order (usually none). */
  readonly leftover: Uint8Array;
}


/** Sans-IO server side of the HTTP/1.1 opening handshake, for one connection. */
export class ServerHandshake {
  #state: ServerState = 'reading-head';
  readonly #parser: HeadParser;
  readonly #maxEarlyDataBytes: number;
  #request: RequestEvent | null = null;
  /** Bytes kept before accept(): the first #earlyLength bytes of a buffer grown by doubling. */
  #early: Uint8Array = NO_BYTES;
  #earlyLength = 0;

  /** Throws a RangeError for a limit that is not a positive integer. */
  constructor(options: ServerOptions = {}) {
    this.#parser = new HeadParser(true, headLimits(options));
    this.#maxEarlyDataBytes = limitOption(options.maxEarlyDataBytes, 'maxEarlyDataBytes', 65536);
  }

  get state(): ServerState {
    return this.#state;
  }

  /** The request, once the `request` event was emitted. */
  get request(): RequestEvent | null {
    return this.#request;
  }

  /**
   * Feeds bytes from the peer. Returns the events they complete: nothing yet,
   * a `request` to answer with accept() or reject(), or a `reject` to write
   * before closing. The chunk is not kept (bytes after the head are copied).
   * Throws only when called after accept(): bytes then go to the frame codec.
   */
  receive(chunk: Uint8Array): readonly ServerEvent[] {
    switch (this.#state) {
      case 'reading-head': {
        const parser = this.#parser;
        const end = parser.push(chunk, 0);
        if (end === Push.NEED_MORE) return NONE;
        const result = end === Push.FAILED ? rejection(parser.errorCode) : checkRequest(parser);
        if (result.type === 'reject') return [this.#fail(result)];
        // Too many bytes after the head: the request could not be answered,
        // so only the rejection is reported.
        const overflow = end < chunk.length ? this.#keep(chunk.subarray(end)) : null;
        if (overflow !== null) return [overflow];
        this.#request = result;
        this.#state = 'awaiting-decision';
        return [result];
      }
      case 'awaiting-decision': {
        const overflow = this.#keep(chunk);
        return overflow === null ? NONE : [overflow];
      }
      case 'rejected':
        return NONE;
      case 'accepted':
        throw new Error(COMPLETE);
    }
  }

  /**
   * Accepts the request: returns the 101 response and every byte received
   * after the request head. Throws a TypeError for options that fail
   * `validateAcceptOptions` (the state does not change then), an Error
   * unless a `request` event is waiting for an answer.
   */
  accept(options?: AcceptOptions): AcceptResult {
    const response = createAcceptResponse(this.#awaiting('accept'), options);
    this.#state = 'accepted';
    return { response, leftover: this.#early.subarray(0, this.#earlyLength) };
  }

  /**
   * Refuses the request: returns the response to write before closing the
   * connection. Throws like `validateRejectOptions`, or an Error unless a
   * `request` event is waiting for an answer.
   */
  reject(options: RejectOptions): Uint8Array {
    this.#awaiting('reject');
    const response = createRejectResponse(options);
    this.#state = 'rejected';
    return response;
  }

  #awaiting(action: string): RequestEvent {
    if (this.#state !== 'awaiting-decision') throw new Error(`${action}() needs a request event; the handshake is ${this.#state}`);
    return this.#request!;
  }

  #fail(event: RejectEvent): RejectEvent {
    this.#state = 'rejected';
    this.#early = NO_BYTES;
    return event;
  }

  /**
   * Keeps a copy of bytes that arrived before accept(), or rejects past the
   * limit. The buffer doubles as it fills, so that copying stays linear
   * however finely the bytes are split.
   */
  #keep(bytes: Uint8Array): RejectEvent | null {
    const max = this.#maxEarlyDataBytes;
    const length = this.#earlyLength + bytes.length;
    // RFC 6455 4.1: "the client MUST wait for a response from the server
    // before sending any further data." Kept, but bounded.
    if (length > max) return this.#fail(rejection('early-data-too-large'));
    if (length > this.#early.length) {
      const grown = new Uint8Array(Math.min(max, 2 * length));
      grown.set(this.#early);
      this.#early = grown;
    }
    this.#early.set(bytes, this.#earlyLength);
    this.#earlyLength = length;
    return null;
  }
}

/** A request that an embedder's HTTP parser already read (Node's `upgrade` event, a framework). */
export interface ParsedRequest {
  /** The method, e.g. Node's `req.method`. */
  readonly method: string;
  /** The request target, e.g. Node's `req.url`. */
  readonly target: string;
  /** "1.1" (the default), "1.0", ... as Node's `req.httpVersion`. */
  readonly httpVersion?: string | undefined;
  /** `[name, value]` pairs, or a flat `[name, value, name, value, ...]` list such as Node's `req.rawHeaders`. */
  readonly headers: HeaderList | readonly string[];
}

const SHAPE = 'expected { method, target, httpVersion?, headers } of strings';
const UNLIMITED = { maxLineBytes: Infinity, maxHeaderBytes: Infinity, maxHeaders: Infinity };

/**
 * Validates a request that was parsed elsewhere against RFC 6455 4.2.1, with
 * the same rules and events as `ServerHandshake`: a `request` event to pass
 * to `createAcceptResponse`, or a `reject` event whose response to write.
 * The request is written out as a head and read by the same parser as raw
 * bytes (another parser may be lenient), without its limits (the embedder's
 * parser applied its own); values are trimmed of surrounding white space.
 * Never throws for what the peer sent; throws a TypeError for an argument
 * without the documented shape.
 */
export function validateUpgradeRequest(request: ParsedRequest): RequestEvent | RejectEvent {
  const { method, target, httpVersion = '1.1', headers } = request;
  if (typeof method !== 'string' || typeof target !== 'string' || typeof httpVersion !== 'string' || !Array.isArray(headers)) throw new TypeError(SHAPE);
  const flat = typeof headers[0] === 'string';
  const pairs = (flat ? headers.filter((_, i) => i % 2 === 0).map((name, i) => [name, headers[2 * i + 1]]) : headers) as unknown[][];
  let head = `${method} ${target} HTTP/${httpVersion}\r\n`;
  for (const [name, value] of pairs) {
    if (typeof name !== 'string' || typeof value !== 'string') throw new TypeError(SHAPE);
    head += `${name}: ${value}\r\n`;
  }
  // Characters above U+00FF become DEL, which no line allows. A CR LF or a
  // colon in a name or value, or a space in the start line, would make other
  // lines or names: told apart by comparing what was parsed with what was given.
  const parser = new HeadParser(true, UNLIMITED);
  const text = `${head}\r\n`.replace(/[^\0-\xff]/g, '\x7f');
  const end = parser.push(text, 0);
  if (end === Push.FAILED) return rejection(parser.errorCode);
  if (parser.method !== method || parser.target !== target || `${parser.versionMajor}.${parser.versionMinor}` !== httpVersion) return rejection('invalid-start-line');
  if (end !== text.length || parser.headers.length !== pairs.length || parser.headers.some(([name], i) => name !== pairs[i]![0])) return rejection('invalid-header');
  return checkRequest(parser);
}

/** Statuses other than 400, by code. */
const STATUS: Partial<Record<RejectCode, number>> = {
  'method-not-allowed': 405,
  'start-line-too-long': 414,
  'invalid-upgrade': 426,
  'unsupported-websocket-version': 426,
  'header-line-too-long': 431,
  'headers-too-large': 431,
  'too-many-headers': 431,
  'unsupported-http-version': 505,
};

/**
 * A `reject` event: the status for `code`, a plain-text body stating the
 * code in words, `Allow: GET` on a 405 (RFC 9110 15.5.6), `Upgrade:
 * websocket` and `Sec-WebSocket-Version: 13` on a 426 (RFC 6455 4.4, RFC
 * 9110 15.5.22).
 */
export function rejection(code: RejectCode, status: number = STATUS[code] ?? 400): RejectEvent {
  const reason = code.replace(/-/g, ' ');
  const body = utf8.encode(reason);
  const extra: HeaderList = status === 405 ? [['Allow', 'GET']] : status === 426 ? [['Upgrade', 'websocket'], ['Sec-WebSocket-Version', '13']] : [];
  const { headers, response } = rejectionResponse(status, [...extra, ['Content-Type', 'text/plain; charset=utf-8']], body);
  return { type: 'reject', status, code, reason, headers, body, response, closeConnection: true, request: null };
}

/**
 * The checks of RFC 6455 4.2.1 on a parsed head, in a fixed order so that a
 * request breaking several rules always gets the same answer: HTTP version,
 * method, target, Host, Upgrade, Connection, the negotiation fields
 * (`offerOf`: Sec-WebSocket-Version, Origin, Sec-WebSocket-Protocol,
 * Sec-WebSocket-Extensions), Sec-WebSocket-Key, content.
 */
function checkRequest(parser: HeadParser): RequestEvent | RejectEvent {
  const checked = checkFields(parser);
  const result = typeof checked === 'string' ? rejection(checked) : checked;
  if (result.type === 'request') return result;
  const { method, target, headers, versionMajor } = parser;
  return { ...result, request: { method, target, httpVersion: `${versionMajor}.${parser.versionMinor}`, headers } };
}

/** The checks themselves (see checkRequest), in order: the request, or the first rule broken (mostly its code). */
function checkFields(parser: HeadParser): RequestEvent | RejectEvent | RejectCode {
  const { method, target, headers } = parser;
  // RFC 6455 4.1: "The method of the request MUST be GET, and the HTTP
  // version MUST be at least 1.1." Major versions other than 1 get 505;
  // HTTP/1.0 is understood (400, not 505), but the handshake needs 1.1.
  if (parser.versionMajor !== 1) return 'unsupported-http-version';
  if (parser.versionMinor === 0) return rejection('unsupported-http-version', 400);
  if (method !== 'GET') return 'method-not-allowed';
  const form = parseRequestTarget(target);
  if (form === null) return 'invalid-target';
  const values = parser.known;
  const hosts = values[Tag.HOST] ?? NONE;
  // RFC 9112 3.2: "A server MUST respond with a 400 (Bad Request) status
  // code to any HTTP/1.1 request message that lacks a Host header field and
  // to any request message that contains more than one Host header field
  // line or a Host header field with an invalid field value."
  if (hosts.length !== 1 || !isValidAuthority(hosts[0]!)) return 'invalid-host';
  // RFC 6455 4.2.1: "An |Upgrade| header field containing the value
  // "websocket", treated as an ASCII case-insensitive value." Without it this
  // is no WebSocket request: 426 names the protocol required.
  if (!listContainsToken(values[Tag.UPGRADE] ?? NONE, 'websocket')) return 'invalid-upgrade';
  // RFC 6455 4.2.1: "A |Connection| header field that includes the token
  // "Upgrade", treated as an ASCII case-insensitive value."
  if (!listContainsToken(values[Tag.CONNECTION] ?? NONE, 'upgrade')) return 'invalid-connection';
  // Sec-WebSocket-Version before the key: older drafts send other key headers.
  const offer = offerOf(values);
  if (typeof offer === 'string') return offer;
  // RFC 6455 4.2.1: "A |Sec-WebSocket-Key| header field with a base64-encoded
  // value that, when decoded, is 16 bytes in length."
  const keys = values[Tag.KEY] ?? NONE;
  if (keys.length !== 1 || !isValidKey(keys[0]!)) return 'invalid-key';
  // A GET with content would leave no way to tell the content from the
  // frames after the head: refused rather than guessed at.
  if (values[Tag.TRANSFER_ENCODING] || values[Tag.CONTENT_LENGTH]?.some((length) => !/^0+$/.test(length))) return 'unexpected-content';
  return {
    type: 'request',
    method,
    target,
    path: form.path,
    query: form.query,
    // RFC 9112 3.2.2: for an absolute-form target the server "MUST ignore the
    // received Host header field" and use the target's authority.
    host: form.authority ?? hosts[0]!,
    origin: offer.origin,
    protocols: offer.protocols,
    extensions: offer.extensions,
    headers,
    key: keys[0]!,
  };
}
