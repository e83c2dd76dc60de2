// The events of both roles. Every event is a readonly object with a kebab-case
// `type`; byte fields are Uint8Array.
import type { Extension } from './header-values.js';
import type { HeaderList } from './headers.js';
import type { HeadErrorCode } from './http-parser.js';
import type { OfferProblem } from './negotiation.js';

/**
 * What an application needs from a WebSocket opening request, whatever
 * carried it: this package fills it from an HTTP/1.1 Upgrade request (and
 * adds `method`, `target`, `host`, `key`); `@hybi/h2-bootstrap` fills it
 * from an RFC 8441 / RFC 9220 extended CONNECT (and adds `scheme`,
 * `authority`).
 */
export interface WebSocketRequest {
  /** The path of the request target, as sent (percent-encoding kept), e.g. "/chat". */
  readonly path: string;
  /** The query after the first "?", as sent, without the "?"; null when there is no "?". */
  readonly query: string | null;
  /** The Origin header, or null when absent. */
  readonly origin: string | null;
  /** Subprotocols offered in Sec-WebSocket-Protocol, in order, across all its lines. */
  readonly protocols: readonly string[];
  /** Extensions offered in Sec-WebSocket-Extensions (RFC 6455 9.1), in order. */
  readonly extensions: readonly Extension[];
  /** Every header field as received: name as sent, order and repeats kept. */
  readonly headers: HeaderList;
}

/** A valid RFC 6455 4.2.1 opening request; answer it with `accept()` or `reject()`. */
export interface RequestEvent extends WebSocketRequest {
  readonly type: 'request';
  /** Always "GET". */
  readonly method: string;
  /** The request target as sent: origin-form ("/chat?x=1") or absolute-form. */
  readonly target: string;
  /** The authority: the Host header, or the authority of an absolute-form target. */
  readonly host: string;
  /** The Sec-WebSocket-Key value. */
  readonly key: string;
}

/** Why a request was refused, one code per rule. */
export type RejectCode =
  | HeadErrorCode
  | 'unsupported-http-version'
  | 'method-not-allowed'
  | 'invalid-target'
  | 'invalid-host'
  | 'invalid-upgrade'
  | 'invalid-connection'
  | OfferProblem
  | 'invalid-key'
  | 'unexpected-content'
  | 'early-data-too-large';

/**
 * The peer's request cannot be accepted. Write `response` and close the
 * connection once it is written. `status`, `headers` and `body` are the same
 * response in parts, for embedders that write responses themselves.
 */
export interface RejectEvent {
  readonly type: 'reject';
  readonly status: number;
  readonly code: RejectCode;
  /** `code` in words; also the response body. */
  readonly reason: string;
  readonly headers: HeaderList;
  readonly body: Uint8Array;
  /** The complete HTTP/1.1 response. */
  readonly response: Uint8Array;
  /** Always true: one request per connection, the response says `Connection: close`. */
  readonly closeConnection: true;
  /**
   * The request, when its head was well-formed HTTP but not a valid opening
   * handshake (e.g. a plain `GET /` without Upgrade, which a server sharing
   * its port may serve instead); null when the head itself was malformed or
   * too large.
   */
  readonly request: HttpRequestHead | null;
}

/** A request head as read: start line and header fields (names as sent, order and repeats kept). */
export interface HttpRequestHead {
  readonly method: string;
  readonly target: string;
  /** e.g. "1.1". */
  readonly httpVersion: string;
  readonly headers: HeaderList;
}

export type ServerEvent = RequestEvent | RejectEvent;

/** The server accepted: hand `leftover` and every later byte to the frame codec. */
export interface AcceptedEvent {
  readonly type: 'accepted';
  /** The subprotocol the server selected, or null. */
  readonly protocol: string | null;
  /** The server's Sec-WebSocket-Extensions elements, each one offered by name. */
  readonly extensions: readonly Extension[];
  /** The 101 response's headers as received. */
  readonly headers: HeaderList;
  /** Bytes after the 101 response's head in the chunk that completed it (a view of that chunk). */
  readonly leftover: Uint8Array;
}

/** The server answered with a status other than 101. */
export interface RejectedEvent {
  readonly type: 'rejected';
  readonly status: number;
  /** The reason phrase of the status line. */
  readonly reason: string;
  readonly headers: HeaderList;
  /**
   * The response content, at most `maxBodyBytes` of it: Content-Length
   * bytes, or what came until the connection closed (`end()`).
   */
  readonly body: Uint8Array;
  /**
   * True when the content is in chunked transfer coding (RFC 9112 7.1):
   * `body` then holds it as received, chunk sizes included, not decoded.
   */
  readonly chunked: boolean;
}

/** Why a handshake failed, one code per rule. */
export type FailureCode =
  | HeadErrorCode
  | 'unsupported-http-version'
  | 'invalid-upgrade'
  | 'invalid-connection'
  | 'invalid-accept'
  | 'invalid-protocol'
  | 'invalid-extensions'
  | 'invalid-content-length'
  | 'connection-closed';

/** RFC 6455 4.1 "_Fail the WebSocket Connection_": close the connection. */
export interface FailedEvent {
  readonly type: 'failed';
  readonly code: FailureCode;
  readonly reason: string;
}

export type ClientEvent = AcceptedEvent | RejectedEvent | FailedEvent;
