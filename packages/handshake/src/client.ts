// The client role: the opening request, then the server's response
// (RFC 6455 4.1, 4.2.2).
//
// States, in order:
//   reading-head   bytes go to the head parser (1xx interim responses are skipped)
//   reading-body   a non-101 response's content is read, up to maxBodyBytes
//   accepted       the 101 was valid: bytes belong to the frame codec
//   rejected       a non-101 response was reported: input is ignored
//   failed         the response was invalid: input is ignored, close the connection
import { computeAcceptKey, defaultRandom, generateKey, type RandomSource } from './accept-key.js';
import type { ClientEvent, FailedEvent, FailureCode, RejectedEvent } from './events.js';
import { listContainsToken, parseExtensionList } from './header-values.js';
import { ACCEPT, CONNECTION, CONTENT_LENGTH, EXTENSIONS, FAILED, HeadParser, NEED_MORE, PROTOCOL, TRANSFER_ENCODING, UPGRADE, headLimits, knownValues, limitOption } from './http-parser.js';
import { createRequest, parseWebSocketUrl, type RequestOptions, type WebSocketUrl } from './request.js';
import { COMPLETE } from './headers.js';

export interface ClientOptions extends RequestOptions {
  /** The ws:// or wss:// URL (a string, or a URL object). */
  readonly url: string | { readonly href: string };
  /** Source of the key's 16 random bytes. Default `crypto.getRandomValues`. */
  readonly random?: RandomSource | undefined;
  /** Longest status line or header line, CRLF included. Default 8192 (8 KiB). */
  readonly maxLineBytes?: number | undefined;
  /** Largest header section (all header lines and the final CRLF). Default 16384 (16 KiB). */
  readonly maxHeaderBytes?: number | undefined;
  /** Most header lines. Default 100. */
  readonly maxHeaders?: number | undefined;
  /** Most bytes of a rejection's content kept for the `rejected` event. Default 16384 (16 KiB). */
  readonly maxBodyBytes?: number | undefined;
}

export type ClientState = 'reading-head' | 'reading-body' | 'accepted' | 'rejected' | 'failed';

const NO_EVENTS: readonly ClientEvent[] = Object.freeze([]);
const NONE: readonly string[] = [];

// How a rejection's content ends (RFC 9112 6.3): after `remaining` bytes,
// with the chunked coding, or when the connection closes.
const LENGTH = 0;
const CHUNKED = 1;
const UNTIL_CLOSE = 2;

/** Sans-IO client side of the HTTP/1.1 opening handshake, for one connection. */
export class ClientHandshake {
  /** The parsed URL: where to connect, and whether over TLS. */
  readonly url: WebSocketUrl;
  /** The Sec-WebSocket-Key sent. */
  readonly key: string;
  /** The request bytes to send once connected. */
  readonly request: Uint8Array;
  #state: ClientState = 'reading-head';
  readonly #parser: HeadParser;
  readonly #maxBodyBytes: number;
  readonly #maxLineBytes: number;
  readonly #options: ClientOptions;
  // The rejection being read: its head, content kept so far, framing.
  #rejected: Omit<RejectedEvent, 'body'> | null = null;
  #body: number[] = [];
  #mode = LENGTH;
  #remaining = 0;
  /** Chunked coding: the size line or CRLF being read, null inside chunk data. */
  #line: string | null = '';

  /**
   * Throws a TypeError for a bad URL or option (see `parseWebSocketUrl`,
   * `createRequest`), a RangeError for a bad limit.
   */
  constructor(options: ClientOptions) {
    const { url } = options;
    this.url = parseWebSocketUrl(typeof url === 'string' ? url : url.href);
    const limits = headLimits(options);
    this.#parser = new HeadParser(false, limits);
    this.#maxLineBytes = limits.maxLineBytes;
    this.#maxBodyBytes = limitOption(options.maxBodyBytes, 'maxBodyBytes', 16384);
    this.#options = options;
    this.key = generateKey(options.random ?? defaultRandom);
    this.request = createRequest(this.url, this.key, options);
  }

  get state(): ClientState {
    return this.#state;
  }

  /**
   * Feeds bytes from the server. Returns the events they complete: nothing
   * yet, `accepted` (its `leftover` is a view of `chunk`), `rejected` or
   * `failed`. Throws only when called after `accepted`: bytes then go to the
   * frame codec.
   */
  receive(chunk: Uint8Array): readonly ClientEvent[] {
    switch (this.#state) {
      case 'reading-head':
        return this.#head(chunk);
      case 'reading-body':
        return this.#content(chunk, 0);
      case 'accepted':
        throw new Error(COMPLETE);
    }
    return NO_EVENTS;
  }

  /**
   * The server closed the connection (end of input). Fails a handshake still
   * waiting for its response head; completes a rejection whose content runs
   * until the connection closes (or was cut short).
   */
  end(): readonly ClientEvent[] {
    if (this.#state === 'reading-head') return [this.#fail('connection-closed', 'closed before the response')];
    return this.#state === 'reading-body' ? [this.#finishRejection()] : NO_EVENTS;
  }

  #head(chunk: Uint8Array): readonly ClientEvent[] {
    const parser = this.#parser;
    for (let position = 0; ; ) {
      const end = parser.push(chunk, position);
      if (end === NEED_MORE) return NO_EVENTS;
      if (end === FAILED) return [this.#fail(parser.errorCode, parser.errorReason)];
      // RFC 9112 2.3: HTTP/1.x only, in this syntax.
      if (parser.versionMajor !== 1) return [this.#fail('unsupported-http-version', 'not an HTTP/1.x response')];
      const status = parser.status;
      if (status === 101) return [this.#accepted(chunk, end)];
      if (status >= 200) return this.#rejectedHead(chunk, end);
      // RFC 9110 15.2: "A client MUST be able to parse one or more 1xx
      // responses received prior to a final response, even if the client
      // does not expect one."
      parser.reset();
      position = end;
    }
  }

  /** RFC 6455 4.1: the checks on a 101 response, in the order the RFC lists them. */
  #accepted(chunk: Uint8Array, end: number): ClientEvent {
    const { headers, tags, versionMinor } = this.#parser;
    const options = this.#options;
    if (versionMinor === 0) return this.#fail('unsupported-http-version', 'a 101 needs HTTP/1.1');
    const values = knownValues(headers, tags);
    // "If the response lacks an |Upgrade| header field or the |Upgrade| header
    // field contains a value that is not an ASCII case-insensitive match for
    // the value "websocket", the client MUST _Fail the WebSocket Connection_."
    const upgrade = values[UPGRADE] ?? NONE;
    if (upgrade.length !== 1 || upgrade[0]!.toLowerCase() !== 'websocket') return this.#fail('invalid-upgrade', 'Upgrade: websocket missing');
    // "If the response lacks a |Connection| header field or the |Connection|
    // header field doesn't contain a token that is an ASCII case-insensitive
    // match for the value "Upgrade", the client MUST _Fail_".
    if (!listContainsToken(values[CONNECTION] ?? NONE, 'upgrade')) return this.#fail('invalid-connection', 'Connection: Upgrade missing');
    // "If the response lacks a |Sec-WebSocket-Accept| header field or the
    // |Sec-WebSocket-Accept| contains a value other than the base64-encoded
    // SHA-1 of the concatenation of the |Sec-WebSocket-Key| (as a string, not
    // base64-decoded) with the string "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    // [...] the client MUST _Fail_".
    const accept = values[ACCEPT] ?? NONE;
    if (accept.length !== 1 || accept[0] !== computeAcceptKey(this.key)) return this.#fail('invalid-accept', 'wrong Sec-WebSocket-Accept');
    // "If the response includes a |Sec-WebSocket-Extensions| header field and
    // this header field indicates the use of an extension that was not
    // present in the client's handshake [...], the client MUST _Fail_".
    const extensions = parseExtensionList(values[EXTENSIONS] ?? NONE);
    if (!extensions.ok) return this.#fail('invalid-extensions', `bad Sec-WebSocket-Extensions: ${extensions.error}`);
    const unoffered = extensions.value.find(({ name }) => !options.extensions?.some((offer) => offer.name === name));
    if (unoffered) return this.#fail('invalid-extensions', `unoffered extension ${unoffered.name}`);
    // "If the response includes a |Sec-WebSocket-Protocol| header field and
    // this header field indicates the use of a subprotocol that was not
    // present in the client's handshake [...], the client MUST _Fail_".
    // One subprotocol at most, on one line.
    const protocols = values[PROTOCOL];
    const protocol = protocols?.length === 1 ? protocols[0]! : null;
    if (protocols && !options.protocols?.includes(protocol!)) return this.#fail('invalid-protocol', 'unoffered subprotocol');
    this.#state = 'accepted';
    return { type: 'accepted', protocol, extensions: extensions.value, headers, leftover: chunk.subarray(end) };
  }

  #rejectedHead(chunk: Uint8Array, end: number): readonly ClientEvent[] {
    const { status, headers, tags, reasonPhrase } = this.#parser;
    this.#rejected = { type: 'rejected', status, reason: reasonPhrase, headers };
    this.#state = 'reading-body';
    // RFC 9112 6.3: how the content of a response is delimited.
    const values = knownValues(headers, tags);
    const codings = values[TRANSFER_ENCODING];
    const lengths = values[CONTENT_LENGTH]?.join(',').split(',').map((length) => length.trim());
    if (status === 204 || status === 304) {
      this.#mode = LENGTH;
    } else if (codings) {
      // "If a Transfer-Encoding header field is present in a response and the
      // chunked transfer coding is not the final encoding, the message body
      // length is determined by reading the connection until it is closed".
      this.#mode = /(?:^|,)[ \t]*chunked[ \t]*$/i.test(codings.join(',')) ? CHUNKED : UNTIL_CLOSE;
    } else if (lengths) {
      // "If a message is received without Transfer-Encoding and with an
      // invalid Content-Length header field, then the message framing is
      // invalid and the recipient MUST treat it as an unrecoverable error".
      // A list of identical values counts as one.
      if (!/^\d{1,15}$/.test(lengths[0]!) || lengths.some((length) => length !== lengths[0])) return [this.#fail('invalid-content-length', 'invalid Content-Length')];
      this.#remaining = +lengths[0]!;
    } else {
      this.#mode = UNTIL_CLOSE;
    }
    return this.#content(chunk, end);
  }

  /** Reads content from `chunk[position..]`; the `rejected` event once it is complete. */
  #content(chunk: Uint8Array, position: number): readonly ClientEvent[] {
    const body = this.#body;
    const limit = this.#maxBodyBytes;
    for (let i = position; (this.#mode === CHUNKED ? this.#line !== '0\r\n' : this.#mode === UNTIL_CLOSE || this.#remaining > 0) && body.length < limit; ) {
      if (i === chunk.length) return NO_EVENTS;
      if (this.#mode !== CHUNKED || this.#line === null) {
        // Content bytes, or the data of one chunk.
        const count = Math.min(chunk.length - i, limit - body.length, this.#mode === UNTIL_CLOSE ? Infinity : this.#remaining);
        for (let k = 0; k < count; k++) body.push(chunk[i + k]!);
        i += count;
        this.#remaining -= count;
        if (this.#remaining === 0 && this.#mode === CHUNKED) this.#line = '';
        continue;
      }
      // RFC 9112 7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF,
      // last-chunk = 1*("0") [ chunk-ext ] CRLF. The CRLF after a chunk's data
      // reads as an empty line. Extensions are skipped and trailers not read;
      // a malformed coding ends the content (it is only informative).
      const line = (this.#line += String.fromCharCode(chunk[i++]!));
      if (!line.endsWith('\n')) {
        if (line.length > this.#maxLineBytes) break;
        continue;
      }
      const size = /^([\dA-Fa-f]{1,8})(?:[ \t;][^\r]*)?\r\n$/.exec(line);
      if (line === '\r\n') this.#line = '';
      else if (size === null) break;
      else if ((this.#remaining = parseInt(size[1]!, 16)) === 0) this.#line = '0\r\n';
      else this.#line = null;
    }
    return [this.#finishRejection()];
  }

  #finishRejection(): RejectedEvent {
    this.#state = 'rejected';
    return { ...this.#rejected!, body: new Uint8Array(this.#body) };
  }

  #fail(code: FailureCode, reason: string): FailedEvent {
    this.#state = 'failed';
    return { type: 'failed', code, reason };
  }
}
