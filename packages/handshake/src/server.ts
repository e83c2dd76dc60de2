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
import { listContainsToken, parseExtensionList, parseTokenList } from './header-values.js';
import { COMPLETE, allocate } from './headers.js';
import {
  CONNECTION,
  CONTENT_LENGTH,
  EXTENSIONS,
  FAILED,
  HOST,
  HeadParser,
  KEY,
  NEED_MORE,
  ORIGIN,
  PROTOCOL,
  TRANSFER_ENCODING,
  UPGRADE,
  VERSION,
  headLimits,
  headerTag,
  knownValues,
  limitOption,
  type HeaderList,
} from './http-parser.js';
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

const NO_EVENTS: readonly ServerEvent[] = Object.freeze([]);
const NONE: readonly string[] = [];
const NO_BYTES = new Uint8Array(0);
const NO_LIST = { ok: true, value: Object.freeze([]) } as const;
const utf8 = new TextEncoder();

/** Sans-IO server side of the HTTP/1.1 opening handshake, for one connection. */
export class ServerHandshake {
  #state: ServerState = 'reading-head';
  readonly #parser: HeadParser;
  readonly #maxEarlyDataBytes: number;
  #request: RequestEvent | null = null;
  #early: Uint8Array = NO_BYTES;

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
        if (end === NEED_MORE) return NO_EVENTS;
        const result = end === FAILED ? rejection(parser.errorCode, parser.errorReason) : checkUpgradeRequest(parser.method, parser.versionMajor, parser.versionMinor, parser.target, parser.headers, parser.tags);
        if (result.type === 'reject') return [this.#fail(result)];
        this.#request = result;
        this.#state = 'awaiting-decision';
        const overflow = end < chunk.length ? this.#keep(chunk.subarray(end)) : null;
        return overflow === null ? [result] : [result, overflow];
      }
      case 'awaiting-decision': {
        const overflow = this.#keep(chunk);
        return overflow === null ? NO_EVENTS : [overflow];
      }
      case 'rejected':
        return NO_EVENTS;
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
    return { response, leftover: this.#early };
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
    if (this.#state !== 'awaiting-decision') throw new Error(`${action}() needs a request event waiting for an answer; the handshake is ${this.#state}`);
    return this.#request!;
  }

  #fail(event: RejectEvent): RejectEvent {
    this.#state = 'rejected';
    this.#early = NO_BYTES;
    return event;
  }

  /** Keeps a copy of bytes that arrived before accept(), or rejects past the limit. */
  #keep(bytes: Uint8Array): RejectEvent | null {
    const early = this.#early;
    if (bytes.length === 0) return null;
    // RFC 6455 4.1: "the client MUST wait for a response from the server
    // before sending any further data." Kept, but bounded.
    if (early.length + bytes.length > this.#maxEarlyDataBytes) return this.#fail(rejection('early-data-too-large', 'too much early data'));
    this.#early = allocate(early.length + bytes.length);
    this.#early.set(early);
    this.#early.set(bytes, early.length);
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

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * Validates a request that was parsed elsewhere against RFC 6455 4.2.1, with
 * the same rules and events as `ServerHandshake`: a `request` event to pass
 * to `createAcceptResponse`, or a `reject` event whose response to write.
 * Header names and values are checked too (another parser may be lenient)
 * and trimmed of surrounding white space. Never throws for what the peer
 * sent; throws a TypeError for an argument without the documented shape.
 */
export function validateUpgradeRequest(request: ParsedRequest): RequestEvent | RejectEvent {
  const { method, target, httpVersion = '1.1', headers } = request;
  if (typeof method !== 'string' || typeof target !== 'string' || typeof httpVersion !== 'string' || !Array.isArray(headers)) {
    throw new TypeError('validateUpgradeRequest() takes { method, target, httpVersion?, headers }');
  }
  const flat = typeof headers[0] === 'string';
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < headers.length; i += flat ? 2 : 1) {
    const [name, value] = (flat ? [headers[i], headers[i + 1]] : headers[i]) as unknown[];
    if (typeof name !== 'string' || typeof value !== 'string') throw new TypeError('headers must be [name, value] string pairs or a flat string list');
    // RFC 9110 5.1, 5.5: token names; no CR, LF, NUL or other control characters in values.
    if (!TOKEN.test(name) || INVALID_VALUE.test(value)) return rejection('invalid-header', 'malformed header');
    pairs.push([name, /^[ \t]|[ \t]$/.test(value) ? value.replace(/^[ \t]+|[ \t]+$/g, '') : value]);
  }
  const version = /^(\d)\.(\d)$/.exec(httpVersion);
  if (version === null) return rejection('invalid-start-line', 'malformed HTTP version');
  return checkUpgradeRequest(method, +version[1]!, +version[2]!, target, pairs, pairs.map(([name]) => headerTag(name)));
}

/**
 * A `reject` event: the status for `code`, a plain-text body stating
 * `reason`, `Allow: GET` on a 405 (RFC 9110 15.5.6), `Upgrade: websocket` and
 * `Sec-WebSocket-Version: 13` on a 426 (RFC 6455 4.4, RFC 9110 15.5.22).
 */
export function rejection(code: RejectCode, reason: string, status = statusOf(code)): RejectEvent {
  const body = utf8.encode(reason);
  const extra: HeaderList = status === 405 ? [['Allow', 'GET']] : status === 426 ? [['Upgrade', 'websocket'], ['Sec-WebSocket-Version', '13']] : [];
  const { headers, response } = rejectionResponse(status, [...extra, ['Content-Type', 'text/plain; charset=utf-8']], body);
  return { type: 'reject', status, code, reason, headers, body, response, closeConnection: true };
}


function statusOf(code: RejectCode): number {
  return code === 'method-not-allowed' ? 405
    : code === 'invalid-upgrade' || code === 'unsupported-websocket-version' ? 426
    : code === 'start-line-too-long' ? 414
    : code === 'header-line-too-long' || code === 'headers-too-large' || code === 'too-many-headers' ? 431
    : code === 'unsupported-http-version' ? 505
    : 400;
}

/**
 * The checks of RFC 6455 4.2.1 on a parsed head, in a fixed order so that a
 * request breaking several rules always gets the same answer. `tags` are the
 * headers' KNOWN_HEADERS tags.
 */
export function checkUpgradeRequest(method: string, major: number, minor: number, target: string, headers: HeaderList, tags: readonly number[]): RequestEvent | RejectEvent {
  // RFC 6455 4.1: "The method of the request MUST be GET, and the HTTP
  // version MUST be at least 1.1." Major versions other than 1 get 505.
  if (major !== 1) return rejection('unsupported-http-version', 'HTTP/1.1 required');
  // HTTP/1.0 is understood (no 505), but the handshake needs 1.1.
  if (minor === 0) return rejection('unsupported-http-version', 'HTTP/1.1 required', 400);
  if (method !== 'GET') return rejection('method-not-allowed', 'GET required');
  const form = parseTarget(target);
  if (form === null) return rejection('invalid-target', 'bad request target');
  const values = knownValues(headers, tags);
  const hosts = values[HOST] ?? NONE;
  // RFC 9112 3.2: "A server MUST respond with a 400 (Bad Request) status
  // code to any HTTP/1.1 request message that lacks a Host header field and
  // to any request message that contains more than one Host header field
  // line or a Host header field with an invalid field value."
  if (hosts.length !== 1 || !isValidAuthority(hosts[0]!)) return rejection('invalid-host', 'bad or repeated Host');
  // RFC 6455 4.2.1: "An |Upgrade| header field containing the value
  // "websocket", treated as an ASCII case-insensitive value." Without it this
  // is no WebSocket request: 426 names the protocol required.
  if (!listContainsToken(values[UPGRADE] ?? NONE, 'websocket')) return rejection('invalid-upgrade', 'Upgrade: websocket required');
  // RFC 6455 4.2.1: "A |Connection| header field that includes the token
  // "Upgrade", treated as an ASCII case-insensitive value."
  if (!listContainsToken(values[CONNECTION] ?? NONE, 'upgrade')) return rejection('invalid-connection', 'Connection: Upgrade required');
  // RFC 6455 4.2.2: "If this version does not match a version understood by
  // the server, the server MUST abort the WebSocket handshake described in
  // this section and instead send an appropriate HTTP error code (such as
  // 426 Upgrade Required) and a |Sec-WebSocket-Version| header field".
  // Checked before the key: older drafts send other key headers.
  const versions = values[VERSION] ?? NONE;
  if (versions.length !== 1 || versions[0] !== '13') return rejection('unsupported-websocket-version', 'Sec-WebSocket-Version: 13 required');
  // RFC 6455 4.2.1: "A |Sec-WebSocket-Key| header field with a base64-encoded
  // value that, when decoded, is 16 bytes in length."
  const keys = values[KEY] ?? NONE;
  if (keys.length !== 1 || !isValidKey(keys[0]!)) return rejection('invalid-key', 'bad or repeated Sec-WebSocket-Key');
  // RFC 6454 7.3: "User agents MUST NOT include more than one Origin header field".
  const origins = values[ORIGIN] ?? NONE;
  if (origins.length > 1) return rejection('invalid-origin', 'repeated Origin');
  const protocols = values[PROTOCOL] ? parseTokenList(values[PROTOCOL]) : NO_LIST;
  // RFC 6455 4.1: subprotocol elements "MUST all be unique strings".
  if (!protocols.ok || (protocols.value.length > 1 && new Set(protocols.value).size !== protocols.value.length)) return rejection('invalid-protocols', 'bad Sec-WebSocket-Protocol');
  const extensions = values[EXTENSIONS] ? parseExtensionList(values[EXTENSIONS]) : NO_LIST;
  if (!extensions.ok) return rejection('invalid-extensions', `bad Sec-WebSocket-Extensions: ${extensions.error}`);
  // A GET with content would leave no way to tell the content from the
  // frames after the head: refused rather than guessed at.
  if (values[TRANSFER_ENCODING] || (values[CONTENT_LENGTH] ?? NONE).some((length) => !/^0+$/.test(length))) {
    return rejection('unexpected-content', 'unexpected content');
  }
  return {
    type: 'request',
    method,
    target,
    path: form[0],
    query: form[1],
    // RFC 9112 3.2.2: for an absolute-form target the server "MUST ignore the
    // received Host header field" and use the target's authority.
    host: form[2] ?? hosts[0]!,
    origin: origins[0] ?? null,
    protocols: protocols.value,
    extensions: extensions.value,
    headers,
    key: keys[0]!,
  };
}

/**
 * Splits an origin-form (`/path?query`) or absolute-form
 * (`scheme://authority/path?query`) request target (RFC 9112 3.2) into path,
 * query and authority; null for anything else, including the asterisk and
 * authority forms and characters other than visible ASCII without "#".
 */
function parseTarget(target: string): [string, string, string | undefined] | null {
  // RFC 3986 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
  const match = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?]*))?(\/[^?]*)?(?:\?(.*))?$/.exec(target);
  if (match === null || /[^\x21-\x22\x24-\x7e]/.test(target) || (match[1] === undefined ? match[2] === undefined : !isValidAuthority(match[1]))) return null;
  return [match[2] ?? '/', match[3] ?? '', match[1]];
}

/**
 * RFC 9110 7.2: Host = uri-host [ ":" port ], uri-host being an IP literal in
 * brackets or a reg-name (RFC 3986 3.2.2; IPv4 addresses are reg-names
 * syntactically). Userinfo is refused (RFC 9110 4.2.4). Not empty: a
 * WebSocket URI always has a host.
 */
function isValidAuthority(value: string): boolean {
  return /^(?:\[[\w:.~!$&'()*+,;=-]+\]|[\w.~!$&'()*+,;=%-]+)(?::\d*)?$/.test(value);
}
