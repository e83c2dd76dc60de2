// The client role: the opening request, then the server's response
// (RFC 6455 4.1, 4.2.2).
//
// States, in order:
//   reading-head   bytes go to the head parser (1xx interim responses are
//                  skipped, their bytes counted against maxHeaderBytes)
//   reading-body   a non-101 response's content is read, up to maxBodyBytes
//   accepted       the 101 was valid: bytes belong to the frame codec
//   rejected       a non-101 response was reported: input is ignored
//   failed         the response was invalid: input is ignored, close the connection
import { computeAcceptKey, defaultRandom, generateKey, type RandomSource } from './accept-key.js';
import type { ClientEvent, FailedEvent, FailureCode, RejectedEvent } from './events.js';
import { listContainsToken } from './header-values.js';
import { COMPLETE, NONE, Tag } from './headers.js';
import { HeadParser, Push, headLimits, limitOption } from './http-parser.js';
import { readSelection, type Offer } from './negotiation.js';
import { createRequest, parseWebSocketUrl, type RequestOptions, type WebSocketUrl } from './request.js';

export interface ClientOptions extends RequestOptions {
  /** The ws:// or wss:// URL (a string, or a URL object). */
  readonly url: string | { readonly href: string };
  /** Source of the key's 16 random bytes. Default `crypto.getRandomValues`. */
  readonly random?: RandomSource | undefined;
  /** Longest status line or header line, CRLF included. Default 8192 (8 KiB). */
  readonly maxLineBytes?: number | undefined;
  /** Largest header section (all header lines and the final CRLF), 1xx interim responses before it included. Default 16384 (16 KiB). */
  readonly maxHeaderBytes?: number | undefined;
  /** Most header lines. Default 100. */
  readonly maxHeaders?: number | undefined;
  /** Most bytes of a rejection's content kept for the `rejected` event. Default 16384 (16 KiB). */
  readonly maxBodyBytes?: number | undefined;
}

export type ClientState = 'reading-head' | 'reading-body' | 'accepted' | 'rejected' | 'failed';


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
  readonly #offer: Offer;
  // The rejection being read: its head, the content kept so far, and where
  // the content ends (RFC 9112 6.3).
  #rejected: Omit<RejectedEvent, 'body'> | null = null;
  #body: number[] = [];
  /** Bytes of content still to read; Infinity until the connection closes. */
  #remaining = 0;

  /**
   * Throws a TypeError for a bad URL or option (see `parseWebSocketUrl`,
   * `createRequest`), a RangeError for a bad limit.
   */
  constructor(options: ClientOptions) {
    const { url } = options;
    this.url = parseWebSocketUrl(typeof url === 'string' ? url : url.href);
    this.#parser = new HeadParser(false, headLimits(options));
    this.#maxBodyBytes = limitOption(options.maxBodyBytes, 'maxBodyBytes', 16384);
    this.#offer = { protocols: options.protocols ?? [], extensions: options.extensions ?? [] };
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
    return NONE;
  }

  /**
   * The server closed the connection (end of input). Fails a handshake still
   * waiting for its response head; completes a rejection whose content runs
   * until the connection closes (or was cut short).
   */
  end(): readonly ClientEvent[] {
    if (this.#state === 'reading-head') return [this.#fail('connection-closed')];
    return this.#state === 'reading-body' ? [this.#finishRejection()] : NONE;
  }

  #head(chunk: Uint8Array): readonly ClientEvent[] {
    const parser = this.#parser;
    for (let position = 0; ; ) {
      const end = parser.push(chunk, position);
      if (end === Push.NEED_MORE) return NONE;
      if (end === Push.FAILED) return [this.#fail(parser.errorCode)];
      // RFC 9112 2.3: HTTP/1.x only, in this syntax.
      if (parser.versionMajor !== 1) return [this.#fail('unsupported-http-version')];
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
    const { headers, known: values, versionMinor } = this.#parser;
    if (versionMinor === 0) return this.#fail('unsupported-http-version');
    // "If the response lacks an |Upgrade| header field or the |Upgrade| header
    // field contains a value that is not an ASCII case-insensitive match for
    // the value "websocket", the client MUST _Fail the WebSocket Connection_."
    const upgrade = values[Tag.UPGRADE] ?? NONE;
    if (upgrade.length !== 1 || upgrade[0]!.toLowerCase() !== 'websocket') return this.#fail('invalid-upgrade');
    // "If the response lacks a |Connection| header field or the |Connection|
    // header field doesn't contain a token that is an ASCII case-insensitive
    // match for the value "Upgrade", the client MUST _Fail_".
    if (!listContainsToken(values[Tag.CONNECTION] ?? NONE, 'upgrade')) return this.#fail('invalid-connection');
    // "If the response lacks a |Sec-WebSocket-Accept| header field or the
    // |Sec-WebSocket-Accept| contains a value other than the base64-encoded
    // SHA-1 of the concatenation of the |Sec-WebSocket-Key| (as a string, not
    // base64-decoded) with the string "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    // [...] the client MUST _Fail_".
    const accept = values[Tag.ACCEPT] ?? NONE;
    if (accept.length !== 1 || accept[0] !== computeAcceptKey(this.key)) return this.#fail('invalid-accept');
    // Then the extensions and the subprotocol: only offered ones, one
    // subprotocol at most.
    const selection = readSelection(headers, this.#offer);
    if (typeof selection === 'string') return this.#fail(selection.includes('extension') ? 'invalid-extensions' : 'invalid-protocol');
    this.#state = 'accepted';
    return { type: 'accepted', protocol: selection.protocol, extensions: selection.extensions, headers, leftover: chunk.subarray(end) };
  }

  #rejectedHead(chunk: Uint8Array, end: number): readonly ClientEvent[] {
    const { status, headers, known: values, reasonPhrase } = this.#parser;
    // RFC 9112 6.3: how the content of a response is delimited. No content
    // in a 204 or 304. With Transfer-Encoding, until the connection closes:
    // chunked coding is not decoded, such content is kept as it came and
    // flagged. "If a message is received without Transfer-Encoding and with
    // an invalid Content-Length header field, then the message framing is
    // invalid and the recipient MUST treat it as an unrecoverable error";
    // a list of identical values counts as one. Without either, until the
    // connection closes.
    const codings = values[Tag.TRANSFER_ENCODING]?.join(',');
    const lengths = values[Tag.CONTENT_LENGTH]?.join(',');
    const length = /^(\d{1,15})(?:[ \t]*,[ \t]*\1)*$/.exec(lengths ?? '');
    if (codings === undefined && lengths !== undefined && length === null) return [this.#fail('invalid-content-length')];
    this.#remaining = status === 204 || status === 304 ? 0 : codings === undefined && length ? +length[1]! : Infinity;
    this.#rejected = { type: 'rejected', status, reason: reasonPhrase, headers, chunked: /(?:^|,)[ \t]*chunked[ \t]*$/i.test(codings ?? '') };
    this.#state = 'reading-body';
    return this.#content(chunk, end);
  }

  /** Reads content from `chunk[position..]`, at most maxBodyBytes; the `rejected` event once it is complete. */
  #content(chunk: Uint8Array, position: number): readonly ClientEvent[] {
    const body = this.#body;
    const count = Math.min(chunk.length - position, this.#remaining, this.#maxBodyBytes - body.length);
    for (let i = position; i < position + count; i++) body.push(chunk[i]!);
    this.#remaining -= count;
    return this.#remaining > 0 && body.length < this.#maxBodyBytes ? NONE : [this.#finishRejection()];
  }

  #finishRejection(): RejectedEvent {
    this.#state = 'rejected';
    return { ...this.#rejected!, body: new Uint8Array(this.#body) };
  }

  #fail(code: FailureCode): FailedEvent {
    this.#state = 'failed';
    return { type: 'failed', code, reason: code.replace(/-/g, ' ') };
  }
}
