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

export const DEFAULT_MAX_BODY_BYTES = 16384;

const NO_EVENTS: readonly ClientEvent[] = Object.freeze([]);
const NONE: readonly string[] = [];

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
  readonly #accept: string;
  readonly #protocols: readonly string[];
  readonly #extensionNames: readonly string[];
  readonly #maxBodyBytes: number;
  readonly #maxLineBytes: number;
  #body: BodyReader | null = null;
  #rejected: Omit<RejectedEvent, 'body'> | null = null;

  /** Throws a TypeError for a bad URL or option (see `parseWebSocketUrl`, `createRequest`), a RangeError for a bad limit. */
  constructor(options: ClientOptions) {
    const url = options.url;
    this.url = parseWebSocketUrl(typeof url === 'string' ? url : url.href);
    const limits = headLimits(options);
    this.#parser = new HeadParser(false, limits);
    this.#maxLineBytes = limits.maxLineBytes;
    this.#maxBodyBytes = limitOption(options.maxBodyBytes, 'maxBodyBytes', DEFAULT_MAX_BODY_BYTES);
    this.key = generateKey(options.random ?? defaultRandom);
    this.request = createRequest(this.url, this.key, options);
    this.#accept = computeAcceptKey(this.key);
    this.#protocols = options.protocols ?? [];
    this.#extensionNames = (options.extensions ?? []).map((extension) => extension.name);
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
        return this.#body!.push(chunk, 0) ? [this.#finishRejected()] : NO_EVENTS;
      case 'rejected':
      case 'failed':
        return NO_EVENTS;
      case 'accepted':
        throw new Error('the handshake is complete: pass further bytes to the frame codec');
    }
  }

  /**
   * The server closed the connection (end of input). Fails a handshake still
   * waiting for its response head; completes a rejection whose content runs
   * until the connection closes.
   */
  end(): readonly ClientEvent[] {
    if (this.#state === 'reading-head') return [this.#fail('connection-closed', 'the connection closed before the response head was complete')];
    if (this.#state === 'reading-body') return [this.#finishRejected()];
    return NO_EVENTS;
  }

  #head(chunk: Uint8Array): readonly ClientEvent[] {
    const parser = this.#parser;
    let position = 0;
    for (;;) {
      const end = parser.push(chunk, position);
      if (end === NEED_MORE) return NO_EVENTS;
      if (end === FAILED) return [this.#fail(parser.errorCode, parser.errorReason)];
      // RFC 9112 2.3: only HTTP/1.x is understood in this syntax.
      if (parser.versionMajor !== 1) return [this.#fail('unsupported-http-version', `the response is HTTP/${parser.versionMajor}.${parser.versionMinor}`)];
      const status = parser.status;
      if (status === 101) return [this.#accepted(chunk, end)];
      if (status < 200) {
        // RFC 9110 15.2: "A client MUST be able to parse one or more 1xx
        // responses received prior to a final response, even if the client
        // does not expect one."
        parser.reset();
        position = end;
        if (position === chunk.length) return NO_EVENTS;
        continue;
      }
      return this.#rejectedHead(chunk, end);
    }
  }

  /** RFC 6455 4.1: the checks on a 101 response, in the order the RFC lists them. */
  #accepted(chunk: Uint8Array, end: number): ClientEvent {
    const { headers, tags, versionMinor } = this.#parser;
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
    if (accept.length !== 1 || accept[0] !== this.#accept) return this.#fail('invalid-accept', 'wrong Sec-WebSocket-Accept');
    // "If the response includes a |Sec-WebSocket-Extensions| header field and
    // this header field indicates the use of an extension that was not
    // present in the client's handshake [...], the client MUST _Fail_".
    const extensions = parseExtensionList(values[EXTENSIONS] ?? NONE);
    if (!extensions.ok) return this.#fail('invalid-extensions', `malformed Sec-WebSocket-Extensions: ${extensions.error}`);
    const unoffered = extensions.value.find((extension) => !this.#extensionNames.includes(extension.name));
    if (unoffered) return this.#fail('invalid-extensions', `extension ${unoffered.name} was not offered`);
    // "If the response includes a |Sec-WebSocket-Protocol| header field and
    // this header field indicates the use of a subprotocol that was not
    // present in the client's handshake [...], the client MUST _Fail_".
    // One subprotocol at most, on one line.
    const protocols = values[PROTOCOL];
    const protocol = protocols?.length === 1 ? protocols[0]! : null;
    if (protocols && !this.#protocols.includes(protocol!)) return this.#fail('invalid-protocol', 'the subprotocol was not offered');
    this.#state = 'accepted';
    return { type: 'accepted', protocol, extensions: extensions.value, headers, leftover: chunk.subarray(end) };
  }

  #rejectedHead(chunk: Uint8Array, end: number): readonly ClientEvent[] {
    const { status, headers, tags, reasonPhrase } = this.#parser;
    this.#rejected = { type: 'rejected', status, reason: reasonPhrase, headers };
    // RFC 9112 6.3: how the content of a response is delimited.
    const values = knownValues(headers, tags);
    const codings = values[TRANSFER_ENCODING];
    const lengths = (values[CONTENT_LENGTH] ?? NONE).join(',').split(',').map((length) => length.trim());
    let mode = BODY_UNTIL_CLOSE;
    let length = 0;
    if (status === 204 || status === 304) {
      mode = BODY_NONE;
    } else if (codings) {
      // "If a Transfer-Encoding header field is present in a response and the
      // chunked transfer coding is not the final encoding, the message body
      // length is determined by reading the connection until it is closed".
      if (/(^|,)[ \t]*chunked[ \t]*$/i.test(codings.join(','))) mode = BODY_CHUNKED;
    } else if (values[CONTENT_LENGTH]) {
      // "If a message is received without Transfer-Encoding and with an
      // invalid Content-Length header field, then the message framing is
      // invalid and the recipient MUST treat it as an unrecoverable error".
      // A list of identical values is one value.
      if (!/^\d{1,15}$/.test(lengths[0]!) || lengths.some((value) => value !== lengths[0])) return [this.#fail('invalid-content-length', 'invalid Content-Length')];
      length = +lengths[0]!;
      mode = BODY_LENGTH;
    }
    this.#body = new BodyReader(mode, length, this.#maxBodyBytes, this.#maxLineBytes);
    this.#state = 'reading-body';
    return this.#body.done || this.#body.push(chunk, end) ? [this.#finishRejected()] : NO_EVENTS;
  }

  #finishRejected(): RejectedEvent {
    this.#state = 'rejected';
    const event = { ...this.#rejected!, body: this.#body!.bytes() };
    this.#body = null;
    return event;
  }

  #fail(code: FailureCode, reason: string): FailedEvent {
    this.#state = 'failed';
    return { type: 'failed', code, reason };
  }
}

const BODY_NONE = 0;
const BODY_LENGTH = 1;
const BODY_CHUNKED = 2;
const BODY_UNTIL_CLOSE = 3;

// Chunked decoding states (RFC 9112 7.1).
const CHUNK_SIZE = 0;
const CHUNK_EXTENSION = 1;
const CHUNK_SIZE_LF = 2;
const CHUNK_DATA = 3;
const CHUNK_DATA_CR = 4;
const CHUNK_DATA_LF = 5;

/**
 * Reads a rejection's content, keeping at most `limit` bytes. Complete when
 * the content ends, the limit is reached, or (chunked) the coding turns out
 * malformed: the content is only informative, the connection closes after.
 */
class BodyReader {
  done: boolean;
  #kept: Uint8Array;
  #length = 0;
  #remaining: number;
  #chunkState = CHUNK_SIZE;
  #digits = 0;
  #lineBytes = 0;

  constructor(
    private readonly mode: number,
    contentLength: number,
    private readonly limit: number,
    private readonly maxLineBytes: number,
  ) {
    this.#remaining = mode === BODY_LENGTH ? contentLength : 0;
    this.done = mode === BODY_NONE || (mode === BODY_LENGTH && contentLength === 0);
    this.#kept = new Uint8Array(Math.min(limit, mode === BODY_LENGTH ? contentLength : 1024));
  }

  /** Consumes `chunk` from `position`; true once the content is complete. */
  push(chunk: Uint8Array, position: number): boolean {
    if (this.mode !== BODY_CHUNKED) {
      let end = chunk.length;
      if (this.mode === BODY_LENGTH && end - position > this.#remaining) end = position + this.#remaining;
      this.#remaining -= end - position;
      this.#keep(chunk, position, end);
      this.done = this.#length === this.limit || (this.mode === BODY_LENGTH && this.#remaining === 0);
      return this.done;
    }
    while (position < chunk.length && !this.done) position = this.#chunked(chunk, position);
    return this.done;
  }

  #chunked(chunk: Uint8Array, position: number): number {
    const byte = chunk[position]!;
    switch (this.#chunkState) {
      case CHUNK_SIZE: {
        const digit = byte >= 0x30 && byte <= 0x39 ? byte - 0x30 : (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66 ? (byte | 0x20) - 0x57 : -1;
        if (digit >= 0 && this.#digits < 8) {
          this.#remaining = this.#remaining * 16 + digit;
          this.#digits++;
        } else if (this.#digits > 0 && byte === 0x0d) this.#chunkState = CHUNK_SIZE_LF;
        else if (this.#digits > 0 && (byte === 0x3b || byte === 0x20 || byte === 0x09)) this.#chunkState = CHUNK_EXTENSION;
        else this.done = true;
        break;
      }
      case CHUNK_EXTENSION:
        // Chunk extensions are skipped, within the line limit.
        if (byte === 0x0d) this.#chunkState = CHUNK_SIZE_LF;
        else if (++this.#lineBytes > this.maxLineBytes) this.done = true;
        break;
      case CHUNK_SIZE_LF:
        // The last chunk ends the content; trailers are not read.
        if (byte !== 0x0a || this.#remaining === 0) this.done = true;
        else this.#chunkState = CHUNK_DATA;
        break;
      case CHUNK_DATA: {
        const end = Math.min(chunk.length, position + this.#remaining);
        this.#keep(chunk, position, end);
        this.#remaining -= end - position;
        if (this.#remaining === 0) this.#chunkState = CHUNK_DATA_CR;
        if (this.#length === this.limit) this.done = true;
        return end;
      }
      case CHUNK_DATA_CR:
        if (byte === 0x0d) this.#chunkState = CHUNK_DATA_LF;
        else this.done = true;
        break;
      case CHUNK_DATA_LF:
        if (byte === 0x0a) {
          this.#chunkState = CHUNK_SIZE;
          this.#digits = 0;
          this.#lineBytes = 0;
        } else this.done = true;
        break;
    }
    return position + 1;
  }

  #keep(chunk: Uint8Array, start: number, end: number): void {
    const count = Math.min(end - start, this.limit - this.#length);
    if (count <= 0) return;
    if (this.#length + count > this.#kept.length) {
      const grown = new Uint8Array(Math.min(this.limit, Math.max(this.#length + count, this.#kept.length * 2)));
      grown.set(this.#kept.subarray(0, this.#length));
      this.#kept = grown;
    }
    this.#kept.set(chunk.subarray(start, start + count), this.#length);
    this.#length += count;
  }

  bytes(): Uint8Array {
    return this.#kept.slice(0, this.#length);
  }
}
